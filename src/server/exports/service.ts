import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Actor } from '../platform/auth.ts';
import { errors } from '../platform/errors.ts';
import { fileStore, tempDir } from '../platform/files.ts';
import { etaSeconds, type Jobs } from '../platform/jobs.ts';
import { recordEvent, recordOperation } from '../platform/oplog.ts';
import { inScope, mustFind } from '../platform/scope.ts';
import type { DB } from '../platform/tables.ts';
import type { LinkState, MessageKind } from '../../shared/contract/exports.ts';
import { exportErrors } from './errors.ts';
import * as q from './queries.ts';
import { ADMINS } from '../../shared/org.ts';

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

const kinds = new Map<string, ExportKind<unknown>>();

/** Any capability defines a document export here; it runs as a persisted job under the kind's name. */
export function registerExport<P>(jobs: Jobs, kind: string, def: ExportKind<P>): void {
  kinds.set(kind, def as ExportKind<unknown>);
  jobs.register(kind, def.payload, (ctx) => runExport(kind, def, ctx.db, ctx.taskId, ctx.payload, ctx.progress));
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
  if (task.owner_id == null) throw exportErrors.noOwner();
  const owner = await ownerActor(db, task.owner_id);
  const file = path.join(tempDir(), `export-${taskId}.part`);
  try {
    await fs.promises.rm(file, { force: true });
    let produced: Produced | null;
    try {
      // Parsed again: a task stored by an older version, or enqueued directly, gets the defaults.
      produced = await def.produce({ taskId, payload: def.payload.parse(payload), db, owner, file, progress });
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

async function upsertMessage(db: Kysely<DB>, m: { recipient_id: number; kind: Exclude<MessageKind, 'notice'>; title: string; body: string; link: string | null; task_id: string }) {
  await db.insertInto('message').values(m)
    .onConflict((oc) => oc.column('task_id').doUpdateSet({ kind: m.kind, title: m.title, body: m.body, link: m.link, read_at: null, created_at: new Date() }))
    .execute();
}

// ---- the API's side --------------------------------------------------------------------------

export async function start(db: Kysely<DB>, jobs: Jobs, actor: Actor, body: { kind: string } & Record<string, unknown>) {
  const def = kinds.get(body.kind);
  if (!def) throw exportErrors.unknownKind(body.kind);
  const { kind, ...rest } = body;
  const parsed = def.payload.safeParse(rest);
  if (!parsed.success) throw exportErrors.badPayload(parsed.error.issues.map((i) => i.message), parsed.error.issues);
  await def.check(db, actor, parsed.data);
  const title = def.title(parsed.data);
  const taskId = await jobs.enqueue({ kind, title, ownerId: actor.id, nodePath: actor.nodePath, payload: parsed.data as Record<string, unknown> });
  await recordEvent(db, actor, { action: '导出', objectType: 'task', objectId: taskId, nodePath: actor.nodePath, after: { kind, title } });
  return { task_id: taskId, title };
}

type StatusRow = Awaited<ReturnType<ReturnType<typeof q.visibleExportTask>['executeTakeFirstOrThrow']>>;
const iso = (d: Date | string | null) => (d ? new Date(d).toISOString() : null);
/** A file past its keeping days, or already removed by the retention job. */
const isExpired = (f: { expires_at: Date | string | null; expired_at: Date | string | null }) =>
  f.expires_at != null && (f.expired_at != null || new Date(f.expires_at).getTime() <= Date.now());

function toStatus(r: StatusRow) {
  const expired = isExpired(r);
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

const expiredError = () => exportErrors.expired(keepDays());

/** The file to send, after the audit entry (personal data leaves the system). 404 unless the
 *  actor asked for it or administers the asker's node; 410 once retention removed it. */
export async function openDownload(db: Kysely<DB>, actor: Actor, taskId: string) {
  const f = await mustFind(db.selectFrom('export_file as f').selectAll()
    .where('f.task_id', '=', taskId)
    .where((eb) => (ADMINS.includes(actor.role)
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
  await recordOperation(db, actor, [{
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

const linkState = (link: string | null, expired: boolean): LinkState => (link == null ? 'none' : expired ? 'expired' : 'download');

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
      const expired = isExpired(m);
      return {
        id: m.id, kind: m.kind, title: m.title, body: m.body,
        link: expired ? null : m.link, link_state: linkState(m.link, expired),
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

export const EXPORT_CLEANUP = 'exports.cleanup';

/** The export centre's own job: each capability registers its kinds (registerExport) itself. */
export function registerExportJobs(jobs: Jobs): void {
  // Hourly: files past their keeping days leave the store.
  jobs.schedule(EXPORT_CLEANUP, '7 * * * *', async (db) => {
    await cleanupExpired(db);
  });
}
