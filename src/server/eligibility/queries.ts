import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../platform/tables.ts';

type Db = Kysely<DB> | Transaction<DB>;

/**
 * Recomputes, in one set-based statement, the candidates of a batch and whether each meets the
 * graduation conditions of their programme: passed credits (each course once) against the minimum,
 * required courses, the practice course (综合实践环节), and 学籍有效期 (8 years, or the approved
 * extension) on the batch's issue date. A candidate is a student 在籍 whose minimum study time is
 * reached by the issue date and who is not already agreed for graduation in another batch.
 * The confirmation state of existing graduates is never touched. `studentIds` narrows the run.
 */
export async function recomputeEligibility(db: Db, batchCode: string, studentIds?: number[]): Promise<number> {
  const res = await upsert(db, batchCode, studentIds, false);
  return Number(res.numAffectedRows ?? 0);
}

export interface Verdict { eligible: boolean; reasons: string[] }

/** The same check for a few students, returning each verdict (for an action about to rely on it). */
export async function recheckEligibility(db: Db, batchCode: string, studentIds: number[]): Promise<Map<number, Verdict>> {
  if (studentIds.length === 0) return new Map();
  const res = await upsert(db, batchCode, studentIds, true);
  return new Map(res.rows.map((r) => [r.student_id, { eligible: r.eligible, reasons: r.reasons }]));
}

function upsert(db: Db, batchCode: string, studentIds: number[] | undefined, returning: boolean) {
  const only = studentIds ? sql`and s.id = any(${studentIds}::int[])` : sql``;
  return sql<{ student_id: number } & Verdict>`
    with b as (select code, issue_date from batch where code = ${batchCode}),
    cand as (
      select s.id, s.student_no, s.tp_id, s.node_path, s.programme_id, p.min_credits, p.practice_course,
             coalesce(s.extension_until, s.valid_until) as valid_until
      from student s
      join programme p on p.id = s.programme_id
      cross join b
      where s.status = '在籍' ${only}
        and s.entry_date + (p.min_years * 365.25)::int <= b.issue_date
        and not exists (select 1 from graduate o where o.student_id = s.id and o.batch_code <> b.code
                        and o.confirm_status = '同意毕业')
    ),
    passed as (
      select distinct g.student_id, g.course_code
      from grade g join cand on cand.id = g.student_id
      where g.passed
    ),
    credits as (
      select p.student_id, sum(c.credits) as earned
      from passed p join course c on c.code = p.course_code
      group by p.student_id
    ),
    missing as (
      select cand.id as student_id, array_agg(c.name order by c.code) as names
      from cand
      join programme_course pc on pc.programme_id = cand.programme_id and pc.required
      join course c on c.code = pc.course_code
      where not exists (select 1 from passed p where p.student_id = cand.id and p.course_code = pc.course_code)
      group by cand.id
    ),
    verdict as (
      select cand.*, coalesce(cr.earned, 0) as earned, coalesce(m.names, '{}') as missing,
             cand.practice_course is null
               or exists (select 1 from passed p where p.student_id = cand.id and p.course_code = cand.practice_course) as practice_ok,
             cand.valid_until >= (select issue_date from b) as valid_ok
      from cand
      left join credits cr on cr.student_id = cand.id
      left join missing m on m.student_id = cand.id
    )
    insert into graduate (batch_code, student_id, student_no, tp_id, node_path, eligible, credits_earned, credits_required,
                          missing_courses, practice_passed, reasons, checked_at)
    select ${batchCode}, v.id, v.student_no, v.tp_id, v.node_path,
           v.earned >= v.min_credits and cardinality(v.missing) = 0 and v.practice_ok and v.valid_ok,
           v.earned, v.min_credits, v.missing, v.practice_ok,
           array_remove(array[
             case when v.earned < v.min_credits then '学分不足：已获 ' || trim_scale(v.earned) || '/' || trim_scale(v.min_credits) || ' 学分' end,
             case when cardinality(v.missing) > 0 then '缺必修课：' || array_to_string(v.missing, '、') end,
             case when not v.practice_ok then '综合实践环节未通过' end,
             case when not v.valid_ok then '学籍已超过有效期（' || v.valid_until || '）' end
           ], null),
           now()
    from verdict v
    on conflict (batch_code, student_id) do update set
      student_no = excluded.student_no, tp_id = excluded.tp_id, node_path = excluded.node_path, eligible = excluded.eligible,
      credits_earned = excluded.credits_earned, credits_required = excluded.credits_required,
      missing_courses = excluded.missing_courses, practice_passed = excluded.practice_passed,
      reasons = excluded.reasons, checked_at = excluded.checked_at
    ${returning ? sql`returning student_id, eligible, reasons` : sql``}
  `.execute(db);
}
