/**
 * Every graduation rule and its edge, on the one rule engine (rules.ts), as 预毕业确认, readiness and
 * every audit round use it. The world's programme: C1 必修课甲 (10, 专业核心课, required), C2 选修课乙
 * and C3 选修课丙 (10 each, 专业拓展课), SJ 毕业作业 (5, 综合实践环节, the practice course); minimum 25.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { startTestApp, type TestApp } from '../testing/harness.ts';
import { buildProgramme, buildStudent, buildWorld, type World } from '../testing/factories.ts';
import { addDays } from '../platform/clock.ts';
import { ruleCtes } from './rules.ts';

let t: TestApp;
let w: World;
const ISSUE = '2027-01-20';

before(async () => {
  t = await startTestApp();
  w = await buildWorld(t.db);
});
after(async () => t.close());

async function verdict(studentId: number, o: { issue?: string; deadline?: string | null; programmeId?: number } = {}) {
  const cand = sql`select s.id as student_id, ${o.programmeId ?? null}::int as override, s.programme_id as own,
    ${o.issue ?? ISSUE}::date as issue_date, ${o.deadline ?? null}::date as exemption_deadline from student s where s.id = ${studentId}`;
  const wrapped = sql`select student_id, coalesce(override, own) as programme_id, issue_date, exemption_deadline from (${cand}) c`;
  const r = await sql<{ ok: boolean; failures: string[]; failed_rules: string[]; earned: number }>`
    with ${ruleCtes(wrapped)} select ok, failures, failed_rules, earned from verdict`.execute(t.db);
  return r.rows[0];
}

const student = (passed: string[], o: { entry?: string } = {}) =>
  buildStudent(t.db, { nodeId: w.nodes.classA1.id, programmeId: w.programmeId, passed, entry: o.entry });

describe('毕业条件: credits', () => {
  test('exactly the minimum total passes; one credit short fails, naming earned and required', async () => {
    const s = await student(['C1', 'C2', 'SJ']); // 25
    assert.deepEqual(await verdict(s), { ok: true, failures: [], failed_rules: [], earned: 25 });
    const p26 = await buildProgramme(t.db, { cohort: '2099', minCredits: 26 });
    const v = await verdict(s, { programmeId: p26 });
    assert.equal(v.ok, false);
    assert.deepEqual(v.failures, ['总学分不足：已获 25 / 需 26 学分']);
    assert.deepEqual(v.failed_rules, ['total']);
  });

  test('a course passed twice (or failed then passed) counts once', async () => {
    const s = await student(['C1', 'SJ']);
    await t.db.insertInto('grade').values([
      { student_id: s, course_code: 'C1', score: 90, passed: true, term: '2023春', source: '期末考试' },
      { student_id: s, course_code: 'C2', score: 40, passed: false, term: '2022秋', source: '期末考试' },
      { student_id: s, course_code: 'C2', score: 70, passed: true, term: '2023秋', source: '期末考试' },
    ]).execute();
    assert.equal((await verdict(s)).earned, 25);
  });

  test('credits by category: short in one category fails with the category named', async () => {
    const p = await buildProgramme(t.db, { cohort: '2098', minCredits: 25 });
    await t.db.insertInto('programme_category').values({ programme_id: p, category: '专业拓展课', min_credits: 20 }).execute();
    const short = await student(['C1', 'C2', 'SJ']);
    const v = await verdict(short, { programmeId: p });
    assert.deepEqual(v.failures, ['专业拓展课学分不足：已获 10 / 需 20 学分']);
    assert.deepEqual(v.failed_rules, ['category']);
    const enough = await student(['C1', 'C2', 'C3', 'SJ']);
    assert.equal((await verdict(enough, { programmeId: p })).ok, true);
  });
});

describe('毕业条件: courses', () => {
  test('a missing required course is named; the practice course is its own rule', async () => {
    const s = await student(['C2', 'C3']);
    const v = await verdict(s);
    assert.deepEqual(v.failures, ['总学分不足：已获 20 / 需 25 学分', '缺必修课：必修课甲', '综合实践环节（毕业作业）未通过']);
    assert.deepEqual(v.failed_rules, ['total', 'course', 'practice']);
  });

  test('a failed grade does not pass a course', async () => {
    const s = await student(['C2', 'C3', 'SJ']);
    await t.db.insertInto('grade').values({ student_id: s, course_code: 'C1', score: 59, passed: false, term: '2023春', source: '期末考试' }).execute();
    assert.deepEqual((await verdict(s)).failed_rules, ['course']);
  });
});

describe('毕业条件: 免修免考 and the exemption deadline', () => {
  const DEADLINE = '2026-12-10';
  const exempt = (studentId: number, applied: string, status: '已批准' | '待总部审核' = '已批准') =>
    t.db.insertInto('exemption').values({ student_id: studentId, course_code: 'C1', node_path: w.nodes.classA1.path, applied_on: applied, grounds: '已获同类课程学分', status }).execute();

  test('an approved exemption applied on the deadline day counts for the batch', async () => {
    const s = await student(['C2', 'SJ']);
    await exempt(s, DEADLINE);
    const v = await verdict(s, { deadline: DEADLINE });
    assert.equal(v.ok, true);
    assert.equal(v.earned, 25);
  });

  test('one applied the day after counts only from the next batch', async () => {
    const s = await student(['C2', 'SJ']);
    await exempt(s, addDays(DEADLINE, 1));
    assert.deepEqual((await verdict(s, { deadline: DEADLINE })).failed_rules, ['total', 'course']);
    // The next batch has a later deadline: there it counts.
    assert.equal((await verdict(s, { deadline: '2027-06-10', issue: '2027-07-20' })).ok, true);
  });

  test('an exemption not yet approved by headquarters does not count', async () => {
    const s = await student(['C2', 'SJ']);
    await exempt(s, '2026-11-01', '待总部审核');
    assert.equal((await verdict(s, { deadline: DEADLINE })).ok, false);
  });
});

describe('毕业条件: 学籍有效期 and study time', () => {
  test('the 8-year limit on its last day still passes; the day after it does not', async () => {
    const s = await student(['C1', 'C2', 'SJ']);
    await t.db.updateTable('student').set({ valid_until: ISSUE }).where('id', '=', s).execute();
    assert.equal((await verdict(s)).ok, true);
    await t.db.updateTable('student').set({ valid_until: addDays(ISSUE, -1) }).where('id', '=', s).execute();
    const v = await verdict(s);
    assert.deepEqual(v.failures, [`学籍已超过有效期（${addDays(ISSUE, -1)}）`]);
  });

  test('an approved extension carries the student past the 8 years', async () => {
    const s = await student(['C1', 'C2', 'SJ']);
    await t.db.updateTable('student').set({ valid_until: '2026-09-01', extension_until: '2027-08-31' }).where('id', '=', s).execute();
    assert.equal((await verdict(s)).ok, true);
  });

  test('the minimum study time (2.5 years) reached on the issue date passes; a day short fails', async () => {
    const onTime = await student(['C1', 'C2', 'SJ'], { entry: '2024-07-20' }); // + 30 months = 2027-01-20
    assert.equal((await verdict(onTime)).ok, true);
    const late = await student(['C1', 'C2', 'SJ'], { entry: '2024-07-21' });
    assert.deepEqual((await verdict(late)).failures, ['未满最低学习年限：2027-01-21 起方满']);
  });
});

describe('毕业条件: headquarters’ exceptions', () => {
  const except = (studentId: number, v: { kind: '替代' | '免除'; rule: 'course' | 'category' | 'total' | 'practice' | 'study_time' | 'validity'; target?: string; substitute?: string }) =>
    t.db.insertInto('audit_exception').values({ student_id: studentId, kind: v.kind, rule: v.rule, target: v.target ?? null,
      substitute_course: v.substitute ?? null, reason: '总部批准', node_path: w.nodes.classA1.path }).returning('id').executeTakeFirstOrThrow();

  test('a substitution: a passed course stands in for a missing required one', async () => {
    const s = await student(['C2', 'C3', 'SJ']);
    await except(s, { kind: '替代', rule: 'course', target: 'C1', substitute: 'C3' });
    assert.equal((await verdict(s)).ok, true);
  });

  test('a substitution by a course not passed does not help', async () => {
    const s = await student(['C2', 'SJ']);
    await t.db.insertInto('course').values({ code: 'X9', name: '替代课', credits: 10, category: '专业拓展课' }).onConflict((oc) => oc.doNothing()).execute();
    await except(s, { kind: '替代', rule: 'course', target: 'C1', substitute: 'X9' });
    assert.deepEqual((await verdict(s)).failed_rules, ['total', 'course']);
  });

  test('a waived requirement is met; a revoked waiver no longer counts', async () => {
    const s = await student(['C1', 'SJ']); // 15 credits
    const e = await except(s, { kind: '免除', rule: 'total' });
    assert.equal((await verdict(s)).ok, true);
    await t.db.updateTable('audit_exception').set({ revoked_at: new Date() }).where('id', '=', e.id).execute();
    assert.deepEqual((await verdict(s)).failed_rules, ['total']);
  });

  test('waivers for the practice course, the validity and a category', async () => {
    const s = await student(['C1', 'C2', 'C3']);
    await t.db.updateTable('student').set({ valid_until: '2020-01-01' }).where('id', '=', s).execute();
    assert.deepEqual((await verdict(s)).failed_rules, ['practice', 'validity']);
    await except(s, { kind: '免除', rule: 'practice' });
    await except(s, { kind: '免除', rule: 'validity' });
    assert.equal((await verdict(s)).ok, true);
  });
});
