import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp, openCore } from '../app.ts';
import { freshDatabase, waitFor } from '../testing/harness.ts';
import { buildWorld } from '../testing/factories.ts';
import { RECOMPUTE_JOB } from '../eligibility/service.ts';
import { migrate } from './migrate.ts';

test('a job enqueued before a restart runs after it: eligibility of a whole batch', async () => {
  const fresh = await freshDatabase();
  const dataDir = fresh.databaseUrl ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'gm-jobs-'));
  try {
    // First life: no worker. The request commits its task and its pg-boss job together.
    const first = await openCore({ databaseUrl: fresh.databaseUrl, dataDir });
    await first.jobs.start({ work: false });
    const w = await buildWorld(first.database.db);
    await first.database.db.deleteFrom('graduate').execute();
    const taskId = await first.jobs.enqueue({ kind: RECOMPUTE_JOB, title: '测试', ownerId: w.users.hq, nodePath: w.nodes.hq.path, payload: { batch: w.batch } });
    await first.jobs.stop();
    await first.database.close();

    // Second life: the server (or `npm run worker` on PostgreSQL) picks it up.
    const second = await buildApp({ databaseUrl: fresh.databaseUrl, dataDir, work: true });
    try {
      const done = await waitFor(async () => {
        const t = await second.database.db.selectFrom('task').selectAll().where('id', '=', taskId).executeTakeFirst();
        return t?.state === 'done' ? t : undefined;
      });
      assert.deepEqual(done.result, { batch: w.batch, graduates: 6 });
      const n = await second.database.db.selectFrom('graduate').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(n.n, 6);
      // At-least-once delivery: running the handler's work again changes nothing.
      await migrate(second.database.sql);
    } finally {
      await second.close();
    }
  } finally {
    await fresh.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('a stored payload its kind\'s schema rejects fails the task at once, with the reason, and is not retried', async () => {
  const fresh = await freshDatabase();
  const app = await buildApp({ databaseUrl: fresh.databaseUrl, work: true });
  try {
    const w = await buildWorld(app.database.db);
    const taskId = await app.jobs.enqueue({ kind: RECOMPUTE_JOB, title: '测试', ownerId: w.users.hq, nodePath: w.nodes.hq.path, payload: { batch: 202701 } });
    const failed = await waitFor(async () => {
      const t = await app.database.db.selectFrom('task').select(['state', 'error']).where('id', '=', taskId).executeTakeFirst();
      return t?.state === 'failed' ? t : undefined;
    });
    assert.match(failed.error ?? '', /^任务参数无效（eligibility\.recompute）：batch：.*不会重试/);
    // pg-boss completed the job: no retry is waiting.
    const job = await waitFor(async () => {
      const { rows } = await app.database.sql.executeSql(`select state, retry_count from pgboss.job where data->>'taskId' = '${taskId}'`);
      const r = rows[0] as { state: string; retry_count: number } | undefined;
      return r?.state === 'completed' ? r : undefined;
    });
    assert.equal(job.retry_count, 0);
  } finally {
    await app.close();
    await fresh.drop();
  }
});

test('GET /api/health names the database; the OpenAPI document lists every route', async () => {
  const fresh = await freshDatabase();
  const app = await buildApp({ databaseUrl: fresh.databaseUrl, work: false });
  try {
    const h = await app.app.inject({ method: 'GET', url: '/api/health' });
    assert.deepEqual(h.json<unknown>(), { ok: true, db: fresh.databaseUrl ? 'postgres' : 'pglite' });
    const doc = (await app.app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{ openapi: string; paths: Record<string, Record<string, unknown> | undefined> }>();
    assert.equal(doc.openapi.startsWith('3'), true);
    for (const r of app.app.routeList) {
      if (r.url === '/api/openapi.json') continue;
      const p = r.url.replace(/:(\w+)/g, '{$1}');
      assert.ok(doc.paths[p]?.[r.method.toLowerCase()], `${r.method} ${r.url} in the OpenAPI document`);
    }
    assert.equal((await app.app.inject({ method: 'GET', url: '/api/docs' })).statusCode < 400, true);
  } finally {
    await app.close();
    await fresh.drop();
  }
});

test('`npm run worker`: a separate process works the queue on PostgreSQL, and refuses PGlite with a reason', async () => {
  const { spawn } = await import('node:child_process');
  const fresh = await freshDatabase();
  const env = { ...process.env, DATABASE_URL: fresh.databaseUrl ?? '' };
  if (!fresh.databaseUrl) {
    delete (env as Record<string, string | undefined>).DATABASE_URL;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/worker.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    assert.equal(code, 1);
    assert.match(err, /需要 DATABASE_URL/);
    return;
  }
  // The web server does not work jobs here; only the worker process does.
  const server = await buildApp({ databaseUrl: fresh.databaseUrl, work: false });
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/worker.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const w = await buildWorld(server.database.db);
    await server.database.db.deleteFrom('graduate').execute();
    const taskId = await server.jobs.enqueue({ kind: RECOMPUTE_JOB, title: '测试', ownerId: w.users.hq, nodePath: w.nodes.hq.path, payload: { batch: w.batch } });
    const done = await waitFor(async () => {
      const t = await server.database.db.selectFrom('task').select(['state', 'result']).where('id', '=', taskId).executeTakeFirst();
      return t?.state === 'done' ? t : undefined;
    }, 60_000);
    assert.deepEqual(done.result, { batch: w.batch, graduates: 6 });
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.on('exit', r));
    await server.close();
    await fresh.drop();
  }
});
