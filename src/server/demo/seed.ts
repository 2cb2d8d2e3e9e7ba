import type { Kysely } from 'kysely';
import type { Role } from '../../shared/org.ts';
import type { DB } from '../platform/tables.ts';
import { hashPassword } from '../platform/auth.ts';
import { addDays, today } from '../platform/clock.ts';
import { STEP_KEYS, type StepKey } from '../../shared/steps.ts';
import { recomputeEligibility } from '../eligibility/queries.ts';
import { addNode, generateGrades, generateStudents, seedReference } from './generator.ts';
import { seedDemoPhotos } from '../photos/demo.ts';
import { seedDemoForms } from '../forms/demo.ts';
import { seedDemoCleanup } from '../cleanup/demo.ts';

export const DEMO_PASSWORD = 'Demo@2026';

/** The demo's accounts: each with the name it shows (a student's is the student's own) and who it is, as the console lists them. */
export const DEMO_ACCOUNTS: { username: string; role: Role; name?: string; who: string }[] = [
  { username: 'hq', role: 'hq_admin', name: '总部学籍管理员', who: '总部（国家开放大学教务部学籍管理科）' },
  { username: 'branch', role: 'branch_admin', name: '辽宁开放大学教务处', who: '分部：辽宁开放大学' },
  { username: 'tp1', role: 'tp_admin', name: '沈阳市开放大学教务员', who: '教学点：沈阳市开放大学（210101）' },
  { username: 'tp2', role: 'tp_admin', name: '大连市开放大学教务员', who: '教学点：大连市开放大学（210102）' },
  { username: 'tp3', role: 'tp_admin', name: '长春市开放大学教务员', who: '另一分部的教学点：长春市开放大学（220101）' },
  { username: 'teacher', role: 'head_teacher', name: '李老师', who: '沈阳市开放大学 2021级行政管理1班 班主任' },
  { username: 'student', role: 'student', who: '沈阳市开放大学 202301 批次毕业生' },
  { username: 'graduate', role: 'student', who: '沈阳市开放大学 202701 批次毕业生（毕业生登记表尚未填写）' },
];

/** The seeds' batches, with their real dates: 202001 (seed 003) and 202301 (seed 000). */
const HISTORY: { code: string; issue: string; closing: string | null; exemption: string | null; windows: Partial<Record<StepKey, [string, string]>> }[] = [
  {
    code: '202001', issue: '2020-01-20', closing: '2020-04-17', exemption: '2019-12-10',
    windows: { confirm: ['2019-11-29', '2020-01-15'] },
  },
  {
    code: '202301', issue: '2023-01-20', closing: null, exemption: null,
    windows: {
      confirm: ['2022-09-19', '2022-10-09'],
      student_forms: ['2022-09-23', '2022-10-09'],
      photos: ['2022-10-10', '2022-10-23'],
      opinions: ['2022-10-10', '2022-10-23'],
      print_forms: ['2022-10-26', '2022-10-30'],
      print_enroll: ['2022-10-26', '2022-10-30'],
      print_transcript: ['2022-10-26', '2022-10-30'],
      submit: ['2022-10-31', '2022-11-18'],
      paste: ['2022-12-11', '2022-12-20'],
      handout: ['2022-12-21', '2023-01-10'],
    },
  },
];

/** Loads the demo on an empty database; does nothing when an organisation already exists. */
export async function seedDemo(db: Kysely<DB>): Promise<boolean> {
  const existing = await db.selectFrom('org_node').select('id').limit(1).executeTakeFirst();
  if (existing) return false;
  await seedReference(db);

  const hq = await addNode(db, null, 'hq', '000', '国家开放大学');
  const ln = await addNode(db, hq.id, 'branch', '21', '辽宁开放大学');
  const jl = await addNode(db, hq.id, 'branch', '22', '吉林开放大学');
  const tp1 = await addNode(db, ln.id, 'tp', '210101', '沈阳市开放大学');
  const tp2 = await addNode(db, ln.id, 'tp', '210102', '大连市开放大学');
  const tp4 = await addNode(db, ln.id, 'tp', '210103', '鞍山市开放大学');
  const tp3 = await addNode(db, jl.id, 'tp', '220101', '长春市开放大学');
  const class1 = await addNode(db, tp1.id, 'class', '210101-2101', '2021级行政管理1班');
  await addNode(db, tp1.id, 'class', '210101-2102', '2021级会计1班');
  await addNode(db, tp2.id, 'class', '210102-2101', '2021级学前教育1班');
  await addNode(db, tp3.id, 'class', '220101-2101', '2021级法学1班');

  // Students: the cohorts that reach the minimum study time by 202701, and a younger one that does not.
  const cohorts = ['202103', '202109', '202203', '202209', '202303', '202309', '202403'];
  let start = 1;
  for (const [tp, count] of [[tp1, 160], [tp2, 90], [tp4, 40], [tp3, 70]] as const) {
    const r = await generateStudents(db, { count, start, tpIds: [tp.id], cohorts });
    await generateGrades(db, r.first, r.last);
    start += count;
  }
  const young = await generateStudents(db, { count: 40, start, tpIds: [tp1.id, tp2.id, tp3.id], cohorts: ['202509'] });
  await generateGrades(db, young.first, young.last);
  start += 40;
  // The 202301 graduates of 沈阳市开放大学, one of whom is the demo student.
  const old = await generateStudents(db, { count: 30, start, tpIds: [tp1.id], cohorts: ['202003', '202009'], status: '毕业' });
  await generateGrades(db, old.first, old.last);

  for (const h of HISTORY) {
    await db.insertInto('batch').values({ code: h.code, name: `${h.code.slice(0, 4)}年${Number(h.code.slice(4))}月毕业批次`, issue_date: h.issue, closing_date: h.closing, exemption_deadline: h.exemption }).execute();
    const rows = Object.entries(h.windows).map(([step, [s, e]]) => ({ batch_code: h.code, step, starts_on: s, ends_on: e }));
    await db.insertInto('batch_window').values(rows).execute();
  }
  // 202301 as it ended: its graduates agreed, their status 毕业 with the batch's 发证日期 (step 六 queries 毕业批次 202301).
  await db.updateTable('student').set({ graduation_batch: '202301', graduation_date: HISTORY.find((h) => h.code === '202301')!.issue, graduation_conclusion: '毕业' })
    .where('id', '>=', old.first).where('id', '<=', old.last).execute();
  await db.insertInto('graduate').columns(['batch_code', 'student_id', 'student_no', 'tp_id', 'node_path', 'confirm_status', 'eligible', 'confirmed_at', 'checked_at'])
    .expression((eb) => eb.selectFrom('student').select([eb.val('202301').as('b'), 'id', 'student_no', 'tp_id', 'node_path', eb.val('同意毕业').as('s'), eb.val(true).as('e'), eb.val(new Date('2022-10-08T10:00:00+08:00')).as('c'), eb.val(new Date('2022-10-08T10:00:00+08:00')).as('k')])
      .where('id', '>=', old.first).where('id', '<=', old.last))
    .execute();

  // The current batch 202701: every window open from today, so a newcomer can try each step at once.
  const t = today();
  await db.insertInto('batch').values({ code: '202701', name: '2027年1月毕业批次', issue_date: '2027-01-20', closing_date: '2027-04-16', exemption_deadline: addDays(t, 20), is_current: true }).execute();
  await db.insertInto('batch_window').values(STEP_KEYS.map((step) => ({ batch_code: '202701', step, starts_on: addDays(t, -1), ends_on: addDays(t, 90) }))).execute();
  await recomputeEligibility(db, '202701');

  // 毕业审核 rounds. 202001 as seed 003 planned it: 第一批 with the branches' 综合实践环节 grades
  // received 11-29 to 12-02, the winter-break round cancelled (四.4), 第二批 until the closing date.
  await db.insertInto('audit_round').values([
    { batch_code: '202001', name: '第一批', starts_on: '2019-11-29', ends_on: '2020-01-15', grades_from: '2019-11-29', grades_to: '2019-12-02' },
    { batch_code: '202001', name: '寒假批', starts_on: '2020-01-20', ends_on: '2020-02-16', status: '已取消',
      cancel_reason: '总部 2020年1月20日起放寒假，临近春节，取消寒假期间的毕业审核批次（通知 四.4）' },
    { batch_code: '202001', name: '第二批', starts_on: '2020-02-17', ends_on: '2020-04-17' },
    // 202701: the first round open now, grades received in its first days; the second after the new year.
    { batch_code: '202701', name: '第一批', starts_on: addDays(t, -1), ends_on: addDays(t, 45), grades_from: addDays(t, -1), grades_to: addDays(t, 3) },
    { batch_code: '202701', name: '第二批', starts_on: '2027-02-17', ends_on: '2027-04-16' },
  ]).execute();
  await db.updateTable('batch').set({ urgent_deadline: addDays(t, 30) }).where('code', '=', '202701').execute();

  const hash = await hashPassword(DEMO_PASSWORD);
  const nodeOf: Record<string, number> = { hq: hq.id, branch: ln.id, tp1: tp1.id, tp2: tp2.id, tp3: tp3.id, teacher: class1.id, student: class1.id };
  const demoStudent = await db.selectFrom('student').select(['id', 'name']).where('id', '=', old.first).executeTakeFirstOrThrow();
  for (const a of DEMO_ACCOUNTS) {
    // Made with the forms of 202701 (forms/demo.ts): which graduate it is depends on them.
    if (a.username === 'graduate') continue;
    const u = await db.insertInto('app_user').values({
      username: a.username, password_hash: hash, role: a.role, node_id: nodeOf[a.username],
      display_name: a.name ?? demoStudent.name,
      student_id: a.username === 'student' ? demoStudent.id : null,
    }).returning('id').executeTakeFirstOrThrow();
    if (a.username === 'teacher') await db.updateTable('org_node').set({ head_teacher_id: u.id }).where('id', '=', class1.id).execute();
  }
  // A 免修免考 application waiting for the branch, from 沈阳市开放大学.
  const applicant = await db.selectFrom('graduate as g').innerJoin('student as s', 's.id', 'g.student_id')
    .select(['s.id', 's.node_path', 's.programme_id']).where('g.batch_code', '=', '202701').where('g.tp_id', '=', tp1.id)
    .where('g.eligible', '=', false).orderBy('g.student_no').limit(1).executeTakeFirst();
  const course = applicant && await db.selectFrom('programme_course as pc').leftJoin('grade as gr', (j) => j.onRef('gr.course_code', '=', 'pc.course_code').on('gr.student_id', '=', applicant.id).on('gr.passed', '=', true))
    .select('pc.course_code').where('pc.programme_id', '=', applicant.programme_id).where('gr.id', 'is', null).orderBy('pc.course_code').limit(1).executeTakeFirst();
  if (applicant && course) {
    await db.insertInto('exemption').values({ student_id: applicant.id, course_code: course.course_code, node_path: applicant.node_path, applied_on: t,
      grounds: '已取得同类课程合格成绩（原学校成绩单附后）' }).execute();
  }
  await seedDemoPhotos(db);
  await seedDemoForms(db, hash);
  await seedDemoCleanup(db);
  return true;
}
