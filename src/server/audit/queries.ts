import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../platform/tables.ts';
import type { Actor } from '../platform/auth.ts';
import { inScope } from '../platform/scope.ts';
import type { GroupBy, ResultFilter } from '../../shared/contract/audit.ts';
import { ruleCtes } from '../eligibility/service.ts';

type Db = Kysely<DB> | Transaction<DB>;

export interface RoundKey { round: number; batch: string; urgentOnly: boolean }
export interface Cursor { submission: number; studentNo: string; seq: number }

/**
 * Audits the next `limit` graduates of a round, in report order (seed 003 四.3: first reported, first
 * audited — a submission's id is its place in that order), after `cursor`. One statement: pick the
 * chunk, run the rules, upsert the results, move the graduates. A round audits graduates who agreed
 * to graduate (同意毕业) and whose data has arrived (a submission carries them), except those who
 * passed in another round of the batch. The sequence number is the graduate's place in the whole
 * round, so neither the chunk size nor the order rows were written in changes a result. A result
 * that is already there and the same is left alone: re-running a round changes nothing.
 */
export async function auditChunk(db: Db, key: RoundKey, cursor: Cursor, limit: number): Promise<{ audited: number; next: Cursor | null }> {
  const urgent = key.urgentOnly ? sql`and g.urgent` : sql``;
  // The chunk is taken from the (batch, submission, 学号) index alone, then joined to student: joining
  // first made every chunk read all of the round's graduates and scan the student table.
  const cand = sql`
    select t.graduate_id, t.student_id, s.programme_id, b.issue_date, b.exemption_deadline, t.node_path,
           t.submission_id, t.student_no, t.seq0 + ${cursor.seq}::int as seq
    from (
      select g.id as graduate_id, g.student_id, g.node_path, g.submission_id, g.student_no,
             row_number() over (order by g.submission_id, g.student_no)::int as seq0
      from graduate g
      where g.batch_code = ${key.batch} and g.submission_id is not null
        and (g.submission_id, g.student_no) > (${cursor.submission}::int, ${cursor.studentNo}::text)
        and g.confirm_status = '同意毕业'
        and (g.audit_status <> '通过' or g.audit_round_id = ${key.round}::int) ${urgent}
      order by g.submission_id, g.student_no
      limit ${limit}::int
    ) t
    cross join lateral (select programme_id from student where id = t.student_id) s
    cross join (select issue_date, exemption_deadline from batch where code = ${key.batch}) b`;
  const res = await sql<{ audited: number; last_sub: number | null; last_no: string | null; last_seq: number | null }>`
    with ${ruleCtes(cand)},
    ins as (
      insert into audit_result (round_id, graduate_id, seq, passed, failures, failed_rules, credits_earned, node_path, audited_at)
      select ${key.round}::int, v.graduate_id, v.seq, v.ok, v.failures, v.failed_rules, v.earned, v.node_path, now()
      from verdict v
      on conflict (round_id, graduate_id) do update set
        seq = excluded.seq, passed = excluded.passed, failures = excluded.failures, failed_rules = excluded.failed_rules,
        credits_earned = excluded.credits_earned, node_path = excluded.node_path, audited_at = excluded.audited_at
      where (audit_result.seq, audit_result.passed, audit_result.failures, audit_result.credits_earned, audit_result.node_path)
        is distinct from (excluded.seq, excluded.passed, excluded.failures, excluded.credits_earned, excluded.node_path)
      returning graduate_id, passed, audited_at
    ),
    moved as (
      update graduate g set audit_status = case when i.passed then '通过' else '不通过' end,
        audit_round_id = ${key.round}::int, audited_at = i.audited_at
      -- By id through the primary key: the planner cannot count ins's rows and would hash the whole table.
      from ins i where g.id = any(array(select graduate_id from ins)) and g.id = i.graduate_id
      returning g.id
    ),
    last as (select submission_id, student_no, seq from cand order by seq desc limit 1)
    select (select count(*) from cand)::int as audited, (select count(*) from moved)::int as moved,
      (select submission_id from last) as last_sub, (select student_no from last) as last_no, (select seq from last) as last_seq
  `.execute(db);
  const r = res.rows[0];
  if (!r || r.audited === 0 || r.last_sub == null || r.last_no == null || r.last_seq == null) return { audited: 0, next: null };
  return { audited: r.audited, next: r.audited < limit ? null : { submission: r.last_sub, studentNo: r.last_no, seq: r.last_seq } };
}

export const START: Cursor = { submission: 0, studentNo: '', seq: 0 };

/** Results of a round within the actor's subtree, filtered as the results page filters them. */
export function scopedResults(db: Db, actor: Actor, round: number, f: ResultFilter) {
  let q = db.selectFrom('audit_result as r')
    .innerJoin('graduate as g', 'g.id', 'r.graduate_id')
    .innerJoin('student as s', 's.id', 'g.student_id')
    .innerJoin('org_node as tp', 'tp.id', 'g.tp_id')
    .innerJoin('org_node as br', 'br.id', 'tp.parent_id')
    .where('r.round_id', '=', round)
    .where(inScope(actor, 'r.node_path', 'g.student_id'));
  if (f.branch_id) q = q.where('br.id', '=', f.branch_id);
  if (f.tp_code) q = q.where('tp.code', '=', f.tp_code);
  if (f.major) q = q.where('s.major', '=', f.major);
  if (f.rule) q = q.where(sql<boolean>`${f.rule} = any(r.failed_rules)`);
  if (f.passed) q = q.where('r.passed', '=', f.passed === 'true');
  if (f.q) {
    const term = f.q.trim();
    q = q.where((eb) => eb.or([eb('s.name', '=', term), eb('s.student_no', '=', term), eb('s.id_number', '=', term.toUpperCase())]));
  }
  return q;
}

/** Counts of a round's results grouped by branch, teaching point, major or failed rule. */
export async function summarise(db: Db, actor: Actor, round: number, by: GroupBy, f: ResultFilter) {
  const base = scopedResults(db, actor, round, f);
  switch (by) {
    case 'branch':
      return base.groupBy(['br.id', 'br.code', 'br.name']).orderBy('br.code')
        .select(['br.id as key', 'br.code as code', 'br.name as name', ...counts()]).execute();
    case 'tp':
      return base.groupBy(['tp.id', 'tp.code', 'tp.name']).orderBy('tp.code')
        .select(['tp.id as key', 'tp.code as code', 'tp.name as name', ...counts()]).execute();
    case 'major':
      return base.groupBy('s.major').orderBy('s.major')
        .select(['s.major as key', 's.major as code', 's.major as name', ...counts()]).execute();
    case 'rule':
      return db.selectFrom(base.select(sql<string>`unnest(r.failed_rules)`.as('rule')).as('x'))
        .groupBy('x.rule').orderBy('x.rule')
        .select((eb) => ['x.rule as key', 'x.rule as code', 'x.rule as name', eb.fn.countAll<number>().as('total'),
          sql<number>`0`.as('passed'), eb.fn.countAll<number>().as('failed')])
        .execute();
  }
}

function counts() {
  return [
    sql<number>`count(*)::int`.as('total'),
    sql<number>`count(*) filter (where r.passed)::int`.as('passed'),
    sql<number>`count(*) filter (where not r.passed)::int`.as('failed'),
  ] as const;
}
