import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { errorOf, startTestApp, type TestApp } from '../testing/harness.ts';
import { buildUser, buildWorld, type World } from '../testing/factories.ts';
import { addDays, setToday, today } from '../platform/clock.ts';
import type { ResponseOf } from '../../shared/contract.ts';
import type { BulkResult } from '../../shared/bulk.ts';
import type { FormPage, FormView, MyForm, Phrase, formsApi } from '../../shared/contract/forms.ts';

type Phrases = ResponseOf<typeof formsApi.phrases>;

let t: TestApp;
let w: World;
const cookie: Record<string, string> = {};
const gid: Record<string, number> = {};

const ESSAY = '本人在开放大学学习期间，遵守学校各项规章制度，按时参加面授辅导和网上学习，认真完成形成性考核作业，各门课程均按要求通过考试。'
  + '通过系统学习，掌握了行政管理专业的基本理论和方法，提高了分析问题和解决问题的能力。';
const texts = (o: Record<string, string> = {}) => ({
  self_assessment: ESSAY, study_summary: '按教学计划修完全部课程。', practice_summary: '完成毕业作业。', rewards: '无', punishments: '无', ...o,
});

before(async () => {
  t = await startTestApp();
  w = await buildWorld(t.db);
  // 预毕业确认 done: every eligible graduate agreed (王五 sA1x is not, and has no form).
  await t.db.updateTable('graduate').set({ confirm_status: '同意毕业' }).where('eligible', '=', true).execute();
  await buildUser(t.db, { username: 'studentA2', role: 'student', nodeId: w.nodes.classA2.id, studentId: w.students.sA2 });
  await buildUser(t.db, { username: 'studentA1x', role: 'student', nodeId: w.nodes.classA1.id, studentId: w.students.sA1x });
  for (const u of ['studentA1', 'studentA1b', 'studentA2', 'studentA1x', 'studentB1', 'teacherA1', 'teacherA2', 'tpA1', 'tpA2', 'tpB1', 'brA', 'brB', 'hq']) {
    cookie[u] = await t.login(u);
  }
  for (const [k, id] of Object.entries(w.students)) gid[k] = (await w.graduateOf(id)).id;
});
after(async () => {
  setToday(undefined);
  await t.close();
});

const me = (u: string) => t.call<MyForm>('GET', '/api/me/graduate-form', { cookie: cookie[u] });
const draft = (u: string, body: unknown) => t.call<MyForm>('PUT', '/api/me/graduate-form/draft', { cookie: cookie[u], body });
const submit = (u: string, body: unknown) => t.call<MyForm>('POST', '/api/me/graduate-form/submit', { cookie: cookie[u], body });
const form = (id: number) => t.db.selectFrom('graduate_form').selectAll().where('graduate_id', '=', id).executeTakeFirst();
const version = async (id: number) => (await form(id))?.version ?? 0;
const list = (u: string, q = '') => t.call<FormPage>('GET', `/api/graduate-forms?page_size=100${q}`, { cookie: cookie[u] });
const opinions = (u: string, items: unknown[]) => t.call<BulkResult>('POST', '/api/graduate-forms/opinions', { cookie: cookie[u], body: { items } });
const audit = (id: number) => t.db.selectFrom('operation_log').select(['action', 'before', 'after', 'actor_name'])
  .where('object_type', '=', 'graduate_form').where('object_id', '=', String(id)).orderBy('id').execute();

describe('毕业生登记表: the student', () => {
  test('the form is pre-filled from the record: identity, programme, study dates; empty texts, open window', async () => {
    const r = await me('studentA1');
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.id, gid.sA1);
    assert.equal(r.json.state, '学生未填写');
    assert.equal(r.json.version, 0);
    assert.equal(r.json.batch_code, null, 'not filed under a batch until the school approves');
    assert.equal(r.json.graduate_batch, '202701');
    assert.equal(r.json.identity.name, '张三');
    assert.equal(r.json.identity.major, '行政管理');
    assert.equal(r.json.identity.class_name, '行政管理1班');
    assert.equal(r.json.identity.birth_date, '1990-05-17');
    assert.equal(r.json.identity.study_from, '2021-03-01');
    assert.equal(r.json.identity.study_to, '2027-01-20');
    assert.equal(r.json.identity.photo_id, null);
    assert.equal(r.json.texts.self_assessment, '');
    assert.equal(r.json.window?.open, true);
    assert.equal(r.json.can_edit, true);
  });

  test('a student not agreed in 预毕业确认 is told why there is no form', async () => {
    const r = await me('studentA1x');
    assert.equal(r.status, 404);
    assert.match(errorOf(r).message, /预毕业确认/);
    assert.equal((await draft('studentA1x', { version: 0, ...texts() })).status, 404);
  });

  test('a draft is saved and versioned; a stale page is refused and changes nothing', async () => {
    const r = await draft('studentA1', { version: 0, self_assessment: '  草稿：学习期间认真。\r\n第二段。 ' });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.version, 1);
    assert.equal(r.json.texts.self_assessment, '草稿：学习期间认真。\n第二段。', 'line endings made one, ends trimmed');
    assert.equal(r.json.state, '学生未填写');
    const part = await draft('studentA1', { version: 1, rewards: '无' });
    assert.equal(part.json.texts.self_assessment, '草稿：学习期间认真。\n第二段。', 'a box left out keeps what was saved');
    assert.equal(part.json.texts.rewards, '无');
    const stale = await draft('studentA1', { version: 0, self_assessment: '另一个窗口的旧内容' });
    assert.equal(stale.status, 409);
    assert.match(errorOf(stale).message, /刷新页面/);
    assert.equal((await form(gid.sA1))!.self_assessment, '草稿：学习期间认真。\n第二段。');
  });

  test('too long, too many lines, or a character the font cannot print: a message naming each, nothing saved', async () => {
    const v = await version(gid.sA1);
    const long = await draft('studentA1', { version: v, self_assessment: '学'.repeat(801), rewards: '优秀学员\uE000𱍊' });
    assert.equal(long.status, 400);
    assert.equal(errorOf(long).error, 'GRADUATE_FORM_TEXT');
    assert.match(errorOf(long).message, /自我鉴定超过 800 字（现 801 字）/);
    assert.match(errorOf(long).message, /奖励情况中有打印字体无法显示的字符 “\uE000”“𱍊”/);
    assert.match(errorOf(long).message, /未做任何更改/);
    const lines = await draft('studentA1', { version: v, study_summary: Array(12).fill('一行').join('\n') });
    assert.equal(lines.status, 400);
    assert.match(errorOf(lines).message, /学习总结换行过多（11 处，登记表上最多 10 处）/);
    // 800 characters of 汉字 beyond the BMP count as 800, not 1600.
    const exact = await draft('studentA1', { version: v, self_assessment: '𠀾'.repeat(800) });
    assert.equal(exact.status, 200, JSON.stringify(exact.json));
    const f = await form(gid.sA1);
    assert.equal(f!.version, v + 1);
    assert.equal(f!.rewards, '无', 'the refused save changed nothing');
  });

  test('submitting needs a complete 自我鉴定 and the window; outside it the dates are named and nothing changes', async () => {
    let v = await version(gid.sA1);
    const short = await submit('studentA1', { version: v, ...texts({ self_assessment: '认真学习。' }) });
    assert.equal(short.status, 400);
    assert.match(errorOf(short).message, /自我鉴定不少于 50 字（现 5 字）/);

    const ends = addDays(today(), 30);
    setToday(addDays(ends, 1));
    try {
      const late = await submit('studentA1', { version: v, ...texts() });
      assert.equal(late.status, 409);
      assert.equal(errorOf(late).error, 'WINDOW_CLOSED');
      assert.match(errorOf(late).message, new RegExp(`“完善入学登记表、填写毕业生登记表”的办理时间为 .* 至 ${ends}，当前不在办理时间内`));
      assert.equal((await form(gid.sA1))!.state, '学生未填写');
      assert.equal(await version(gid.sA1), v);
      assert.equal((await me('studentA1')).json.window?.open, false);
    } finally {
      setToday(undefined);
    }
    v = await version(gid.sA1);
    const ok = await submit('studentA1', { version: v, ...texts() });
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
    assert.equal(ok.json.state, '函授站未填写');
    assert.equal(ok.json.can_edit, false);
    assert.ok(ok.json.submitted_at);
  });

  test('after submission the form is locked, a second click included', async () => {
    const v = await version(gid.sA1);
    const again = await submit('studentA1', { version: v - 1, ...texts() });
    assert.equal(again.status, 409);
    assert.equal(errorOf(again).error, 'GRADUATE_FORM_LOCKED');
    assert.match(errorOf(again).message, /已提交（当前状态：函授站未填写）.*联系教学点/);
    const edit = await draft('studentA1', { version: v, ...texts({ rewards: '偷偷改' }) });
    assert.equal(edit.status, 409);
    assert.equal((await form(gid.sA1))!.rewards, '无');
  });

  test('a student sees only their own form: another student’s id is “not found”; the office list is not theirs', async () => {
    const own = await t.call('GET', `/api/graduate-forms/${gid.sA1}`, { cookie: cookie.studentA1 });
    assert.equal(own.status, 200);
    for (const other of [gid.sA1b, gid.sB1]) {
      const r = await t.call('GET', `/api/graduate-forms/${other}`, { cookie: cookie.studentA1 });
      assert.equal(r.status, 404);
      assert.match(errorOf(r).message, /不存在，或不在您的管理范围内/);
    }
    assert.equal((await list('studentA1')).status, 403);
  });

  test('the other students submit (for the offices’ tests)', async () => {
    for (const u of ['studentA1b', 'studentA2', 'studentB1']) {
      const r = await submit(u, { version: 0, ...texts() });
      assert.equal(r.status, 200, `${u}: ${JSON.stringify(r.json)}`);
    }
  });
});

describe('毕业生登记表管理: 查询', () => {
  test('a teaching point lists its forms with counts per state; filters narrow the list', async () => {
    const r = await list('tpA1', '&batch=none');
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.deepEqual(r.json.rows.map((x) => x.name).sort(), ['张三', '李四', '赵六'].sort(), '王五 was not agreed: no form');
    assert.deepEqual(r.json.counts, { 学生未填写: 0, 函授站未填写: 3, 函授站已填写: 0, 总部已填写: 0 });
    assert.match(r.json.rows[0].id_number_masked, /^\d{4}\*{10}\d{3}[\dX]$/);
    assert.equal((await list('tpA1', '&state=学生未填写')).json.total, 0);
    assert.equal((await list('tpA1', '&class_code=TA1-2')).json.total, 1);
    assert.equal((await list('tpA1', '&tp_code=TB1')).json.total, 0, 'another branch’s code yields nothing');
    assert.equal((await list('tpA1', '&batch=202701')).json.total, 0, 'nothing filed under the batch yet');
    assert.equal((await list('tpA1', '&major=会计')).json.total, 0);
    const bad = await list('tpA1', '&state=已完成');
    assert.equal(bad.status, 400);
    assert.match(errorOf(bad).message, /登记表状态为/);
    const badBatch = await list('tpA1', '&batch=2027');
    assert.equal(badBatch.status, 400);
    assert.match(errorOf(badBatch).message, /毕业批次为 6 位数字（如 202301），或“无”/);
  });

  test('a head teacher sees their class; a branch its teaching points; nobody sees another branch', async () => {
    assert.deepEqual((await list('teacherA1')).json.rows.map((x) => x.name).sort(), ['张三', '李四'].sort());
    assert.equal((await list('brA')).json.total, 4);
    assert.equal((await list('brB')).json.total, 1);
    assert.equal((await list('hq')).json.total, 5);
    for (const [u, id] of [['tpA1', gid.sA3], ['tpA1', gid.sB1], ['brA', gid.sB1], ['teacherA1', gid.sA2]] as const) {
      const r = await t.call('GET', `/api/graduate-forms/${id}`, { cookie: cookie[u] });
      assert.equal(r.status, 404, `${u} → ${id}`);
    }
    const one = await t.call<FormView>('GET', `/api/graduate-forms/${gid.sA1}`, { cookie: cookie.teacherA1 });
    assert.equal(one.status, 200);
    assert.equal(one.json.texts.self_assessment, ESSAY);
    assert.match(one.json.identity.id_number, /^\d{17}[\dX]$/);
  });
});

describe('毕业生登记表管理: 填写意见, 学校意见, 退回', () => {
  test('a head teacher writes 班主任意见 for several of the class at once; the state waits for 函授站意见', async () => {
    const items = [
      { id: gid.sA1, version: await version(gid.sA1), head_teacher_opinion: '该生学习认真，同意毕业。' },
      { id: gid.sA1b, version: await version(gid.sA1b), head_teacher_opinion: '该生表现良好，同意毕业。' },
    ];
    const r = await opinions('teacherA1', items);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.deepEqual([r.json.changed, r.json.refused.length], [2, 0]);
    const f = await form(gid.sA1b);
    assert.equal(f!.head_teacher_opinion, '该生表现良好，同意毕业。');
    assert.equal(f!.state, '函授站未填写');
    assert.equal(f!.head_teacher_by, w.users.teacherA1);
  });

  test('a head teacher cannot write 函授站意见, nor touch another class', async () => {
    const v = await version(gid.sA1);
    const tp = await opinions('teacherA1', [{ id: gid.sA1, version: v, tp_opinion: '同意毕业。' }]);
    assert.equal(tp.status, 403);
    assert.match(errorOf(tp).message, /无权.*函授站意见/);
    const other = await opinions('teacherA1', [{ id: gid.sA2, version: await version(gid.sA2), head_teacher_opinion: '同意毕业。' }]);
    assert.equal(other.json.changed, 0);
    assert.equal(other.json.refused[0].name, undefined, 'nothing of another class leaks');
    assert.equal(other.json.refused[0].student_no, undefined, 'nothing of another class leaks');
    assert.equal(other.json.refused[0].code, 'NOT_FOUND');
    assert.match(other.json.refused[0].message, /不存在，或不在您的管理范围内/);
    assert.equal((await form(gid.sA2))!.head_teacher_opinion, null);
    assert.equal(await version(gid.sA1), v);
  });

  test('the teaching point writes 函授站意见 (and 班主任意见) in bulk: forms with both are 函授站已填写', async () => {
    const r = await opinions('tpA1', [
      { id: gid.sA1, version: await version(gid.sA1), tp_opinion: '同意毕业。' },
      { id: gid.sA1b, version: await version(gid.sA1b), tp_opinion: '同意毕业，请学校审核。' },
      { id: gid.sA2, version: await version(gid.sA2), head_teacher_opinion: '同意毕业。', tp_opinion: '同意毕业。' },
      { id: gid.sB1, version: await version(gid.sB1), tp_opinion: '同意毕业。' },
    ]);
    assert.equal(r.json.changed, 3, JSON.stringify(r.json));
    assert.equal(r.json.refused.length, 1);
    assert.equal(r.json.refused[0].id, gid.sB1);
    assert.match(r.json.refused[0].message, /不存在，或不在您的管理范围内/);
    for (const k of ['sA1', 'sA1b', 'sA2']) assert.equal((await form(gid[k]))!.state, '函授站已填写', k);
    assert.deepEqual((await list('tpA1')).json.counts, { 学生未填写: 0, 函授站未填写: 0, 函授站已填写: 3, 总部已填写: 0 });
  });

  test('a double click changes nothing the second time; a stale page is refused and changes nothing', async () => {
    const v = await version(gid.sA1);
    const body = [{ id: gid.sA1, version: v, tp_opinion: '同意毕业，该生表现优秀。' }];
    const [a, b] = await Promise.all([opinions('tpA1', body), opinions('tpA1', body)]);
    assert.deepEqual([a.json.changed, b.json.changed].sort(), [0, 1]);
    assert.deepEqual([a.json.unchanged, b.json.unchanged].sort(), [0, 1]);
    const stale = await opinions('tpA1', [{ id: gid.sA1, version: v, tp_opinion: '旧页面上的意见。' }]);
    assert.equal(stale.json.changed, 0);
    assert.match(stale.json.refused[0].message, /已被他人修改.*刷新页面/);
    assert.equal(stale.json.refused[0].code, 'STALE');
    assert.equal((await form(gid.sA1))!.tp_opinion, '同意毕业，该生表现优秀。');
  });

  test('an opinion with a character the font cannot print is refused as a whole', async () => {
    const r = await opinions('tpA1', [{ id: gid.sA1b, version: await version(gid.sA1b), tp_opinion: '同意毕业\uE000' }]);
    assert.equal(r.status, 400);
    assert.match(errorOf(r).message, /函授站意见中有打印字体无法显示的字符/);
    assert.equal((await form(gid.sA1b))!.tp_opinion, '同意毕业，请学校审核。');
    const none = await opinions('tpA1', [{ id: gid.sA1b, version: 1 }]);
    assert.equal(none.status, 400);
    assert.match(errorOf(none).message, /请为勾选的每名学生填写/);
  });

  test('the school approves in bulk: 总部已填写, filed under the batch; only forms the teaching point finished', async () => {
    const brA = cookie.brA;
    const r = await t.call<BulkResult>('POST', '/api/graduate-forms/approve', { cookie: brA, body: { items: [
      { id: gid.sA1, version: await version(gid.sA1), school_opinion: '经审核，同意毕业。' },
      { id: gid.sA1b, version: await version(gid.sA1b), school_opinion: '经审核，同意毕业。' },
      { id: gid.sA3, version: await version(gid.sA3), school_opinion: '经审核，同意毕业。' },
    ] } });
    assert.equal(r.json.changed, 2, JSON.stringify(r.json));
    assert.equal(r.json.refused[0].name, '钱七');
    assert.match(r.json.refused[0].message, /教学点尚未填写完.*（当前：学生未填写）/);
    assert.equal(r.json.refused[0].code, 'WRONG_STATE');
    const f = await form(gid.sA1);
    assert.equal(f!.state, '总部已填写');
    assert.equal(f!.batch_code, '202701');
    assert.equal(f!.school_by, w.users.brA);
    // Seed 000 四.4: 毕业批次“202701”, 登记表状态“总部已填写”.
    const filed = await list('tpA1', '&batch=202701&state=总部已填写');
    assert.deepEqual(filed.json.rows.map((x) => x.name).sort(), ['张三', '李四'].sort());
    assert.equal((await list('tpA1', '&batch=none')).json.total, 1);
    // An approved form takes no more opinions and cannot be returned.
    const late = await opinions('tpA1', [{ id: gid.sA1, version: await version(gid.sA1), tp_opinion: '补充意见。' }]);
    assert.match(late.json.refused[0].message, /总部已填写/);
    const back = await t.call<BulkResult>('POST', '/api/graduate-forms/return', { cookie: cookie.tpA1, body: { items: [{ id: gid.sA1, version: await version(gid.sA1) }], reason: '照片不清晰' } });
    assert.match(back.json.refused[0].message, /不能退回/);
    const view = await me('studentA1');
    assert.equal(view.json.opinions.school?.text, '经审核，同意毕业。');
    assert.equal(view.json.opinions.head_teacher?.by, 'teacherA1');
  });

  test('a teaching point cannot approve; another branch’s school cannot approve ours', async () => {
    const items = [{ id: gid.sA2, version: await version(gid.sA2), school_opinion: '同意。' }];
    assert.equal((await t.call('POST', '/api/graduate-forms/approve', { cookie: cookie.tpA1, body: { items } })).status, 403);
    const brB = await t.call<BulkResult>('POST', '/api/graduate-forms/approve', { cookie: cookie.brB, body: { items } });
    assert.match(brB.json.refused[0].message, /不存在，或不在您的管理范围内/);
    assert.equal((await form(gid.sA2))!.state, '函授站已填写');
  });

  test('returned with a reason: the student sees it, edits, resubmits; the teaching point writes again', async () => {
    const noReason = await t.call('POST', '/api/graduate-forms/return', { cookie: cookie.tpA1, body: { items: [{ id: gid.sA2, version: await version(gid.sA2) }], reason: '' } });
    assert.equal(noReason.status, 400);
    assert.match(errorOf(noReason).message, /请填写退回原因/);
    const r = await t.call<BulkResult>('POST', '/api/graduate-forms/return', { cookie: cookie.tpA1, body: { items: [{ id: gid.sA2, version: await version(gid.sA2) }], reason: '自我鉴定内容过于简单，请补充学习收获。' } });
    assert.equal(r.json.changed, 1, JSON.stringify(r.json));
    const f = await form(gid.sA2);
    assert.equal(f!.state, '学生未填写');
    assert.equal(f!.tp_opinion, null, 'the opinions were about the form as it was');
    const view = await me('studentA2');
    assert.equal(view.json.return_reason, '自我鉴定内容过于简单，请补充学习收获。');
    assert.equal(view.json.can_edit, true);
    // Opinions wait for the resubmission.
    const wait = await opinions('tpA1', [{ id: gid.sA2, version: f!.version, tp_opinion: '同意毕业。' }]);
    assert.match(wait.json.refused[0].message, /已退回学生修改/);

    // The student's own window has closed meanwhile; the 填写意见 window in which it was returned is open.
    await t.db.updateTable('batch_window').set({ starts_on: addDays(today(), -20), ends_on: addDays(today(), -1) })
      .where('batch_code', '=', '202701').where('step', '=', 'student_forms').execute();
    try {
      const again = await submit('studentA2', { version: view.json.version, ...texts({ self_assessment: `${ESSAY}补充：学会了运用所学知识处理实际工作。` }) });
      assert.equal(again.status, 200, JSON.stringify(again.json));
      assert.equal(again.json.state, '函授站未填写');
      assert.equal(again.json.return_reason, null);
      // A form never returned gets no such grace (王五 agreed for this check only).
      await t.db.updateTable('graduate').set({ confirm_status: '同意毕业' }).where('id', '=', gid.sA1x).execute();
      const first = await submit('studentA1x', { version: 0, ...texts() });
      assert.equal(first.status, 409);
      assert.match(errorOf(first).message, /“完善入学登记表、填写毕业生登记表”的办理时间为 .*当前不在办理时间内/);
      assert.equal(await form(gid.sA1x), undefined, 'nothing saved');
    } finally {
      await t.db.updateTable('graduate').set({ confirm_status: '待确认' }).where('id', '=', gid.sA1x).execute();
      await t.db.updateTable('batch_window').set({ starts_on: addDays(today(), -1), ends_on: addDays(today(), 30) })
        .where('batch_code', '=', '202701').where('step', '=', 'student_forms').execute();
    }
    const log = await audit(gid.sA2);
    assert.deepEqual(log.map((l) => l.action), ['提交毕业生登记表', '填写毕业生登记表意见', '退回毕业生登记表', '提交毕业生登记表']);
    assert.equal(log[2].after?.return_reason, '自我鉴定内容过于简单，请补充学习收获。');
    assert.equal(log[2].before?.tp_opinion, '同意毕业。');
  });

  test('outside the 填写意见 window every office action is refused naming the window; an extension reopens it', async () => {
    const ends = addDays(today(), 30);
    setToday(addDays(ends, 1));
    try {
      const items = [{ id: gid.sA2, version: await version(gid.sA2), head_teacher_opinion: '同意毕业。', tp_opinion: '同意毕业。' }];
      const r = await opinions('tpA1', items);
      assert.equal(r.json.changed, 0);
      assert.match(r.json.refused[0].message, new RegExp(`“填写毕业生登记表意见”的办理时间为 .* 至 ${ends}，当前不在办理时间内`));
      assert.equal(r.json.refused[0].code, 'WINDOW_CLOSED');
      const ext = await t.call('POST', '/api/batches/202701/extensions', { cookie: cookie.hq, body: { step: 'opinions', node_id: w.nodes.tpA1.id, ends_on: addDays(ends, 5), reason: '教学点延期填写意见' } });
      assert.equal(ext.status, 200);
      const again = await opinions('tpA1', items);
      assert.equal(again.json.changed, 1, JSON.stringify(again.json));
      assert.equal((await form(gid.sA2))!.state, '函授站已填写');
    } finally {
      setToday(undefined);
    }
  });

  test('every move of a form is in the audit log, with who, before and after', async () => {
    const log = await audit(gid.sA1);
    assert.deepEqual(log.map((l) => l.action), [
      '保存毕业生登记表', '保存毕业生登记表', '保存毕业生登记表', '提交毕业生登记表', '填写毕业生登记表意见', '填写毕业生登记表意见', '填写毕业生登记表意见', '填写学校意见',
    ]);
    assert.match(log[4].actor_name, /teacherA1/);
    assert.equal(log[5].after?.state, '函授站已填写');
    assert.equal(log[7].before?.batch_code, null);
    assert.equal(log[7].after?.batch_code, '202701');
  });
});

describe('毕业生登记表管理: 常用意见', () => {
  test('a teaching point keeps phrases; its head teachers use them; other teaching points neither see nor delete them', async () => {
    const add = await t.call<Phrase>('POST', '/api/graduate-forms/phrases', { cookie: cookie.tpA1, body: { kind: '函授站意见', text: '该生符合毕业条件，同意毕业。', sort: 1 } });
    assert.equal(add.status, 200, JSON.stringify(add.json));
    await t.call('POST', '/api/graduate-forms/phrases', { cookie: cookie.tpA1, body: { kind: '班主任意见', text: '该生学习认真，表现良好。' } });
    await t.call('POST', '/api/graduate-forms/phrases', { cookie: cookie.brA, body: { kind: '学校意见', text: '经审核，同意毕业。' } });
    const teacher = await t.call<Phrases>('GET', '/api/graduate-forms/phrases', { cookie: cookie.teacherA1 });
    assert.deepEqual(teacher.json.rows.map((p) => [p.kind, p.text, p.mine]).sort(), [
      ['函授站意见', '该生符合毕业条件，同意毕业。', false], ['学校意见', '经审核，同意毕业。', false], ['班主任意见', '该生学习认真，表现良好。', false],
    ].sort());
    const tpA2 = await t.call<Phrases>('GET', '/api/graduate-forms/phrases', { cookie: cookie.tpA2 });
    assert.deepEqual(tpA2.json.rows.map((p) => p.text), ['经审核，同意毕业。']);
    assert.equal((await t.call('DELETE', `/api/graduate-forms/phrases/${add.json.id}`, { cookie: cookie.tpA2 })).status, 404);
    assert.equal((await t.call('POST', '/api/graduate-forms/phrases', { cookie: cookie.teacherA1, body: { kind: '班主任意见', text: '同意。' } })).status, 403);
    const bad = await t.call('POST', '/api/graduate-forms/phrases', { cookie: cookie.tpA1, body: { kind: '其他意见', text: '同意。' } });
    assert.equal(bad.status, 400);
    const del = await t.call('DELETE', `/api/graduate-forms/phrases/${add.json.id}`, { cookie: cookie.tpA1 });
    assert.equal(del.status, 200);
    assert.equal((await t.call<Phrases>('GET', '/api/graduate-forms/phrases', { cookie: cookie.tpA1 })).json.rows.length, 2);
  });
});
