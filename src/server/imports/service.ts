import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../platform/tables.ts';
import type { Actor } from '../platform/auth.ts';
import { z } from 'zod';
import type { Jobs, TaskContext } from '../platform/jobs.ts';
import { APPLY_MODES } from '../../shared/contract/imports.ts';
import { errors } from '../platform/errors.ts';
import { recordOperation } from '../platform/oplog.ts';
import { today } from '../platform/clock.ts';
import { windowStatus } from '../platform/window.ts';
import { mustFind } from '../platform/scope.ts';
import { buildTable, buildTemplate, readSheet, xlsxProblem, type SheetRow } from '../platform/excel.ts';
import { idCardProblem } from '../../shared/idcard.ts';
import type { ApplyMode, CellError, GradeWindows, ImportFile, ImportKind } from '../../shared/contract/imports.ts';
import { getBatch } from '../batches/service.ts';
import { recomputeCurrentBatch } from '../eligibility/service.ts';
import { cellError, GRADE_SOURCE, GRADE_WORDS, KINDS, normaliseTerm, parseCategories, splitCodes, type KindDef } from './kinds.ts';
import { importErrors } from './errors.ts';
import * as q from './queries.ts';

type Db = Kysely<DB> | Transaction<DB>;

export const CHECK_JOB = 'import.check';
export const APPLY_JOB = 'import.apply';
/** Rows written to import_row per statement (one JSON parameter each), and per progress report. */
const CHUNK = 2000;
/** From this many rows an apply refreshes the planner's statistics before the eligibility recompute. */
const BULK = 5000;

/** The jobs' payloads: the import to check, or to apply with its mode. */
const checkPayload = z.object({ importId: z.string() });
const applyPayload = z.object({ importId: z.string(), mode: z.enum(APPLY_MODES) });

export function registerImportJobs(jobs: Jobs): void {
  jobs.register(CHECK_JOB, checkPayload, checkFile);
  jobs.register(APPLY_JOB, applyPayload, applyFile);
}

// ---------------------------------------------------------------------------------------------
// Reading what there is

function present(r: q.ImportRow): ImportFile {
  return {
    id: r.id, kind: r.kind, kind_name: KINDS[r.kind].name, file_name: r.file_name, batch_code: r.batch_code, state: r.state,
    file_error: r.file_error, apply_error: r.state === 'failed' ? (r.apply_error ?? '导入失败，未做任何更改。') : null,
    total_rows: r.total_rows, error_rows: r.error_rows, applied_rows: r.applied_rows, owner_name: r.owner_name, node_name: r.node_name,
    check_task: r.check_task, apply_task: r.apply_task, submission_id: r.submission_id,
    created_at: new Date(r.created_at).toISOString(), applied_at: r.applied_at ? new Date(r.applied_at).toISOString() : null,
  };
}

const WHAT = '导入记录';

export async function get(db: Db, actor: Actor, id: string): Promise<ImportFile> {
  return present(await mustFind(q.findImport(db, actor, id), WHAT));
}

export async function list(db: Db, actor: Actor, f: { kind?: ImportKind; page: number; page_size: number }) {
  const { total, rows } = await q.listImports(db, actor, f);
  return { total, rows: rows.map(present) };
}

export async function rows(db: Db, actor: Actor, id: string, f: { errors_only?: 'true' | 'false'; page: number; page_size: number }) {
  await mustFind(q.findImport(db, actor, id), WHAT);
  return q.listRows(db, id, f);
}

/** The report as a sheet: one line per problem (row, column, value, what is wrong). */
export async function report(db: Db, actor: Actor, id: string): Promise<{ fileName: string; content: Buffer }> {
  const file = await mustFind(q.findImport(db, actor, id), WHAT);
  const cells = await q.errorCells(db, id);
  const lines: (string | number)[][] = cells.map((c) => [c.row_no, c.column, c.value, c.message]);
  if (file.file_error) lines.unshift(['整个文件', '', '', file.file_error]);
  if (lines.length === 0) lines.push(['', '', '', file.state === 'checking' ? '文件还在检查中，请稍后再下载。' : '没有发现错误。']);
  const content = await buildTable('错误报告', [{ title: '行', width: 8 }, { title: '列', width: 16 }, { title: '值', width: 24 }, { title: '问题', width: 80 }], lines);
  return { fileName: `${file.file_name.replace(/\.[^.]*$/, '')}-错误报告.xlsx`, content };
}

export async function template(kind: ImportKind): Promise<{ fileName: string; content: Buffer }> {
  const def = KINDS[kind];
  return { fileName: `${def.name}导入模板.xlsx`, content: await buildTemplate(def.sheetName, def.columns) };
}

// ---------------------------------------------------------------------------------------------
// The 综合实践环节 grade-reception window (seed 003 二.1: 11-29 to 12-02 for the first round)

export async function gradeWindows(db: Db, batch: string): Promise<GradeWindows> {
  await getBatch(db, batch);
  const t = today();
  const windows = (await q.gradeWindows(db, batch)).map((w) => {
    const status = windowStatus({ starts_on: w.grades_from, ends_on: w.grades_to }, t);
    return { round: w.name, grades_from: w.grades_from, grades_to: w.grades_to, open: status.open, status };
  });
  return { batch, today: t, open: windows.some((w) => w.open), windows };
}

/** Branches report 综合实践环节 grades only inside a window; headquarters loads them at any time. */
async function assertGradesWindow(db: Db, actor: Actor, batch: string): Promise<void> {
  if (actor.role === 'hq_admin') return;
  const w = await gradeWindows(db, batch);
  if (w.windows.length === 0) throw importErrors.gradesWindowNotSet(batch);
  if (!w.open) throw importErrors.gradesWindowClosed(w.windows.map((x) => `${x.round} ${x.grades_from} 至 ${x.grades_to}`).join('；'), batch);
}

// ---------------------------------------------------------------------------------------------
// Upload → check

export async function upload(db: Kysely<DB>, jobs: Jobs, actor: Actor,
  input: { kind?: ImportKind; batch?: string; fileName: string; content: Buffer }): Promise<ImportFile> {
  if (!input.kind) throw importErrors.importNoKind();
  const def = KINDS[input.kind];
  if (!def.roles.includes(actor.role)) throw errors.forbidden(`导入${def.name}`);
  let batch: string | null = null;
  if (def.needsBatch) {
    if (!input.batch) throw importErrors.importNoBatch(def.name);
    batch = (await getBatch(db, input.batch)).code;
  }
  if (def.kind === 'grades_practice') await assertGradesWindow(db, actor, batch!);
  // Not Excel at all, empty, too large, or a bomb by its zip directory: said now, with nothing stored.
  const problem = await xlsxProblem(input.content);
  if (problem) throw importErrors.importFileInvalid(problem);
  const id = await db.transaction().execute(async (trx) => {
    const newId = await q.insertImport(trx, { kind: def.kind, fileName: input.fileName, content: input.content, actor, batchCode: batch });
    const taskId = await jobs.enqueue({
      kind: CHECK_JOB, title: `检查${def.name}：${input.fileName}`, ownerId: actor.id, nodePath: actor.nodePath, payload: { importId: newId },
    }, trx);
    await q.setTask(trx, newId, 'check_task', taskId);
    return newId;
  });
  return get(db, actor, id);
}

/** The check job: read the sheet, judge every row, keep the rows and their problems. Runs again from scratch if retried. */
async function checkFile(ctx: TaskContext<z.output<typeof checkPayload>>) {
  const id = ctx.payload.importId;
  const db = ctx.db;
  const file = await q.fileForJob(db, id);
  if (!file || file.state !== 'checking') return { skipped: true };
  const def = KINDS[file.kind];
  const invalid = async (message: string) => {
    await q.clearRows(db, id);
    await q.finishCheck(db, id, { state: 'invalid', fileError: message, total: 0, errors: 0 });
    return { file_error: message };
  };
  if (!file.content) return invalid('上传的文件内容已丢失，请重新上传。');
  const sheet = await readSheet(file.content, def.columns);
  if (!sheet.ok) return invalid(sheet.error);
  const actor = await q.actorOf(db, file.owner_id);
  if (!actor) return invalid('上传人账号已不存在，请重新上传。');

  const checked = await checkRows(db, actor, def, sheet.rows);
  await q.clearRows(db, id);
  const total = checked.length;
  await ctx.progress(0, total);
  for (let i = 0; i < total; i += CHUNK) {
    await q.writeRows(db, id, checked.slice(i, i + CHUNK));
    if (!(await ctx.progress(Math.min(i + CHUNK, total), total))) return invalid('检查已取消，请重新上传。');
  }
  const errorRows = checked.filter((r) => r.errors.length > 0).length;
  // invalid: nothing in the file can be applied; checked: some or all rows can.
  await q.finishCheck(db, id, { state: errorRows === total ? 'invalid' : 'checked', fileError: null, total, errors: errorRows });
  return { total_rows: total, error_rows: errorRows };
}

interface Checked { row_no: number; data: Record<string, unknown>; errors: CellError[] }

/** Every row judged: the sheet's cell problems, then required values, the kind's rules, duplicates, references. */
export async function checkRows(db: Db, actor: Actor, def: KindDef, sheet: SheetRow[]): Promise<Checked[]> {
  const out: Checked[] = sheet.map((r) => ({ row_no: r.rowNo, data: r.values, errors: r.errors }));
  const colOf = (key: string) => def.columns.find((c) => c.key === key)!;
  const bad = (r: Checked, key: string, message: string) => r.errors.push(cellError(r.row_no, colOf(key), String(r.data[key] ?? ''), message));
  const hasError = (r: Checked, key: string) => r.errors.some((e) => e.column === colOf(key).title);
  const str = (r: Checked, key: string) => String(r.data[key] ?? '');

  for (const r of out) {
    for (const c of def.columns) {
      if (c.required && str(r, c.key) === '' && !hasError(r, c.key)) bad(r, c.key, '不能为空，请填写');
    }
  }
  // The same record twice in one file: the second names the first.
  const first = new Map<string, number>();
  for (const r of out) {
    const parts = def.key.map((k) => str(r, k));
    if (parts.some((p) => p === '')) continue;
    const k = parts.join('\u0000');
    const seen = first.get(k);
    if (seen === undefined) first.set(k, r.row_no);
    else bad(r, def.key[0], `与第 ${seen} 行重复（${def.key.map((x) => colOf(x).title).join('、')}相同），请删除其中一行`);
  }

  switch (def.kind) {
    case 'students':
      await checkStudents(db, actor, out, bad, hasError, str);
      break;
    case 'programmes':
      await checkProgrammes(db, out, bad, hasError, str);
      break;
    case 'grades_exam':
    case 'grades_practice':
      await checkGrades(db, actor, def.kind, out, bad, hasError, str);
      break;
  }
  return out;
}

type Bad = (r: Checked, key: string, message: string) => void;
type Has = (r: Checked, key: string) => boolean;
type Str = (r: Checked, key: string) => string;

const outOfScope = (what: string, column: string) => `${what}不在您的管理范围内，不能导入，请核对${column}`;
const distinct = (rows: Checked[], key: string, str: Str) => [...new Set(rows.map((r) => str(r, key)).filter(Boolean))];
const STATUSES = ['在籍', '毕业', '退学', '休学'];

async function checkStudents(db: Db, actor: Actor, rows: Checked[], bad: Bad, has: Has, str: Str) {
  const idFirst = new Map<string, number>();
  for (const r of rows) {
    const gender = str(r, 'gender');
    if (gender && gender !== '男' && gender !== '女') bad(r, 'gender', '性别应为“男”或“女”');
    const id = str(r, 'id_number');
    if (id && !has(r, 'id_number')) {
      const problem = idCardProblem(id, { gender: gender === '男' || gender === '女' ? gender : undefined });
      if (problem) bad(r, 'id_number', `${problem}`);
      else if (idFirst.has(id)) bad(r, 'id_number', `与第 ${idFirst.get(id)} 行的身份证号相同，请核对`);
      else idFirst.set(id, r.row_no);
    }
    const cohort = str(r, 'cohort');
    if (cohort && !/^(19|20)\d{2}(0[1-9]|1[0-2])?$/.test(cohort)) bad(r, 'cohort', '学籍批次应为入学年份（如 2021）或年月（如 202109）');
    const level = str(r, 'level');
    if (level === '专升本') r.data.level = '本科';
    else if (level && level !== '专科' && level !== '本科') bad(r, 'level', '层次应为“专科”或“本科”（专升本填“本科”）');
    const status = str(r, 'status');
    if (status && !STATUSES.includes(status)) bad(r, 'status', `学籍状态应为 ${STATUSES.join('、')} 之一`);
    const phone = str(r, 'phone');
    if (phone && !/^1\d{10}$/.test(phone)) bad(r, 'phone', '手机号码应为 11 位数字');
    if (str(r, 'name').length > 40) bad(r, 'name', '姓名过长（不超过 40 个字）');
    if (!str(r, 'ethnicity')) r.data.ethnicity = null;
    if (!str(r, 'political_status')) r.data.political_status = null;
    if (!str(r, 'class_code')) r.data.class_code = null;
    if (!phone) r.data.phone = null;
  }
  // References, each looked up once for the whole file.
  const [byNo, byId, tps, cls, progs] = await Promise.all([
    q.studentsByNo(db, actor, distinct(rows, 'student_no', str)),
    q.studentsByIdNumber(db, actor, [...idFirst.keys()]),
    q.teachingPoints(db, actor, distinct(rows, 'tp_code', str)),
    q.classes(db, actor, distinct(rows, 'class_code', str)),
    q.programmes(db, distinct(rows, 'major', str)),
  ]);
  const students = new Map(byNo.map((s) => [s.student_no, s]));
  const idOwners = new Map(byId.map((s) => [s.id_number, s]));
  const tpByCode = new Map(tps.map((t) => [t.code, t]));
  const classByCode = new Map(cls.map((c) => [c.code, c]));
  const progKey = (major: string, level: string, cohort: string) => `${major}\u0000${level}\u0000${cohort}`;
  const progSet = new Set(progs.map((p) => progKey(p.major, p.level, p.cohort)));
  for (const r of rows) {
    const no = str(r, 'student_no');
    const existing = students.get(no);
    // A number held outside the uploader's subtree cannot be taken, but whose it is stays unsaid: the answer
    // names no unit and no student, in the words used for a number not found (photos, 免修免考, grades).
    if (existing && !existing.in_scope) bad(r, 'student_no', outOfScope(`学号 ${no} `, '学号'));
    const id = str(r, 'id_number');
    const owner = idOwners.get(id);
    if (owner && owner.student_no !== no && !has(r, 'id_number')) {
      bad(r, 'id_number', owner.in_scope ? `该身份证号已属于学号 ${owner.student_no} 的学生，请核对` : outOfScope('该身份证号', '身份证号'));
    }
    const tpCode = str(r, 'tp_code');
    const tp = tpByCode.get(tpCode);
    if (tpCode && !has(r, 'tp_code')) {
      if (!tp) bad(r, 'tp_code', `教学点代码 ${tpCode} 不存在，或不在您的管理范围内，请核对代码`);
      else if (tp.disabled) bad(r, 'tp_code', `教学点 ${tpCode} 已停用，请核对`);
    }
    const classCode = str(r, 'class_code');
    if (classCode && tp && !has(r, 'class_code')) {
      const c = classByCode.get(classCode);
      if (!c || c.parent_id !== tp.id) bad(r, 'class_code', `班级代码 ${classCode} 不存在，或不属于教学点 ${tpCode}，请核对`);
    }
    const major = str(r, 'major');
    const level = str(r, 'level');
    const cohort = str(r, 'cohort');
    if (major && level && cohort && !has(r, 'level') && !has(r, 'cohort') && !progSet.has(progKey(major, level, cohort.slice(0, 4)))) {
      bad(r, 'major', `没有“${major}”${level} ${cohort.slice(0, 4)} 级的教学计划，请核对专业、层次和学籍批次，或请总部先导入该教学计划`);
    }
  }
}

async function checkProgrammes(db: Db, rows: Checked[], bad: Bad, has: Has, str: Str) {
  const wanted = new Set<string>();
  for (const r of rows) {
    const level = str(r, 'level');
    if (level && level !== '专科' && level !== '本科') bad(r, 'level', '层次应为“专科”或“本科”');
    const cohort = str(r, 'cohort');
    if (cohort && !/^(19|20)\d{2}$/.test(cohort)) bad(r, 'cohort', '入学批次应为 4 位年份，如 2021');
    const credits = Number(str(r, 'min_credits'));
    if (str(r, 'min_credits') && !has(r, 'min_credits') && !(credits > 0 && credits <= 999 && Number.isInteger(credits * 10))) {
      bad(r, 'min_credits', '最低总学分应为大于 0 的数字（最多一位小数）');
    } else r.data.min_credits = credits;
    const years = Number(str(r, 'min_years'));
    if (str(r, 'min_years') && !has(r, 'min_years') && !(years >= 0.5 && years <= 10 && Number.isInteger(years * 10))) {
      bad(r, 'min_years', '最低学习年限应为 0.5～10 之间的数字（年），如 2.5');
    } else r.data.min_years = years;
    const practice = str(r, 'practice_course');
    r.data.practice_course = practice || null;
    if (practice) wanted.add(practice);
    const required = splitCodes(str(r, 'required'));
    r.data.required_codes = required;
    for (const c of required) wanted.add(c);
    const cats = parseCategories(str(r, 'categories'));
    if (!cats.ok) bad(r, 'categories', `无法识别“${cats.part}”，请写成 类别:学分，多个类别用 ； 分隔，如 公共基础课:12；专业核心课:24`);
    r.data.category_credits = cats.ok ? cats.value : {};
  }
  const known = new Map((await q.courses(db, [...wanted])).map((c) => [c.code, c]));
  for (const r of rows) {
    const practice = r.data.practice_course as string | null;
    if (practice && !has(r, 'practice_course')) {
      const c = known.get(practice);
      if (!c) bad(r, 'practice_course', `课程代码 ${practice} 不存在，请核对代码，或先在课程库中添加该课程`);
      else if (c.category !== '综合实践环节') bad(r, 'practice_course', `课程 ${practice}（${c.name}）的类别是“${c.category}”，不是综合实践环节课程`);
    }
    const unknown = (r.data.required_codes as string[]).filter((c) => !known.has(c));
    if (unknown.length) bad(r, 'required', `课程代码 ${unknown.join('、')} 不存在，请核对代码，或先在课程库中添加这些课程`);
  }
}

async function checkGrades(db: Db, actor: Actor, kind: 'grades_exam' | 'grades_practice', rows: Checked[], bad: Bad, has: Has, str: Str) {
  for (const r of rows) {
    const g = str(r, 'grade');
    if (g && !has(r, 'grade')) {
      if (g in GRADE_WORDS) {
        r.data.score = null;
        r.data.passed = GRADE_WORDS[g];
      } else if (/^\d{1,3}(\.\d)?$/.test(g) && Number(g) <= 100) {
        r.data.score = Number(g);
        r.data.passed = Number(g) >= 60;
      } else {
        bad(r, 'grade', `成绩应为 0～100 的分数（最多一位小数），或等级 ${Object.keys(GRADE_WORDS).join('、')}`);
      }
    }
    const term = str(r, 'term');
    if (term && !has(r, 'term')) {
      const t = normaliseTerm(term);
      if (t) r.data.term = t;
      else bad(r, 'term', '学期应写成“2022春”或“2022秋”');
    }
  }
  const [students, known] = await Promise.all([
    q.studentsByNo(db, actor, distinct(rows, 'student_no', str)),
    q.courses(db, distinct(rows, 'course_code', str)),
  ]);
  // A student outside the uploader's subtree gets the same answer as one that does not exist.
  const inScope = new Set(students.filter((s) => s.in_scope).map((s) => s.student_no));
  const courses = new Map(known.map((c) => [c.code, c]));
  for (const r of rows) {
    const no = str(r, 'student_no');
    if (no && !has(r, 'student_no') && !inScope.has(no)) bad(r, 'student_no', `学号 ${no} 不存在，或不在您的管理范围内，请核对学号`);
    const code = str(r, 'course_code');
    if (code && !has(r, 'course_code')) {
      const c = courses.get(code);
      if (!c) bad(r, 'course_code', `课程代码 ${code} 不存在，请核对代码`);
      else if (kind === 'grades_practice' && c.category !== '综合实践环节') {
        bad(r, 'course_code', `课程 ${code}（${c.name}）不是综合实践环节课程；分部只上报综合实践环节成绩，期末考试成绩由总部导入`);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Apply

/** Asks for the file to be applied: a job then applies it whole, in one transaction. */
export async function requestApply(db: Kysely<DB>, jobs: Jobs, actor: Actor, id: string, mode: ApplyMode) {
  const taskId = await db.transaction().execute(async (trx) => {
    await mustFind(q.findImport(trx, actor, id), WHAT);
    const file = (await q.lockFile(trx, id))!;
    const def = KINDS[file.kind];
    if (file.owner_id !== actor.id) throw errors.forbidden('导入他人上传的文件（请由上传人导入）');
    switch (file.state) {
      case 'checking':
        throw importErrors.importState('文件还在检查中，请等检查完成后再导入。');
      case 'invalid':
        throw importErrors.importState(file.file_error
          ? `文件有错误，无法导入：${file.file_error}`
          : '文件中没有正确的行，无法导入。请按错误报告修改后重新上传。');
      case 'applying':
        throw importErrors.importState('该文件正在导入，请稍候查看结果，不要重复提交。');
      case 'applied':
        throw importErrors.importState(`该文件已于 ${fmtTime(file.applied_at)} 导入，不能重复导入。如需更正，请修改后上传新的文件。`);
      case 'checked':
      case 'failed':
        break;
    }
    if (mode === 'all' && file.error_rows > 0) {
      throw importErrors.importState(`文件中有 ${file.error_rows} 行有错误，不能全部导入。请按错误报告修改后重新上传，或选择“仅导入正确的行”。`);
    }
    if (def.kind === 'grades_practice') await assertGradesWindow(trx, actor, file.batch_code!);
    await q.setState(trx, id, 'applying', ['checked', 'failed']);
    const task = await jobs.enqueue({
      kind: APPLY_JOB, title: `导入${def.name}：${file.file_name}`, ownerId: actor.id, nodePath: actor.nodePath, payload: { importId: id, mode },
    }, trx);
    await q.setTask(trx, id, 'apply_task', task);
    return task;
  });
  return { task_id: taskId, import: await get(db, actor, id) };
}

const fmtTime = (d: Date | string | null) => (d ? new Date(d).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }) : '');

/**
 * The apply job: every row in one transaction, set-based, with its submission, the graduates' first
 * report, the eligibility that follows from the new data and the audit entry. A failure anywhere
 * rolls back everything; the import is then 'failed' and can be applied again.
 */
async function applyFile(ctx: TaskContext<z.output<typeof applyPayload>>) {
  const { importId, mode } = ctx.payload;
  // Progress is reported outside the transaction: on PGlite a query on the outer handle inside it would wait forever.
  await ctx.progress(0, 1);
  try {
    const result = await ctx.db.transaction().execute(async (trx) => {
      const file = await q.lockFile(trx, importId);
      // Another attempt already applied it, or this is a stale job: do nothing (at-least-once delivery).
      if (!file || file.apply_task !== ctx.taskId || (file.state !== 'applying' && file.state !== 'failed')) return { skipped: true };
      const def = KINDS[file.kind];
      const actor = await q.actorOf(trx, file.owner_id);
      if (!actor) throw importErrors.importState('上传人账号已不存在，无法导入。');
      if (def.kind === 'grades_practice') await assertGradesWindow(trx, actor, file.batch_code!);
      const { n, bad } = await q.countToApply(trx, importId, mode);
      if (mode === 'all' && bad > 0) throw importErrors.importState(`文件中有 ${bad} 行有错误，不能全部导入。`);
      if (n === 0) throw importErrors.importState('没有可以导入的行。');
      const submissionId = await q.insertSubmission(trx, { actor, batchCode: file.batch_code, kind: def.submission, rows: n, fileName: file.file_name });
      let changed: number[];
      let students: number[] = [];
      let stamped = 0;
      switch (def.kind) {
        case 'students':
          changed = await q.applyStudents(trx, actor, importId, mode);
          students = changed;
          break;
        case 'programmes':
          changed = await q.applyProgrammes(trx, importId, mode);
          break;
        case 'grades_exam':
        case 'grades_practice':
          changed = await q.applyGrades(trx, actor, importId, mode, GRADE_SOURCE[def.kind]!, submissionId);
          students = [...new Set(changed)];
          if (def.kind === 'grades_practice') stamped = await q.stampGraduates(trx, file.batch_code!, students, submissionId);
          break;
      }
      if (changed.length !== n) {
        // A 学号, teaching point, programme or course changed between the check and now: write nothing.
        throw importErrors.importState(`有 ${n - changed.length} 行引用的学号、教学点、专业或课程在检查之后发生了变化，未导入任何数据。请重新上传该文件再检查一次。`);
      }
      if (students.length) {
        if (n >= BULK) await q.refreshStatistics(trx, def.kind === 'students' ? 'student' : 'grade');
        await recomputeCurrentBatch(trx, students);
      }
      await q.finishApply(trx, importId, { applied: n, submissionId });
      await recordOperation(trx, actor, [{
        action: `导入${def.name}`, objectType: 'import_file', objectId: importId, nodePath: file.node_path,
        after: { file: file.file_name, kind: def.name, batch: file.batch_code, mode: mode === 'all' ? '全部导入' : '仅导入正确的行', rows: n, submission: submissionId },
      }]);
      return { applied_rows: n, submission_id: submissionId, graduates_first_reported: stamped };
    });
    await ctx.progress(1, 1);
    return result;
  } catch (e) {
    // Nothing was written (the transaction rolled back); say so on the import, and let the task carry the message.
    await q.setState(ctx.db, importId, 'failed', ['applying']);
    throw e;
  }
}
