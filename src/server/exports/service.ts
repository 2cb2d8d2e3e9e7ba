import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Actor } from '../platform/auth.ts';
import { AppError, errors } from '../platform/errors.ts';
import { fileStore, tempDir } from '../platform/files.ts';
import { etaSeconds, type Jobs } from '../platform/jobs.ts';
import { recordAudit } from '../platform/audit.ts';
import { inScope, mustFind, STAFF, requireRole } from '../platform/scope.ts';
import type { DB } from '../platform/tables.ts';
import { maskIdCard } from '../../shared/idcard.ts';
import * as q from './queries.ts';
import { studentsExportPayload, type StudentsExportPayload } from './schema.ts';

/** Tunables; tests slow an export down to watch its progress and cancel it. */
export const exportSettings = {
  pageSize: 1000,
  /** Students a document export reads and draws at a time. */
  documentPage: 200,
  pageDelayMs: 0,
  /** Rows one list export may hold (refused before it starts above that). */
  maxRows: Number(process.env.EXPORT_MAX_ROWS) || 200_000,
  /** Students one document export (PDFs) may cover. */
  maxDocuments: Number(process.env.EXPORT_MAX_DOCUMENTS) || 50_000,
};

/** Days an export file is kept (EXPORT_KEEP_DAYS, default 7). */
export function keepDays(): number {
  const n = Number(process.env.EXPORT_KEEP_DAYS);
  return Number.isFinite(n) && n > 0 ? n : 7;
}

export interface ExportContext<P> {
  taskId: string;
  payload: P;
  db: Kysely<DB>;
  /** Who asked: the producer shows only what they may see. */
  owner: Actor;
  /** Write the result here; the framework moves it into the file store. */
  file: string;
  /** Count done of total; answers false once the user cancelled: stop then and return null. */
  progress(done: number, total?: number): Promise<boolean>;
}

export interface Produced {
  fileName: string;
  contentType: string;
  /** Documents (or rows) in the file: the message says "共 N 份". */
  count: number;
  /** Pages printed (documents only). */
  pages?: number;
  /** What the user should know about the file (缺照片, a character that could not be printed …): the message adds them. */
  notes?: string[];
}

export interface ExportKind<P> {
  title(payload: P): string;
  /** The kind's fields of POST /api/exports. */
  payload: z.ZodType<P>;
  /** Throws when the caller may not ask for this (403), or it would be empty or over the cap (400). */
  check(db: Kysely<DB>, actor: Actor, payload: P): Promise<void>;
  produce(ctx: ExportContext<P>): Promise<Produced | null>;
}

const kinds = new Map<string, ExportKind<any>>();

/** Any capability defines a document export here; it runs as a persisted job under the kind's name. */
export function registerExport<P>(jobs: Jobs, kind: string, def: ExportKind<P>): void {
  kinds.set(kind, def);
  jobs.register(kind, (ctx) => runExport(kind, def, ctx.db, ctx.taskId, ctx.payload as P, ctx.progress));
}

export const exportKinds = (): string[] => [...kinds.keys()];

const CN_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' });
const downloadUrl = (taskId: string) => `/api/exports/${taskId}/download`;

async function ownerActor(db: Kysely<DB>, userId: number): Promise<Actor> {
  const u = await db.selectFrom('app_user as u').innerJoin('org_node as n', 'n.id', 'u.node_id')
    .select(['u.id', 'u.username', 'u.display_name', 'u.role', 'u.node_id', 'u.student_id', 'n.kind', 'n.name', 'n.code', 'n.path'])
    .where('u.id', '=', userId).executeTakeFirstOrThrow();
  return {
    id: u.id, username: u.username, displayName: u.display_name, role: u.role, nodeId: u.node_id, nodeKind: u.kind,
    nodeName: u.name, nodeCode: u.code, nodePath: u.path, studentId: u.student_id,
  };
}

async function isCancelled(db: Kysely<DB>, taskId: string): Promise<boolean> {
  const t = await db.selectFrom('task').select('state').where('id', '=', taskId).executeTakeFirst();
  return t?.state === 'cancelled';
}

/**
 * One run of an export job. pg-boss may deliver it twice: a run that finds the file row stops; a
 * rerun writes the same temp name again; file and message rows are keyed by the task (unique), so
 * a second run never makes a second file or message. Cancelled: no file and no message (the user
 * cancelled it on the page that shows it as 已取消).
 */
async function runExport<P>(kind: string, def: ExportKind<P>, db: Kysely<DB>, taskId: string, payload: P,
  progress: (done: number, total?: number) => Promise<boolean>): Promise<unknown> {
  const task = await db.selectFrom('task').select(['owner_id', 'title', 'node_path']).where('id', '=', taskId).executeTakeFirstOrThrow();
  const stored = await db.selectFrom('export_file').select(['file_name', 'item_count']).where('task_id', '=', taskId).executeTakeFirst();
  if (stored) return { file_name: stored.file_name, count: stored.item_count };
  if (task.owner_id == null) throw new Error('导出任务没有发起人');
  const owner = await ownerActor(db, task.owner_id);
  const file = path.join(tempDir(), `export-${taskId}.part`);
  try {
    await fs.promises.rm(file, { force: true });
    let produced: Produced | null;
    try {
      produced = await def.produce({ taskId, payload, db, owner, file, progress });
    } catch (e) {
      if (!(await isCancelled(db, taskId))) {
        const why = e instanceof Error ? e.message : String(e);
        // Upserted: a retry that succeeds replaces this message with the download.
        await upsertMessage(db, {
          recipient_id: owner.id, kind: 'export_failed', title: `${task.title} 失败`,
          body: `${task.title} 未能完成：${why}。请稍后重新导出；如仍失败，请联系管理员。`, link: null, task_id: taskId,
        });
      }
      throw e;
    }
    if (!produced || (await isCancelled(db, taskId))) return null;
    const size = (await fs.promises.stat(file)).size;
    await fileStore().putUpload(taskId, file);
    const expires = new Date(Date.now() + keepDays() * 86_400_000);
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('export_file').values({
        task_id: taskId, owner_id: owner.id, node_path: task.node_path, kind, file_name: produced.fileName, size_bytes: size,
        content_type: produced.contentType, item_count: produced.count, expires_at: expires,
      }).onConflict((oc) => oc.column('task_id').doNothing()).execute();
      await upsertMessage(trx, {
        recipient_id: owner.id, kind: 'export_done', title: `${task.title} 已完成`,
        body: [`${task.title} 已完成，共 ${produced.count} 份${produced.pages ? `（${produced.pages} 页）` : ''}，点击下载（保留至 ${CN_DAY.format(expires)}）。`, ...(produced.notes ?? [])].join(''),
        link: downloadUrl(taskId), task_id: taskId,
      });
    });
    return { file_name: produced.fileName, count: produced.count, pages: produced.pages, size_bytes: size };
  } finally {
    await fs.promises.rm(file, { force: true });
  }
}

async function upsertMessage(db: Kysely<DB>, m: { recipient_id: number; kind: 'export_done' | 'export_failed'; title: string; body: string; link: string | null; task_id: string }) {
  await db.insertInto('message').values(m)
    .onConflict((oc) => oc.column('task_id').doUpdateSet({ kind: m.kind, title: m.title, body: m.body, link: m.link, read_at: null, created_at: new Date() }))
    .execute();
}

// ---- the API's side --------------------------------------------------------------------------

export async function start(db: Kysely<DB>, jobs: Jobs, actor: Actor, body: { kind: string } & Record<string, unknown>) {
  const def = kinds.get(body.kind);
  if (!def) throw errors.validation(`导出类型“${body.kind}”不存在。`);
  const { kind, ...rest } = body;
  const parsed = def.payload.safeParse(rest);
  if (!parsed.success) throw errors.validation(`导出条件不正确：${parsed.error.issues.map((i) => i.message).join('；')}`, parsed.error.issues);
  await def.check(db, actor, parsed.data);
  const title = def.title(parsed.data);
  const taskId = await jobs.enqueue({ kind, title, ownerId: actor.id, nodePath: actor.nodePath, payload: parsed.data as Record<string, unknown> });
  return { task_id: taskId, title };
}

type StatusRow = Awaited<ReturnType<ReturnType<typeof q.visibleExportTask>['executeTakeFirstOrThrow']>>;
const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);

function toStatus(r: StatusRow) {
  const expired = r.expires_at != null && (r.expired_at != null || new Date(r.expires_at).getTime() <= Date.now());
  return {
    id: r.id, kind: r.kind, title: r.title, state: r.state, progress: r.progress, total: r.total,
    eta_seconds: etaSeconds(r), error: r.error,
    created_at: iso(r.created_at)!, started_at: iso(r.started_at), finished_at: iso(r.finished_at),
    file: r.file_name == null ? null : {
      file_name: r.file_name, size_bytes: Number(r.size_bytes), item_count: r.item_count ?? 0, expires_at: iso(r.expires_at)!,
      expired, download_url: expired ? null : downloadUrl(r.id),
    },
  };
}

export async function status(db: Kysely<DB>, actor: Actor, taskId: string) {
  return toStatus(await mustFind(q.visibleExportTask(db, actor, taskId, exportKinds()).executeTakeFirst(), '导出任务'));
}

export async function list(db: Kysely<DB>, actor: Actor, query: { active?: 'true' | 'false'; page: number; page_size: number }) {
  const base = q.myExportTasks(db, actor, exportKinds(), query.active === 'true');
  const [{ n }, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    base.select(['t.id', 't.kind', 't.title', 't.state', 't.progress', 't.total', 't.error', 't.created_at', 't.started_at', 't.finished_at', 't.owner_id', 't.node_path',
      'f.file_name', 'f.size_bytes', 'f.content_type', 'f.item_count', 'f.expires_at', 'f.expired_at'])
      .orderBy('t.created_at', 'desc').orderBy('t.id').limit(query.page_size).offset((query.page - 1) * query.page_size).execute(),
  ]);
  return { total: Number(n), rows: rows.map(toStatus) };
}

/** 取消: the producer sees its next progress report answered false and stops. A finished task stays as it is. */
export async function cancel(db: Kysely<DB>, actor: Actor, taskId: string) {
  await mustFind(q.visibleExportTask(db, actor, taskId, exportKinds()).executeTakeFirst(), '导出任务');
  await db.updateTable('task').set({ state: 'cancelled', finished_at: new Date() })
    .where('id', '=', taskId).where('state', 'in', ['queued', 'running']).execute();
  return status(db, actor, taskId);
}

const expiredError = () => new AppError(410, 'EXPORT_EXPIRED', `该导出文件已超过保留期限（${keepDays()} 天）并已删除，请重新导出。`);

/** The file to send, after the audit entry (personal data leaves the system). 404 unless the
 *  actor asked for it or administers the asker's node; 410 once retention removed it. */
export async function openDownload(db: Kysely<DB>, actor: Actor, taskId: string) {
  const f = await mustFind(db.selectFrom('export_file as f').selectAll()
    .where('f.task_id', '=', taskId)
    .where((eb) => (actor.role === 'hq_admin' || actor.role === 'branch_admin'
      ? eb.or([eb('f.owner_id', '=', actor.id), inScope(actor, 'f.node_path')])
      : eb('f.owner_id', '=', actor.id)))
    .executeTakeFirst(), '导出文件');
  if (f.expired_at || new Date(f.expires_at).getTime() <= Date.now()) throw expiredError();
  let opened: { file: string; release(): Promise<void> };
  try {
    opened = await fileStore().openUpload(taskId);
  } catch {
    throw expiredError();
  }
  await recordAudit(db, actor, [{
    action: '下载导出文件', objectType: 'export_file', objectId: taskId, nodePath: f.node_path,
    after: { kind: f.kind, file_name: f.file_name, owner_id: f.owner_id },
  }]);
  return { row: f, file: opened.file, release: opened.release };
}

/** Retention: files past expires_at leave the store; the row stays, marked, so the message says 已过期. */
export async function cleanupExpired(db: Kysely<DB>, now = new Date()): Promise<number> {
  let removed = 0;
  for (;;) {
    const due = await db.selectFrom('export_file').select('task_id')
      .where('expired_at', 'is', null).where('expires_at', '<=', now).orderBy('expires_at').limit(200).execute();
    if (due.length === 0) return removed;
    for (const r of due) {
      await fileStore().deleteUpload(r.task_id);
      await db.updateTable('export_file').set({ expired_at: now }).where('task_id', '=', r.task_id).execute();
      removed++;
    }
  }
}

// ---- 消息 -------------------------------------------------------------------------------------

export async function messages(db: Kysely<DB>, actor: Actor, query: { unread?: 'true' | 'false'; page: number; page_size: number }) {
  let base = q.myMessages(db, actor);
  if (query.unread === 'true') base = base.where('m.read_at', 'is', null);
  const [{ n }, { u }, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    q.myMessages(db, actor).where('m.read_at', 'is', null).select((eb) => eb.fn.countAll<number>().as('u')).executeTakeFirstOrThrow(),
    base.select(['m.id', 'm.kind', 'm.title', 'm.body', 'm.link', 'm.task_id', 'm.created_at', 'm.read_at', 'f.expires_at', 'f.expired_at'])
      .orderBy('m.id', 'desc').limit(query.page_size).offset((query.page - 1) * query.page_size).execute(),
  ]);
  return {
    total: Number(n), unread: Number(u),
    rows: rows.map((m) => {
      const expired = m.expires_at != null && (m.expired_at != null || new Date(m.expires_at).getTime() <= Date.now());
      return {
        id: m.id, kind: m.kind, title: m.title, body: m.body,
        link: expired ? null : m.link, link_state: (m.link == null ? 'none' : expired ? 'expired' : 'download') as 'none' | 'expired' | 'download',
        task_id: m.task_id, created_at: iso(m.created_at)!, read_at: iso(m.read_at),
      };
    }),
  };
}

export async function unreadCount(db: Kysely<DB>, actor: Actor) {
  const { u } = await q.myMessages(db, actor).where('m.read_at', 'is', null)
    .select((eb) => eb.fn.countAll<number>().as('u')).executeTakeFirstOrThrow();
  return { unread: Number(u) };
}

export async function markRead(db: Kysely<DB>, actor: Actor, id: number) {
  const row = await db.updateTable('message').set({ read_at: new Date() })
    .where('id', '=', id).where('recipient_id', '=', actor.id).returning('id').executeTakeFirst();
  // Already read keeps its time: the update above touched it anyway, which is harmless.
  if (!row) throw errors.notFound('消息');
  return { ok: true as const, updated: 1 };
}

export async function markAllRead(db: Kysely<DB>, actor: Actor) {
  const r = await db.updateTable('message').set({ read_at: new Date() })
    .where('recipient_id', '=', actor.id).where('read_at', 'is', null).executeTakeFirst();
  return { ok: true as const, updated: Number(r.numUpdatedRows) };
}

// ---- students.xlsx: 学生名单导出, the first kind -----------------------------------------------

export const STUDENTS_XLSX = 'students.xlsx';
export const EXPORT_CLEANUP = 'exports.cleanup';
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function studentsQuery(db: Kysely<DB>, actor: Actor, p: StudentsExportPayload) {
  let qb = db.selectFrom('student as s').innerJoin('org_node as tp', 'tp.id', 's.tp_id')
    .where(inScope(actor, 's.node_path', 's.id', 's.tp_id'));
  if (p.filter.cohort) qb = qb.where('s.cohort', '=', p.filter.cohort);
  if (p.filter.status) qb = qb.where('s.status', '=', p.filter.status);
  if (p.filter.tp_code) qb = qb.where('tp.code', '=', p.filter.tp_code);
  return qb;
}

const COLUMNS: { header: string; width: number; key: string }[] = [
  { header: '学号', width: 16, key: 'student_no' }, { header: '姓名', width: 10, key: 'name' }, { header: '性别', width: 6, key: 'gender' },
  { header: '身份证号', width: 22, key: 'id_masked' }, { header: '学籍批次', width: 10, key: 'cohort' }, { header: '层次', width: 8, key: 'level' },
  { header: '专业', width: 18, key: 'major' }, { header: '教学点代码', width: 12, key: 'tp_code' }, { header: '教学点', width: 20, key: 'tp_name' },
  { header: '学籍状态', width: 10, key: 'status' }, { header: '入学日期', width: 12, key: 'entry_date' },
];

const studentsExport: ExportKind<StudentsExportPayload> = {
  title: () => '学生名单导出',
  payload: studentsExportPayload,
  async check(db, actor, p) {
    requireRole(actor, STAFF, '学生名单导出');
    const { n } = await studentsQuery(db, actor, p).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    if (Number(n) === 0) throw errors.validation('没有符合条件的学生，未生成导出文件。请调整查询条件后再导出。');
    if (Number(n) > exportSettings.maxRows) {
      throw errors.validation(`符合条件的学生共 ${Number(n)} 人，超过单次导出上限 ${exportSettings.maxRows} 人。请按教学点或学籍批次分批导出。`);
    }
  },
  async produce(ctx) {
    const base = studentsQuery(ctx.db, ctx.owner, ctx.payload);
    const total = Number((await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    if (!(await ctx.progress(0, total))) return null;
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: ctx.file, useSharedStrings: false, useStyles: true });
    const ws = wb.addWorksheet('学生名单');
    // Text cells: 学号 and 身份证号 must not become numbers, and "=…" is written as text, never a formula.
    ws.columns = COLUMNS.map((c) => ({ header: c.header, width: c.width, style: { numFmt: '@' } }));
    ws.getRow(1).font = { bold: true };
    ws.getRow(1).commit();
    let done = 0;
    let lastId = 0;
    let cancelled = false;
    // Keyset pages by id: PGlite's streamQuery would load the whole result at once.
    for (;;) {
      const page = await base.select(['s.id', 's.student_no', 's.name', 's.gender', 's.id_number', 's.cohort', 's.level', 's.major', 's.status', 's.entry_date',
        'tp.code as tp_code', 'tp.name as tp_name'])
        .where('s.id', '>', lastId).orderBy('s.id').limit(exportSettings.pageSize).execute();
      if (page.length === 0) break;
      for (const r of page) {
        const row: Record<string, string> = { ...r, id_masked: maskIdCard(r.id_number), entry_date: String(r.entry_date).slice(0, 10) } as any;
        ws.addRow(COLUMNS.map((c) => String(row[c.key] ?? ''))).commit();
      }
      lastId = page[page.length - 1].id;
      done += page.length;
      if (exportSettings.pageDelayMs) await new Promise((r) => setTimeout(r, exportSettings.pageDelayMs));
      if (!(await ctx.progress(done, Math.max(total, done)))) {
        cancelled = true;
        break;
      }
    }
    // Closed even when cancelled: the writer holds the temp file open until then.
    ws.commit();
    await wb.commit();
    if (cancelled) return null;
    const day = CN_DAY.format(new Date()).replaceAll('-', '');
    return { fileName: `学生名单-${day}.xlsx`, contentType: XLSX_TYPE, count: done };
  },
};

export function registerExportJobs(jobs: Jobs): void {
  registerExport(jobs, STUDENTS_XLSX, studentsExport);
  // Hourly: files past their keeping days leave the store.
  jobs.schedule(EXPORT_CLEANUP, '7 * * * *', async (db) => {
    await cleanupExpired(db);
  });
}
