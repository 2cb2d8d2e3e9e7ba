import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../platform/tables.ts';
import type { Actor } from '../platform/auth.ts';
import { inScope } from '../platform/scope.ts';
import type { FormState } from '../../shared/graduate-form.ts';
import type { ListFilter } from '../../shared/contract/forms.ts';

type Db = Kysely<DB> | Transaction<DB>;

/** A confirmed graduate without a form row has a form in 学生未填写 at version 0. */
const STATE = sql<FormState>`coalesce(f.state, '学生未填写')`;

/**
 * The forms the actor may see: one per graduate agreed in 预毕业确认 (同意毕业), with the form row if the
 * student ever saved it. A head teacher's subtree is their class; a student's is themself.
 */
export function forms(db: Db, actor: Actor) {
  return db.selectFrom('graduate as g')
    .innerJoin('student as s', 's.id', 'g.student_id')
    .innerJoin('org_node as tp', 'tp.id', 'g.tp_id')
    .leftJoin('org_node as c', 'c.id', 's.class_id')
    .leftJoin('graduate_form as f', 'f.graduate_id', 'g.id')
    .where('g.confirm_status', '=', '同意毕业')
    .where(inScope(actor, 'g.node_path', 'g.student_id', 'g.tp_id'));
}

function filtered(db: Db, actor: Actor, f: Omit<ListFilter, 'page' | 'page_size' | 'state'>) {
  let q = forms(db, actor);
  if (f.batch === 'none') q = q.where('f.batch_code', 'is', null);
  else if (f.batch) q = q.where('f.batch_code', '=', f.batch);
  if (f.tp_code) q = q.where('tp.code', '=', f.tp_code);
  if (f.major) q = q.where('s.major', '=', f.major);
  if (f.class_code) q = q.where('c.code', '=', f.class_code);
  if (f.q) {
    const term = f.q;
    q = q.where((eb) => eb.or([eb('s.name', '=', term), eb('s.student_no', '=', term), eb('s.id_number', '=', term.toUpperCase())]));
  }
  return q;
}

/** The forms of 毕业生登记表管理's query: its filters and 登记表状态 (also what 下载毕业生登记表 prints). */
export function selected(db: Db, actor: Actor, f: Omit<ListFilter, 'page' | 'page_size'>) {
  const q = filtered(db, actor, f);
  return f.state ? q.where(sql<boolean>`${STATE} = ${f.state}`) : q;
}

export async function listPage(db: Db, actor: Actor, f: ListFilter) {
  const base = () => selected(db, actor, f);
  const [{ n }, rows, byState] = await Promise.all([
    base().select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
    base().select([
      'g.id', sql<number>`coalesce(f.version, 0)`.as('version'), STATE.as('state'), 'f.batch_code', 'g.batch_code as graduate_batch',
      's.student_no', 's.name', 's.gender', 's.id_number', 's.level', 's.major', 'tp.code as tp_code', 'tp.name as tp_name',
      'c.code as class_code', 'c.name as class_name', 'f.head_teacher_opinion', 'f.tp_opinion', 'f.school_opinion', 'f.submitted_at', 'f.return_reason',
    ]).orderBy('tp.code').orderBy('s.student_no').orderBy('g.id').limit(f.page_size).offset((f.page - 1) * f.page_size).execute(),
    filtered(db, actor, f).groupBy(STATE).select([STATE.as('state'), sql<number>`count(*)::int`.as('n')]).execute(),
  ]);
  return { total: Number(n), rows, byState };
}

/** Everything one form shows: the record's identity, the texts, the opinions with their writers. */
export function details(db: Db, actor: Actor) {
  const writer = (col: 'f.head_teacher_by' | 'f.tp_by' | 'f.school_by') =>
    sql<string | null>`(select u.display_name from app_user u where u.id = ${sql.ref(col)})`;
  return forms(db, actor)
    .innerJoin('batch as b', 'b.code', 'g.batch_code')
    .select([
      'g.id', sql<number>`coalesce(f.version, 0)`.as('version'), STATE.as('state'), 'f.batch_code', 'g.batch_code as graduate_batch',
      'g.node_path', 'tp.path as tp_path', 'g.student_id', 's.class_id', 'g.tp_id',
      's.student_no', 's.name', 's.gender', 's.id_number', 's.ethnicity', 's.political_status', 's.cohort', 's.level', 's.major',
      'tp.code as tp_code', 'tp.name as tp_name', 'c.code as class_code', 'c.name as class_name', 's.entry_date', 'b.issue_date',
      sql<number | null>`(select p.id from photo p where p.student_id = s.id and p.is_current
        order by (p.photo_type = '毕业证照片') desc, p.uploaded_at desc limit 1)`.as('photo_id'),
      'f.self_assessment', 'f.study_summary', 'f.practice_summary', 'f.rewards', 'f.punishments',
      'f.head_teacher_opinion', 'f.head_teacher_at', writer('f.head_teacher_by').as('head_teacher_name'),
      'f.tp_opinion', 'f.tp_at', writer('f.tp_by').as('tp_name_by'),
      'f.school_opinion', 'f.school_at', writer('f.school_by').as('school_name'),
      'f.saved_at', 'f.submitted_at', 'f.return_reason', 'f.returned_at',
    ]);
}
export type Detail = Awaited<ReturnType<ReturnType<typeof details>['executeTakeFirstOrThrow']>>;

/** The student's form: of their latest batch in which the teaching point agreed (同意毕业). */
export function ownGraduateId(db: Db, actor: Actor) {
  return db.selectFrom('graduate').select('id').where('student_id', '=', actor.studentId ?? -1)
    .where('confirm_status', '=', '同意毕业').orderBy('batch_code', 'desc').limit(1).executeTakeFirst();
}

/** A form row for a graduate (version 0, 学生未填写) if it has none yet, then that row locked. */
export async function lockOwnRow(trx: Transaction<DB>, graduateId: number) {
  await sql`
    insert into graduate_form (graduate_id, student_id, tp_id, class_id, node_path)
    select g.id, g.student_id, g.tp_id, s.class_id, g.node_path from graduate g join student s on s.id = g.student_id where g.id = ${graduateId}
    on conflict (graduate_id) do nothing`.execute(trx);
  return trx.selectFrom('graduate_form').selectAll().where('graduate_id', '=', graduateId).forUpdate().executeTakeFirstOrThrow();
}

export interface Target {
  id: number;
  version: number;
  state: FormState;
  batch_code: string | null;
  graduate_batch: string;
  node_path: string;
  tp_path: string;
  student_no: string;
  name: string;
  head_teacher_opinion: string | null;
  tp_opinion: string | null;
  school_opinion: string | null;
  return_reason: string | null;
}

/**
 * The forms a bulk action names, as they stand once their rows are locked. Rows are locked first (by
 * id alone, which reveals nothing), then read through the caller's scope: a form outside it is missing.
 */
export async function lockTargets(trx: Transaction<DB>, actor: Actor, ids: number[]): Promise<Target[]> {
  await sql`select graduate_id from graduate_form where graduate_id = any(${ids}::int[]) order by graduate_id for update`.execute(trx);
  return forms(trx, actor).where('g.id', '=', sql<number>`any(${ids}::int[])`)
    .select(['g.id', sql<number>`coalesce(f.version, 0)`.as('version'), STATE.as('state'), 'f.batch_code', 'g.batch_code as graduate_batch',
      'g.node_path', 'tp.path as tp_path', 's.student_no', 's.name', 'f.head_teacher_opinion', 'f.tp_opinion', 'f.school_opinion', 'f.return_reason'])
    .orderBy('g.id').execute();
}
