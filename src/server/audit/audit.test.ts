/**
 * 毕业审核 rounds as seed 003 runs them: branches report, headquarters audits in report order, results
 * per round with every failed rule, publication, a later round for those who failed, cancellation,
 * the closing date, 加急, exports, and who sees what.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { sql } from 'kysely';
import { errorOf, finishedTask, startTestApp, type TestApp } from '../testing/harness.ts';
import { buildStudent, buildWorld, type World } from '../testing/factories.ts';
import { addDays, setToday, today } from '../platform/clock.ts';
import { recomputeEligibility } from '../eligibility/queries.ts';
import { runRound } from './service.ts';
import { auditApi } from '../../shared/contract/audit.ts';

let t: TestApp;
let w: World;
let hq: string, brA: string, brB: string, tpA1: string, tpB1: string;
const B = '202701';

before(async () => {
  t = await startTestApp();
  w = await buildWorld(t.db);
  [hq, brA, brB, tpA1, tpB1] = await Promise.all(['hq', 'brA', 'brB', 'tpA1', 'tpB1'].map((u) => t.login(u)));
  // Everyone agreed to graduate except 王五 (ineligible) who stays 待确认.
  await t.db.updateTable('graduate').set({ confirm_status: '同意毕业' }).where('batch_code', '=', B).where('eligible', '=', true).execute();
});
after(async () => {
  setToday(undefined);
  await t.close();
});

async function newRound(name: string, o: { kind?: '常规' | '加急'; from?: string; to?: string } = {}) {
  const r = await t.api(auditApi.createRound, { cookie: hq, body: {
    batch: B, name, kind: o.kind ?? '常规', starts_on: o.from ?? addDays(today(), -1), ends_on: o.to ?? addDays(today(), 20),
  } });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return r.json.id;
}

async function run(round: number) {
  const r = await t.api(auditApi.runRound, { cookie: hq, params: { id: round } });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  const task = await finishedTask(t, hq, r.json.task_id);
  assert.equal(task.state, 'done', task.error ?? undefined);
  return task;
}

const results = async (cookie: string, round: number) => t.api(auditApi.results, { cookie, params: { id: round }, query: { page_size: 500 } });

describe('毕业审核: rounds', () => {
  beforeEach(async () => {
    await sql`delete from audit_result`.execute(t.db);
    await sql`update graduate set audit_status = '未审核', audit_round_id = null, audited_at = null, submission_id = null, urgent = false`.execute(t.db);
    // Publishing graduated the passed (students/service.ts graduateRound): undo it before the rounds go.
    await sql`update student set status = '在籍', graduation_batch = null, graduation_round_id = null, graduation_date = null, graduation_conclusion = null where graduation_round_id is not null`.execute(t.db);
    await sql`delete from audit_round`.execute(t.db);
    await sql`delete from submission`.execute(t.db);
    // Each test starts from the world's grades: every student but 王五 passed all four courses.
    const { sA1, sA1b, sA2, sA3, sB1 } = w.students;
    await sql`delete from grade where term <> '2022春'`.execute(t.db);
    await t.db.insertInto('grade').values([sA1, sA1b, sA2, sA3, sB1].flatMap((id) => ['C1', 'C2', 'C3', 'SJ'].map((c) => ({
      student_id: id, course_code: c, score: 80, passed: true, term: '2022春', source: c === 'SJ' ? '综合实践环节' as const : '期末考试' as const,
    })))).onConflict((oc) => oc.doNothing()).execute();
  });

  test('only reported graduates are audited, first reported first; results carry every failed rule', async () => {
    // Branch B reports before branch A: its graduates come first.
    const rb = await t.api(auditApi.report, { cookie: brB, body: { batch: B } });
    assert.equal(rb.json.graduates, 1);
    const ra = await t.api(auditApi.report, { cookie: brA, body: { batch: B } });
    assert.equal(ra.json.graduates, 4); // 张三 李四 赵六 钱七; 王五 is not 同意毕业
    // A second report has nobody left to carry.
    assert.equal((await t.api(auditApi.report, { cookie: brA, body: { batch: B } })).json.graduates, 0);
    // 钱七 loses a grade after agreeing: the audit, not the old list, decides.
    await t.db.deleteFrom('grade').where('student_id', '=', w.students.sA3).where('course_code', '=', 'C1').execute();
    const round = await newRound('第一批');
    await run(round);
    const r = await results(hq, round);
    assert.equal(r.status, 200);
    assert.equal(r.json.total, 5);
    assert.equal(r.json.rows[0].name, '孙八'); // branch B reported first
    assert.deepEqual(r.json.rows.map((x) => x.seq), [1, 2, 3, 4, 5]);
    const qian = r.json.rows.find((x) => x.name === '钱七')!;
    assert.equal(qian.passed, false);
    assert.ok(qian.failures.includes('缺必修课：必修课甲'));
    const g = await t.db.selectFrom('graduate').select(['audit_status', 'audit_round_id']).where('student_id', '=', w.students.sA1).where('batch_code', '=', B).executeTakeFirstOrThrow();
    assert.deepEqual(g, { audit_status: '通过', audit_round_id: round });
  });

  test('re-running a round changes nothing; a failed graduate passes in a later round once the grade arrives', async () => {
    await t.call('POST', '/api/audit/report', { cookie: brA, body: { batch: B } });
    await t.db.deleteFrom('grade').where('student_id', '=', w.students.sA3).where('course_code', '=', 'SJ').execute();
    const first = await newRound('第一批');
    await run(first);
    const before = await t.db.selectFrom('audit_result').selectAll().where('round_id', '=', first).orderBy('seq').execute();
    await run(first);
    const again = await t.db.selectFrom('audit_result').selectAll().where('round_id', '=', first).orderBy('seq').execute();
    assert.deepEqual(again, before);
    assert.ok(before.find((x) => x.passed === false)?.failures.includes('综合实践环节（毕业作业）未通过'));

    await t.call('POST', `/api/audit/rounds/${first}/publish`, { cookie: hq });
    await t.db.insertInto('grade').values({ student_id: w.students.sA3, course_code: 'SJ', score: 75, passed: true, term: '2026秋', source: '综合实践环节' }).execute();
    const second = await newRound('第二批');
    await run(second);
    const r2 = await t.db.selectFrom('audit_result').select(['graduate_id', 'passed']).where('round_id', '=', second).execute();
    assert.equal(r2.length, 1, 'only the one who failed is audited again');
    assert.equal(r2[0].passed, true);
    // The first round still says what it said.
    assert.equal((await t.db.selectFrom('audit_result').select('passed').where('round_id', '=', first).where('graduate_id', '=', r2[0].graduate_id).executeTakeFirstOrThrow()).passed, false);
  });

  test('results are hidden from branches and teaching points until published, then scoped', async () => {
    await t.call('POST', '/api/audit/report', { cookie: brA, body: { batch: B } });
    await t.call('POST', '/api/audit/report', { cookie: brB, body: { batch: B } });
    const round = await newRound('第一批');
    await run(round);
    assert.equal((await results(brA, round)).status, 404);
    assert.equal((await t.api(auditApi.rounds, { cookie: tpA1, query: { batch: B } })).json.rounds.length, 0);
    assert.equal((await t.call('POST', `/api/audit/rounds/${round}/publish`, { cookie: hq })).status, 200);
    const a = await results(brA, round);
    assert.deepEqual(a.json.rows.map((x) => x.name).sort(), ['张三', '李四', '赵六', '钱七'].sort());
    const tp = await results(tpA1, round);
    assert.deepEqual(tp.json.rows.map((x) => x.name).sort(), ['张三', '李四', '赵六'].sort());
    const b = await results(tpB1, round);
    assert.deepEqual(b.json.rows.map((x) => x.name), ['孙八']);
    // Summaries count only the caller's subtree.
    const s = await t.api(auditApi.summary, { cookie: brA, params: { id: round }, query: { by: 'tp' } });
    assert.deepEqual(s.json.groups.map((g) => [g.code, g.total]), [['TA1', 3], ['TA2', 1]]);
    // A published round cannot be run again.
    const rerun = await t.call('POST', `/api/audit/rounds/${round}/run`, { cookie: hq });
    assert.equal(rerun.status, 409);
    assert.match(errorOf(rerun).message, /已发布/);
  });

  test('a cancelled round, a round outside its dates and a closed batch are refused with the dates named', async () => {
    await t.call('POST', '/api/audit/report', { cookie: brA, body: { batch: B } });
    const winter = await newRound('寒假批');
    const c = await t.api(auditApi.cancelRound, { cookie: hq, params: { id: winter }, body: { reason: '寒假期间取消审核批次' } });
    assert.equal(c.json.status, '已取消');
    const r = await t.call('POST', `/api/audit/rounds/${winter}/run`, { cookie: hq });
    assert.equal(r.status, 409);
    assert.match(errorOf(r).message, /已取消/);

    const later = await newRound('第二批', { from: addDays(today(), 5), to: addDays(today(), 30) });
    const early = await t.call('POST', `/api/audit/rounds/${later}/run`, { cookie: hq });
    assert.equal(early.status, 409);
    assert.match(errorOf(early).message, new RegExp(`${addDays(today(), 5)} 至 ${addDays(today(), 30)}`));

    const open = await newRound('第一批');
    setToday('2027-04-17'); // the day after the batch's closing date
    try {
      await t.db.updateTable('audit_round').set({ ends_on: '2027-05-01' }).where('id', '=', open).execute();
      const closed = await t.call('POST', `/api/audit/rounds/${open}/run`, { cookie: hq });
      assert.equal(closed.status, 409);
      assert.match(errorOf(closed).message, /已于 2027-04-16 截止/);
      const report = await t.call('POST', '/api/audit/report', { cookie: brB, body: { batch: B } });
      assert.equal(report.status, 409);
    } finally {
      setToday(undefined);
    }
  });

  test('加急: only 专科 graduates are marked, the early round audits only them, and the deadline is enforced', async () => {
    const gA1 = await w.graduateOf(w.students.sA1);
    const gA2 = await w.graduateOf(w.students.sA2);
    const mark = await t.api(auditApi.urgent, { cookie: tpA1, body: { batch: B, graduate_ids: [gA1.id, (await w.graduateOf(w.students.sB1)).id], urgent: true } });
    const marked = mark.json;
    assert.equal(marked.changed, 1);
    assert.equal(marked.refused[0].message, '记录不存在，或不在您的管理范围内');
    const rep = await t.api(auditApi.report, { cookie: brA, body: { batch: B, urgent: true } });
    assert.equal(rep.json.graduates, 1);
    await t.call('POST', '/api/audit/report', { cookie: brA, body: { batch: B } });
    const urgent = await newRound('加急批', { kind: '加急' });
    await run(urgent);
    const r = await t.db.selectFrom('audit_result').select('graduate_id').where('round_id', '=', urgent).execute();
    assert.deepEqual(r.map((x) => x.graduate_id), [gA1.id]);

    const dl = await t.api(auditApi.urgentDeadline, { cookie: hq, params: { code: B }, body: { urgent_deadline: null, spring_enrollment_deadline: '2027-03-15' } });
    assert.equal(dl.json.urgent_deadline, '2027-03-08'); // the Monday of the week before (2027-03-15 is a Monday)
    setToday('2027-03-09');
    try {
      const late = await t.call('POST', '/api/audit/urgent', { cookie: tpA1, body: { batch: B, graduate_ids: [gA2.id], urgent: true } });
      assert.equal(late.status, 409);
      assert.match(errorOf(late).message, /截止日期为 2027-03-08/);
    } finally {
      setToday(undefined);
      await t.db.updateTable('batch').set({ urgent_deadline: null }).where('code', '=', B).execute();
    }

    const x = await t.call('GET', `/api/audit/urgent.xlsx?batch=${B}`, { cookie: brA });
    assert.equal(x.status, 200);
    const wb = new ExcelJS.Workbook();
    const res = await t.running.app.inject({ method: 'GET', url: `/api/audit/urgent.xlsx?batch=${B}`, headers: { cookie: brA } });
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = wb.getWorksheet('加急审核数据')!;
    assert.equal(sheet.rowCount, 2);
    assert.equal(sheet.getRow(2).getCell(2).value, '张三');
  });

  test('results export to Excel with the filters, and not for a round the caller cannot see', async () => {
    await t.call('POST', '/api/audit/report', { cookie: brA, body: { batch: B } });
    await t.db.deleteFrom('grade').where('student_id', '=', w.students.sA2).where('course_code', '=', 'C1').execute();
    const round = await newRound('第一批');
    await run(round);
    assert.equal((await t.call('GET', `/api/audit/rounds/${round}/results.xlsx`, { cookie: brA })).status, 404);
    await t.call('POST', `/api/audit/rounds/${round}/publish`, { cookie: hq });
    const res = await t.running.app.inject({ method: 'GET', url: `/api/audit/rounds/${round}/results.xlsx?passed=false`, headers: { cookie: tpA1 } });
    assert.equal(res.statusCode, 200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = wb.worksheets[0];
    assert.equal(sheet.rowCount, 2);
    assert.equal(sheet.getRow(2).getCell(3).value, '赵六');
    assert.match(String(sheet.getRow(2).getCell(12).value), /缺必修课：必修课甲/);
    const byRule = await t.api(auditApi.summary, { cookie: hq, params: { id: round }, query: { by: 'rule' } });
    assert.ok(byRule.status === 200, JSON.stringify(byRule.json));
    assert.ok(byRule.json.groups.some((g) => g.name === '必修课程' && g.failed === 1));
  });
});

describe('毕业审核: a round does not depend on row order or chunking', () => {
  test('same results for shuffled data and any chunk size', async () => {
    // Twenty graduates with random grades, written in a random order, audited in chunks of 1…25.
    const courses = ['C1', 'C2', 'C3', 'SJ'];
    await fc.assert(fc.asyncProperty(
      fc.array(fc.subarray(courses), { minLength: 20, maxLength: 20 }),
      fc.integer({ min: 1, max: 25 }),
      fc.integer({ min: 0, max: 1000 }),
      async (grades, chunk, salt) => {
        await sql`delete from audit_result`.execute(t.db);
        await sql`update graduate set audit_status = '未审核', audit_round_id = null, submission_id = null`.execute(t.db);
        await sql`update student set status = '在籍', graduation_batch = null, graduation_round_id = null, graduation_date = null, graduation_conclusion = null where graduation_round_id is not null`.execute(t.db);
        await sql`delete from audit_round`.execute(t.db);
        const order = grades.map((g, i) => ({ g, i })).sort((a, b) => ((a.i * 7919 + salt) % 101) - ((b.i * 7919 + salt) % 101));
        const ids: number[] = [];
        for (const { g } of order) ids.push(await buildStudent(t.db, { nodeId: w.nodes.classA3.id, programmeId: w.programmeId, passed: g }));
        await recomputeEligibility(t.db, B, ids);
        const sub = await t.db.insertInto('submission').values({ batch_code: B, node_id: w.nodes.brA.id, node_path: w.nodes.brA.path, kind: '毕业审核数据' }).returning('id').executeTakeFirstOrThrow();
        await t.db.updateTable('graduate').set({ confirm_status: '同意毕业', submission_id: sub.id }).where('student_id', 'in', ids).execute();
        const round = (await t.db.insertInto('audit_round').values({ batch_code: B, name: `性质${salt}`, starts_on: addDays(today(), -1), ends_on: addDays(today(), 1) }).returning('id').executeTakeFirstOrThrow()).id;
        const snapshot = async () => (await sql<{ student_no: string; seq: number; passed: boolean; failures: string[] }>`
          select g.student_no, r.seq, r.passed, r.failures from audit_result r join graduate g on g.id = r.graduate_id
          where r.round_id = ${round} and g.student_id = any(${ids}::int[]) order by g.student_no`.execute(t.db)).rows;
        await runRound(t.db, round, { chunk: 1000 });
        const whole = await snapshot();
        await sql`delete from audit_result where round_id = ${round}`.execute(t.db);
        await sql`update graduate set audit_status = '未审核', audit_round_id = null where student_id = any(${ids}::int[])`.execute(t.db);
        await runRound(t.db, round, { chunk });
        const chunked = await snapshot();
        await sql`delete from audit_result`.execute(t.db);
        await sql`update graduate set confirm_status = '待确认', submission_id = null, audit_status = '未审核', audit_round_id = null where student_id = any(${ids}::int[])`.execute(t.db);
        assert.equal(whole.length, 20, JSON.stringify(whole));
        assert.deepEqual(chunked, whole);
        // Each verdict is what the courses say: 通过 ⇔ C1 and SJ passed and 25 credits (three courses).
        const byNo = new Map(whole.map((r) => [r.student_no, r.passed]));
        const students = await t.db.selectFrom('student').select(['id', 'student_no']).where('id', 'in', ids).execute();
        for (const s of students) {
          const g = order[ids.indexOf(s.id)].g;
          assert.equal(byNo.get(s.student_no), g.includes('C1') && g.includes('SJ') && g.length >= 3, `${s.student_no}: ${g.join(',')}`);
        }
      },
    ), { numRuns: 8 });
  });
});
