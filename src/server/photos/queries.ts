import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../platform/tables.ts';
import type { Actor } from '../platform/auth.ts';
import { inScope } from '../platform/scope.ts';
import type { EntriesFilter, FlagStatus, MissingFilter, PhotoVerdict } from '../../shared/contract/photos.ts';

type Db = Kysely<DB> | Transaction<DB>;

export const GRADUATION_PHOTO = '毕业证照片';

/** Whether the student in column `studentId` has a current 毕业证照片 (readiness, 缺照片, materials, the statement). */
export const hasGraduationPhoto = (studentId: string) =>
  sql<boolean>`exists (select 1 from photo p where p.student_id = ${sql.ref(studentId)} and p.photo_type = ${GRADUATION_PHOTO} and p.is_current)`;

export function photoTypes(db: Db) {
  return db.selectFrom('photo_type').select(['code', 'width', 'height', 'min_kb', 'max_kb', 'note', 'enabled']).orderBy('sort').orderBy('code').execute();
}

export function photoType(db: Db, code: string) {
  return db.selectFrom('photo_type').select(['code', 'width', 'height', 'min_kb', 'max_kb', 'note', 'enabled']).where('code', '=', code).executeTakeFirst();
}

/** The actor a job acts for: the user who started it, with their node as it is now. */
export async function actorForUser(db: Db, userId: number): Promise<Actor | undefined> {
  const r = await db.selectFrom('app_user as u').innerJoin('org_node as n', 'n.id', 'u.node_id')
    .select(['u.id', 'u.username', 'u.display_name', 'u.role', 'u.node_id', 'u.student_id', 'n.kind', 'n.name', 'n.code', 'n.path'])
    .where('u.id', '=', userId).executeTakeFirst();
  return r && {
    id: r.id, username: r.username, displayName: r.display_name, role: r.role, nodeId: r.node_id, nodeKind: r.kind,
    nodeName: r.name, nodeCode: r.code, nodePath: r.path, studentId: r.student_id,
  };
}

/** An upload the actor may see: made within their subtree. */
export function scopedUpload(db: Db, actor: Actor, id: string) {
  return db.selectFrom('photo_upload as u').leftJoin('task as t', 't.id', 'u.task_id')
    .selectAll('u').select(['t.progress', 't.total', 't.state as task_state'])
    .where('u.id', '=', id).where(inScope(actor, 'u.node_path'));
}

/** The uploads made within the actor's subtree, newest first. */
export async function uploadsPage(db: Db, actor: Actor, f: { page: number; page_size: number }) {
  const base = db.selectFrom('photo_upload as u').where(inScope(actor, 'u.node_path'));
  const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await base.leftJoin('task as t', 't.id', 'u.task_id').leftJoin('app_user as o', 'o.id', 'u.owner_id')
    .selectAll('u').select(['t.progress', 't.total', 't.state as task_state', 'o.display_name as owner_name'])
    .orderBy('u.created_at', 'desc').limit(f.page_size).offset((f.page - 1) * f.page_size).execute();
  return { total: Number(total.n), rows };
}

export interface StudentMatch {
  id: number;
  id_number: string;
  node_path: string;
  current_sha: string | null;
}

/** The students with these 身份证号 in the actor's subtree, with their current photo of the type. */
export async function studentsByIdNumber(db: Db, actor: Actor, idNumbers: string[], type: string): Promise<Map<string, StudentMatch>> {
  if (idNumbers.length === 0) return new Map();
  const rows = await db.selectFrom('student as s')
    .leftJoin('photo as p', (j) => j.onRef('p.student_id', '=', 's.id').on('p.photo_type', '=', type).on('p.is_current', '=', true))
    .select(['s.id', 's.id_number', 's.node_path', 'p.sha256 as current_sha'])
    .where('s.id_number', '=', sql<string>`any(${idNumbers}::text[])`)
    .where(inScope(actor, 's.node_path', 's.id'))
    .execute();
  return new Map(rows.map((r) => [r.id_number, r]));
}

export interface EntryRow {
  seq: number;
  entry_name: string;
  id_number: string | null;
  student_id: number | null;
  verdict: PhotoVerdict;
  reason: string;
  sha256: string | null;
  size_bytes: number | null;
  width: number | null;
  height: number | null;
}

/** The report rows, as columns: one statement for thousands of rows. */
export async function insertEntries(db: Db, uploadId: string, rows: EntryRow[]): Promise<void> {
  if (rows.length === 0) return;
  const col = <K extends keyof EntryRow>(k: K) => rows.map((r) => r[k]);
  await sql`
    insert into photo_upload_entry (upload_id, seq, entry_name, id_number, student_id, verdict, reason, sha256, size_bytes, width, height)
    select ${uploadId}::uuid, * from unnest(
      ${col('seq')}::int[], ${col('entry_name')}::text[], ${col('id_number')}::text[], ${col('student_id')}::int[],
      ${col('verdict')}::text[], ${col('reason')}::text[], ${col('sha256')}::text[], ${col('size_bytes')}::int[],
      ${col('width')}::int[], ${col('height')}::int[])`.execute(db);
}

/**
 * Marks pictures that are the same as another student's: another entry of the zip under a different
 * 身份证号, or a current photo of another student. Set-based, after all entries are in: equal hashes
 * are found by grouping and by the photo index, never by comparing entries pairwise.
 */
export async function markDuplicates(db: Db, uploadId: string, type: string): Promise<void> {
  await sql`
    with shared as (
      select sha256 from photo_upload_entry
       where upload_id = ${uploadId} and sha256 is not null
       group by sha256 having count(distinct id_number) > 1
    ),
    notes as (
      select e.seq, '与压缩包内 ' || o.entry_name || ' 是同一张图片' as label
        from photo_upload_entry e
        join shared using (sha256)
        join photo_upload_entry o on o.upload_id = e.upload_id and o.sha256 = e.sha256 and o.id_number is distinct from e.id_number
       where e.upload_id = ${uploadId}
      union all
      select e.seq, '与另一名学生（学号 ' || s.student_no || '）的现有照片是同一张图片'
        from photo_upload_entry e
        join photo p on p.sha256 = e.sha256 and p.is_current and p.photo_type = ${type} and p.student_id <> e.student_id
        join student s on s.id = p.student_id
       where e.upload_id = ${uploadId} and e.sha256 is not null
    )
    update photo_upload_entry e set duplicate_note = d.note
      from (select seq, string_agg(distinct label, '；') as note from notes group by seq) d
     where e.upload_id = ${uploadId} and e.seq = d.seq`.execute(db);
}

export async function entriesPage(db: Db, uploadId: string, f: EntriesFilter) {
  let q = db.selectFrom('photo_upload_entry as e').where('e.upload_id', '=', uploadId);
  if (f.verdict) q = q.where('e.verdict', '=', f.verdict);
  const total = await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await entryRows(q).orderBy('e.seq').limit(f.page_size).offset((f.page - 1) * f.page_size).execute();
  return { total: Number(total.n), rows };
}

function entryRows<T extends ReturnType<typeof baseEntries>>(q: T) {
  return q.leftJoin('student as s', 's.id', 'e.student_id')
    .select(['e.seq', 'e.entry_name', 'e.id_number', 's.student_no', 's.name as student_name', 'e.verdict', 'e.reason', 'e.size_bytes', 'e.duplicate_note']);
}
function baseEntries(db: Db) {
  return db.selectFrom('photo_upload_entry as e');
}

/** Every report row in order, for the Excel file: a page at a time (keyset), never all in memory. */
export async function* streamEntries(db: Db, uploadId: string) {
  for (let after = 0; ;) {
    const rows = await entryRows(baseEntries(db).where('e.upload_id', '=', uploadId).where('e.seq', '>', after)).orderBy('e.seq').limit(2000).execute();
    if (rows.length) yield rows;
    if (rows.length < 2000) return;
    after = rows[rows.length - 1].seq;
  }
}

/**
 * 保存: the accepted entries become the current photos, all in the caller's transaction. The previous
 * current photo of each student is kept as history. Entries whose student has meanwhile left the
 * actor's subtree, or whose picture is already current, change nothing. Answers the new photo ids.
 */
export async function applyUpload(trx: Transaction<DB>, actor: Actor, upload: { id: string; photo_type: string }): Promise<{ id: number; student_id: number; node_path: string }[]> {
  // Who changes, decided once: asked again after the retiring update, "is this picture already
  // current?" would be planned against stale statistics as a scan per row (33 s at 20,000).
  const chosen = await sql<{ student_id: number }>`
    select e.student_id
      from photo_upload_entry e join student s on s.id = e.student_id
     where e.upload_id = ${upload.id} and e.verdict in ('新增', '替换')
       and ${inScope(actor, 's.node_path', 's.id')}
       and not exists (select 1 from photo c where c.student_id = e.student_id and c.photo_type = ${upload.photo_type}
                         and c.is_current and c.sha256 = e.sha256)`.execute(trx);
  const ids = chosen.rows.map((r) => r.student_id);
  if (ids.length === 0) return [];
  // Two statements, not one: the partial unique index (one current photo per student and type)
  // must see the old rows retired before the new ones arrive.
  await sql`
    update photo set is_current = false, replaced_at = now()
     where student_id = any(${ids}::int[]) and photo_type = ${upload.photo_type} and is_current`.execute(trx);
  const inserted = await sql<{ id: number; student_id: number; node_path: string }>`
    insert into photo (student_id, photo_type, node_path, sha256, size_bytes, width, height, is_current, source, upload_id, uploaded_by)
    select e.student_id, ${upload.photo_type}, s.node_path, e.sha256, e.size_bytes, e.width, e.height, true, '批量上传', ${upload.id}::uuid, ${actor.id}
      from photo_upload_entry e join student s on s.id = e.student_id
     where e.upload_id = ${upload.id} and e.student_id = any(${ids}::int[]) and e.verdict in ('新增', '替换')
    returning id, student_id, node_path`.execute(trx);
  return inserted.rows;
}

/** Flags new photos whose bytes are another student's current photo of the same type. */
export async function flagExactDuplicates(db: Db, photoIds: number[]): Promise<number> {
  if (photoIds.length === 0) return 0;
  const r = await sql`
    insert into photo_flag (photo_id, other_photo_id, kind, distance, node_path)
    select n.id, o.id, '相同图片', 0, n.node_path
      from photo n join photo o on o.sha256 = n.sha256 and o.is_current and o.photo_type = n.photo_type and o.student_id <> n.student_id
     where n.id = any(${photoIds}::bigint[])
    on conflict (photo_id, other_photo_id) do nothing`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/** Insert one photo as current, retiring the previous one; in the caller's transaction. */
export async function insertPhoto(trx: Transaction<DB>, p: {
  student_id: number; photo_type: string; node_path: string; sha256: string; size_bytes: number; width: number; height: number;
  source: '单张上传' | '演示数据'; uploaded_by: number | null;
}) {
  await trx.updateTable('photo').set({ is_current: false, replaced_at: new Date() })
    .where('student_id', '=', p.student_id).where('photo_type', '=', p.photo_type).where('is_current', '=', true).execute();
  return trx.insertInto('photo').values({ ...p, is_current: true }).returning('id').executeTakeFirstOrThrow();
}

/** The students of the actor's subtree, for the student card's photo section. */
export function scopedStudent(db: Db, actor: Actor, studentId: number) {
  return db.selectFrom('student as s').innerJoin('org_node as tp', 'tp.id', 's.tp_id')
    .select(['s.id', 's.student_no', 's.name', 's.id_number', 's.node_path', 'tp.name as tp_name'])
    .where('s.id', '=', studentId).where(inScope(actor, 's.node_path', 's.id'));
}

export function photosOf(db: Db, studentId: number) {
  return db.selectFrom('photo as p').leftJoin('app_user as u', 'u.id', 'p.uploaded_by')
    .select(['p.id', 'p.photo_type', 'p.is_current', 'p.size_bytes', 'p.width', 'p.height', 'p.source', 'u.display_name as uploaded_by', 'p.uploaded_at', 'p.replaced_at'])
    .where('p.student_id', '=', studentId).orderBy('p.uploaded_at', 'desc').orderBy('p.id', 'desc').execute();
}

/** A photo whose student the actor may see. */
export function scopedPhoto(db: Db, actor: Actor, photoId: number) {
  return db.selectFrom('photo as p').innerJoin('student as s', 's.id', 'p.student_id')
    .select(['p.id', 'p.sha256', 'p.student_id']).where('p.id', '=', photoId).where(inScope(actor, 's.node_path', 's.id'));
}

/** Graduates of a batch (those not refused at 预毕业确认) in the actor's subtree without a current 毕业证照片. */
export function missing(db: Db, actor: Actor, f: Omit<MissingFilter, 'page' | 'page_size'>) {
  let q = db.selectFrom('graduate as g')
    .innerJoin('student as s', 's.id', 'g.student_id')
    .innerJoin('org_node as tp', 'tp.id', 'g.tp_id')
    .where('g.batch_code', '=', f.batch)
    .where('g.confirm_status', '<>', '不同意')
    .where(inScope(actor, 'g.node_path', 'g.student_id', 'g.tp_id'))
    .where(sql<boolean>`not ${hasGraduationPhoto('g.student_id')}`);
  if (f.tp_code) q = q.where('tp.code', '=', f.tp_code);
  if (f.q) {
    const term = f.q.trim();
    q = q.where((eb) => eb.or([eb('s.name', '=', term), eb('s.student_no', '=', term), eb('s.id_number', '=', term.toUpperCase())]));
  }
  return q;
}

export const missingColumns = ['g.student_id', 's.student_no', 's.name', 's.id_number', 's.major', 's.level', 'tp.code as tp_code', 'tp.name as tp_name', 'g.confirm_status'] as const;

/** 缺照片 for the home page: the current batch, the actor's subtree. */
export async function missingCount(db: Db, actor: Actor): Promise<{ batch: string; missing: number } | null> {
  const b = await db.selectFrom('batch').select('code').where('is_current', '=', true).executeTakeFirst();
  if (!b) return null;
  const r = await missing(db, actor, { batch: b.code }).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return { batch: b.code, missing: Number(r.n) };
}

/** Flags where at least one of the two photos belongs to the actor's subtree. */
export function flags(db: Db, actor: Actor, status: FlagStatus) {
  return db.selectFrom('photo_flag as f')
    .innerJoin('photo as a', 'a.id', 'f.photo_id').innerJoin('student as sa', 'sa.id', 'a.student_id').innerJoin('org_node as ta', 'ta.id', 'sa.tp_id')
    .innerJoin('photo as b', 'b.id', 'f.other_photo_id').innerJoin('student as sb', 'sb.id', 'b.student_id').innerJoin('org_node as tb', 'tb.id', 'sb.tp_id')
    .where('f.status', '=', status)
    .where((eb) => eb.or([inScope(actor, 'sa.node_path', 'sa.id'), inScope(actor, 'sb.node_path', 'sb.id')]));
}
