import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { buildApp, openCore } from '../app.ts';
import { fileStore, keys } from '../platform/files.ts';
import { errorOf, freshDatabase, startTestApp, waitFor, type TestApp } from '../testing/harness.ts';
import { buildWorld, type World } from '../testing/factories.ts';
import { cleanupExpired, exportSettings } from './service.ts';
import { STUDENTS_XLSX } from '../records/list-export.ts';
import type { ResponseOf } from '../../shared/contract.ts';
import type { ExportStatus, MessagesPage, Started, exportsApi, messagesApi } from '../../shared/contract/exports.ts';
import type { Task } from '../../shared/contract/tasks.ts';

type Unread = ResponseOf<typeof messagesApi.unreadCount>;

process.env.DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'gm-exports-'));
const dataDir = process.env.DATA_DIR;
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

const storedFile = (taskId: string) => path.join(dataDir, 'files', keys.upload(taskId));

describe('export centre', () => {
  let t: TestApp;
  let w: World;
  const cookie: Record<string, string> = {};
  before(async () => {
    t = await startTestApp();
    w = await buildWorld(t.db);
    for (const u of ['hq', 'brA', 'brB', 'tpA1', 'tpA2', 'teacherA1', 'studentA1']) cookie[u] = await t.login(u);
  });
  after(async () => t?.close());

  const finished = (id: string) => waitFor(async () => {
    const r = await t.call<ExportStatus>('GET', `/api/exports/${id}`, { cookie: cookie.tpA1 });
    return ['done', 'failed', 'cancelled'].includes(r.json.state) ? r.json : undefined;
  });

  let done: ExportStatus;
  test('an export runs to a file and a message; the owner downloads it', async () => {
    const before0 = await t.call<Unread>('GET', '/api/messages/unread-count', { cookie: cookie.tpA1 });
    assert.equal(before0.json.unread, 0);
    const s = await t.call<Started>('POST', '/api/exports', { cookie: cookie.tpA1, body: { kind: STUDENTS_XLSX, filter: {} } });
    assert.equal(s.status, 200, JSON.stringify(s.json));
    done = await finished(s.json.task_id);
    assert.equal(done.state, 'done', JSON.stringify(done));
    const visible = await t.db.selectFrom('student').select('id').where('tp_id', '=', w.nodes.tpA1.id).execute();
    assert.equal(done.file?.item_count, visible.length);
    assert.equal(done.progress, visible.length);
    assert.match(done.file?.download_url ?? '', /\/download$/);

    const msgs = await t.call<MessagesPage>('GET', '/api/messages', { cookie: cookie.tpA1 });
    assert.equal(msgs.json.total, 1);
    assert.equal(msgs.json.unread, 1);
    const m = msgs.json.rows[0];
    assert.match(m.body, new RegExp(`^学生名单导出 已完成，共 ${visible.length} 份，点击下载（保留至 \\d{4}-\\d{2}-\\d{2}）。$`));
    assert.equal(m.link_state, 'download');
    assert.ok(m.link);
    assert.equal((await t.call<Unread>('GET', '/api/messages/unread-count', { cookie: cookie.tpA1 })).json.unread, 1);

    const res = await t.running.app.inject({ method: 'GET', url: m.link, headers: { cookie: cookie.tpA1 } });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-disposition']), /%E5%AD%A6%E7%94%9F%E5%90%8D%E5%8D%95/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    assert.equal(ws.getRow(1).getCell(1).value, '学号');
    assert.equal(ws.rowCount, visible.length + 1);
    assert.match(String(ws.getRow(2).getCell(4).value), /\*{4,}/, '身份证号 masked');
    assert.match(String(ws.getRow(2).getCell(11).value), /^\d{4}-\d{2}-\d{2}$/, '入学日期');
    const audited = await t.db.selectFrom('operation_log').select('actor_name').where('action', '=', '下载导出文件').where('object_id', '=', done.id).execute();
    assert.equal(audited.length, 1);

    // 消息: read one, read all.
    assert.equal((await t.call('POST', `/api/messages/${m.id}/read`, { cookie: cookie.tpA1 })).status, 200);
    assert.equal((await t.call<Unread>('GET', '/api/messages/unread-count', { cookie: cookie.tpA1 })).json.unread, 0);
    assert.equal((await t.call('POST', `/api/messages/${m.id}/read`, { cookie: cookie.tpA2 })).status, 404);
    assert.equal((await t.call<ResponseOf<typeof messagesApi.readAll>>('POST', '/api/messages/read-all', { cookie: cookie.tpA1 })).json.updated, 0);
  });

  test('download: administrators above the owner may; sibling, foreign and lower users get 404', async () => {
    const url = `/api/exports/${done.id}/download`;
    for (const u of ['brA', 'hq']) assert.equal((await t.call('GET', url, { cookie: cookie[u] })).status, 200, u);
    for (const u of ['tpA2', 'brB', 'teacherA1', 'studentA1']) {
      const r = await t.call('GET', url, { cookie: cookie[u] });
      assert.equal(r.status, 404, u);
      assert.match(errorOf(r).message, /不存在，或不在您的管理范围内/);
    }
    assert.equal((await t.call('GET', `/api/exports/${done.id}`, { cookie: cookie.tpA2 })).status, 404);
    assert.equal((await t.call('POST', `/api/exports/${done.id}/cancel`, { cookie: cookie.brB })).status, 404);
  });

  test('bad input: an unknown kind, a bad filter, 0 rows, a student', async () => {
    assert.equal((await t.call('POST', '/api/exports', { cookie: cookie.tpA1, body: { kind: 'nope' } })).status, 400);
    assert.equal((await t.call('POST', '/api/exports', { cookie: cookie.tpA1, body: { kind: STUDENTS_XLSX, filter: { status: '不存在' } } })).status, 400);
    const empty = await t.call('POST', '/api/exports', { cookie: cookie.tpA1, body: { kind: STUDENTS_XLSX, filter: { cohort: '1999' } } });
    assert.equal(empty.status, 400);
    assert.match(errorOf(empty).message, /没有符合条件的学生/);
    assert.equal((await t.call('POST', '/api/exports', { cookie: cookie.studentA1, body: { kind: STUDENTS_XLSX } })).status, 403);
    exportSettings.maxRows = 1;
    try {
      const big = await t.call('POST', '/api/exports', { cookie: cookie.tpA1, body: { kind: STUDENTS_XLSX } });
      assert.equal(big.status, 400);
      assert.match(errorOf(big).message, /超过单次导出上限 1 人/);
    } finally {
      exportSettings.maxRows = 200_000;
    }
  });

  test('progress and the estimated time move; cancel stops it and leaves no file', async () => {
    exportSettings.pageSize = 1;
    exportSettings.pageDelayMs = 250;
    try {
      const s = await t.call<Started>('POST', '/api/exports', { cookie: cookie.hq, body: { kind: STUDENTS_XLSX } });
      const id = s.json.task_id;
      const seen = await waitFor(async () => {
        const r = await t.call<ExportStatus>('GET', `/api/exports/${id}`, { cookie: cookie.hq });
        return r.json.progress >= 2 && r.json.eta_seconds != null ? r.json : undefined;
      });
      assert.equal(seen.state, 'running');
      assert.ok(seen.total > seen.progress);
      const task = await t.call<Task>('GET', `/api/tasks/${id}`, { cookie: cookie.hq });
      assert.equal(typeof task.json.eta_seconds, 'number');
      const active = await t.call<ResponseOf<typeof exportsApi.list>>('GET', '/api/exports?active=true', { cookie: cookie.hq });
      assert.ok(active.json.rows.some((r) => r.id === id));

      const c = await t.call<ExportStatus>('POST', `/api/exports/${id}/cancel`, { cookie: cookie.hq });
      assert.equal(c.status, 200);
      assert.equal(c.json.state, 'cancelled');
      const stopped = await waitFor(async () => {
        const r = await t.db.selectFrom('task').select(['state', 'progress']).where('id', '=', id).executeTakeFirstOrThrow();
        await new Promise((res) => setTimeout(res, 600));
        const again = await t.db.selectFrom('task').select(['state', 'progress']).where('id', '=', id).executeTakeFirstOrThrow();
        return again.progress === r.progress ? again : undefined;
      });
      assert.equal(stopped.state, 'cancelled');
      assert.ok(stopped.progress < seen.total);
      assert.equal((await t.db.selectFrom('export_file').select('task_id').where('task_id', '=', id).execute()).length, 0);
      assert.equal((await t.db.selectFrom('message').select('id').where('task_id', '=', id).execute()).length, 0, 'cancelled: no message');
      assert.equal(fs.existsSync(storedFile(id)), false);
      assert.equal(fs.readdirSync(path.join(dataDir, 'tmp')).filter((f) => f.includes(id)).length, 0, 'temp file removed');
    } finally {
      exportSettings.pageSize = 1000;
      exportSettings.pageDelayMs = 0;
    }
  });

  test('a rerun of a finished job makes no second file or message', async () => {
    // As pg-boss would on a second delivery: the task back to running, the handler again.
    await t.db.updateTable('task').set({ state: 'running' }).where('id', '=', done.id).execute();
    await t.running.jobs.boss.send(STUDENTS_XLSX, { taskId: done.id });
    await waitFor(async () => {
      const r = await t.db.selectFrom('task').select('state').where('id', '=', done.id).executeTakeFirstOrThrow();
      return r.state === 'done' ? r : undefined;
    });
    assert.equal((await t.db.selectFrom('export_file').select('task_id').where('task_id', '=', done.id).execute()).length, 1);
    assert.equal((await t.db.selectFrom('message').select('id').where('task_id', '=', done.id).execute()).length, 1);
  });

  test('a failed export tells its owner why; the retry that succeeds replaces that message with the download', async () => {
    exportSettings.pageSize = -1; // the database refuses a negative LIMIT: the producer throws
    let id: string;
    try {
      id = (await t.call<Started>('POST', '/api/exports', { cookie: cookie.brB, body: { kind: STUDENTS_XLSX } })).json.task_id;
      const failed = await waitFor(async () => {
        const m = await t.db.selectFrom('message').selectAll().where('task_id', '=', id).executeTakeFirst();
        return m?.kind === 'export_failed' ? m : undefined;
      });
      assert.match(failed.body, /^学生名单导出 未能完成：.+请稍后重新导出/);
      assert.equal(failed.link, null);
    } finally {
      exportSettings.pageSize = 1000;
    }
    const retried = await waitFor(async () => {
      const m = await t.db.selectFrom('message').selectAll().where('task_id', '=', id).executeTakeFirst();
      return m?.kind === 'export_done' ? m : undefined;
    }, 60_000);
    assert.match(retried.body, /已完成/);
    assert.equal((await t.db.selectFrom('message').select('id').where('task_id', '=', id).execute()).length, 1);
    // The task is marked done just after the handler's transaction.
    await waitFor(async () => ((await t.call<ExportStatus>('GET', `/api/exports/${id}`, { cookie: cookie.brB })).json.state === 'done' ? true : undefined));
  });

  test('retention removes the file; the message says expired and download answers 410', async () => {
    assert.equal(fs.existsSync(storedFile(done.id)), true);
    await t.db.updateTable('export_file').set({ expires_at: new Date(Date.now() - 60_000) }).where('task_id', '=', done.id).execute();
    const gone = await t.call('GET', `/api/exports/${done.id}/download`, { cookie: cookie.tpA1 });
    assert.equal(gone.status, 410);
    assert.match(errorOf(gone).message, /请重新导出/);
    assert.equal(await cleanupExpired(t.db), 1);
    assert.equal(await cleanupExpired(t.db), 0);
    assert.equal(fs.existsSync(storedFile(done.id)), false);
    const row = await t.db.selectFrom('export_file').select('expired_at').where('task_id', '=', done.id).executeTakeFirstOrThrow();
    assert.ok(row.expired_at);
    const m = (await t.call<MessagesPage>('GET', '/api/messages', { cookie: cookie.tpA1 })).json.rows.find((r) => r.task_id === done.id);
    assert.ok(m);
    assert.equal(m.link_state, 'expired');
    assert.equal(m.link, null);
    assert.equal((await t.call('GET', `/api/exports/${done.id}/download`, { cookie: cookie.brA })).status, 410);
    assert.equal((await t.call('GET', `/api/exports/${done.id}/download`, { cookie: cookie.tpA2 })).status, 404);
  });
});

test('an export queued before a restart finishes after it', async () => {
  const fresh = await freshDatabase();
  const pgDir = fresh.databaseUrl ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'gm-exports-db-'));
  try {
    const first = await openCore({ databaseUrl: fresh.databaseUrl, dataDir: pgDir });
    await first.jobs.start({ work: false });
    const w = await buildWorld(first.database.db);
    const tp = await first.database.db.selectFrom('org_node').select('path').where('id', '=', w.nodes.tpA1.id).executeTakeFirstOrThrow();
    const taskId = await first.jobs.enqueue({ kind: STUDENTS_XLSX, title: '学生名单导出', ownerId: w.users.tpA1, nodePath: tp.path, payload: { filter: {} } });
    await first.jobs.stop();
    await first.database.close();

    const second = await buildApp({ databaseUrl: fresh.databaseUrl, dataDir: pgDir, work: true });
    try {
      const t = await waitFor(async () => {
        const r = await second.database.db.selectFrom('task').selectAll().where('id', '=', taskId).executeTakeFirst();
        return r?.state === 'done' ? r : undefined;
      });
      assert.ok((t.result as { count: number }).count > 0);
      assert.equal((await second.database.db.selectFrom('message').select('id').where('task_id', '=', taskId).execute()).length, 1);
      assert.ok(await fileStore().openUpload(taskId));
    } finally {
      await second.close();
    }
  } finally {
    await fresh.drop();
    if (pgDir) fs.rmSync(pgDir, { recursive: true, force: true });
  }
});
