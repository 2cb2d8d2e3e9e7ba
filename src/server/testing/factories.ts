import type { Kysely } from 'kysely';
import type { Role } from '../../shared/org.ts';
import type { DB } from '../platform/tables.ts';
import { hashPassword } from '../platform/auth.ts';
import { addDays, today } from '../platform/clock.ts';
import { checkDigit } from '../../shared/idcard.ts';
import { STEP_KEYS } from '../../shared/steps.ts';
import { addNode } from '../demo/generator.ts';
import { recomputeEligibility } from '../eligibility/queries.ts';
import { TEST_PASSWORD } from './harness.ts';

let seq = 0;
let hashed: Promise<string> | undefined;

/** A valid 身份证号 for a birth date and sex, unique within a test run. */
export function makeIdNumber(birth = '1990-05-17', gender: '男' | '女' = '男', region = '210102'): string {
  seq++;
  const s = (seq % 499) * 2 + (gender === '男' ? 1 : 0);
  const first17 = `${region}${birth.replaceAll('-', '')}${String(s).padStart(3, '0')}`;
  return first17 + checkDigit(first17);
}

export async function buildUser(db: Kysely<DB>, o: { username: string; role: Role; nodeId: number; studentId?: number; displayName?: string }) {
  const password_hash = await (hashed ??= hashPassword(TEST_PASSWORD));
  return db.insertInto('app_user').values({
    username: o.username, role: o.role, node_id: o.nodeId, student_id: o.studentId ?? null,
    display_name: o.displayName ?? o.username, password_hash,
  }).returning(['id']).executeTakeFirstOrThrow();
}

/** A programme with 3 courses of 10 credits (one required), a practice course, minimum 25 credits. */
export async function buildProgramme(db: Kysely<DB>, o: { major?: string; level?: '专科' | '本科'; cohort?: string; minCredits?: number } = {}) {
  await db.insertInto('course').values([
    { code: 'C1', name: '必修课甲', credits: 10, category: '专业核心课' },
    { code: 'C2', name: '选修课乙', credits: 10, category: '专业拓展课' },
    { code: 'C3', name: '选修课丙', credits: 10, category: '专业拓展课' },
    { code: 'SJ', name: '毕业作业', credits: 5, category: '综合实践环节' },
  ]).onConflict((oc) => oc.column('code').doNothing()).execute();
  const p = await db.insertInto('programme').values({
    major: o.major ?? '行政管理', level: o.level ?? '专科', cohort: o.cohort ?? '2021', min_credits: o.minCredits ?? 25, min_years: 2.5, practice_course: 'SJ',
  }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('programme_course').values([
    { programme_id: p.id, course_code: 'C1', required: true },
    { programme_id: p.id, course_code: 'C2', required: false },
    { programme_id: p.id, course_code: 'C3', required: false },
    { programme_id: p.id, course_code: 'SJ', required: true },
  ]).execute();
  return p.id;
}

export async function buildStudent(db: Kysely<DB>, o: {
  nodeId: number; programmeId: number; name?: string; gender?: '男' | '女'; cohort?: string; entry?: string;
  /** Courses passed; default all four (eligible). */
  passed?: string[]; status?: '在籍' | '毕业';
}) {
  const node = await db.selectFrom('org_node').select(['id', 'kind', 'parent_id', 'path']).where('id', '=', o.nodeId).executeTakeFirstOrThrow();
  const tpId = node.kind === 'class' ? node.parent_id! : node.id;
  const entry = o.entry ?? '2021-03-01';
  seq++;
  const s = await db.insertInto('student').values({
    student_no: `T${String(seq).padStart(8, '0')}`, name: o.name ?? `学生${seq}`, gender: o.gender ?? '男',
    id_number: makeIdNumber('1990-05-17', o.gender ?? '男'), cohort: o.cohort ?? '202103', level: '专科', major: '行政管理',
    programme_id: o.programmeId, tp_id: tpId, class_id: node.kind === 'class' ? node.id : null, node_path: node.path,
    status: o.status ?? '在籍', entry_date: entry, valid_until: addDays(entry, 8 * 365 + 2),
  }).returning('id').executeTakeFirstOrThrow();
  const passed = o.passed ?? ['C1', 'C2', 'C3', 'SJ'];
  if (passed.length) {
    await db.insertInto('grade').values(passed.map((c) => ({ student_id: s.id, course_code: c, score: 80, passed: true, term: '2022春', source: c === 'SJ' ? '综合实践环节' as const : '期末考试' as const }))).execute();
  }
  return s.id;
}

export async function buildBatch(db: Kysely<DB>, o: { code?: string; confirmWindow?: [string, string]; current?: boolean } = {}) {
  const code = o.code ?? '202701';
  const t = today();
  await db.insertInto('batch').values({ code, name: `${code}批次`, issue_date: '2027-01-20', closing_date: '2027-04-16', is_current: o.current ?? true }).execute();
  await db.insertInto('batch_window').values(STEP_KEYS.map((step) => {
    const [s, e] = step === 'confirm' && o.confirmWindow ? o.confirmWindow : [addDays(t, -1), addDays(t, 30)];
    return { batch_code: code, step, starts_on: s, ends_on: e };
  })).execute();
  return code;
}

/**
 * The test world: two branches, teaching points, classes, one account of each role, and students so
 * that every actor has an own, a sibling and a foreign student:
 *
 *   HQ ─ BranchA ─ tpA1 ─ classA1 (sA1 [student account], sA1b, sA1x ineligible)
 *      │         │      └ classA2 (sA2)
 *      │         └ tpA2 ─ classA3 (sA3)
 *      └ BranchB ─ tpB1 ─ classB1 (sB1)
 */
export async function buildWorld(db: Kysely<DB>) {
  const hq = await addNode(db, null, 'hq', 'HQ', '国家开放大学');
  const brA = await addNode(db, hq.id, 'branch', 'BA', '辽宁开放大学');
  const brB = await addNode(db, hq.id, 'branch', 'BB', '吉林开放大学');
  const tpA1 = await addNode(db, brA.id, 'tp', 'TA1', '沈阳市开放大学');
  const tpA2 = await addNode(db, brA.id, 'tp', 'TA2', '大连市开放大学');
  const tpB1 = await addNode(db, brB.id, 'tp', 'TB1', '长春市开放大学');
  const classA1 = await addNode(db, tpA1.id, 'class', 'TA1-1', '行政管理1班');
  const classA2 = await addNode(db, tpA1.id, 'class', 'TA1-2', '会计1班');
  const classA3 = await addNode(db, tpA2.id, 'class', 'TA2-1', '学前教育1班');
  const classB1 = await addNode(db, tpB1.id, 'class', 'TB1-1', '法学1班');
  const programmeId = await buildProgramme(db);
  const sA1 = await buildStudent(db, { nodeId: classA1.id, programmeId, name: '张三' });
  const sA1b = await buildStudent(db, { nodeId: classA1.id, programmeId, name: '李四' });
  const sA1x = await buildStudent(db, { nodeId: classA1.id, programmeId, name: '王五', passed: ['C2', 'SJ'] });
  const sA2 = await buildStudent(db, { nodeId: classA2.id, programmeId, name: '赵六' });
  const sA3 = await buildStudent(db, { nodeId: classA3.id, programmeId, name: '钱七' });
  const sB1 = await buildStudent(db, { nodeId: classB1.id, programmeId, name: '孙八' });
  const batch = await buildBatch(db);
  await recomputeEligibility(db, batch);
  const users = {
    hq: (await buildUser(db, { username: 'hq', role: 'hq_admin', nodeId: hq.id })).id,
    brA: (await buildUser(db, { username: 'brA', role: 'branch_admin', nodeId: brA.id })).id,
    brB: (await buildUser(db, { username: 'brB', role: 'branch_admin', nodeId: brB.id })).id,
    tpA1: (await buildUser(db, { username: 'tpA1', role: 'tp_admin', nodeId: tpA1.id })).id,
    tpA2: (await buildUser(db, { username: 'tpA2', role: 'tp_admin', nodeId: tpA2.id })).id,
    tpB1: (await buildUser(db, { username: 'tpB1', role: 'tp_admin', nodeId: tpB1.id })).id,
    teacherA1: (await buildUser(db, { username: 'teacherA1', role: 'head_teacher', nodeId: classA1.id })).id,
    teacherA2: (await buildUser(db, { username: 'teacherA2', role: 'head_teacher', nodeId: classA2.id })).id,
    teacherB1: (await buildUser(db, { username: 'teacherB1', role: 'head_teacher', nodeId: classB1.id })).id,
    studentA1: (await buildUser(db, { username: 'studentA1', role: 'student', nodeId: classA1.id, studentId: sA1 })).id,
    studentA1b: (await buildUser(db, { username: 'studentA1b', role: 'student', nodeId: classA1.id, studentId: sA1b })).id,
    studentB1: (await buildUser(db, { username: 'studentB1', role: 'student', nodeId: classB1.id, studentId: sB1 })).id,
  };
  const graduateOf = async (studentId: number) =>
    (await db.selectFrom('graduate').select(['id', 'version']).where('student_id', '=', studentId).where('batch_code', '=', batch).executeTakeFirstOrThrow());
  return {
    nodes: { hq, brA, brB, tpA1, tpA2, tpB1, classA1, classA2, classA3, classB1 },
    students: { sA1, sA1b, sA1x, sA2, sA3, sB1 },
    users, batch, programmeId, graduateOf,
  };
}
export type World = Awaited<ReturnType<typeof buildWorld>>;
