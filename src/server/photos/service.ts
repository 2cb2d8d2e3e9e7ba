import fs from 'node:fs';
import { sql, type Kysely } from 'kysely';
import type { DB } from '../platform/tables.ts';
import type { Actor } from '../platform/auth.ts';
import { z } from 'zod';
import type { Jobs, TaskContext } from '../platform/jobs.ts';
import { recordOperation } from '../platform/oplog.ts';
import { errors } from '../platform/errors.ts';
import { fileStore, type FileStore } from '../platform/files.ts';
import { inScope, mustFind } from '../platform/scope.ts';
import { maskIdCard } from '../../shared/idcard.ts';
import { getBatch, windowClosedError, windowState } from '../batches/service.ts';
import * as q from './queries.ts';
/** For 首页: graduates of the current batch without a 毕业证照片. */
export { hasGraduationPhoto, missingCount } from './queries.ts';
import { judgeName, judgePhoto, READ_PROBLEMS, type PhotoLimits } from './check.ts';
import { listEntries, readEntries, ZipRefused, type ZipEntry, type ZipLimits } from './zip.ts';
import { hashAndFlag, thumbnail } from './similar.ts';
import { photoErrors } from './errors.ts';
import type { EntriesFilter, FlagsFilter, MissingFilter, PhotoType, PhotoVerdict, TypeLimits } from '../../shared/contract/photos.ts';

export const CHECK_JOB = 'photos.check';
export const SIMILAR_JOB = 'photos.similar';

/** Upload limits from the environment (README, Configuration). */
export function uploadLimits(env: NodeJS.ProcessEnv = process.env) {
  const num = (v: string | undefined, d: number) => (v && Number(v) > 0 ? Number(v) : d);
  return {
    maxZipBytes: num(env.PHOTO_ZIP_MAX_MB, 2048) * 1024 * 1024,
    maxEntries: num(env.PHOTO_ZIP_MAX_ENTRIES, 50_000),
    maxTotalBytes: num(env.PHOTO_ZIP_MAX_UNPACKED_MB, 4096) * 1024 * 1024,
    maxRatio: 100,
  };
}

export const limitsText = (t: PhotoLimits) =>
  `JPEG 格式，${t.width}×${t.height} 像素（宽×高），24 位真彩色，文件大小 ${t.min_kb}–${t.max_kb} KB`;

function presentType(t: NonNullable<Awaited<ReturnType<typeof q.photoType>>>): PhotoType {
  return { ...t, limits_text: `${limitsText(t)}${t.note ? `；${t.note}` : ''}` };
}

export async function listTypes(db: Kysely<DB>): Promise<PhotoType[]> {
  return (await q.photoTypes(db)).map(presentType);
}

/**
 * 毕业证照片 are uploaded within the current batch's step 三 window (seed 000: 照片 10-10～10-23), as
 * extended for the caller's unit. Headquarters is not bound; a batch without that window binds no one,
 * and other types (录取照片) belong to enrolment, not to a graduation batch.
 */
async function checkPhotoWindow(db: Kysely<DB>, actor: Actor, type: string) {
  if (type !== q.GRADUATION_PHOTO || actor.role === 'hq_admin') return;
  const batch = await db.selectFrom('batch').select('code').where('is_current', '=', true).executeTakeFirst();
  if (!batch) return;
  const state = await windowState(db, batch.code, 'photos', [actor.nodePath]);
  const v = state.verdicts.get(actor.nodePath);
  if (state.window && v && !v.open) throw windowClosedError('photos', v);
}

async function usableType(db: Kysely<DB>, code: string) {
  const t = await q.photoType(db, code);
  if (!t || !t.enabled) throw photoErrors.typeUnknown(code);
  return t;
}

/** Sets a type's 图片限制; a code not yet known is a new type (headquarters adds 学位照片, say). */
export async function updateType(db: Kysely<DB>, actor: Actor, code: string, body: TypeLimits): Promise<PhotoType> {
  if (body.min_kb >= body.max_kb) throw photoErrors.limitsInverted();
  return db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('photo_type').selectAll().where('code', '=', code).forUpdate().executeTakeFirst();
    const values = { width: body.width, height: body.height, min_kb: body.min_kb, max_kb: body.max_kb, note: body.note, enabled: body.enabled };
    await trx.insertInto('photo_type')
      .values({ code, ...values, sort: 100, updated_by: actor.id, updated_at: new Date() })
      .onConflict((oc) => oc.column('code').doUpdateSet({ ...values, updated_by: actor.id, updated_at: new Date() }))
      .execute();
    const pick = (t: typeof values) => ({ width: t.width, height: t.height, min_kb: t.min_kb, max_kb: t.max_kb, note: t.note, enabled: t.enabled });
    await recordOperation(trx, actor, [{
      action: before ? '修改图片限制' : '新增图片类型', objectType: 'photo_type', objectId: code, nodePath: actor.nodePath,
      before: before ? pick(before) : undefined, after: values,
    }]);
    return presentType((await q.photoType(trx, code))!);
  });
}

/** What can be said before a byte of an upload is received: the type exists and its window is open. */
export async function beforeUpload(db: Kysely<DB>, actor: Actor, type: string): Promise<void> {
  await usableType(db, type);
  await checkPhotoWindow(db, actor, type);
}

// ---------------------------------------------------------------- batch upload

/**
 * A received zip (already streamed to the temp file `received.file`) becomes an upload row, its file
 * goes to the store, and the check job is queued in the same transaction as the row: no row without its
 * job. The temp file is removed whatever happens.
 */
export async function startUpload(db: Kysely<DB>, jobs: Jobs, actor: Actor, type: string, received: { file: string; name: string }) {
  try {
    return await queueUpload(db, jobs, actor, type, received.name, received.file);
  } finally {
    await fs.promises.rm(received.file, { force: true });
  }
}

async function queueUpload(db: Kysely<DB>, jobs: Jobs, actor: Actor, type: string, fileName: string, localFile: string) {
  await usableType(db, type);
  // Refused before the check rather than at 保存: a teacher should not wait for a report they cannot use.
  await checkPhotoWindow(db, actor, type);
  const size = (await fs.promises.stat(localFile)).size;
  if (size === 0) throw photoErrors.noFile();
  const store = fileStore();
  const upload = await db.insertInto('photo_upload').values({
    photo_type: type, file_name: fileName.slice(0, 200), file_size: size, node_path: actor.nodePath, owner_id: actor.id, state: 'checking',
  }).returning('id').executeTakeFirstOrThrow();
  try {
    await store.putUpload(upload.id, localFile);
    const taskId = await db.transaction().execute(async (trx) => {
      const id = await jobs.enqueue({ kind: CHECK_JOB, title: `检查电子照片：${fileName}`, ownerId: actor.id, nodePath: actor.nodePath, payload: { upload_id: upload.id } }, trx);
      await trx.updateTable('photo_upload').set({ task_id: id }).where('id', '=', upload.id).execute();
      return id;
    });
    return { upload_id: upload.id, task_id: taskId };
  } catch (e) {
    await db.deleteFrom('photo_upload').where('id', '=', upload.id).execute();
    await store.deleteUpload(upload.id).catch(() => {});
    throw e;
  }
}

interface Pending {
  entry: ZipEntry;
  idNumber: string;
  studentId: number;
  currentSha: string | null;
}

/**
 * The check job: every entry judged on its own, the report written, nothing applied. Runs again from
 * the start if delivered twice (the report is replaced, never appended to).
 */
/** The jobs' payloads: the upload to check; the photos to hash and compare, given or a saved upload's. */
const checkPayload = z.object({ upload_id: z.string() });
const similarPayload = z.union([z.object({ photo_ids: z.array(z.number()) }), z.object({ upload_id: z.string() })]);

export async function runCheck(ctx: TaskContext<z.output<typeof checkPayload>>, store: FileStore = fileStore(), limits = uploadLimits()) {
  const db = ctx.db;
  const uploadId = ctx.payload.upload_id;
  const upload = await db.selectFrom('photo_upload').selectAll().where('id', '=', uploadId).executeTakeFirst();
  if (!upload || upload.state !== 'checking') return { skipped: true };
  const actor = await q.actorForUser(db, upload.owner_id!);
  const type = await q.photoType(db, upload.photo_type);
  if (!actor || !type) throw new Error('upload without its owner or type');
  await db.deleteFrom('photo_upload_entry').where('upload_id', '=', uploadId).execute();

  const zipLimits: ZipLimits = { maxEntries: limits.maxEntries, maxTotalBytes: limits.maxTotalBytes, maxRatio: limits.maxRatio, maxEntryBytes: type.max_kb * 1024 };
  const counts = { accepted: 0, replacing: 0, unchanged: 0, rejected: 0 };
  const opened = await store.openUpload(uploadId);
  try {
    const entries = await listEntries(opened.file, zipLimits);
    await ctx.progress(0, entries.length);

    // Names first: which entries can be photos of whom, before reading a byte of data.
    const byId = new Map<string, ZipEntry[]>();
    const rejectedByName = new Map<number, string>();
    const idOf = new Map<number, string>();
    for (const e of entries) {
      const v = judgeName(e.name, e.kind);
      if (!v.ok) { rejectedByName.set(e.seq, v.reason); continue; }
      idOf.set(e.seq, v.idNumber);
      byId.set(v.idNumber, [...(byId.get(v.idNumber) ?? []), e]);
    }
    for (const [, same] of byId) {
      if (same.length < 2) continue;
      const where = same.map((e) => `“${e.name}”`).join('、');
      for (const e of same) rejectedByName.set(e.seq, `压缩包内有多个文件对应同一身份证号（${where}），无法确定使用哪一张，请只保留一张`);
    }
    const students = await q.studentsByIdNumber(db, actor, [...byId.keys()], type.code);

    const rows: q.EntryRow[] = [];
    const flush = async (force = false) => {
      if (rows.length >= 2000 || (force && rows.length)) await q.insertEntries(db, uploadId, rows.splice(0));
    };
    const reject = (e: ZipEntry, reason: string, idNumber: string | null = null, studentId: number | null = null) => {
      counts.rejected++;
      rows.push({ seq: e.seq, entry_name: e.name, id_number: idNumber, student_id: studentId, verdict: '不通过', reason, sha256: null, size_bytes: null, width: null, height: null });
    };

    const toRead: ZipEntry[] = [];
    const pending = new Map<number, Pending>();
    for (const e of entries) {
      const byName = rejectedByName.get(e.seq);
      if (byName) { reject(e, byName, idOf.get(e.seq) ?? null); continue; }
      const idNumber = idOf.get(e.seq)!;
      const s = students.get(idNumber);
      // The same words whether the student does not exist or belongs to another unit.
      if (!s) { reject(e, `找不到身份证号为 ${idNumber} 的学生，或该学生不在您的管理范围内，请核对文件名`, idNumber); continue; }
      toRead.push(e);
      pending.set(e.seq, { entry: e, idNumber, studentId: s.id, currentSha: s.current_sha });
    }

    // What the names told is now in `pending`: let it go before 20,000 photos pass through memory.
    byId.clear();
    idOf.clear();
    rejectedByName.clear();
    students.clear();
    const total = entries.length;
    let done = total - toRead.length;
    // Files are written while the next entries are read: at most 32 in flight.
    const inFlight = new Set<Promise<unknown>>();
    const write = async (data: Buffer, sha: string) => {
      const p = store.put(data, sha).finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= 32) await Promise.race(inFlight);
    };
    for await (const r of readEntries(opened.file, toRead, zipLimits)) {
      const p = pending.get(r.entry.seq)!;
      if (r.problem) {
        reject(r.entry, READ_PROBLEMS[r.problem](type), p.idNumber, p.studentId);
      } else {
        const v = judgePhoto(r.data, type);
        if (!v.ok) {
          reject(r.entry, v.reason, p.idNumber, p.studentId);
        } else {
          let verdict: PhotoVerdict;
          let reason: string;
          if (p.currentSha === v.sha256) {
            verdict = '无变化'; reason = '与该学生现有照片相同，无需更新'; counts.unchanged++;
          } else if (p.currentSha) {
            verdict = '替换'; reason = '符合要求；保存后将替换该学生现有照片（原照片保留在历史记录中）'; counts.replacing++;
          } else {
            verdict = '新增'; reason = '符合要求'; counts.accepted++;
          }
          // Into the store now (content-addressed, so harmless if never saved); 保存 is then pure SQL.
          if (verdict !== '无变化') await write(v.stored, v.sha256);
          rows.push({ seq: r.entry.seq, entry_name: r.entry.name, id_number: p.idNumber, student_id: p.studentId, verdict, reason, sha256: v.sha256, size_bytes: v.size, width: v.width, height: v.height });
        }
      }
      if (++done % 2000 === 0) {
        await flush();
        if (!(await ctx.progress(done))) return { cancelled: true };
      }
    }
    await Promise.all(inFlight);
    await flush(true);
    await q.markDuplicates(db, uploadId, type.code);
    await db.updateTable('photo_upload').set({ state: 'checked', ...counts }).where('id', '=', uploadId).where('state', '=', 'checking').execute();
    await ctx.progress(total);
    return { upload_id: uploadId, ...counts };
  } catch (e) {
    if (!(e instanceof ZipRefused)) throw e;
    await db.deleteFrom('photo_upload_entry').where('upload_id', '=', uploadId).execute();
    await db.updateTable('photo_upload').set({ state: 'failed', error: e.message }).where('id', '=', uploadId).execute();
    await store.deleteUpload(uploadId);
    return { upload_id: uploadId, error: e.message };
  } finally {
    await opened.release();
  }
}

function presentUpload(u: Awaited<ReturnType<ReturnType<typeof q.scopedUpload>['executeTakeFirstOrThrow']>> | Awaited<ReturnType<typeof q.uploadsPage>>['rows'][number]) {
  // A check that kept failing (its retries used up) is over for the user too, not "checking" forever.
  const gaveUp = u.state === 'checking' && u.task_state === 'failed';
  return {
    id: u.id, photo_type: u.photo_type, file_name: u.file_name, file_size: Number(u.file_size), task_id: u.task_id,
    state: gaveUp ? 'failed' as const : u.state,
    error: gaveUp ? '检查压缩包时服务器出错，未保存任何照片。请重新上传；如仍出错，请联系系统管理员。' : u.error,
    progress: u.progress ?? 0, total: u.total ?? 0, accepted: u.accepted, replacing: u.replacing, unchanged: u.unchanged, rejected: u.rejected,
    created_at: new Date(u.created_at).toISOString(), saved_at: u.saved_at ? new Date(u.saved_at).toISOString() : null,
  };
}

export async function listUploads(db: Kysely<DB>, actor: Actor, f: { page: number; page_size: number }) {
  const { total, rows } = await q.uploadsPage(db, actor, f);
  return { total, rows: rows.map((r) => ({ ...presentUpload(r), owner_name: r.owner_name })) };
}

export async function report(db: Kysely<DB>, actor: Actor, id: string, f: EntriesFilter) {
  const u = await mustFind(q.scopedUpload(db, actor, id).executeTakeFirst(), '上传记录');
  const { total, rows } = await q.entriesPage(db, id, f);
  return {
    upload: presentUpload(u),
    total,
    rows: rows.map(({ size_bytes, ...r }) => ({ ...r, size_kb: size_bytes == null ? null : Math.round(size_bytes / 102.4) / 10 })),
  };
}

export async function reportRows(db: Kysely<DB>, actor: Actor, id: string) {
  const u = await mustFind(q.scopedUpload(db, actor, id).executeTakeFirst(), '上传记录');
  if (u.state === 'checking') throw photoErrors.uploadNotReady();
  return { upload: u, rows: q.streamEntries(db, id) };
}

/**
 * 保存: every accepted entry becomes the student's current photo, in one transaction with the upload's
 * new state and its audit entry — a crash leaves the old photos or the new ones, never a mix. A second
 * 保存 (a double click, a retry) finds the upload saved and changes nothing.
 */
export async function save(db: Kysely<DB>, jobs: Jobs, actor: Actor, id: string) {
  const result = await db.transaction().execute(async (trx) => {
    const u = await mustFind(q.scopedUpload(trx, actor, id).forUpdate('u').executeTakeFirst(), '上传记录');
    if (u.state === 'saved') return { applied: 0, unchanged: u.accepted + u.replacing + u.unchanged, rejected: u.rejected, flagged: 0, again: true };
    if (u.state === 'checking') throw photoErrors.uploadNotReady();
    if (u.state === 'failed') throw photoErrors.uploadFailed(u.error ?? '');
    await checkPhotoWindow(trx, actor, u.photo_type);
    const inserted = await q.applyUpload(trx, actor, u);
    const flagged = await q.flagExactDuplicates(trx, inserted.map((p) => p.id));
    await trx.updateTable('photo_upload').set({ state: 'saved', saved_at: new Date(), saved_by: actor.id }).where('id', '=', id).execute();
    await recordOperation(trx, actor, [{
      action: '保存批量上传照片', objectType: 'photo_upload', objectId: id, nodePath: u.node_path,
      after: { photo_type: u.photo_type, file_name: u.file_name, applied: inserted.length, rejected: u.rejected },
    }]);
    if (inserted.length) {
      await jobs.enqueue({ kind: SIMILAR_JOB, title: '查找相似照片', ownerId: actor.id, nodePath: u.node_path, payload: { upload_id: id } }, trx);
    }
    const applied = inserted.length;
    return { applied, unchanged: u.accepted + u.replacing + u.unchanged - applied, rejected: u.rejected, flagged, again: false };
  });
  // The zip is no longer needed once its photos are rows; removing it is not part of the change.
  if (!result.again) await fileStore().deleteUpload(id).catch(() => {});
  const { again: _again, ...out } = result;
  return out;
}

export async function runSimilar(ctx: TaskContext<z.output<typeof similarPayload>>, store: FileStore = fileStore()) {
  const p = ctx.payload;
  const ids = 'photo_ids' in p ? p.photo_ids
    : (await ctx.db.selectFrom('photo').select('id').where('upload_id', '=', p.upload_id).where('is_current', '=', true).execute()).map((r) => r.id);
  await ctx.progress(0, ids.length);
  const flagged = await hashAndFlag(ctx.db, store, ids, (n) => ctx.progress(n));
  await ctx.progress(ids.length);
  return { hashed: ids.length, flagged };
}

export function registerPhotoJobs(jobs: Jobs): void {
  jobs.register(CHECK_JOB, checkPayload, (ctx) => runCheck(ctx));
  jobs.register(SIMILAR_JOB, similarPayload, (ctx) => runSimilar(ctx));
}

// ---------------------------------------------------------------- the student card

export async function studentPhotos(db: Kysely<DB>, actor: Actor, studentId: number) {
  const s = await mustFind(q.scopedStudent(db, actor, studentId).executeTakeFirst(), '学生');
  const [types, photos] = await Promise.all([q.photoTypes(db), q.photosOf(db, s.id)]);
  const present = (p: (typeof photos)[number]) => ({
    id: p.id, photo_type: p.photo_type, is_current: p.is_current, size_kb: Math.round(p.size_bytes / 102.4) / 10, width: p.width, height: p.height,
    source: p.source, uploaded_by: p.uploaded_by, uploaded_at: new Date(p.uploaded_at).toISOString(), replaced_at: p.replaced_at ? new Date(p.replaced_at).toISOString() : null,
  });
  return {
    student: { id: s.id, student_no: s.student_no, name: s.name, id_number_masked: maskIdCard(s.id_number), tp_name: s.tp_name },
    types: types.filter((t) => t.enabled).map((t) => ({
      code: t.code,
      limits_text: limitsText(t),
      current: photos.filter((p) => p.photo_type === t.code && p.is_current).map(present)[0] ?? null,
      history: photos.filter((p) => p.photo_type === t.code).map(present),
    })),
  };
}

/** One photo on the student card: the same rules as an entry of a zip, applied at once. */
export async function uploadSingle(db: Kysely<DB>, jobs: Jobs, actor: Actor, studentId: number, type: string, data: Buffer) {
  const s = await mustFind(q.scopedStudent(db, actor, studentId).executeTakeFirst(), '学生');
  const t = await usableType(db, type);
  await checkPhotoWindow(db, actor, type);
  const v = judgePhoto(data, t);
  if (!v.ok) throw photoErrors.rejected(v.reason);
  await fileStore().put(v.stored, v.sha256);
  return db.transaction().execute(async (trx) => {
    const current = await trx.selectFrom('photo').select(['id', 'sha256']).where('student_id', '=', s.id).where('photo_type', '=', type)
      .where('is_current', '=', true).forUpdate().executeTakeFirst();
    if (current?.sha256 === v.sha256) return { verdict: '无变化' as const, reason: '与该学生现有照片相同，无需更新', photo_id: current.id };
    const p = await q.insertPhoto(trx, { student_id: s.id, photo_type: type, node_path: s.node_path, sha256: v.sha256, size_bytes: v.size, width: v.width, height: v.height, source: '单张上传', uploaded_by: actor.id });
    await q.flagExactDuplicates(trx, [p.id]);
    await recordOperation(trx, actor, [{
      action: current ? '替换学生照片' : '上传学生照片', objectType: 'student', objectId: s.id, nodePath: s.node_path,
      before: current ? { photo_type: type, photo_id: current.id } : undefined, after: { photo_type: type, photo_id: p.id },
    }]);
    await jobs.enqueue({ kind: SIMILAR_JOB, title: '查找相似照片', ownerId: actor.id, nodePath: s.node_path, payload: { photo_ids: [p.id] } }, trx);
    return { verdict: current ? '替换' as const : '新增' as const, reason: '已保存', photo_id: p.id };
  });
}

export async function photoBytes(db: Kysely<DB>, actor: Actor, photoId: number, size: 'full' | 'thumb'): Promise<Buffer> {
  const p = await mustFind(q.scopedPhoto(db, actor, photoId).executeTakeFirst(), '照片');
  const store = fileStore();
  if (size === 'thumb') {
    const name = `thumb-${p.sha256}.jpg`;
    const cached = await store.getDerived(name);
    if (cached) return cached;
    const full = await store.get(p.sha256);
    if (!full) throw errors.notFound('照片文件');
    // Made on first view and kept: 20,000 uploads should not wait for 20,000 thumbnails.
    const t = await thumbnail(full);
    await store.putDerived(name, t);
    return t;
  }
  const full = await store.get(p.sha256);
  if (!full) throw errors.notFound('照片文件');
  return full;
}

// ---------------------------------------------------------------- 缺照片, flags

export async function missingList(db: Kysely<DB>, actor: Actor, f: MissingFilter) {
  await getBatch(db, f.batch);
  const base = q.missing(db, actor, f);
  const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await base.select([...q.missingColumns]).orderBy('tp.code').orderBy('s.student_no')
    .limit(f.page_size).offset((f.page - 1) * f.page_size).execute();
  return { total: Number(total.n), rows: rows.map(({ id_number, ...r }) => ({ ...r, id_number_masked: maskIdCard(id_number) })) };
}

/** 导出缺照片名单: the rows a page at a time, and the export in the operation log. */
export async function exportMissing(db: Kysely<DB>, actor: Actor, f: Omit<MissingFilter, 'page' | 'page_size'>) {
  await getBatch(db, f.batch);
  await recordOperation(db, actor, [{ action: '导出缺照片名单', objectType: 'export', objectId: f.batch, nodePath: actor.nodePath, after: f }]);
  // A page at a time, on (teaching point, 学号): an export of any size never sits whole in memory.
  return (async function* () {
    let after: { tp: string; no: string } | null = null;
    for (;;) {
      let page = q.missing(db, actor, f).select([...q.missingColumns]);
      if (after) page = page.where(sql<boolean>`(tp.code, s.student_no) > (${after.tp}, ${after.no})`);
      const rows = await page.orderBy('tp.code').orderBy('s.student_no').limit(2000).execute();
      if (rows.length) yield rows;
      if (rows.length < 2000) return;
      after = { tp: rows[rows.length - 1].tp_code, no: rows[rows.length - 1].student_no };
    }
  })();
}

export async function flagList(db: Kysely<DB>, actor: Actor, f: FlagsFilter) {
  const base = q.flags(db, actor, f.status);
  const total = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await base.select([
    'f.id', 'f.kind', 'f.distance', 'f.status', 'f.created_at',
    'a.id as a_photo', 'sa.id as a_student', 'sa.student_no as a_no', 'sa.name as a_name', 'ta.name as a_tp', inScope(actor, 'sa.node_path', 'sa.id').as('a_seen'),
    'b.id as b_photo', 'sb.id as b_student', 'sb.student_no as b_no', 'sb.name as b_name', 'tb.name as b_tp', inScope(actor, 'sb.node_path', 'sb.id').as('b_seen'),
  ]).orderBy('f.id', 'desc').limit(f.page_size).offset((f.page - 1) * f.page_size).execute();
  const side = (seen: boolean, photo: number, student: number, no: string, name: string, tp: string) =>
    seen ? { photo_id: photo, student_id: student, student_no: no, name, tp_name: tp } : { photo_id: photo, student_id: null, student_no: null, name: null, tp_name: null };
  return {
    total: Number(total.n),
    rows: rows.map((r) => ({
      id: r.id, kind: r.kind, distance: r.distance, status: r.status, created_at: new Date(r.created_at).toISOString(),
      photo: side(r.a_seen, r.a_photo, r.a_student, r.a_no, r.a_name, r.a_tp),
      other: side(r.b_seen, r.b_photo, r.b_student, r.b_no, r.b_name, r.b_tp),
    })),
  };
}

export async function reviewFlag(db: Kysely<DB>, actor: Actor, id: number) {
  return db.transaction().execute(async (trx) => {
    const f = await mustFind(q.flags(trx, actor, '待核查').select(['f.id', 'f.node_path']).where('f.id', '=', id).executeTakeFirst(), '待核查的照片标记');
    await trx.updateTable('photo_flag').set({ status: '已核查', reviewed_by: actor.id, reviewed_at: new Date() }).where('id', '=', f.id).execute();
    await recordOperation(trx, actor, [{ action: '核查重复照片', objectType: 'photo_flag', objectId: f.id, nodePath: f.node_path, before: { status: '待核查' }, after: { status: '已核查' } }]);
    return { ok: true as const };
  });
}
