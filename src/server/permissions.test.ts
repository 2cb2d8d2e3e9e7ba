/**
 * The permission table: every route × every role × own / sibling / foreign object.
 * A route that the application registers but this table does not list fails the suite, so a new
 * route cannot ship without saying who may call it and what each caller sees.
 *
 * Subjects, per actor (see testing/factories.ts for the tree):
 *   own     — an object inside the actor's subtree
 *   sibling — an object under a sibling node (same parent as the actor's node)
 *   foreign — an object under another branch
 * Headquarters has no sibling or foreign objects: everything is its own.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from './testing/harness.ts';
import { buildUser, buildWorld, type World } from './testing/factories.ts';
import type { Role } from './platform/tables.ts';

type Subject = 'own' | 'sibling' | 'foreign';
type Kind =
  | { kind: 'global' } // not about one object: only the role decides
  | { kind: 'object' } // own → 2xx, others → 404
  | { kind: 'list'; contains: (json: any, probe: Probe) => boolean } // own listed, others not
  | { kind: 'action'; refusedAsMissing: (json: any) => boolean }; // bulk action: others refused as not found

interface Probe {
  studentId: number;
  studentNo: string;
  graduate: { id: number; version: number };
  classNodeId: number;
  tpNodeId: number;
  tpCode: string;
  userId: number;
  taskId: string;
  auditProbe: string;
}

interface Row {
  access: 'public' | 'any' | readonly Role[];
  check: Kind;
  request: (p: Probe, n: number) => { method: string; url: string; body?: unknown };
  /** Statuses that count as success for an allowed caller on its own object (default any 2xx). */
  ok?: number[];
}

const ADMINS: Role[] = ['hq_admin', 'branch_admin'];
const OFFICES: Role[] = ['hq_admin', 'branch_admin', 'tp_admin'];
const STAFF: Role[] = ['hq_admin', 'branch_admin', 'tp_admin', 'head_teacher'];
const batchBody = (n: number) => ({ code: `20${31 + Math.floor(n / 12)}${String((n % 12) + 1).padStart(2, '0')}`, issue_date: '2031-01-20', windows: [] });
const missing = (json: any) => json.refused?.length === 1 && /不存在，或不在您的管理范围内/.test(json.refused[0].reason);

const TABLE: Record<string, Row> = {
  'GET /api/health': { access: 'public', check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/health' }) },
  'GET /api/openapi.json': { access: 'public', check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/openapi.json' }) },
  'POST /api/auth/login': { access: 'public', check: { kind: 'global' }, ok: [401], request: () => ({ method: 'POST', url: '/api/auth/login', body: { username: 'nobody', password: 'x' } }) },
  'POST /api/auth/logout': { access: 'public', check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/health' }) }, // logging out would end the session under test; exercised in accounts tests
  'GET /api/me': { access: 'any', check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/me' }) },
  'POST /api/me/password': { access: 'any', check: { kind: 'global' }, ok: [400], request: () => ({ method: 'POST', url: '/api/me/password', body: { old_password: 'wrong-old-1', new_password: 'Another@2026' } }) },
  'GET /api/home': { access: 'any', check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/home' }) },
  'GET /api/batches': { access: 'any', check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/batches' }) },
  'GET /api/batches/:code': { access: 'any', check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/batches/202701' }) },
  'POST /api/batches': { access: ['hq_admin'], check: { kind: 'global' }, request: (_p, n) => ({ method: 'POST', url: '/api/batches', body: batchBody(n) }) },
  'PUT /api/batches/:code/windows': { access: ['hq_admin'], check: { kind: 'global' }, request: () => ({ method: 'PUT', url: '/api/batches/202701/windows', body: { windows: [{ step: 'paste', starts_on: '2026-12-11', ends_on: '2026-12-20' }] } }) },
  'POST /api/batches/:code/eligibility': { access: ['hq_admin'], check: { kind: 'global' }, request: () => ({ method: 'POST', url: '/api/batches/202701/eligibility' }) },
  'POST /api/batches/:code/extensions': { access: ['hq_admin'], check: { kind: 'object' }, request: (p) => ({ method: 'POST', url: '/api/batches/202701/extensions', body: { step: 'paste', node_id: p.classNodeId, ends_on: '2027-03-01', reason: '权限测试' } }) },
  'GET /api/users': { access: ADMINS, check: { kind: 'list', contains: (j, p) => j.rows.some((u: any) => u.id === p.userId) }, request: (p) => ({ method: 'GET', url: `/api/users?node_id=${p.classNodeId}` }) },
  'POST /api/users': { access: ADMINS, check: { kind: 'object' }, request: (p, n) => ({ method: 'POST', url: '/api/users', body: { username: `perm${n}`, display_name: '测试', role: 'head_teacher', node_id: p.classNodeId, password: 'Perm@2026x' } }) },
  'PATCH /api/users/:id': { access: ADMINS, check: { kind: 'object' }, request: (p) => ({ method: 'PATCH', url: `/api/users/${p.userId}`, body: { display_name: '受测账号' } }) },
  'POST /api/users/:id/reset-password': { access: ADMINS, check: { kind: 'object' }, request: (p) => ({ method: 'POST', url: `/api/users/${p.userId}/reset-password`, body: { password: 'Reset@2026x' } }) },
  'GET /api/org/nodes': { access: STAFF, check: { kind: 'list', contains: (j, p) => j.some((n: any) => n.id === p.classNodeId) }, request: () => ({ method: 'GET', url: '/api/org/nodes?kind=class' }) },
  'POST /api/org/nodes': { access: ADMINS, check: { kind: 'object' }, request: (p, n) => ({ method: 'POST', url: '/api/org/nodes', body: { parent_id: p.tpNodeId, code: `PC${n}`, name: `权限测试班${n}` } }) },
  'PATCH /api/org/nodes/:id': { access: ADMINS, check: { kind: 'object' }, request: (p) => ({ method: 'PATCH', url: `/api/org/nodes/${p.classNodeId}`, body: { disabled: false } }) },
  'GET /api/audit-log/actions': { access: ADMINS, check: { kind: 'list', contains: (j, p) => j.includes(`探针 ${p.auditProbe}`) }, request: () => ({ method: 'GET', url: '/api/audit-log/actions' }) },
  'GET /api/programmes/majors': { access: STAFF, check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/programmes/majors' }) },
  'GET /api/audit-log': { access: ADMINS, check: { kind: 'list', contains: (j) => j.total === 1 }, request: (p) => ({ method: 'GET', url: `/api/audit-log?object_id=${p.auditProbe}` }) },
  'GET /api/confirmation': { access: OFFICES, check: { kind: 'list', contains: (j, p) => j.rows.some((r: any) => r.student_no === p.studentNo) }, request: (p) => ({ method: 'GET', url: `/api/confirmation?batch=202701&q=${p.studentNo}` }) },
  'GET /api/confirmation/counts': { access: OFFICES, check: { kind: 'list', contains: (j, p) => j.some((r: any) => r.tp_code === p.tpCode) }, request: () => ({ method: 'GET', url: '/api/confirmation/counts?batch=202701' }) },
  'POST /api/confirmation/agree': { access: OFFICES, check: { kind: 'action', refusedAsMissing: missing }, request: (p) => ({ method: 'POST', url: '/api/confirmation/agree', body: { batch: '202701', selection: { items: [p.graduate] } } }) },
  'POST /api/confirmation/disagree': { access: OFFICES, check: { kind: 'action', refusedAsMissing: missing }, request: (p) => ({ method: 'POST', url: '/api/confirmation/disagree', body: { batch: '202701', selection: { items: [p.graduate] }, reason: '权限测试' } }) },
  'POST /api/confirmation/undo': { access: OFFICES, check: { kind: 'action', refusedAsMissing: missing }, request: (p) => ({ method: 'POST', url: '/api/confirmation/undo', body: { batch: '202701', selection: { items: [p.graduate] } } }) },
  'GET /api/students/:id': { access: 'any', check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/students/${p.studentId}` }) },
  'GET /api/tasks/:id': { access: 'any', check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/tasks/${p.taskId}` }) },
};

let t: TestApp;
let w: World;
const actors: { role: Role; username: string; subjects: Partial<Record<Subject, number>> }[] = [];
const probes = new Map<string, Probe>();
const cookies = new Map<string, string>();

before(async () => {
  t = await startTestApp();
  w = await buildWorld(t.db);
  const s = w.students;
  actors.push(
    { role: 'hq_admin', username: 'hq', subjects: { own: s.sA1 } },
    { role: 'branch_admin', username: 'brA', subjects: { own: s.sA1, sibling: s.sB1, foreign: s.sB1 } },
    { role: 'tp_admin', username: 'tpA1', subjects: { own: s.sA1, sibling: s.sA3, foreign: s.sB1 } },
    { role: 'head_teacher', username: 'teacherA1', subjects: { own: s.sA1, sibling: s.sA2, foreign: s.sB1 } },
    { role: 'student', username: 'studentA1', subjects: { own: s.sA1, sibling: s.sA1b, foreign: s.sB1 } },
  );
  // Accounts to act on (user routes), one per class, so that resetting them harms no test actor.
  const victims = new Map<number, number>();
  for (const node of [w.nodes.classA1, w.nodes.classA2, w.nodes.classA3, w.nodes.classB1]) {
    victims.set(node.id, (await buildUser(t.db, { username: `victim${node.id}`, role: 'head_teacher', nodeId: node.id })).id);
  }
  for (const a of actors) {
    const me = await t.db.selectFrom('app_user as u').innerJoin('org_node as n', 'n.id', 'u.node_id').select(['u.id', 'n.path']).where('u.username', '=', a.username).executeTakeFirstOrThrow();
    for (const [subject, studentId] of Object.entries(a.subjects) as [Subject, number][]) {
      const st = await t.db.selectFrom('student as s').innerJoin('org_node as tp', 'tp.id', 's.tp_id')
        .select(['s.id', 's.student_no', 's.class_id', 's.node_path', 'tp.id as tp_id', 'tp.code as tp_code']).where('s.id', '=', studentId).executeTakeFirstOrThrow();
      // A task the actor may see when own (its own task), and one of someone under the subject's class otherwise.
      const task = await t.db.insertInto('task').values({
        kind: 'probe', title: '权限测试任务', owner_id: subject === 'own' ? me.id : victims.get(st.class_id!)!, node_path: subject === 'own' ? me.path : st.node_path, payload: '{}',
      }).returning('id').executeTakeFirstOrThrow();
      const auditProbe = `probe-${a.username}-${subject}`;
      await t.db.insertInto('audit_log').values({ actor_name: '测试', node_path: st.node_path, action: `探针 ${auditProbe}`, object_type: 'probe', object_id: auditProbe }).execute();
      probes.set(`${a.username}/${subject}`, {
        studentId: st.id, studentNo: st.student_no, graduate: await w.graduateOf(st.id), classNodeId: st.class_id!, tpNodeId: st.tp_id, tpCode: st.tp_code,
        userId: victims.get(st.class_id!)!, taskId: task.id, auditProbe,
      });
    }
    cookies.set(a.username, await t.login(a.username));
  }
});
after(async () => t?.close());

describe('permission table', () => {
  test('every registered route is in the table, and declares the access the table says', () => {
    const registered = t.running.app.routeList.map((r) => `${r.method} ${r.url}`).sort();
    const listed = Object.keys(TABLE).sort();
    assert.deepEqual(registered.filter((r) => !listed.includes(r)), [], 'routes missing from the permission table');
    assert.deepEqual(listed.filter((r) => !registered.includes(r)), [], 'table rows for routes that do not exist');
    for (const r of t.running.app.routeList) {
      const row = TABLE[`${r.method} ${r.url}`];
      assert.deepEqual(r.access, row.access, `${r.method} ${r.url} declares ${JSON.stringify(r.access)}`);
    }
  });

  let n = 0;
  for (const [route, row] of Object.entries(TABLE)) {
    test(route, async () => {
      // Anonymous callers: only public routes answer.
      const anon = await t.call(...spread(row.request(probes.get('hq/own')!, n++)));
      if (row.access !== 'public') assert.equal(anon.status, 401, `${route} anonymous`);

      for (const a of actors) {
        const allowed = row.access === 'public' || row.access === 'any' || row.access.includes(a.role);
        for (const subject of ['own', 'sibling', 'foreign'] as Subject[]) {
          const p = probes.get(`${a.username}/${subject}`);
          if (!p) continue;
          const req = row.request(p, n++);
          const res = await t.call(req.method, req.url, { cookie: cookies.get(a.username), body: req.body });
          const where = `${route} as ${a.role} on ${subject}: ${res.status} ${JSON.stringify(res.json).slice(0, 200)}`;
          if (!allowed) {
            assert.equal(res.status, 403, where);
            assert.match(res.json.message, /无权/, where);
            continue;
          }
          const okStatus = row.ok ? row.ok.includes(res.status) : res.status >= 200 && res.status < 300;
          const c = row.check;
          switch (c.kind) {
            case 'global':
              assert.ok(okStatus, where);
              break;
            case 'object':
              if (subject === 'own') assert.ok(okStatus, where);
              else {
                assert.equal(res.status, 404, where);
                assert.match(res.json.message, /不存在，或不在您的管理范围内/, where);
              }
              break;
            case 'list':
              assert.ok(okStatus, where);
              assert.equal(c.contains(res.json, p), subject === 'own', where);
              break;
            case 'action':
              assert.ok(okStatus, where);
              assert.equal(c.refusedAsMissing(res.json), subject !== 'own', where);
              break;
          }
        }
      }
    });
  }
});

function spread(r: { method: string; url: string; body?: unknown }): [string, string, { body?: unknown }] {
  return [r.method, r.url, { body: r.body }];
}
