/** Issue 15: the operation log also records sign-ins, denied access, views of a full 身份证号 and exports; kept 180 days. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, waitFor, type TestApp } from '../testing/harness.ts';
import { buildWorld, type World } from '../testing/factories.ts';
import { oplogRetentionDays, purgeOperationLog, recordEvent } from '../platform/oplog.ts';
import { STUDENTS_XLSX } from '../records/list-export.ts';

let t: TestApp;
let w: World;
before(async () => {
  t = await startTestApp();
  w = await buildWorld(t.db);
});
after(async () => t.close());

const entries = (action: string, objectId: string) =>
  t.db.selectFrom('operation_log').selectAll().where('action', '=', action).where('object_id', '=', objectId).orderBy('id').execute();
/** The entry is written after the answer is sent: wait for it (not for a time). */
const entry = (action: string, objectId: string) =>
  waitFor(async () => (await entries(action, objectId))[0], 10_000, 20);

describe('sign-in', () => {
  test('a wrong password is logged as 登录失败 with the name tried and the address, never the password', async () => {
    const res = await t.call('POST', '/api/auth/login', { body: { username: 'tpA1', password: 'Wrong-secret-77' } });
    assert.equal(res.status, 401);
    const e = await entry('登录失败', 'tpA1');
    assert.equal(e.actor_name, 'tpA1');
    assert.equal(e.after?.username, 'tpA1');
    assert.equal(typeof e.after?.address, 'string');
    assert.equal(e.after?.reason, 'BAD_CREDENTIALS');
    assert.ok(!JSON.stringify(e).includes('Wrong-secret-77'));
    assert.equal(e.node_path, w.nodes.tpA1.path, 'filed under the account’s node, so its administrators see it');
  });

  test('an unknown user name is logged too (filed at the root, for 总部)', async () => {
    assert.equal((await t.call('POST', '/api/auth/login', { body: { username: 'no-such-user', password: 'Whatever-123' } })).status, 401);
    const e = await entry('登录失败', 'no-such-user');
    const root = await t.db.selectFrom('org_node').select('path').where('parent_id', 'is', null).executeTakeFirstOrThrow();
    assert.equal(e.node_path, root.path);
  });

  test('a successful sign-in is logged as 登录', async () => {
    await t.login('teacherA1');
    const e = await entry('登录', String(w.users.teacherA1));
    assert.match(e.actor_name, /teacherA1/);
  });
});

describe('denied access', () => {
  test('a 403 is logged as 拒绝访问 with method, route and status', async () => {
    const cookie = await t.login('teacherA1');
    assert.equal((await t.call('GET', '/api/operation-log?page=1', { cookie })).status, 403);
    const e = await entry('拒绝访问', 'GET /api/operation-log');
    assert.deepEqual([e.after?.method, e.after?.route, e.after?.status], ['GET', '/api/operation-log', 403]);
    assert.equal(e.actor_id, w.users.teacherA1);
  });

  test('a 404 on an object outside the caller’s subtree is logged', async () => {
    const cookie = await t.login('brA');
    const url = `/api/students/${w.students.sB1}`;
    assert.equal((await t.call('GET', url, { cookie })).status, 404);
    const e = await entry('拒绝访问', `GET ${url}`);
    assert.deepEqual([e.after?.route, e.after?.status], ['/api/students/:id', 404]);
  });

  test('a failure to write the log never fails the caller', async () => {
    const broken = { insertInto: () => { throw new Error('log store down'); } } as unknown as typeof t.db;
    await recordEvent(broken, null, { action: '拒绝访问', objectType: 'request', objectId: 'x', nodePath: '1/' });
  });
});

describe('personal data and exports', () => {
  test('opening a 学籍卡 (full 身份证号) is logged as 查看身份证号 with the student', async () => {
    const cookie = await t.login('tpA1');
    assert.equal((await t.call('GET', `/api/students/${w.students.sA1}`, { cookie })).status, 200);
    const e = await entry('查看身份证号', String(w.students.sA1));
    assert.equal(e.object_type, 'student');
    assert.equal(e.actor_id, w.users.tpA1);
  });

  test('starting an export is logged as 导出 with its kind', async () => {
    const cookie = await t.login('tpA1');
    const s = await t.call<{ task_id: string }>('POST', '/api/exports', { cookie, body: { kind: STUDENTS_XLSX, filter: {} } });
    assert.equal(s.status, 200);
    const e = await entry('导出', s.json.task_id);
    assert.equal(e.after?.kind, STUDENTS_XLSX);
  });
});

describe('retention', () => {
  test('the purge deletes entries of 181 days ago and keeps those of 179 days ago', async () => {
    const day = 86_400_000;
    const row = (id: string, daysAgo: number) => ({
      actor_name: '系统', node_path: '1/', action: '保留测试', object_type: 'test', object_id: id, at: new Date(Date.now() - daysAgo * day),
    });
    await t.db.insertInto('operation_log').values([row('old', 181), row('young', 179), row('now', 0)]).execute();
    await purgeOperationLog(t.db);
    const left = await t.db.selectFrom('operation_log').select('object_id').where('action', '=', '保留测试').orderBy('object_id').execute();
    assert.deepEqual(left.map((r) => r.object_id), ['now', 'young']);
  });

  test('OPLOG_RETENTION_DAYS defaults to 180 and cannot go below it', () => {
    const saved = process.env.OPLOG_RETENTION_DAYS;
    try {
      delete process.env.OPLOG_RETENTION_DAYS;
      assert.equal(oplogRetentionDays(), 180);
      process.env.OPLOG_RETENTION_DAYS = '30';
      assert.equal(oplogRetentionDays(), 180);
      process.env.OPLOG_RETENTION_DAYS = '400';
      assert.equal(oplogRetentionDays(), 400);
    } finally {
      if (saved === undefined) delete process.env.OPLOG_RETENTION_DAYS; else process.env.OPLOG_RETENTION_DAYS = saved;
    }
  });
});
