/** 学历电子注册: the SQL. A batch's registration list is its graduates (学籍状态 毕业, 毕业批次 = the batch), each
 *  joined to its graduate row of the batch and, once anything happened, to its registration entry. */
import { sql, type Expression, type Kysely, type SqlBool, type Transaction } from 'kysely';
import type { Actor } from '../platform/auth.ts';
import { inScope } from '../platform/scope.ts';
import type { DB } from '../platform/tables.ts';
import type { GraduatesFilter, RegistrationState } from '../../shared/contract/registration.ts';

export type Db = Kysely<DB> | Transaction<DB>;

/** A graduate's state: no entry yet is 待注册. */
export const stateOf = sql<RegistrationState>`coalesce(e.state, '待注册')`;

/** The graduates of a batch (optionally one round), with their entry, teaching point and programme. */
export function base(db: Db, batch: string, round?: number) {
  let q = db.selectFrom('student as s')
    .innerJoin('graduate as g', (j) => j.onRef('g.student_id', '=', 's.id').on('g.batch_code', '=', batch))
    .innerJoin('org_node as tp', 'tp.id', 'g.tp_id')
    .innerJoin('programme as p', 'p.id', 's.programme_id')
    .leftJoin('registration_entry as e', 'e.graduate_id', 'g.id')
    .where('s.graduation_batch', '=', batch).where('s.status', '=', '毕业');
  if (round !== undefined) q = q.where('s.graduation_round_id', '=', round);
  return q;
}
export type Base = ReturnType<typeof base>;

/** The caller's subtree (a teaching point by its id, straight off the index). */
export const scoped = (q: Base, actor: Actor) => q.where(inScope(actor, 'g.node_path', undefined, 'g.tp_id'));

/** The filter of the list (and of “当前查询的全部学生”). */
export function filtered(db: Db, actor: Actor, f: GraduatesFilter) {
  let q = scoped(base(db, f.batch, f.round), actor);
  if (f.state) q = q.where(stateOf, '=', f.state);
  if (f.tp_code) q = q.where('tp.code', '=', f.tp_code);
  if (f.q) {
    const term = f.q.trim();
    q = q.where((eb) => eb.or([eb('s.student_no', '=', term), eb('s.name', '=', term), eb('s.id_number', '=', term.toUpperCase()), eb('e.certificate_no', '=', term)]));
  }
  return q;
}

/** Whether the student has a current 毕业证照片 (the photos capability's own predicate, passed in). */
export type PhotoPredicate = (studentColumn: string) => Expression<SqlBool>;

export function listRows(q: Base, hasPhoto: PhotoPredicate) {
  return q
    .leftJoin('audit_round as r', 'r.id', 's.graduation_round_id')
    .leftJoin('registration_file as f', 'f.id', 'e.file_id')
    .select(['g.id', 'g.id as graduate_id', 's.id as student_id', 's.student_no', 's.name', 's.level', 's.major', 's.id_number',
      'tp.code as tp_code', 'tp.name as tp_name', 's.graduation_round_id as round_id', 'r.name as round_name',
      'e.certificate_no', 'e.file_id', 'f.file_name', 'e.failure_reason', 'p.partner_seal'])
    .select([
      stateOf.as('state'),
      sql<number>`coalesce(e.version, 0)`.as('version'),
      sql<string | null>`to_char(e.reported_on, 'YYYY-MM-DD')`.as('reported_on'),
      sql<string | null>`to_char(e.registered_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI')`.as('registered_at'),
      sql<boolean>`not ${hasPhoto('s.id')}`.as('photo_missing'),
    ]);
}

/** The last build's row errors of these graduates (a graduate written since has none). */
export async function lastErrors(db: Db, graduateIds: number[]) {
  if (graduateIds.length === 0) return [];
  return db.selectFrom('registration_error as x')
    .leftJoin('registration_entry as e', 'e.graduate_id', 'x.graduate_id').select(['x.graduate_id', 'x.field', 'x.message', 'x.file_id'])
    .where('x.graduate_id', 'in', graduateIds)
    .where(stateOf, '=', '待注册')
    .where((eb) => eb('x.file_id', '=', eb.selectFrom('registration_error as y').select((e2) => e2.fn.max('y.file_id').as('m')).whereRef('y.graduate_id', '=', 'x.graduate_id')))
    .orderBy('x.id').execute();
}

/** The candidates of a build: graduates still 待注册. */
export function candidates(db: Db, batch: string, round?: number) {
  return base(db, batch, round).where((eb) => eb.or([eb('e.graduate_id', 'is', null), eb('e.state', '=', '待注册')]));
}

/** Everything a 学信网 record is made of, for every candidate of a build in graduate order: the build reads it
 *  once, through a server-side cursor. */
export function buildSelect(db: Db, batch: string, round: number | undefined) {
  return candidates(db, batch, round)
    .leftJoin('org_node as br', 'br.id', 'tp.parent_id')
    .leftJoin('org_node as cl', 'cl.id', 's.class_id')
    .innerJoin('batch as b', 'b.code', 'g.batch_code')
    .select(['g.id', 's.id as student_id', 's.student_no', 's.name', 's.gender', 's.id_number', 's.political_status', 's.ethnicity',
      'p.major_code', 's.major', 's.level', 'p.min_years', 's.graduation_conclusion', 'e.certificate_no',
      'br.name as branch_name', 'tp.name as tp_name', 'cl.name as class_name', 'g.node_path'])
    .select([
      sql<string>`to_char(s.entry_date, 'YYYY-MM-DD')`.as('entry_date'),
      sql<string>`to_char(coalesce(s.graduation_date, b.issue_date), 'YYYY-MM-DD')`.as('graduation_date'),
    ])
    .orderBy('g.id');
}
export type BuildRow = Awaited<ReturnType<ReturnType<typeof buildSelect>['execute']>>[number];

/** Candidates without a certificate number, per 层次: what a build may number (it reserves that many serials). */
export async function unnumbered(db: Db, batch: string, round: number | undefined) {
  const rows = await candidates(db, batch, round).where('e.certificate_no', 'is', null)
    .select(['s.level', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('s.level').execute();
  return new Map(rows.map((r) => [r.level, Number(r.n)]));
}

/**
 * Reserves k serials of (year, 层次) in one statement under the serial row's lock (held only for the statement):
 * answers the base (the build gives base+1 … base+k), or null when the serial would pass 999999.
 */
export async function reserveSerials(db: Db, year: number, levelCode: string, k: number): Promise<number | null> {
  await sql`insert into registration_serial (year, level_code) values (${year}, ${levelCode}) on conflict do nothing`.execute(db);
  const { rows } = await sql<{ base: number }>`
    update registration_serial set last_serial = last_serial + ${k}::int
     where year = ${year} and level_code = ${levelCode} and last_serial + ${k}::int <= 999999
    returning last_serial - ${k}::int as base`.execute(db);
  return rows.length ? Number(rows[0].base) : null;
}

/** Gives back the unused tail of a reservation (upTo → to) if nobody reserved after it; otherwise it stays a gap. */
export async function returnSerials(db: Db, year: number, levelCode: string, upTo: number, to: number): Promise<void> {
  if (to === upTo) return;
  await sql`update registration_serial set last_serial = ${to}::int where year = ${year} and level_code = ${levelCode} and last_serial = ${upTo}::int`.execute(db);
}

/**
 * The end of a build, one statement: every candidate without a row error in the file becomes 已生成 in it, and
 * those without a number get prefix + (base + rank in graduate order within their 层次) — exactly what the
 * build's single read gave them in the files. Answers count and checksums for the caller to compare.
 */
export async function markWritten(trx: Transaction<DB>, o: {
  batch: string; round?: number; fileId: number; actorId: number; levels: { level: string; prefix: string; base: number }[];
}) {
  const roundCond = o.round !== undefined ? sql`and s.graduation_round_id = ${o.round}` : sql``;
  const numberOf = o.levels.length
    ? sql`case w.level ${sql.join(o.levels.map((l) => sql`when ${l.level} then ${l.prefix} || lpad((${l.base}::int + w.rn)::text, 6, '0')`), sql` `)} end`
    : sql`null`;
  const { rows } = await sql<{ written: number; id_sum: number; numbered: number; check: number }>`
    with w as (
      select g.id as graduate_id, s.id as student_id, g.node_path, s.level, e.certificate_no,
             row_number() over (partition by s.level, e.certificate_no is null order by g.id) as rn
        from student s
        join graduate g on g.student_id = s.id and g.batch_code = ${o.batch}
        left join registration_entry e on e.graduate_id = g.id
       where s.graduation_batch = ${o.batch} and s.status = '毕业' ${roundCond}
         and (e.graduate_id is null or e.state = '待注册')
         and not exists (select 1 from registration_error x where x.file_id = ${o.fileId} and x.graduate_id = g.id)
    ), up as (
      insert into registration_entry (graduate_id, student_id, batch_code, node_path, certificate_no, state, file_id, updated_by, updated_at)
      select w.graduate_id, w.student_id, ${o.batch}, w.node_path, coalesce(w.certificate_no, ${numberOf}), '已生成', ${o.fileId}::int, ${o.actorId}::int, now()
        from w
      on conflict (graduate_id) do update set state = '已生成', file_id = excluded.file_id,
         certificate_no = coalesce(registration_entry.certificate_no, excluded.certificate_no),
         version = registration_entry.version + 1, updated_by = excluded.updated_by, updated_at = now()
       where registration_entry.state = '待注册'
      returning graduate_id, certificate_no
    )
    select count(*)::int as written, coalesce(sum(graduate_id), 0)::bigint as id_sum,
           count(*) filter (where w.certificate_no is null)::int as numbered,
           coalesce(sum((up.graduate_id::bigint * coalesce(right(up.certificate_no, 6), '0')::bigint) % 1000000007), 0)::bigint % 1000000007 as check
      from up join w using (graduate_id)`.execute(trx);
  const r = rows[0];
  return { written: Number(r.written), idSum: Number(r.id_sum), numbered: Number(r.numbered), check: Number(r.check) };
}

/**
 * Numbers the candidates of one 层次 that have no number yet (and, for a build, no row error), in graduate
 * order, in one statement: the serial row of (year, 层次) is advanced by their count under its row lock
 * (a second numbering waits for it, then continues after it), and each gets prefix + (base + its rank).
 * A graduate numbered meanwhile by someone else keeps the number it has (ON CONFLICT … WHERE null).
 * Answers how many were numbered, or null when the serial would pass 999999 (nothing numbered).
 */
export async function numberLevel(trx: Transaction<DB>, o: {
  batch: string; round?: number; level: '本科' | '专科'; levelCode: '05' | '06'; year: number; prefix: string; exceptErrorsOf?: number; actorId: number | null;
}): Promise<number | null> {
  const roundCond = o.round !== undefined ? sql`and s.graduation_round_id = ${o.round}` : sql``;
  const errorCond = o.exceptErrorsOf !== undefined
    ? sql`and not exists (select 1 from registration_error x where x.file_id = ${o.exceptErrorsOf} and x.graduate_id = g.id)` : sql``;
  await sql`insert into registration_serial (year, level_code) values (${o.year}, ${o.levelCode}) on conflict do nothing`.execute(trx);
  const { rows } = await sql<{ numbered: number; overflow: boolean }>`
    with c as (
      select g.id as graduate_id, s.id as student_id, g.node_path, row_number() over (order by g.id) as rn
        from student s
        join graduate g on g.student_id = s.id and g.batch_code = ${o.batch}
        left join registration_entry e on e.graduate_id = g.id
       where s.graduation_batch = ${o.batch} and s.status = '毕业' and s.level = ${o.level} ${roundCond}
         and (e.graduate_id is null or (e.state = '待注册' and e.certificate_no is null)) ${errorCond}
    ), n as (select count(*)::int as k from c),
    r as (
      update registration_serial set last_serial = last_serial + (select k from n)
       where year = ${o.year} and level_code = ${o.levelCode} and (select k from n) > 0
         and last_serial + (select k from n) <= 999999
      returning last_serial - (select k from n) as base
    ), ins as (
      insert into registration_entry (graduate_id, student_id, batch_code, node_path, certificate_no, updated_by, updated_at)
      select c.graduate_id, c.student_id, ${o.batch}, c.node_path, ${o.prefix} || lpad((r.base + c.rn)::text, 6, '0'), ${o.actorId}, now()
        from c cross join r
      on conflict (graduate_id) do update set certificate_no = excluded.certificate_no, updated_at = now()
       where registration_entry.certificate_no is null
      returning 1
    )
    select (select count(*)::int from ins) as numbered, ((select k from n) > 0 and not exists (select 1 from r)) as overflow`.execute(trx);
  return rows[0].overflow ? null : Number(rows[0].numbered);
}

/** How many serials a numbering needs, and how many are left: for the overflow message. */
export async function serialRoom(db: Db, year: number, levelCode: '05' | '06') {
  const r = await db.selectFrom('registration_serial').select('last_serial').where('year', '=', year).where('level_code', '=', levelCode).executeTakeFirst();
  return 999_999 - (r?.last_serial ?? 0);
}

export function settings(db: Db) {
  return db.selectFrom('registration_setting').select(['school_code', 'school_type', 'school_name', 'president']).where('id', '=', 1).executeTakeFirstOrThrow();
}

export function profile(db: Db) {
  return db.selectFrom('registration_profile').select(['name', 'type', 'width', 'position']).orderBy('position').execute();
}

/** Graduates by state, per round, in the caller's subtree. */
export function stateCounts(db: Db, actor: Actor, batch: string) {
  return scoped(base(db, batch), actor)
    .select(['s.graduation_round_id as round_id', stateOf.as('state'), (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(['s.graduation_round_id', sql`coalesce(e.state, '待注册')`]).execute();
}

export function publishedRounds(db: Db, batch: string) {
  return db.selectFrom('audit_round').select(['id', 'name',
    sql<string>`to_char(published_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD')`.as('published_on')])
    .where('batch_code', '=', batch).where('published_at', 'is not', null).orderBy('published_at').orderBy('id').execute();
}

/** Files of a batch, with their graduates by state now (in the caller's subtree). */
export function files(db: Db, batch: string) {
  return db.selectFrom('registration_file as f').leftJoin('app_user as u', 'u.id', 'f.created_by')
    .select(['f.id', 'f.batch_code', 'f.round_id', 'f.file_name', 'f.written', 'f.errors', 'f.task_id', 'u.display_name as created_by',
      sql<string>`to_char(f.created_at at time zone 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI')`.as('created_at')])
    .where('f.batch_code', '=', batch).where('f.dbf_key', 'is not', null).orderBy('f.id', 'desc').execute();
}

export function fileStateCounts(db: Db, actor: Actor, batch: string) {
  return db.selectFrom('registration_entry as e').select(['e.file_id', 'e.state', (eb) => eb.fn.countAll<number>().as('n')])
    .where('e.batch_code', '=', batch).where('e.file_id', 'is not', null).where(inScope(actor, 'e.node_path'))
    .groupBy(['e.file_id', 'e.state']).execute();
}

export function errorsOf(db: Db, actor: Actor, fileId: number) {
  return db.selectFrom('registration_error as x')
    .innerJoin('graduate as g', 'g.id', 'x.graduate_id').innerJoin('student as s', 's.id', 'g.student_id').innerJoin('org_node as tp', 'tp.id', 'g.tp_id')
    .where('x.file_id', '=', fileId).where(inScope(actor, 'x.node_path'));
}

/** Locks the graduates a bulk action names, in the caller's subtree: the graduate rows (an entry may not exist yet). */
export function lockable(q: Base) {
  return q.select(['g.id', 's.student_no', 's.name', 'g.node_path', 'g.student_id', 'e.certificate_no', 'e.reported_on', 'e.failure_reason', 'e.file_id'])
    .select([stateOf.as('state'), sql<number>`coalesce(e.version, 0)`.as('version')])
    .orderBy('g.id').forUpdate(['g']);
}

/** Programmes with their 专业代码 and partner seal. */
export function programmes(db: Db) {
  return db.selectFrom('programme').select(['id as programme_id', 'level', 'major', 'cohort', 'major_code', 'partner_seal'])
    .orderBy('level').orderBy('major').orderBy('cohort').execute();
}
