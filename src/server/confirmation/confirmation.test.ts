import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { errorOf, startTestApp, type ErrorBody, type TestApp } from '../testing/harness.ts';
import { buildWorld, type World } from '../testing/factories.ts';
import { addDays, setToday, today } from '../platform/clock.ts';
import type { ResponseOf } from '../../shared/contract.ts';
import type { confirmationApi } from '../../shared/contract/confirmation.ts';
import type { BulkResult } from '../../shared/bulk.ts';

let t: TestApp;
let w: World;
let tp: string;

before(async () => {
  t = await startTestApp();
  w = await buildWorld(t.db);
  tp = await t.login('tpA1');
});
after(async () => {
  setToday(undefined);
  await t.close();
});

const list = (cookie: string, q = '') => t.call<ResponseOf<typeof confirmationApi.list>>('GET', `/api/confirmation?batch=202701${q}`, { cookie });
const items = async (...students: number[]) => Promise.all(students.map((s) => w.graduateOf(s)));

describe('预毕业确认: 查询', () => {
  test('a teaching point sees its own candidates with eligibility and reasons, and nobody else', async () => {
    const r = await list(tp);
    assert.equal(r.status, 200);
    const names = r.json.rows.map((x) => x.name).sort();
    assert.deepEqual(names, ['张三', '李四', '王五', '赵六'].sort());
    const wang = r.json.rows.find((x) => x.name === '王五');
    assert.ok(wang);
    assert.equal(wang.eligible, false);
    assert.deepEqual(wang.reasons, ['总学分不足：已获 15 / 需 25 学分', '缺必修课：必修课甲']);
    assert.match(r.json.rows[0].id_number_masked, /^\d{4}\*{10}\d{3}[\dX]$/);
    assert.equal(r.json.window?.open, true);
  });

  test('filters: 确认状态, 是否符合条件 and search narrow the list', async () => {
    assert.equal((await list(tp, '&eligible=false')).json.total, 1);
    assert.equal((await list(tp, '&q=张三')).json.total, 1);
    assert.equal((await list(tp, '&status=同意毕业')).json.total, 0);
    assert.equal((await list(tp, '&tp_code=TB1')).json.total, 0, 'another branch’s code yields nothing, not an error');
  });

  test('an unknown batch and a malformed query get a Chinese message', async () => {
    const r = await t.call('GET', '/api/confirmation?batch=209912', { cookie: tp });
    assert.equal(r.status, 404);
    assert.match(errorOf(r).message, /毕业批次“209912”不存在/);
    const bad = await t.call('GET', '/api/confirmation?batch=abc', { cookie: tp });
    assert.equal(bad.status, 400);
    assert.equal(errorOf(bad).message, '请选择毕业批次。');
  });

  test('branches see counts per teaching point of their own branch only', async () => {
    const r = await t.call<ResponseOf<typeof confirmationApi.counts>>('GET', '/api/confirmation/counts?batch=202701', { cookie: await t.login('brA') });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.map((x) => [x.tp_code, x.candidates, x.eligible]).sort(), [['TA1', 4, 3], ['TA2', 1, 1]]);
  });
});

describe('预毕业确认: 同意毕业, 不同意, 撤销', () => {
  test('同意毕业 passes eligible students and refuses an ineligible one with its reason', async () => {
    const sel = await items(w.students.sA1, w.students.sA1x);
    const r = await t.call<BulkResult>('POST', '/api/confirmation/agree', { cookie: tp, body: { batch: '202701', selection: { items: sel } } });
    assert.equal(r.status, 200);
    assert.equal(r.json.changed, 1);
    assert.equal(r.json.refused.length, 1);
    assert.equal(r.json.refused[0].name, '王五');
    assert.match(r.json.refused[0].message, /不符合毕业条件：总学分不足/);
    assert.equal(r.json.refused[0].code, 'NOT_ELIGIBLE');
    assert.ok(r.json.refused[0].student_no, 'the refused student is named by 学号 too');
    const after = await w.graduateOf(w.students.sA1);
    assert.equal(after.version, sel[0].version + 1);
  });

  test('a double click (the same request twice) changes nothing the second time', async () => {
    const sel = await items(w.students.sA1b);
    const body = { batch: '202701', selection: { items: sel } };
    const [a, b] = await Promise.all([
      t.call<BulkResult>('POST', '/api/confirmation/agree', { cookie: tp, body }),
      t.call<BulkResult>('POST', '/api/confirmation/agree', { cookie: tp, body }),
    ]);
    assert.deepEqual([a.json.changed, b.json.changed].sort(), [0, 1]);
    assert.deepEqual([a.json.unchanged, b.json.unchanged].sort(), [0, 1]);
    const audit = await t.db.selectFrom('operation_log').select('id').where('object_type', '=', 'graduate')
      .where('object_id', '=', String(sel[0].id)).execute();
    assert.equal(audit.length, 1, 'one audit entry for one change');
  });

  test('a stale page (old version) is refused and changes nothing', async () => {
    const [g] = await items(w.students.sA1b); // 同意毕业 now
    const stale = { id: g.id, version: g.version - 1 };
    const r = await t.call<BulkResult>('POST', '/api/confirmation/disagree', { cookie: tp, body: { batch: '202701', selection: { items: [stale] }, reason: '学生申请延期毕业' } });
    assert.equal(r.json.changed, 0);
    assert.match(r.json.refused[0].message, /已被他人修改.*刷新/);
    assert.equal(r.json.refused[0].code, 'STALE');
    const row = await t.db.selectFrom('graduate').select('confirm_status').where('id', '=', g.id).executeTakeFirstOrThrow();
    assert.equal(row.confirm_status, '同意毕业');
  });

  test('不同意 needs a reason; 撤销确认 returns to 待确认; every change is in the audit log', async () => {
    const [g] = await items(w.students.sA2);
    const noReason = await t.call<BulkResult>('POST', '/api/confirmation/disagree', { cookie: tp, body: { batch: '202701', selection: { items: [g] }, reason: '' } });
    assert.equal(noReason.status, 400);
    const d = await t.call<BulkResult>('POST', '/api/confirmation/disagree', { cookie: tp, body: { batch: '202701', selection: { items: [g] }, reason: '学生本人申请下批次毕业' } });
    assert.equal(d.json.changed, 1);
    const g2 = await w.graduateOf(w.students.sA2);
    const u = await t.call<BulkResult>('POST', '/api/confirmation/undo', { cookie: tp, body: { batch: '202701', selection: { items: [g2] } } });
    assert.equal(u.json.changed, 1);
    const log = await t.db.selectFrom('operation_log').select(['action', 'before', 'after', 'actor_name']).where('object_type', '=', 'graduate')
      .where('object_id', '=', String(g.id)).orderBy('id').execute();
    assert.deepEqual(log.map((l) => l.action), ['不同意毕业', '撤销预毕业确认']);
    assert.equal(log[0].after?.confirm_reason, '学生本人申请下批次毕业');
    assert.equal(log[1].before?.confirm_status, '不同意');
    assert.match(log[0].actor_name, /tpA1/);
  });

  test('a student of another teaching point is “not found”, and nothing changes', async () => {
    const foreign = await items(w.students.sB1, w.students.sA3);
    const r = await t.call<BulkResult>('POST', '/api/confirmation/agree', { cookie: tp, body: { batch: '202701', selection: { items: foreign } } });
    assert.equal(r.status, 200);
    assert.equal(r.json.changed, 0);
    assert.equal(r.json.refused.length, 2);
    for (const x of r.json.refused) {
      assert.equal(x.name, undefined, 'no name of a foreign student leaks');
      assert.equal(x.student_no, undefined, 'no 学号 of a foreign student leaks');
      assert.equal(x.code, 'NOT_FOUND');
      assert.match(x.message, /不存在，或不在您的管理范围内/);
    }
    const rows = await t.db.selectFrom('graduate').select('confirm_status').where('id', 'in', foreign.map((f) => f.id)).execute();
    assert.ok(rows.every((x) => x.confirm_status === '待确认'));
  });

  test('“当前查询的全部学生” acts on every row of the query, eligible ones only', async () => {
    const cookie = await t.login('tpA2');
    const r = await t.call<BulkResult>('POST', '/api/confirmation/agree', { cookie, body: { batch: '202701', selection: { all: true, filter: { batch: '202701' } } } });
    assert.equal(r.json.changed, 1);
    const empty = await t.call<BulkResult>('POST', '/api/confirmation/agree', { cookie, body: { batch: '202701', selection: { all: true, filter: { batch: '202701', status: '不同意' } } } });
    assert.equal(empty.status, 400);
    assert.match(errorOf(empty).message, /没有学生/);
  });

  test('eligibility is checked again at 同意毕业: a grade withdrawn since the list was shown is caught', async () => {
    const cookie = await t.login('tpB1');
    const [g] = await items(w.students.sB1);
    await t.db.deleteFrom('grade').where('student_id', '=', w.students.sB1).where('course_code', '=', 'C1').execute();
    const r = await t.call<BulkResult>('POST', '/api/confirmation/agree', { cookie, body: { batch: '202701', selection: { items: [g] } } });
    assert.equal(r.json.changed, 0);
    assert.match(r.json.refused[0].message, /缺必修课：必修课甲/);
    await t.db.insertInto('grade').values({ student_id: w.students.sB1, course_code: 'C1', score: 70, passed: true, term: '2022春', source: '期末考试' }).execute();
  });
});

describe('预毕业确认: bad input', () => {
  test('nothing ticked, broken JSON and a wrong type each get a Chinese message and change nothing', async () => {
    const none = await t.call<BulkResult>('POST', '/api/confirmation/agree', { cookie: tp, body: { batch: '202701', selection: { items: [] } } });
    assert.equal(none.status, 400);
    assert.equal(errorOf(none).message, '请先勾选学生。');
    const broken = await t.running.app.inject({ method: 'POST', url: '/api/confirmation/agree', headers: { cookie: tp, 'content-type': 'application/json' }, payload: '{"batch":' });
    assert.equal(broken.statusCode, 400);
    assert.match(broken.json<ErrorBody>().message, /无法解析/);
    const wrong = await t.call<BulkResult>('POST', '/api/confirmation/agree', { cookie: tp, body: { batch: '202701', selection: { items: [{ id: 'x', version: 1 }] } } });
    assert.equal(wrong.status, 400);
    // zod's own (English) message is not shown: the field is named instead.
    assert.match(errorOf(wrong).message, /格式不正确/);
    const unknown = await t.call<BulkResult>('POST', '/api/confirmation/agree', { cookie: tp, body: { batch: '209901', selection: { items: [{ id: 1, version: 1 }] } } });
    assert.equal(unknown.status, 404);
    assert.match(errorOf(unknown).message, /毕业批次“209901”不存在/);
  });
});

describe('预毕业确认: 办理时间', () => {
  test('outside the window the action is refused naming the window; an extension for the node reopens it', async () => {
    const cookie = await t.login('tpB1');
    const [g] = await items(w.students.sB1);
    const ends = addDays(today(), 30);
    setToday(addDays(ends, 1));
    try {
      const r = await t.call<BulkResult>('POST', '/api/confirmation/agree', { cookie, body: { batch: '202701', selection: { items: [g] } } });
      assert.equal(r.json.changed, 0);
      assert.match(r.json.refused[0].message, new RegExp(`“预毕业确认”的办理时间为 .* 至 ${ends}，当前不在办理时间内`));
      assert.equal(r.json.refused[0].code, 'WINDOW_CLOSED');
      const listed = await list(cookie);
      assert.equal(listed.json.window?.open, false);

      const hq = await t.login('hq');
      const ext = await t.call('POST', '/api/batches/202701/extensions', { cookie: hq, body: { step: 'confirm', node_id: w.nodes.tpB1.id, ends_on: addDays(ends, 5), reason: '教学点网络故障延期' } });
      assert.equal(ext.status, 200);
      const again = await t.call<BulkResult>('POST', '/api/confirmation/agree', { cookie, body: { batch: '202701', selection: { items: [g] } } });
      assert.equal(again.json.changed, 1);
      // The extension is for tpB1 only: tpA2's window stays closed.
      const other = await t.call<BulkResult>('POST', '/api/confirmation/undo', { cookie: await t.login('tpA2'), body: { batch: '202701', selection: { items: await items(w.students.sA3) } } });
      assert.equal(other.json.changed, 0);
      assert.match(other.json.refused[0].message, /不在办理时间内/);
    } finally {
      setToday(undefined);
    }
  });

  test('a branch cannot extend a window; headquarters cannot extend for an unknown node', async () => {
    const br = await t.call('POST', '/api/batches/202701/extensions', { cookie: await t.login('brA'), body: { step: 'confirm', node_id: w.nodes.tpA1.id, ends_on: '2030-01-01', reason: '测试延期' } });
    assert.equal(br.status, 403);
    const unknown = await t.call('POST', '/api/batches/202701/extensions', { cookie: await t.login('hq'), body: { step: 'confirm', node_id: 999999, ends_on: '2030-01-01', reason: '测试延期' } });
    assert.equal(unknown.status, 404);
  });
});
