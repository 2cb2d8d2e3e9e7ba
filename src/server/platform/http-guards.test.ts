/** Issue 15: the guards every route shares (platform/http.ts) — control characters, Origin, security headers. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { errorOf, startTestApp, type TestApp } from '../testing/harness.ts';
import { buildWorld, type World } from '../testing/factories.ts';
import type { Role } from '../../shared/org.ts';

let t: TestApp;
let w: World;
before(async () => {
  t = await startTestApp();
  w = await buildWorld(t.db);
});
after(async () => t.close());

const ACCOUNT_OF: Record<Role, string> = { hq_admin: 'hq', branch_admin: 'brA', tp_admin: 'tpA1', head_teacher: 'teacherA1', student: 'studentA1' };

describe('control characters', () => {
  test('a NUL or another control character in any query or JSON field of any route answers 400 in Chinese, never 500', async () => {
    const cookies = new Map<Role, string>();
    for (const [role, username] of Object.entries(ACCOUNT_OF) as [Role, string][]) cookies.set(role, await t.login(username));
    const seen: string[] = [];
    for (const r of t.running.app.routeList) {
      if (r.url === '/api/auth/logout') continue; // would end the session the sweep uses
      const role = r.access === 'public' || r.access === 'any' || r.access === undefined ? 'hq_admin' : r.access[0];
      const cookie = cookies.get(role)!;
      const url = r.url.replace(/:[a-z_]+/g, '1');
      const inQuery = await t.call(r.method, `${url}?q=%00&zz=a%01b`, { cookie, body: r.method === 'GET' || r.method === 'DELETE' ? undefined : {} });
      seen.push(`${r.method} ${r.url} query ${inQuery.status}`);
      assert.equal(inQuery.status, 400, `${r.method} ${r.url} (query): ${inQuery.status} ${JSON.stringify(inQuery.json)}`);
      assert.equal(errorOf(inQuery).error, 'CONTROL_CHARACTERS');
      assert.match(errorOf(inQuery).message, /控制字符/);
      if (r.method !== 'GET' && r.method !== 'DELETE') {
        const inBody = await t.call(r.method, url, { cookie, body: { name: 'a\u0000b', list: [{ note: 'x\u001bz' }] } });
        assert.equal(inBody.status, 400, `${r.method} ${r.url} (body): ${inBody.status} ${JSON.stringify(inBody.json)}`);
        assert.equal(errorOf(inBody).error, 'CONTROL_CHARACTERS');
      }
    }
    assert.ok(seen.length > 50, `${seen.length} routes swept`);
  });

  test('the field is named; tabs and line breaks in text are fine', async () => {
    const hq = await t.login('hq');
    const r = await t.call('PATCH', `/api/users/${w.users.teacherA1}`, { cookie: hq, body: { display_name: '李\u0000老师' } });
    assert.equal(r.status, 400);
    assert.match(errorOf(r).message, /display_name/);
    const ok = await t.call('PATCH', `/api/users/${w.users.teacherA1}`, { cookie: hq, body: { display_name: '李\t老师' } });
    assert.equal(ok.status, 200);
    assert.equal((await t.call('GET', '/api/users?q=%E6%9D%8E%00', { cookie: hq })).status, 400);
  });
});

describe('Origin of state-changing requests', () => {
  const readAll = (headers: Record<string, string>) => t.login('teacherA1').then((cookie) =>
    t.running.app.inject({ method: 'POST', url: '/api/messages/read-all', headers: { cookie, 'content-type': 'text/plain', ...headers }, payload: '' }));

  test('another site’s POST is refused with 403, whatever its content type; our own pages and scripts pass', async () => {
    const cross = await readAll({ origin: 'http://school-portal.example' });
    assert.equal(cross.statusCode, 403);
    assert.equal(cross.json<{ error: string }>().error, 'CROSS_ORIGIN');
    assert.match(cross.json<{ message: string }>().message, /其他网站/);
    assert.equal((await readAll({ origin: 'null' })).statusCode, 403);
    // A sibling host of the same site sends no Origin for some requests, but the browser tells Sec-Fetch-Site.
    assert.equal((await readAll({ 'sec-fetch-site': 'same-site' })).statusCode, 403);
    assert.equal((await readAll({ 'sec-fetch-site': 'cross-site' })).statusCode, 403);

    const login = await t.running.app.inject({ method: 'POST', url: '/api/auth/login', headers: { origin: 'https://evil.example' }, payload: { username: 'hq', password: 'x' } });
    assert.equal(login.statusCode, 403);

    // The web UI (same origin, Host as the browser sends it) and scripts or tests without Origin.
    const same = await t.running.app.inject({ method: 'POST', url: '/api/auth/login', headers: { host: 'grad.example.edu:8080', origin: 'http://grad.example.edu:8080', 'sec-fetch-site': 'same-origin' }, payload: { username: 'hq', password: 'Test@2026pass' } });
    assert.equal(same.statusCode, 200);
    const defaultPort = await t.running.app.inject({ method: 'POST', url: '/api/auth/login', headers: { host: 'grad.example.edu:80', origin: 'http://grad.example.edu' }, payload: { username: 'hq', password: 'Test@2026pass' } });
    assert.equal(defaultPort.statusCode, 200);
    assert.notEqual((await readAll({})).statusCode, 403);
    // Reading is not changing: a cross-site GET is answered (the session cookie is SameSite=Lax anyway).
    const get = await t.running.app.inject({ method: 'GET', url: '/api/health', headers: { origin: 'http://school-portal.example' } });
    assert.equal(get.statusCode, 200);
  });
});

describe('security headers', () => {
  test('CSP with frame-ancestors none, nosniff and a referrer policy on the API and the pages', async () => {
    for (const url of ['/api/health', '/', '/records/cards']) {
      const r = await t.running.app.inject({ method: 'GET', url });
      const csp = String(r.headers['content-security-policy']);
      assert.match(csp, /frame-ancestors 'none'/, url);
      assert.match(csp, /default-src 'self'/, url);
      assert.match(csp, /script-src 'self'(;|$)/, url);
      assert.equal(r.headers['x-content-type-options'], 'nosniff', url);
      assert.equal(r.headers['referrer-policy'], 'same-origin', url);
      assert.equal(r.headers['x-frame-options'], 'SAMEORIGIN', url);
    }
  });
});
