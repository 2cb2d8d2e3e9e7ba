/**
 * The permission table: every route × every role × own / sibling / foreign object.
 * A route that the application registers but this table does not list fails the suite, so a new
 * route cannot ship without saying who may call it and what each caller sees.
 *
 * Each capability lists its own routes beside its code, in `src/server/<capability>/permissions.ts`
 * (`rows`, and an optional `setup` that builds the objects its rows need per probe); this file finds
 * them, merges them into one table and checks every row. The words (rows, kinds, probes, subjects) are
 * in testing/permissions.ts; the subjects, per actor (see testing/factories.ts for the tree):
 *   own     — an object inside the actor's subtree
 *   sibling — an object under a sibling node (same parent as the actor's node)
 *   foreign — an object under another branch
 * Headquarters has no sibling or foreign objects: everything is its own.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { errorOf, startTestApp, type TestApp } from './testing/harness.ts';
import { buildUser, buildWorld, type World } from './testing/factories.ts';
import type { PermissionModule, PermissionRows, Probe, Subject } from './testing/permissions.ts';
import type { Role } from '../shared/org.ts';

// Every src/server/<capability>/permissions.ts, in the order of the folders' names.
const serverDir = path.dirname(fileURLToPath(import.meta.url));
const modules: { name: string; module: PermissionModule }[] = [];
for (const name of fs.readdirSync(serverDir).sort()) {
  const file = path.join(serverDir, name, 'permissions.ts');
  if (name === 'testing' || !fs.existsSync(file)) continue; // testing/permissions.ts holds the words, not rows
  const module = (await import(pathToFileURL(file).href)) as PermissionModule;
  if (!module.rows) throw new Error(`${file} exports no rows`);
  modules.push({ name, module });
}
const TABLE: PermissionRows = {};
const listedTwice: string[] = [];
for (const { name, module } of modules) {
  for (const [route, row] of Object.entries(module.rows)) {
    if (route in TABLE) listedTwice.push(`${route} (again in ${name})`);
    TABLE[route] = row;
  }
}

let t: TestApp;
let w: World;
let dataDir: string | undefined;
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
      const label = `probe-${a.username}-${subject}`;
      // An import the actor may see when own (its own upload), and one uploaded under the subject's class otherwise.
      const imp = await t.db.insertInto('import_file').values({
        kind: 'students', file_name: '权限测试.xlsx', state: 'invalid', file_error: '权限测试',
        owner_id: subject === 'own' ? me.id : victims.get(st.class_id!)!,
        node_id: subject === 'own' ? (await t.db.selectFrom('app_user').select('node_id').where('id', '=', me.id).executeTakeFirstOrThrow()).node_id : st.class_id!,
        node_path: subject === 'own' ? me.path : st.node_path,
      }).returning('id').executeTakeFirstOrThrow();
      await t.db.insertInto('operation_log').values({ actor_name: '测试', node_path: st.node_path, action: `探针 ${label}`, object_type: 'probe', object_id: label }).execute();
      probes.set(`${a.username}/${subject}`, {
        username: a.username, subject, label,
        studentId: st.id, studentNo: st.student_no, graduate: await w.graduateOf(st.id), classNodeId: st.class_id!, tpNodeId: st.tp_id, tpCode: st.tp_code,
        userId: victims.get(st.class_id!)!, taskId: task.id, importId: imp.id,
      });
    }
    cookies.set(a.username, await t.login(a.username));
  }
  // Every eligible graduate agreed and handed in (毕业审核数据) as an office would: the version moves, so the
  // probes' older versions stay stale for the confirmation rows, and 毕业审核 has graduates to audit.
  const sub = await t.db.insertInto('submission').values({ batch_code: w.batch, node_id: w.nodes.hq.id, node_path: w.nodes.hq.path, kind: '毕业审核数据' }).returning('id').executeTakeFirstOrThrow();
  await t.db.updateTable('graduate').set((eb) => ({ confirm_status: '同意毕业', submission_id: sub.id, version: eb('version', '+', 1) }))
    .where('batch_code', '=', w.batch).where('eligible', '=', true).execute();
  // A file store of this run's own, for the capabilities whose probes keep files.
  dataDir = process.env.DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'gm-perm-'));
  for (const { module } of modules) await module.setup?.({ t, w, probes: [...probes.values()] });
});
after(async () => t?.close());
after(() => {
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('permission table', () => {
  test('every registered route is in the table, and declares the access the table says', (ctx) => {
    ctx.diagnostic(`${Object.keys(TABLE).length} routes in the table, from ${modules.length} capabilities`);
    assert.deepEqual(listedTwice, [], 'routes listed by two capabilities');
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
            assert.match(errorOf(res).message, /无权/, where);
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
                assert.match(errorOf(res).message, /不存在，或不在您的管理范围内/, where);
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
