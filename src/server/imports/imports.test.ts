import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { errorOf, startTestApp, type TestApp } from '../testing/harness.ts';
import { buildWorld, makeIdNumber, type World } from '../testing/factories.ts';
import { addDays, today } from '../platform/clock.ts';
import { KINDS } from './kinds.ts';
import { xlsxBomb } from '../platform/testdata/xlsx.ts';
import { importsApi, type ApplyMode, type ImportFile } from '../../shared/contract/imports.ts';

let t: TestApp;
let w: World;
let hq: string, brA: string, brB: string;

before(async () => {
  t = await startTestApp();
  w = await buildWorld(t.db);
  [hq, brA, brB] = await Promise.all(['hq', 'brA', 'brB'].map((u) => t.login(u)));
});
after(async () => t?.close());

const STUDENT_HEADER = KINDS.students.columns.map((c) => c.title);
const GRADE_HEADER = ['学号', '课程代码', '成绩', '学期'];

async function xlsx(header: string[], rows: unknown[][], edit?: (ws: ExcelJS.Worksheet) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('数据');
  ws.addRow(header);
  for (const r of rows) ws.addRow(r);
  edit?.(ws);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function multipart(fileName: string, content: Buffer, fields: Record<string, string> = {}) {
  const boundary = `----gm${Math.random().toString(16).slice(2)}`;
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  }
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
  parts.push(content, Buffer.from(`\r\n--${boundary}--\r\n`));
  return { body: Buffer.concat(parts), type: `multipart/form-data; boundary=${boundary}` };
}

async function upload(cookie: string, query: string, content: Buffer, fileName = 'data.xlsx', fields?: Record<string, string>) {
  const m = multipart(fileName, content, fields);
  const res = await t.running.app.inject({ method: 'POST', url: `/api/imports?${query}`, headers: { cookie, 'content-type': m.type }, payload: m.body });
  return { status: res.statusCode, json: res.json<unknown>() };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls the import until it leaves the given state. */
async function settle(cookie: string, id: string, from: ImportFile['state']): Promise<ImportFile> {
  for (let i = 0; i < 300; i++) {
    const r = await t.api(importsApi.get, { cookie, params: { id } });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    if (r.json.state !== from) return r.json;
    await sleep(50);
  }
  const tasks = await t.db.selectFrom('task').select(['kind', 'state', 'error']).where(sql<boolean>`payload @> ${JSON.stringify({ importId: id })}::jsonb`).execute();
  throw new Error(`import ${id} stuck in ${from}: ${JSON.stringify(tasks)}`);
}

/** Upload, wait for the check; the import as it then stands. */
async function checked(cookie: string, query: string, content: Buffer, fileName?: string) {
  const u = await upload(cookie, query, content, fileName);
  assert.equal(u.status, 200, JSON.stringify(u.json));
  return settle(cookie, (u.json as ImportFile).id, 'checking');
}

async function errorsOf(cookie: string, id: string) {
  const r = await t.api(importsApi.rows, { cookie, params: { id }, query: { errors_only: 'true', page_size: 500 } });
  assert.equal(r.status, 200);
  return new Map<number, string[]>(r.json.rows.map((x) => [x.row_no, x.errors.map((e) => e.message)]));
}

/** Applies the import and waits for the apply task; the import as it then stands. */
async function apply(cookie: string, id: string, mode: ApplyMode) {
  const r = await t.api(importsApi.apply, { cookie, params: { id }, body: { mode } });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return { status: r.status, json: r.json, file: await settle(cookie, id, 'applying') };
}

/** An apply the server refuses at once: its status and error. */
async function applyRefused(cookie: string, id: string, mode: ApplyMode) {
  const r = await t.api(importsApi.apply, { cookie, params: { id }, body: { mode } });
  assert.notEqual(r.status, 200, 'the apply should be refused');
  return { status: r.status, json: errorOf(r) };
}

const count = async (table: 'student' | 'submission' | 'grade' | 'programme' | 'import_file') =>
  Number((await t.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

let seq = 0;
/** A valid student row for the test world (专业 行政管理, 专科, 2021). */
function studentRow(o: Partial<Record<'no' | 'name' | 'gender' | 'id' | 'tp' | 'class' | 'entry' | 'cohort' | 'major', unknown>> = {}) {
  seq++;
  const gender = (o.gender ?? '女') as '男' | '女';
  return [o.no ?? `N2021${String(seq).padStart(6, '0')}`, o.name ?? `新生${seq}`, gender, o.id ?? makeIdNumber('1995-03-0' + ((seq % 9) + 1), gender),
    '汉族', '群众', o.cohort ?? '202109', '专科', o.major ?? '行政管理', o.tp ?? 'TA1', o.class ?? 'TA1-1', '在籍', o.entry ?? '2021-09-01', '13800000000'];
}

describe('数据导入: templates and whole-file problems', () => {
  test('a template per kind, with the kind’s columns', async () => {
    for (const kind of ['students', 'programmes', 'grades_exam', 'grades_practice'] as const) {
      const res = await t.running.app.inject({ method: 'GET', url: `/api/imports/templates/${kind}`, headers: { cookie: hq } });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /spreadsheetml/);
      assert.match(String(res.headers['content-disposition']), /filename\*=UTF-8''/);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
      assert.deepEqual((wb.worksheets[0].getRow(1).values as unknown[]).slice(1), KINDS[kind].columns.map((c) => c.title));
      assert.equal(wb.worksheets[1].name, '填写说明');
    }
  });

  test('a file that is not Excel, an old .xls and an empty upload are refused at once, nothing stored', async () => {
    const before = Number((await t.db.selectFrom('import_file').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const csv = await upload(brA, 'kind=students', Buffer.from('学号,姓名\n2021001,张三\n'), '学籍.xlsx');
    assert.equal(csv.status, 400);
    assert.match(errorOf(csv).message, /不是 Excel（\.xlsx）文件.*请用 Excel 另存为 \.xlsx 后重新上传/);
    const xls = await upload(brA, 'kind=students', Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(1024)]), '学籍.xls');
    assert.equal(xls.status, 400);
    assert.match(errorOf(xls).message, /旧版 Excel（\.xls）/);
    const nofile = await t.call('POST', '/api/imports?kind=students', { cookie: brA, body: { kind: 'students' } });
    assert.equal(nofile.status, 400);
    assert.match(errorOf(nofile).message, /请选择要上传的 Excel 文件/);
    const after = Number((await t.db.selectFrom('import_file').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    assert.equal(after, before);
  });

  test('a 50 MB upload is refused before it is read, naming the limit', async () => {
    const big = Buffer.alloc(50 * 1024 * 1024, 0x41);
    big.write('PK\u0003\u0004', 0, 'latin1');
    const r = await upload(brA, 'kind=students', big, '学籍.xlsx');
    assert.equal(r.status, 413);
    assert.match(errorOf(r).message, /文件大小为 50 MB，超过上限 20 MB/);
  });

  test('wrong columns: the file is invalid with the columns named, and cannot be applied', async () => {
    const buf = await xlsx(['学号', '姓名', '性别', '身份证', ...STUDENT_HEADER.slice(4)], [studentRow()]);
    const f = await checked(brA, 'kind=students', buf);
    assert.equal(f.state, 'invalid');
    assert.match(f.file_error ?? '', /缺少列：身份证号；无法识别的列：身份证（D 列）/);
    const a = await applyRefused(brA, f.id, 'valid');
    assert.equal(a.status, 409);
    assert.match(a.json.message, /文件有错误，无法导入/);
  });

  test('an Excel bomb (a worksheet of 1 GiB in a few MB) is refused at upload, nothing stored', async () => {
    const before = await count('import_file');
    const bomb = xlsxBomb(STUDENT_HEADER);
    const started = performance.now();
    const r = await upload(brA, 'kind=students', bomb.xlsx, '学籍.xlsx');
    // The reader alone takes ~20 ms (excel.test.ts); this is the whole request, with a margin for a busy machine.
    assert.ok(performance.now() - started < 10_000, 'refused at once');
    assert.equal(r.status, 400);
    assert.match(errorOf(r).message, /解压后是压缩前的 \d+ 倍.*疑似压缩炸弹），已拒绝。请用 Excel 打开该文件/);
    assert.equal(await count('import_file'), before);
  });

  test('a bomb whose zip lies about its size: the check refuses it as a file error, and the job ends without retries', async () => {
    // A quarter of the size keeps the upload quick; the reader's timing is excel.test.ts's.
    const bomb = xlsxBomb(STUDENT_HEADER, { unpacked: 256 * 1024 * 1024, fileBytes: 0, declaredSize: (packed) => packed * 90 });
    const f = await checked(brA, 'kind=students', bomb.xlsx, '学籍.xlsx');
    assert.equal(f.state, 'invalid');
    assert.match(f.file_error ?? '', /疑似压缩炸弹），已拒绝/);
    assert.equal(f.total_rows, 0);
    // The refusal is the check's answer, not a failure: the task is done and pg-boss has nothing to retry.
    const task = await t.db.selectFrom('task').select(['state', 'error']).where('id', '=', f.check_task!).executeTakeFirstOrThrow();
    assert.deepEqual(task, { state: 'done', error: null });
    const { rows: jobs } = await sql<{ state: string; retry_count: number }>`
      select state, retry_count from pgboss.job where data->>'taskId' = ${f.check_task}`.execute(t.db);
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0].retry_count, 0);
    assert.notEqual(jobs[0].state, 'retry');
  });

  test('kinds only headquarters loads are refused to a branch', async () => {
    const r = await upload(brA, 'kind=grades_exam&batch=202701', await xlsx(GRADE_HEADER, [['x', 'C1', '80', '2022春']]));
    assert.equal(r.status, 403);
    assert.match(errorOf(r).message, /无权进行导入期末考试成绩/);
  });
});

describe('数据导入: 学籍', () => {
  test('every bad cell gets its row and column, in Chinese; nothing is applied', async () => {
    const sB1 = await t.db.selectFrom('student').select(['student_no', 'id_number']).where('id', '=', w.students.sB1).executeTakeFirstOrThrow();
    const good = studentRow();
    const rows = [
      good, // 2
      studentRow({ id: 210102199505030011 }), // 3: 身份证号 as a number
      studentRow({ id: '2.10102E+17' }), // 4: scientific notation
      studentRow({ entry: 44440, no: '２０２１Ｎ０００９９' }), // 5: a serial date and full-width characters: fine
      studentRow({ entry: '2021年9月1日' }), // 6: a date as text: fine
      studentRow({ tp: 'NOPE' }), // 7: unknown teaching point
      studentRow({ tp: 'TB1', class: '' }), // 8: a teaching point of another branch
      studentRow({ major: '不存在的专业' }), // 9: no programme
      [...good], // 10: the same row again
      studentRow({ gender: '男', id: makeIdNumber('1995-03-01', '女') }), // 11: sex differs from the 身份证号
      studentRow({ no: sB1.student_no }), // 12: a 学号 of another branch
      studentRow(), // 13: formula in 姓名
      studentRow(), // 14, 15: merged 姓名
      studentRow(),
    ];
    const buf = await xlsx(STUDENT_HEADER, rows, (ws) => {
      ws.getCell('B13').value = { formula: '"张"&"三"', result: '张三' } as ExcelJS.CellFormulaValue;
      ws.mergeCells('B14:B15');
    });
    const students = await count('student');
    const f = await checked(brA, 'kind=students', buf, '学籍.xlsx');
    assert.equal(f.state, 'checked');
    assert.equal(f.total_rows, 14);
    const e = await errorsOf(brA, f.id);
    const has = (row: number, re: RegExp) => assert.ok((e.get(row) ?? []).some((m) => re.test(m)), `row ${row}: ${JSON.stringify(e.get(row))}`);
    has(3, /第 3 行“身份证号”列：身份证号被 Excel 存成了数字，后几位已经丢失，无法还原。请把该列设为文本格式后重新输入/);
    has(4, /第 4 行“身份证号”列：身份证号是科学计数法（2\.10102E\+17）/);
    assert.equal(e.has(5), false, 'a serial date and full-width digits are normalised');
    assert.equal(e.has(6), false, 'a date as text is read');
    has(7, /第 7 行“教学点代码”列：教学点代码 NOPE 不存在，或不在您的管理范围内/);
    has(8, /第 8 行“教学点代码”列：教学点代码 TB1 不存在，或不在您的管理范围内/);
    has(9, /没有“不存在的专业”专科 2021 级的教学计划/);
    has(10, /第 10 行“学号”列：与第 2 行重复（学号相同），请删除其中一行/);
    has(11, /身份证号表示的性别（女）与学籍记录（男）不一致/);
    has(12, new RegExp(`^第 12 行“学号”列：学号 ${sB1.student_no} 不在您的管理范围内，不能导入，请核对学号$`));
    has(13, /第 13 行“姓名”列：该单元格是公式，请复制后选择性粘贴为数值/);
    has(14, /第 14 行“姓名”列是合并单元格（B14:B15）/);
    has(15, /第 15 行“姓名”列是合并单元格（B14:B15）/);
    assert.equal(f.error_rows, 11);
    const row5 = await t.api(importsApi.rows, { cookie: brA, params: { id: f.id }, query: { page_size: 500 } });
    const r5 = row5.json.rows.find((r) => r.row_no === 5)!;
    assert.equal(r5.data.student_no, '2021N00099');
    assert.equal(r5.data.entry_date, '2021-09-01');

    const all = await applyRefused(brA, f.id, 'all');
    assert.equal(all.status, 409);
    assert.match(all.json.message, /文件中有 11 行有错误，不能全部导入。.*仅导入正确的行/);
    assert.equal(await count('student'), students, 'nothing applied');

    // The report: row, column, value, problem.
    const rep = await t.running.app.inject({ method: 'GET', url: `/api/imports/${f.id}/report`, headers: { cookie: brA } });
    assert.equal(rep.statusCode, 200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(rep.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    assert.deepEqual((ws.getRow(1).values as unknown[]).slice(1), ['行', '列', '值', '问题']);
    assert.equal(ws.actualRowCount, 1 + [...e.values()].flat().length);
    assert.deepEqual((ws.getRow(2).values as unknown[]).slice(1, 4), [3, '身份证号', '2.10102E+17']);

    // 仅导入正确的行: rows 2, 5 and 6.
    const valid = await apply(brA, f.id, 'valid');
    assert.equal(valid.status, 200, JSON.stringify(valid.json));
    assert.equal(valid.file.state, 'applied', JSON.stringify(valid.file));
    assert.equal(valid.file.applied_rows, 3);
    assert.equal(await count('student'), students + 3);
    const s = await t.db.selectFrom('student as s').innerJoin('org_node as n', 'n.id', 's.class_id')
      .select(['s.entry_date', 's.valid_until', 's.node_path', 'n.path', 's.tp_id']).where('s.student_no', '=', '2021N00099').executeTakeFirstOrThrow();
    assert.equal(s.valid_until, '2029-09-01', '8 years from entry');
    assert.equal(s.node_path, s.path, 'the class path');
    const sub = await t.db.selectFrom('submission').selectAll().where('id', '=', valid.file.submission_id!).executeTakeFirstOrThrow();
    assert.equal(sub.kind, '学籍');
    assert.equal(sub.rows, 3);
    assert.equal(sub.file_name, '学籍.xlsx');
    const log = await t.db.selectFrom('operation_log').selectAll().where('object_id', '=', f.id).execute();
    assert.equal(log.length, 1);
    assert.equal(log[0].action, '导入学籍数据');

    const again = await applyRefused(brA, f.id, 'valid');
    assert.equal(again.status, 409);
    assert.match(again.json.message, /已于 .* 导入，不能重复导入/);
  });

  test('a 学号 or 身份证号 held by a student of another branch is answered without saying so', async () => {
    const sB1 = await t.db.selectFrom('student').select(['student_no', 'id_number']).where('id', '=', w.students.sB1).executeTakeFirstOrThrow();
    const buf = await xlsx(STUDENT_HEADER, [
      studentRow({ no: sB1.student_no }), // 2: another branch's 学号
      studentRow({ id: sB1.id_number, gender: (await t.db.selectFrom('student').select('gender').where('id', '=', w.students.sB1).executeTakeFirstOrThrow()).gender }), // 3: its 身份证号
      studentRow(), // 4: a new student
    ]);
    const f = await checked(brA, 'kind=students', buf);
    const e = await errorsOf(brA, f.id);
    assert.deepEqual(e.get(2), [`第 2 行“学号”列：学号 ${sB1.student_no} 不在您的管理范围内，不能导入，请核对学号`]);
    assert.deepEqual(e.get(3), ['第 3 行“身份证号”列：该身份证号不在您的管理范围内，不能导入，请核对身份证号']);
    assert.equal(e.has(4), false);
    for (const m of [...e.values()].flat()) assert.doesNotMatch(m, /其他单位|已被|已属于/);
  });

  test('a clean file applies whole: new students and an update of an own student', async () => {
    const sA1b = await t.db.selectFrom('student').selectAll().where('id', '=', w.students.sA1b).executeTakeFirstOrThrow();
    const buf = await xlsx(STUDENT_HEADER, [
      studentRow(),
      studentRow({ class: '' }),
      studentRow({ no: sA1b.student_no, name: '李四改', gender: sA1b.gender, id: sA1b.id_number, class: 'TA1-1', cohort: '2021' }),
    ]);
    const students = await count('student');
    const f = await checked(brA, 'kind=students', buf);
    assert.equal(f.error_rows, 0, JSON.stringify([...(await errorsOf(brA, f.id))]));
    const a = await apply(brA, f.id, 'all');
    assert.equal(a.file.state, 'applied', JSON.stringify(a.file));
    assert.equal(await count('student'), students + 2);
    const updated = await t.db.selectFrom('student').select(['name', 'cohort']).where('id', '=', w.students.sA1b).executeTakeFirstOrThrow();
    assert.deepEqual(updated, { name: '李四改', cohort: '2021' });
  });

  test('apply is atomic: a constraint violation in the middle leaves nothing, and the job can run again', async () => {
    const buf = await xlsx(STUDENT_HEADER, [studentRow(), studentRow(), studentRow()]);
    const f = await checked(brA, 'kind=students', buf);
    assert.equal(f.error_rows, 0);
    const students = await count('student');
    const submissions = await count('submission');
    // Injected after the check: the third row now breaks the student table's check constraint.
    await sql`update import_row set data = jsonb_set(data, '{status}', '"失联"') where import_id = ${f.id} and row_no = 4`.execute(t.db);
    const a = await apply(brA, f.id, 'all');
    assert.equal(a.status, 200);
    assert.equal(a.file.state, 'failed');
    assert.ok(a.file.apply_error);
    assert.equal(await count('student'), students, 'no student written');
    assert.equal(await count('submission'), submissions, 'no submission recorded');
    assert.equal((await t.db.selectFrom('operation_log').select('id').where('object_id', '=', f.id).execute()).length, 0);

    await sql`update import_row set data = jsonb_set(data, '{status}', '"在籍"') where import_id = ${f.id} and row_no = 4`.execute(t.db);
    const again = await apply(brA, f.id, 'all');
    assert.equal(again.file.state, 'applied', JSON.stringify(again.file));
    assert.equal(await count('student'), students + 3);
  });

  test('imports are scoped: another branch does not see them', async () => {
    const list = await t.api(importsApi.list, { cookie: brA });
    assert.ok(list.json.total >= 3);
    const id = list.json.rows[0].id;
    assert.equal((await t.api(importsApi.list, { cookie: brB, query: { kind: 'students' } })).json.total, 0);
    const r = await t.call('GET', `/api/imports/${id}`, { cookie: brB });
    assert.equal(r.status, 404);
    assert.match(errorOf(r).message, /不存在，或不在您的管理范围内/);
    assert.equal((await t.call('GET', `/api/imports/${id}`, { cookie: hq })).status, 200, 'headquarters sees every import');
  });
});

describe('数据导入: 教学计划 (headquarters)', () => {
  test('unknown course codes are row errors; valid rows replace required courses and category minimums', async () => {
    const header = KINDS.programmes.columns.map((c) => c.title);
    const buf = await xlsx(header, [
      ['行政管理', '专科', '2022', 30, 2.5, 'SJ', 'C1、C2', '专业核心课:10；专业拓展课:10'],
      ['法学', '本科', '2022', 60, '2.5', 'SJ', 'C1,NOPE', ''],
      ['会计', '专科', '2022', 60, 2.5, 'C1', 'C1', '公共基础课12'],
    ]);
    const f = await checked(hq, 'kind=programmes', buf);
    const e = await errorsOf(hq, f.id);
    assert.match(e.get(3)![0], /第 3 行“必修课程代码”列：课程代码 NOPE 不存在/);
    assert.ok(e.get(4)!.some((m) => /不是综合实践环节课程/.test(m)));
    assert.ok(e.get(4)!.some((m) => /无法识别“公共基础课12”/.test(m)));
    const a = await apply(hq, f.id, 'valid');
    assert.equal(a.file.state, 'applied', JSON.stringify(a.file));
    const p = await t.db.selectFrom('programme').selectAll().where('major', '=', '行政管理').where('cohort', '=', '2022').executeTakeFirstOrThrow();
    assert.equal(p.min_credits, 30);
    assert.equal(p.practice_course, 'SJ');
    const req = await t.db.selectFrom('programme_course').select('course_code').where('programme_id', '=', p.id).where('required', '=', true).orderBy('course_code').execute();
    assert.deepEqual(req.map((r) => r.course_code), ['C1', 'C2']);
    const cats = await t.db.selectFrom('programme_category').select(['category', 'min_credits']).where('programme_id', '=', p.id).orderBy('category').execute();
    assert.deepEqual(cats, [{ category: '专业拓展课', min_credits: 10 }, { category: '专业核心课', min_credits: 10 }].sort((x, y) => (x.category < y.category ? -1 : 1)));
    assert.equal((await t.db.selectFrom('programme').select('id').where('major', '=', '法学').execute()).length, 0);
  });
});

describe('数据导入: 成绩', () => {
  const noOf = async (id: number) => (await t.db.selectFrom('student').select('student_no').where('id', '=', id).executeTakeFirstOrThrow()).student_no;
  let roundId: number;
  const setWindow = async (from: string, to: string) => {
    await t.db.updateTable('audit_round').set({ grades_from: from, grades_to: to }).where('id', '=', roundId).execute();
  };

  before(async () => {
    const r = await t.db.insertInto('audit_round').values({
      batch_code: '202701', name: '第一批', starts_on: addDays(today(), -40), ends_on: addDays(today(), 40),
      grades_from: addDays(today(), -30), grades_to: addDays(today(), -27),
    }).returning('id').executeTakeFirstOrThrow();
    roundId = r.id;
    // A cancelled round's window never counts (seed 003 cancels the winter-break one).
    await t.db.insertInto('audit_round').values({
      batch_code: '202701', name: '寒假批', starts_on: addDays(today(), -5), ends_on: addDays(today(), 5),
      grades_from: addDays(today(), -1), grades_to: addDays(today(), 1), status: '已取消',
    }).execute();
  });

  test('期末考试 (headquarters): scores and grade words, upsert on the natural key, stamped with the submission', async () => {
    const sA1x = await noOf(w.students.sA1x);
    const buf = await xlsx(GRADE_HEADER, [
      [sA1x, 'C1', 85, '2023春'],
      [sA1x, 'C3', '不合格', '2023 春季'],
      [sA1x, 'C3', '合格', '2023秋'],
      [sA1x, 'XX', '90', '2023秋'],
      ['NOBODY', 'C1', '90', '2023秋'],
      [sA1x, 'C2', '101', '2023秋'],
      [sA1x, 'C2', '80', '第一学期'],
      [sA1x, 'C1', 85, '2023春'],
    ]);
    const f = await checked(hq, 'kind=grades_exam&batch=202701', buf);
    const e = await errorsOf(hq, f.id);
    assert.match(e.get(5)![0], /课程代码 XX 不存在/);
    assert.match(e.get(6)![0], /学号 NOBODY 不存在，或不在您的管理范围内/);
    assert.match(e.get(7)![0], /成绩应为 0～100 的分数/);
    assert.match(e.get(8)![0], /学期应写成“2022春”或“2022秋”/);
    assert.match(e.get(9)![0], /与第 2 行重复（学号、课程代码、学期相同）/);
    const a = await apply(hq, f.id, 'valid');
    assert.equal(a.file.state, 'applied', JSON.stringify(a.file));
    const grades = await t.db.selectFrom('grade').select(['course_code', 'score', 'passed', 'term', 'source', 'submission_id'])
      .where('student_id', '=', w.students.sA1x).where('term', 'like', '2023%').orderBy('course_code').orderBy('term').execute();
    assert.deepEqual(grades.map((g) => [g.course_code, g.score, g.passed, g.term, g.source, g.submission_id]), [
      ['C1', 85, true, '2023春', '期末考试', a.file.submission_id],
      ['C3', null, false, '2023春', '期末考试', a.file.submission_id],
      ['C3', null, true, '2023秋', '期末考试', a.file.submission_id],
    ]);
    // The same grade again updates instead of doubling.
    const again = await checked(hq, 'kind=grades_exam&batch=202701', await xlsx(GRADE_HEADER, [[sA1x, 'C1', 95, '2023春']]));
    await apply(hq, again.id, 'all');
    const c1 = await t.db.selectFrom('grade').select(['score']).where('student_id', '=', w.students.sA1x).where('course_code', '=', 'C1').where('term', '=', '2023春').execute();
    assert.deepEqual(c1, [{ score: 95 }]);
  });

  test('综合实践环节 from a branch: refused outside the reception window naming it, accepted inside', async () => {
    const sA1 = await noOf(w.students.sA1);
    const buf = await xlsx(GRADE_HEADER, [[sA1, 'SJ', '优秀', '2023秋']]);
    const from = addDays(today(), -30);
    const to = addDays(today(), -27);
    const closed = await upload(brA, 'kind=grades_practice&batch=202701', buf);
    assert.equal(closed.status, 409);
    assert.equal(errorOf(closed).error, 'GRADES_WINDOW_CLOSED');
    assert.equal(errorOf(closed).message, `综合实践环节成绩接收时间为：第一批 ${from} 至 ${to}。当前不在接收时间内，请在接收时间内上报，或联系总部。`);
    const windows = await t.api(importsApi.windows, { cookie: brA, query: { batch: '202701' } });
    assert.deepEqual(windows.json.windows, [{
      round: '第一批', grades_from: from, grades_to: to, open: false,
      status: { starts_on: from, ends_on: to, open: false, phase: 'after', days_left: null },
    }]);

    await setWindow(addDays(today(), -1), today());
    const f = await checked(brA, 'kind=grades_practice&batch=202701', buf);
    assert.equal(f.error_rows, 0);
    // The window closes between the check and the apply: refused again.
    await setWindow(addDays(today(), -3), addDays(today(), -1));
    const late = await applyRefused(brA, f.id, 'all');
    assert.equal(late.status, 409);
    assert.match(late.json.message, /综合实践环节成绩接收时间为：第一批 .* 至 .*。当前不在接收时间内/);
    await setWindow(today(), addDays(today(), 3));
    const ok = await apply(brA, f.id, 'all');
    assert.equal(ok.file.state, 'applied', JSON.stringify(ok.file));
    const sub = await t.db.selectFrom('submission').selectAll().where('id', '=', ok.file.submission_id!).executeTakeFirstOrThrow();
    assert.deepEqual([sub.kind, sub.batch_code, sub.rows], ['综合实践环节', '202701', 1]);
  });

  test('综合实践环节: only practice courses, only own students; graduate.submission_id marks the first report only', async () => {
    const [sA1, sA1b, sB1] = await Promise.all([noOf(w.students.sA1), noOf(w.students.sA1b), noOf(w.students.sB1)]);
    const first = await t.db.selectFrom('graduate').select(['submission_id']).where('student_id', '=', w.students.sA1).where('batch_code', '=', '202701').executeTakeFirstOrThrow();
    assert.ok(first.submission_id, 'stamped by the previous report');
    const buf = await xlsx(GRADE_HEADER, [
      [sA1, 'SJ', 88, '2024春'],
      [sA1b, 'SJ', 75, '2024春'],
      [sA1b, 'C1', 75, '2024春'],
      [sB1, 'SJ', 75, '2024春'],
    ]);
    const f = await checked(brA, 'kind=grades_practice&batch=202701', buf);
    const e = await errorsOf(brA, f.id);
    assert.match(e.get(4)![0], /课程 C1（必修课甲）不是综合实践环节课程/);
    assert.match(e.get(5)![0], /学号 .* 不存在，或不在您的管理范围内/);
    const a = await apply(brA, f.id, 'valid');
    assert.equal(a.file.state, 'applied', JSON.stringify(a.file));
    const g = await t.db.selectFrom('graduate').select(['student_id', 'submission_id']).where('batch_code', '=', '202701')
      .where('student_id', 'in', [w.students.sA1, w.students.sA1b]).execute();
    const by = new Map(g.map((x) => [x.student_id, x.submission_id]));
    assert.equal(by.get(w.students.sA1), first.submission_id, 'first report kept');
    assert.equal(by.get(w.students.sA1b), a.file.submission_id, 'newly reported');
  });
});
