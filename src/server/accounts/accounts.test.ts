import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { errorOf, startTestApp, TEST_PASSWORD, type ErrorBody, type TestApp } from '../testing/harness.ts';
import { buildWorld, type World } from '../testing/factories.ts';
import { authSettings, throttleSettings } from '../platform/auth.ts';
import type { ResponseOf } from '../../shared/contract.ts';
import { accountsApi } from '../../shared/contract/accounts.ts';
import { orgApi } from '../../shared/contract/org.ts';
import { oplogApi } from '../../shared/contract/oplog.ts';

let t: TestApp;
let w: World;
// A wait longer than any test takes between two calls, so no assertion depends on the clock.
throttleSettings.firstSeconds = 60;
before(async () => {
  t = await startTestApp();
  w = await buildWorld(t.db);
});
after(async () => t.close());

const login = (username: string, password: string, cookie?: string) =>
  t.running.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password }, headers: cookie ? { cookie } : {} });

describe('登录', () => {
  test('a good login sets an HttpOnly, SameSite session cookie; /api/me tells who and where', async () => {
    const res = await login('tpA1', TEST_PASSWORD);
    assert.equal(res.statusCode, 200);
    const c = res.cookies.find((x) => x.name === 'gm_session')!;
    assert.equal(c.httpOnly, true);
    assert.equal(c.sameSite, 'Lax');
    const me = await t.api(accountsApi.me, { cookie: `gm_session=${c.value}` });
    assert.equal(me.json.role, 'tp_admin');
    assert.equal(me.json.node.code, 'TA1');
    assert.equal(me.json.role_name, '教学点教师');
  });

  test('the session id is new at every login; the old one stops working', async () => {
    const first = await t.login('tpA2');
    const res = await login('tpA2', TEST_PASSWORD, first);
    const second = `gm_session=${res.cookies.find((x) => x.name === 'gm_session')!.value}`;
    assert.notEqual(first, second);
    assert.equal((await t.call('GET', '/api/me', { cookie: first })).status, 401);
    assert.equal((await t.call('GET', '/api/me', { cookie: second })).status, 200);
  });

  test('a wrong password says so in Chinese, and the same for an unknown user', async () => {
    const bad = await login('tpA1', 'nope');
    assert.equal(bad.statusCode, 401);
    assert.match(bad.json<ErrorBody>().message, /用户名或密码错误/);
    const unknown = await login('nobody', 'nope');
    assert.equal(unknown.json<ErrorBody>().message, bad.json<ErrorBody>().message);
  });

  test('failures make the one address wait, not the account: an administrator\'s reset still works and must be changed', async () => {
    const from = (password: string, address: string) =>
      t.running.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'tpB1', password }, remoteAddress: address });
    for (let i = 0; i < 3; i++) assert.equal((await from('wrong', '10.9.0.1')).statusCode, 401);
    const waiting = await from(TEST_PASSWORD, '10.9.0.1');
    assert.equal(waiting.statusCode, 429);
    assert.match(waiting.json<ErrorBody>().message, /请 1 分钟后再试/);
    const reset = await t.call('POST', `/api/users/${w.users.tpB1}/reset-password`, { cookie: await t.login('hq'), body: { password: 'Fresh@2026a' } });
    assert.equal(reset.status, 200);
    const after = await from('Fresh@2026a', '10.9.0.1');
    assert.equal(after.statusCode, 200);
    assert.equal(after.json<ResponseOf<typeof accountsApi.login>>().must_change_password, true);
  });

  test('an idle session expires; logout ends a session', async () => {
    const cookie = await t.login('teacherA1');
    await t.db.updateTable('session').set({ last_seen_at: new Date(Date.now() - (authSettings.idleMinutes + 1) * 60_000) })
      .where('user_id', '=', w.users.teacherA1).execute();
    const r = await t.call('GET', '/api/me', { cookie });
    assert.equal(r.status, 401);
    assert.match(errorOf(r).message, /重新登录/);
    const c2 = await t.login('teacherA1');
    assert.equal((await t.call('POST', '/api/auth/logout', { cookie: c2 })).status, 200);
    assert.equal((await t.call('GET', '/api/me', { cookie: c2 })).status, 401);
  });

  test('every user changes their own password; a weak one is refused', async () => {
    const cookie = await t.login('studentA1b');
    const weak = await t.call('POST', '/api/me/password', { cookie, body: { old_password: TEST_PASSWORD, new_password: 'short' } });
    assert.equal(weak.status, 400);
    assert.match(errorOf(weak).message, /至少 8 位/);
    const ok = await t.call('POST', '/api/me/password', { cookie, body: { old_password: TEST_PASSWORD, new_password: 'Better@2027x' } });
    assert.equal(ok.status, 200);
    assert.equal((await login('studentA1b', 'Better@2027x')).statusCode, 200);
  });
});

describe('账号与单位管理', () => {
  test('a branch creates a teaching point, a class and a head-teacher account under it; the role follows the node', async () => {
    const br = await t.login('brA');
    const tp = await t.api(orgApi.createNode, { cookie: br, body: { parent_id: w.nodes.brA.id, code: 'TA9', name: '抚顺市开放大学' } });
    assert.equal(tp.status, 200);
    assert.equal(tp.json.kind, 'tp');
    const cls = await t.api(orgApi.createNode, { cookie: br, body: { parent_id: tp.json.id, code: 'TA9-1', name: '会计1班' } });
    assert.equal(cls.json.kind, 'class');
    const wrongRole = await t.call('POST', '/api/users', { cookie: br, body: { username: 'x9', display_name: '王老师', role: 'tp_admin', node_id: cls.json.id, password: 'Teach@2026x' } });
    assert.equal(wrongRole.status, 400);
    assert.match(errorOf(wrongRole).message, /角色应为班主任/);
    const u = await t.api(accountsApi.createUser, { cookie: br, body: { username: 'wang9', display_name: '王老师', role: 'head_teacher', node_id: cls.json.id, password: 'Teach@2026x' } });
    assert.equal(u.status, 200);
    const dup = await t.call('POST', '/api/users', { cookie: br, body: { username: 'wang9', display_name: '王老师', role: 'head_teacher', node_id: cls.json.id, password: 'Teach@2026x' } });
    assert.equal(dup.status, 409);
    const node = await t.db.selectFrom('org_node').select('head_teacher_id').where('id', '=', cls.json.id).executeTakeFirstOrThrow();
    assert.equal(node.head_teacher_id, u.json.id);
  });

  test('a disabled account cannot log in and its sessions end; a disabled node locks out its accounts', async () => {
    const hq = await t.login('hq');
    const victim = await t.login('teacherA2');
    const d = await t.api(accountsApi.updateUser, { cookie: hq, params: { id: w.users.teacherA2 }, body: { disabled: true } });
    assert.equal(d.json.disabled, true);
    assert.equal((await t.call('GET', '/api/me', { cookie: victim })).status, 401);
    const again = await login('teacherA2', TEST_PASSWORD);
    assert.equal(again.statusCode, 403);
    assert.match(again.json<ErrorBody>().message, /已停用/);
    const self = await t.call('PATCH', `/api/users/${w.users.hq}`, { cookie: hq, body: { disabled: true } });
    assert.equal(self.status, 400);

    const b1 = await t.login('teacherB1');
    await t.call('PATCH', `/api/org/nodes/${w.nodes.classB1.id}`, { cookie: hq, body: { disabled: true } });
    assert.equal((await t.call('GET', '/api/me', { cookie: b1 })).status, 401);
    await t.call('PATCH', `/api/org/nodes/${w.nodes.classB1.id}`, { cookie: hq, body: { disabled: false } });
  });

  test('the audit log shows who did what, before → after, filtered, within the subtree', async () => {
    const hq = await t.login('hq');
    const r = await t.api(oplogApi.list, { cookie: hq, query: { action: '停用账号' } });
    assert.equal(r.status, 200);
    assert.ok(r.json.total >= 1);
    const e = r.json.rows[0];
    assert.match(e.actor_name, /hq/);
    assert.equal((e.before as { disabled: boolean }).disabled, false);
    assert.equal((e.after as { disabled: boolean }).disabled, true);
    // Branch B's administrator sees nothing of branch A's changes.
    const b = await t.api(oplogApi.list, { cookie: await t.login('brB'), query: { action: '新建教学点' } });
    assert.equal(b.json.total, 0);
    const a = await t.api(oplogApi.list, { cookie: await t.login('brA'), query: { action: '新建教学点' } });
    assert.equal(a.json.total, 1);
  });
});

describe('double submission', () => {
  test('the same new account sent twice at once: one is created, the other gets a Chinese conflict, nothing half-written', async () => {
    const br = await t.login('brA');
    const body = { username: 'twice1', display_name: '重复', role: 'head_teacher', node_id: w.nodes.classA3.id, password: 'Twice@2026x' };
    const rs = await Promise.all([t.call('POST', '/api/users', { cookie: br, body }), t.call('POST', '/api/users', { cookie: br, body })]);
    assert.deepEqual(rs.map((r) => r.status).sort(), [200, 409]);
    assert.match(errorOf(rs.find((r) => r.status === 409)!).message, /已/);
    const n = await t.db.selectFrom('app_user').select('id').where('username', '=', 'twice1').execute();
    assert.equal(n.length, 1);
  });
});
