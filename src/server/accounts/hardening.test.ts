/** Issue 15, accounts and sessions: sign-in throttling, who may reset whose password, must_change_password on the
 *  server, sessions ended by a password change, and the password rules. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { errorOf, startTestApp, TEST_PASSWORD, type ErrorBody, type TestApp } from '../testing/harness.ts';
import { buildUser, buildWorld, type World } from '../testing/factories.ts';
import { throttleSettings } from '../platform/auth.ts';
import { accountsApi } from '../../shared/contract/accounts.ts';
import { commonPasswords } from './passwords.ts';

let t: TestApp;
let w: World;
// A wait longer than any test takes between two calls: no assertion depends on the clock.
throttleSettings.firstSeconds = 60;
before(async () => {
  t = await startTestApp();
  w = await buildWorld(t.db);
});
after(async () => t.close());

let made = 0;
/** A fresh head-teacher account of class A1 (so one test's failures do not touch another's). */
async function account(prefix = 'acct'): Promise<{ username: string; id: number }> {
  const username = `${prefix}${++made}`;
  const { id } = await buildUser(t.db, { username, role: 'head_teacher', nodeId: w.nodes.classA1.id });
  return { username, id };
}

async function signIn(username: string, password: string, address: string) {
  const res = await t.running.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password }, remoteAddress: address });
  const body = res.json<ErrorBody & { retry_after?: number }>();
  const cookie = res.cookies.find((c) => c.name === 'gm_session');
  return { status: res.statusCode, body, cookie: cookie ? `gm_session=${cookie.value}` : undefined };
}

/** The running wait ends now, as if its time had passed. */
const waitPasses = () => t.db.updateTable('login_throttle').set({ blocked_until: new Date(Date.now() - 1000) }).execute();

describe('sign-in throttling', () => {
  test('guesses from one address make that address wait, longer each time; the owner elsewhere signs in', async () => {
    const { username } = await account();
    const waits: number[] = [];
    for (let round = 0; round < 3; round++) {
      const before = round === 0 ? 3 : 1;
      for (let i = 0; i < before; i++) assert.equal((await signIn(username, 'wrong-guess', '10.1.0.1')).status, 401);
      const refused = await signIn(username, TEST_PASSWORD, '10.1.0.1');
      assert.equal(refused.status, 429, 'even the right password waits');
      assert.match(refused.body.message, /登录失败次数过多.*后再试/);
      waits.push((refused.body.details as { retry_after_seconds: number }).retry_after_seconds);
      await waitPasses();
    }
    assert.ok(waits[1] > waits[0] && waits[2] > waits[1], `the waits grow: ${waits.join(', ')}`);
    // Not a lock of the account from anywhere: its owner at another address is not held up.
    assert.equal((await signIn(username, TEST_PASSWORD, '10.1.0.2')).status, 200);
  });

  test('an unknown name is answered as a known one: the same statuses, messages and waits', async () => {
    const { username } = await account();
    const seen = async (name: string, address: string) => {
      const out: string[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await signIn(name, 'wrong-guess', address);
        out.push(`${r.status} ${r.body.message}`);
      }
      return out;
    };
    const known = await seen(username, '10.2.0.1');
    const unknown = await seen('nosuchname1', '10.2.0.2');
    assert.deepEqual(unknown, known);
    assert.ok(known.some((s) => s.startsWith('429')), 'both wait');

    // Similar timing: a password is verified for an unknown name too (generous margins for a busy machine).
    const time = async (name: string, address: string) => {
      const start = process.hrtime.bigint();
      for (let i = 0; i < 2; i++) assert.equal((await signIn(name, 'wrong-guess', address)).status, 401);
      return Number(process.hrtime.bigint() - start) / 1e6;
    };
    const k = await time((await account()).username, '10.2.0.3');
    const u = await time('nosuchname2', '10.2.0.4');
    assert.ok(u > k / 4 && u < k * 4, `known ${k.toFixed(0)} ms, unknown ${u.toFixed(0)} ms`);
  });

  test('guesses at one name from many addresses make new places wait, not the places it signed in from', async () => {
    const { username } = await account();
    assert.equal((await signIn(username, TEST_PASSWORD, '10.3.0.1')).status, 200);
    for (let i = 0; i < throttleSettings.free.name; i++) assert.equal((await signIn(username, 'wrong-guess', `10.3.1.${i}`)).status, 401);
    assert.equal((await signIn(username, TEST_PASSWORD, '10.3.2.1')).status, 429);
    assert.equal((await signIn(username, TEST_PASSWORD, '10.3.0.1')).status, 200);
  });

  test('one address guessing many names waits (unknown names too); accounts that signed in from it do not', async () => {
    const { username } = await account();
    assert.equal((await signIn(username, TEST_PASSWORD, '10.4.0.1')).status, 200);
    for (let i = 0; i < throttleSettings.free.address; i++) assert.equal((await signIn(`spray${i}`, 'wrong-guess', '10.4.0.1')).status, 401);
    assert.equal((await signIn('spray-next', 'wrong-guess', '10.4.0.1')).status, 429);
    assert.equal((await signIn('spray-next', 'wrong-guess', '10.4.0.2')).status, 401);
    assert.equal((await signIn(username, TEST_PASSWORD, '10.4.0.1')).status, 200);
  });

  test('guesses sent all at once get no more tries than one after another', async () => {
    const { username } = await account();
    const rs = await Promise.all(Array.from({ length: 8 }, () => signIn(username, 'wrong-guess', '10.5.0.1')));
    const statuses = rs.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 401).length, throttleSettings.free.pair, statuses.join(','));
    assert.equal(statuses.filter((s) => s === 429).length, 8 - throttleSettings.free.pair);
  });

  test('an administrator’s reset lifts the waits of the name; the user list shows who is waiting', async () => {
    const { username, id } = await account();
    for (let i = 0; i < throttleSettings.free.name; i++) await signIn(username, 'wrong-guess', `10.6.1.${i}`);
    const hq = await t.login('hq');
    const listed = await t.api(accountsApi.users, { cookie: hq, query: { q: username } });
    assert.equal(listed.json.rows[0].locked, true);
    assert.equal((await t.api(accountsApi.resetPassword, { cookie: hq, params: { id }, body: { password: 'Lifted@2026x' } })).status, 200);
    assert.equal((await signIn(username, 'Lifted@2026x', '10.6.2.1')).status, 200);
  });
});

describe('who may reset a password', () => {
  test('only accounts of units strictly below: not a peer administrator of the same unit, not one’s own', async () => {
    const peer = await buildUser(t.db, { username: 'brApeer', role: 'branch_admin', nodeId: w.nodes.brA.id });
    const brA = await t.login('brA');
    const onPeer = await t.api(accountsApi.resetPassword, { cookie: brA, params: { id: peer.id }, body: { password: 'Peer@2026xy' } });
    assert.equal(onPeer.status, 403);
    assert.match(errorOf(onPeer).message, /只能重置下级单位账号的密码/);
    const own = await t.api(accountsApi.resetPassword, { cookie: brA, params: { id: w.users.brA }, body: { password: 'Own@2026xyz' } });
    assert.equal(own.status, 403);
    assert.match(errorOf(own).message, /修改密码/);
    // The old password still works: nothing was changed.
    assert.equal((await signIn('brA', TEST_PASSWORD, '10.7.0.1')).status, 200);
    const hq = await t.login('hq');
    assert.equal((await t.api(accountsApi.resetPassword, { cookie: hq, params: { id: w.users.hq }, body: { password: 'Own@2026xyz' } })).status, 403);
    assert.equal((await t.api(accountsApi.resetPassword, { cookie: hq, params: { id: peer.id }, body: { password: 'Below@2026x' } })).status, 200);
  });
});

describe('must_change_password on the server', () => {
  test('after a reset every route but 修改密码, /api/me and logout answers 403 MUST_CHANGE_PASSWORD', async () => {
    const { username, id } = await account();
    await t.api(accountsApi.resetPassword, { cookie: await t.login('hq'), params: { id }, body: { password: 'Reset@2026xy' } });
    const cookie = (await signIn(username, 'Reset@2026xy', '10.8.0.1')).cookie!;
    assert.equal((await t.api(accountsApi.me, { cookie })).json.must_change_password, true);
    const allowed = new Set(['GET /api/me', 'POST /api/me/password']);
    let refused = 0;
    for (const r of t.running.app.routeList) {
      const key = `${r.method} ${r.url}`;
      if (r.access === 'public' || allowed.has(key)) continue;
      const res = await t.call(r.method, r.url.replace(/:[a-z_]+/g, '1'), { cookie, body: r.method === 'GET' || r.method === 'DELETE' ? undefined : {} });
      assert.equal(res.status, 403, `${key}: ${res.status}`);
      if (r.access === 'any' || r.access?.includes('head_teacher')) {
        assert.equal(errorOf(res).error, 'MUST_CHANGE_PASSWORD', key);
        assert.match(errorOf(res).message, /请先在“修改密码”中设置新密码/);
        refused++;
      }
    }
    assert.ok(refused > 5, `${refused} routes refused`);
    const changed = await t.api(accountsApi.changePassword, { cookie, body: { old_password: 'Reset@2026xy', new_password: 'Mine@2026xyz' } });
    assert.equal(changed.status, 200);
    assert.equal((await t.call('GET', '/api/messages', { cookie })).status, 200);
    assert.equal((await t.call('POST', '/api/auth/logout', { cookie })).status, 200);
  });
});

describe('sessions end', () => {
  test('a password change ends the other sessions of the user and keeps this one; a reset and a disable end all', async () => {
    const { username, id } = await account();
    const here = (await signIn(username, TEST_PASSWORD, '10.9.1.1')).cookie!;
    const there = (await signIn(username, TEST_PASSWORD, '10.9.1.2')).cookie!;
    const changed = await t.api(accountsApi.changePassword, { cookie: here, body: { old_password: TEST_PASSWORD, new_password: 'Changed@2026x' } });
    assert.equal(changed.status, 200);
    assert.equal((await t.call('GET', '/api/me', { cookie: there })).status, 401);
    assert.equal((await t.call('GET', '/api/me', { cookie: here })).status, 200);

    const hq = await t.login('hq');
    await t.api(accountsApi.resetPassword, { cookie: hq, params: { id }, body: { password: 'Reset@2026xz' } });
    assert.equal((await t.call('GET', '/api/me', { cookie: here })).status, 401);
    const again = (await signIn(username, 'Reset@2026xz', '10.9.1.1')).cookie!;
    await t.api(accountsApi.updateUser, { cookie: hq, params: { id }, body: { disabled: true } });
    assert.equal((await t.call('GET', '/api/me', { cookie: again })).status, 401);
  });
});

describe('password rules', () => {
  test('at least 8 characters, not the user name, not a common password, not the current one — in Chinese', async () => {
    assert.ok(commonPasswords().size >= 10_000, `${commonPasswords().size} common passwords`);
    const { username } = await account('rules');
    const cookie = (await signIn(username, TEST_PASSWORD, '10.10.0.1')).cookie!;
    const change = (new_password: string) => t.api(accountsApi.changePassword, { cookie, body: { old_password: TEST_PASSWORD, new_password } });
    const cases: [string, RegExp][] = [
      ['short7c', /至少 8 位/],
      ['password1', /过于常见/],
      ['aaaaaaa1', /过于常见/],
      ['PassWord1', /过于常见/],
      [`my-${username}-2026`, /不能包含用户名/],
      [`${username.toUpperCase()}xyz9`, /不能包含用户名/],
      [TEST_PASSWORD, /不能与当前密码相同/],
    ];
    for (const [password, message] of cases) {
      const r = await change(password);
      assert.equal(r.status, 400, password);
      assert.match(errorOf(r).message, message, password);
    }
    // No composition rule: a long phrase of letters only is fine.
    assert.equal((await change('月光照在松花江上')).status, 200);

    const hq = await t.login('hq');
    const created = await t.api(accountsApi.createUser, { cookie: hq, body: { username: 'newbie9', display_name: '新', role: 'head_teacher', node_id: w.nodes.classA2.id, password: 'newbie9pass' } });
    assert.equal(created.status, 400);
    assert.match(errorOf(created).message, /不能包含用户名/);
    const reset = await t.api(accountsApi.resetPassword, { cookie: hq, params: { id: w.users.teacherB1 }, body: { password: 'qwertyuiop' } });
    assert.equal(reset.status, 400);
    assert.match(errorOf(reset).message, /过于常见/);
  });
});
