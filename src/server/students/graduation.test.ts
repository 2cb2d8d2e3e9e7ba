/**
 * 毕业 (issue 12): publishing an audit round graduates its passed graduates — 学籍状态 毕业, 毕业日期 = the batch's
 * 发证日期, 毕结业结论 毕业 — in the publication's own transaction; headquarters revokes a graduation with a
 * reason, logged; and the manual's queries (seed 000 steps 五 and 六) find the graduates.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { errorOf, startTestApp, type TestApp } from '../testing/harness.ts';
import { buildWorld, type World } from '../testing/factories.ts';
import { addDays, today } from '../platform/clock.ts';
import { runRound } from '../audit/service.ts';
import { auditApi } from '../../shared/contract/audit.ts';
import { recordsApi } from '../../shared/contract/records.ts';
import { studentsApi } from '../../shared/contract/students.ts';

let t: TestApp;
let w: World;
let hq: string, brA: string, tpA1: string, tpB1: string;
let round: number;
const ISSUE = '2027-01-20'; // buildBatch's 发证日期 of 202701

const studentRow = (id: number) => t.db.selectFrom('student')
  .select(['status', 'graduation_batch', 'graduation_round_id', 'graduation_date', 'graduation_conclusion']).where('id', '=', id).executeTakeFirstOrThrow();
const graduatesOf = async (cookie: string, query: Record<string, string>) => {
  const r = await t.api(recordsApi.students, { cookie, query: { ...query, page_size: 500 } as never });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return r.json.rows.map((x) => x.name).sort();
};
const publish = () => t.api(auditApi.publishRound, { cookie: hq, params: { id: round } });
const unpublished = async () => (await t.db.selectFrom('audit_round').select('published_at').where('id', '=', round).executeTakeFirstOrThrow()).published_at === null;
const graduatedCount = async () => Number((await t.db.selectFrom('student').where('status', '=', '毕业').select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n);

before(async () => {
  t = await startTestApp();
  w = await buildWorld(t.db);
  [hq, brA, tpA1, tpB1] = await Promise.all(['hq', 'brA', 'tpA1', 'tpB1'].map((u) => t.login(u)));
  const { sA3, sA2 } = w.students;
  // Every eligible student agreed; 钱七 then loses a required course (fails the audit); 王五 was never eligible.
  await t.db.updateTable('graduate').set({ confirm_status: '同意毕业' }).where('batch_code', '=', w.batch).where('eligible', '=', true).execute();
  await t.db.deleteFrom('grade').where('student_id', '=', sA3).where('course_code', '=', 'C1').execute();
  for (const c of [brA, await t.login('brB')]) assert.equal((await t.api(auditApi.report, { cookie: c, body: { batch: w.batch } })).status, 200);
  const r = await t.api(auditApi.createRound, { cookie: hq, body: { batch: w.batch, name: '第一批', kind: '常规', starts_on: addDays(today(), -1), ends_on: addDays(today(), 20) } });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  round = r.json.id;
  await runRound(t.db, round);
  // 赵六 passes the audit but was cleared (退学) before publication: a 退学 student does not graduate.
  await t.db.updateTable('student').set({ status: '退学' }).where('id', '=', sA2).execute();
});
after(async () => t.close());

describe('毕业: publication graduates the passed graduates', () => {
  test('a failure while graduating rolls the publication back, and a failure after graduating rolls both back', async () => {
    // Inside graduation: the student update itself fails.
    await sql`create function grad_test_fail() returns trigger language plpgsql as $$ begin raise exception 'grad-test: refused'; end $$`.execute(t.db);
    await sql`create trigger grad_test_student before update on student for each row when (new.status = '毕业') execute function grad_test_fail()`.execute(t.db);
    try {
      const r = await publish();
      assert.equal(r.status, 500, JSON.stringify(r.json));
      assert.ok(await unpublished(), 'the round must not be published when graduation failed');
    } finally {
      await sql`drop trigger grad_test_student on student`.execute(t.db);
    }
    // After graduation: the operation log entry of the publication fails, once the students were updated.
    await sql`create trigger grad_test_log before insert on operation_log for each row when (new.action = '发布审核结果') execute function grad_test_fail()`.execute(t.db);
    try {
      const r = await publish();
      assert.equal(r.status, 500, JSON.stringify(r.json));
      assert.ok(await unpublished());
      assert.equal(await graduatedCount(), 0, 'graduation must be rolled back with the publication');
    } finally {
      await sql`drop trigger grad_test_log on operation_log`.execute(t.db);
      await sql`drop function grad_test_fail()`.execute(t.db);
    }
  });

  test('publishing: passed and 在籍 → 毕业 with the 发证日期; failed stay 在籍; 退学 untouched; one log entry with the count', async () => {
    const { sA1, sA1b, sA1x, sA2, sA3, sB1 } = w.students;
    const r = await publish();
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.passed, 4); // 张三 李四 赵六 孙八; 钱七 failed; 王五 never agreed
    for (const id of [sA1, sA1b, sB1]) {
      assert.deepEqual(await studentRow(id), { status: '毕业', graduation_batch: w.batch, graduation_round_id: round, graduation_date: ISSUE, graduation_conclusion: '毕业' });
    }
    const idle = { graduation_batch: null, graduation_round_id: null, graduation_date: null, graduation_conclusion: null };
    assert.deepEqual(await studentRow(sA3), { status: '在籍', ...idle }, '钱七 failed the audit');
    assert.deepEqual(await studentRow(sA1x), { status: '在籍', ...idle }, '王五 was not audited');
    assert.deepEqual(await studentRow(sA2), { status: '退学', ...idle }, '赵六 is 退学: not graduated');
    const log = await t.db.selectFrom('operation_log').select(['after']).where('action', '=', '发布审核结果').where('object_id', '=', String(round)).execute();
    assert.equal(log.length, 1);
    assert.equal(log[0].after?.graduated, 3);
    assert.equal(log[0].after?.not_graduated_not_enrolled, 1);
    // A published round cannot be published again, so nobody graduates twice.
    assert.equal((await publish()).status, 409);
  });

  test('step 五 (学籍批次 2021, 学籍状态 毕业) and step 六 (毕业批次, 函授站, 学籍状态 毕业) find exactly the graduates', async () => {
    assert.deepEqual(await graduatesOf(tpA1, { cohort: '2021', status: '毕业' }), ['张三', '李四'].sort());
    assert.deepEqual(await graduatesOf(tpB1, { cohort: '2021', status: '毕业' }), ['孙八']);
    assert.deepEqual(await graduatesOf(hq, { cohort: '2021', status: '毕业' }), ['张三', '李四', '孙八'].sort());
    assert.deepEqual(await graduatesOf(hq, { batch: w.batch, tp_code: 'TA1', status: '毕业' }), ['张三', '李四'].sort());
    assert.deepEqual(await graduatesOf(brA, { batch: w.batch, status: '毕业' }), ['张三', '李四'].sort());
    // 毕业批次 with 毕业 is the batch graduated in: a batch they were only candidates of finds nobody.
    await t.db.insertInto('batch').values({ code: '202607', name: '202607批次', issue_date: '2026-07-20' }).execute();
    const sA1 = await t.db.selectFrom('student').select(['student_no', 'tp_id', 'node_path']).where('id', '=', w.students.sA1).executeTakeFirstOrThrow();
    await t.db.insertInto('graduate').values({ batch_code: '202607', student_id: w.students.sA1, ...sA1 }).execute();
    assert.deepEqual(await graduatesOf(hq, { batch: '202607', status: '毕业' }), []);
    assert.deepEqual(await graduatesOf(hq, { batch: '202607' }), ['张三'], 'without 毕业, 毕业批次 is the batch of the candidates');
    // The 学籍卡 shows 毕业批次, 毕业日期 and 毕结业结论.
    const card = await t.api(recordsApi.card, { cookie: tpA1, params: { id: w.students.sA1 } });
    assert.equal(card.status, 200);
    assert.deepEqual(
      [card.json.student.status, card.json.student.graduation_batch, card.json.student.graduation_date, card.json.student.graduation_conclusion],
      ['毕业', w.batch, ISSUE, '毕业'],
    );
  });
});

describe('撤销毕业', () => {
  test('headquarters only, with a reason of at most 200 characters; a student not 毕业 is told so; outside anyone\'s reach 404', async () => {
    const { sA1, sA3 } = w.students;
    const revoke = (cookie: string, id: number, reason: unknown) => t.call('POST', `/api/students/${id}/revoke-graduation`, { cookie, body: { reason } });
    for (const c of [brA, tpA1]) {
      const r = await revoke(c, sA1, '分部无权撤销');
      assert.equal(r.status, 403);
      assert.match(errorOf(r).message, /无权/);
    }
    const blank = await revoke(hq, sA1, '   ');
    assert.equal(blank.status, 400);
    assert.match(errorOf(blank).message, /撤销毕业的原因/);
    const long = await revoke(hq, sA1, '因'.repeat(201));
    assert.equal(long.status, 400);
    assert.match(errorOf(long).message, /200 字/);
    const notGraduated = await revoke(hq, sA3, '核查发现成绩有误');
    assert.equal(notGraduated.status, 409);
    assert.match(errorOf(notGraduated).message, /钱七.*“在籍”.*不是“毕业”/);
    assert.equal((await revoke(hq, 999_999, '不存在的学生')).status, 404);
    assert.equal((await studentRow(sA1)).status, '毕业', 'nothing changed');
  });

  test('revoked: back to 在籍 with the graduation cleared, kept with its reason, logged before/after; the queries no longer find the student', async () => {
    const { sA1 } = w.students;
    const r = await t.api(studentsApi.revokeGraduation, { cookie: hq, params: { id: sA1 }, body: { reason: '  经核查，该生一门必修课成绩登记错误  ' } });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.deepEqual(r.json, { id: sA1, status: '在籍', graduation_batch: null, graduation_date: null, graduation_conclusion: null });
    assert.deepEqual(await studentRow(sA1), { status: '在籍', graduation_batch: null, graduation_round_id: null, graduation_date: null, graduation_conclusion: null });
    const kept = await t.db.selectFrom('student_graduation_revocation').select(['batch_code', 'round_id', 'graduation_date', 'reason', 'revoked_by'])
      .where('student_id', '=', sA1).execute();
    assert.deepEqual(kept, [{ batch_code: w.batch, round_id: round, graduation_date: ISSUE, reason: '经核查，该生一门必修课成绩登记错误', revoked_by: w.users.hq }]);
    const log = await t.db.selectFrom('operation_log').select(['before', 'after', 'actor_id']).where('action', '=', '撤销毕业').where('object_id', '=', String(sA1)).execute();
    assert.equal(log.length, 1);
    assert.equal(log[0].actor_id, w.users.hq);
    assert.deepEqual(log[0].before, { status: '毕业', graduation_batch: w.batch, graduation_round_id: round, graduation_date: ISSUE, graduation_conclusion: '毕业' });
    assert.deepEqual(log[0].after, { status: '在籍', graduation_batch: null, graduation_round_id: null, graduation_date: null, graduation_conclusion: null, reason: '经核查，该生一门必修课成绩登记错误' });
    assert.deepEqual(await graduatesOf(tpA1, { cohort: '2021', status: '毕业' }), ['李四']);
    assert.deepEqual(await graduatesOf(tpA1, { batch: w.batch, status: '毕业' }), ['李四']);
    // Twice: the second is told the student is no longer 毕业.
    const again = await t.api(studentsApi.revokeGraduation, { cookie: hq, params: { id: sA1 }, body: { reason: '重复撤销' } });
    assert.equal(again.status, 409);
  });

  test('a 毕业 that no publication made (no 毕业批次, e.g. imported) is refused with what to do', async () => {
    const { sA1x } = w.students;
    await t.db.updateTable('student').set({ status: '毕业' }).where('id', '=', sA1x).execute();
    const r = await t.api(studentsApi.revokeGraduation, { cookie: hq, params: { id: sA1x }, body: { reason: '导入数据有误' } });
    assert.equal(r.status, 409);
    assert.match(errorOf(r).message, /没有毕业批次/);
    assert.equal((await studentRow(sA1x)).status, '毕业');
  });
});
