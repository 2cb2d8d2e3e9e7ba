import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../platform/tables.ts';
import { ruleCtes } from './rules.ts';

type Db = Kysely<DB> | Transaction<DB>;

/**
 * Recomputes, in one set-based statement, the candidates of a batch and each one's verdict under the
 * rule engine (rules.ts): the reason column of 预毕业确认. A candidate is a student 在籍 whose minimum
 * study time is reached by the issue date and who is not already agreed for graduation in another batch.
 * The confirmation state of existing graduates is never touched. `students` narrows the run: a list of
 * ids, or a range of ids (a batch-wide job walks the students range by range, reporting progress).
 */
export type StudentSet = number[] | { from: number; to: number };

export async function recomputeEligibility(db: Db, batchCode: string, studentIds?: StudentSet): Promise<number> {
  const res = await upsert(db, batchCode, studentIds, false);
  return Number(res.numAffectedRows ?? 0);
}
/** After a change to some students' rules (grades, an exemption, an exception, an extension), the current
 *  batch's reason column of 预毕业确认 follows at once: the one place that says so. */
export async function recomputeCurrentBatch(db: Db, studentIds: number[]): Promise<void> {
  if (studentIds.length === 0) return;
  const b = await db.selectFrom('batch').select('code').where('is_current', '=', true).executeTakeFirst();
  if (b) await recomputeEligibility(db, b.code, studentIds);
}

export interface Verdict { eligible: boolean; reasons: string[] }

/** The same check for a few students, returning each verdict (for an action about to rely on it). */
export async function recheckEligibility(db: Db, batchCode: string, studentIds: number[]): Promise<Map<number, Verdict>> {
  if (studentIds.length === 0) return new Map();
  const res = await upsert(db, batchCode, studentIds, true);
  return new Map(res.rows.map((r) => [r.student_id, { eligible: r.eligible, reasons: r.reasons }]));
}

function upsert(db: Db, batchCode: string, studentIds: StudentSet | undefined, returning: boolean) {
  const only = studentIds === undefined ? sql``
    : Array.isArray(studentIds) ? sql`and s.id = any(${studentIds}::int[])`
      : sql`and s.id between ${studentIds.from}::int and ${studentIds.to}::int`;
  const cand = sql`
    select s.id as student_id, s.programme_id, b.issue_date, b.exemption_deadline, s.student_no, s.tp_id, s.node_path
    from student s
    join programme p on p.id = s.programme_id
    cross join (select code, issue_date, exemption_deadline from batch where code = ${batchCode}) b
    where s.status = '在籍' ${only}
      and (s.entry_date + make_interval(months => (p.min_years * 12)::int))::date <= b.issue_date
      and not exists (select 1 from graduate o where o.student_id = s.id and o.batch_code <> b.code
                      and o.confirm_status = '同意毕业')`;
  return sql<{ student_id: number } & Verdict>`
    with ${ruleCtes(cand)}
    insert into graduate (batch_code, student_id, student_no, tp_id, node_path, eligible, credits_earned, credits_required,
                          missing_courses, practice_passed, reasons, checked_at)
    select ${batchCode}, v.student_id, v.student_no, v.tp_id, v.node_path, v.ok, v.earned, v.min_credits, v.missing_courses,
           v.practice_ok, v.failures, now()
    from verdict v
    on conflict (batch_code, student_id) do update set
      student_no = excluded.student_no, tp_id = excluded.tp_id, node_path = excluded.node_path, eligible = excluded.eligible,
      credits_earned = excluded.credits_earned, credits_required = excluded.credits_required,
      missing_courses = excluded.missing_courses, practice_passed = excluded.practice_passed,
      reasons = excluded.reasons, checked_at = excluded.checked_at
    ${returning ? sql`returning student_id, eligible, reasons` : sql``}
  `.execute(db);
}
