/**
 * 学历电子注册: certificate numbers (format, uniqueness, two processes on PostgreSQL, overflow), the build with its
 * row errors, the DBF read back by Debian's dbfread and byte for byte in GBK, the Excel read back, the states and
 * the result import, the deadline figures, scope, and the photo-missing list shrinking.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { sql } from 'kysely';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gm-reg-'));
process.env.DATA_DIR = dataDir;

const { errorOf, finishedTask, startTestApp } = await import('../testing/harness.ts');
const { buildWorld, makeIdNumber } = await import('../testing/factories.ts');
const { registrationApi } = await import('../../shared/contract/registration.ts');
const service = await import('./service.ts');
type TestApp = Awaited<ReturnType<typeof startTestApp>>;
type World = Awaited<ReturnType<typeof buildWorld>>;

let t: TestApp;
let w: World;
let hq: string;
let brA: string;
let brB: string;
let tpA1: string;
let roundA = 0;
let roundB = 0;
const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const LONG_NAME = '欧阳一二三四五六七八九十壹'; // 13 characters: 26 GBK bytes

before(async () => {
  t = await startTestApp();
  w = await buildWorld(t.db);
  // One after the other: logins at once from one address are throttled.
  hq = await t.login('hq');
  brA = await t.login('brA');
  brB = await t.login('brB');
  tpA1 = await t.login('tpA1');
  // Two published rounds: one whose deadline the calendar knows (2020), one that runs into 2027 (not entered).
  const round = (name: string, published: string) => t.db.insertInto('audit_round').values({
    batch_code: w.batch, name, starts_on: published.slice(0, 10), ends_on: published.slice(0, 10), status: '已审核', published_at: new Date(published),
  }).returning('id').executeTakeFirstOrThrow();
  roundA = (await round('第一批', '2020-01-10T10:00:00+08:00')).id;
  roundB = (await round('第二批', '2026-12-20T10:00:00+08:00')).id;
  const s = w.students;
  const graduate = (ids: number[], round: number) => t.db.updateTable('student')
    .set({ status: '毕业', graduation_batch: w.batch, graduation_round_id: round, graduation_date: '2027-01-20', graduation_conclusion: '毕业' })
    .where('id', 'in', ids).execute();
  await graduate([s.sA1, s.sA1b, s.sA1x, s.sA2], roundA);
  await graduate([s.sA3, s.sB1], roundB);
  // Bad input: a name GBK cannot hold, a graduate without 民族, a name too wide for XM C24.
  await t.db.updateTable('student').set({ name: '王䶮' }).where('id', '=', s.sA1b).execute();
  await t.db.updateTable('student').set({ ethnicity: '' }).where('id', '=', s.sA2).execute();
  await t.db.updateTable('student').set({ name: LONG_NAME }).where('id', '=', s.sA3).execute();
});
after(async () => {
  await t?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const graduateId = async (studentId: number) => (await w.graduateOf(studentId)).id;

async function download(id: number, format: 'dbf' | 'xlsx', cookie = hq) {
  const res = await t.running.app.inject({ method: 'GET', url: `/api/registration/files/${id}/download?format=${format}`, headers: { cookie } });
  return { status: res.statusCode, body: res.rawPayload };
}

async function xlsx(header: string[], rows: string[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('结果');
  ws.addRow(header);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function uploadResults(content: Buffer, fileName = '结果.xlsx', cookie = hq) {
  const boundary = `----gm${Math.random().toString(16).slice(2)}`;
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    content, Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const res = await t.running.app.inject({ method: 'POST', url: `/api/registration/results?batch=${w.batch}`, headers: { cookie, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: body });
  return { status: res.statusCode, json: res.json<Record<string, unknown>>() };
}

const entry = (studentId: number) => t.db.selectFrom('registration_entry').selectAll().where('student_id', '=', studentId).executeTakeFirst();

describe('deadline', () => {
  test('15 working days after publication, across the 2020 Spring Festival; a year not entered is said, not guessed', async () => {
    const r = await t.api(registrationApi.rounds, { cookie: hq, query: { batch: w.batch } });
    assert.equal(r.status, 200);
    const a = r.json.rounds.find((x) => x.id === roundA)!;
    // 01-10 (Fri): 13–17, 19 (Sunday 调休上班), 20–23 = 10; 01-24 … 02-02 off (extended); 02-03 … 02-07 = 15.
    assert.equal(a.published_at, '2020-01-10');
    assert.equal(a.deadline, '2020-02-07');
    assert.ok(a.days_left! < 0);
    assert.equal(a.overdue, true);
    assert.equal(a.calendar_error, null);
    assert.deepEqual(a.counts, { 待注册: 4, 已生成: 0, 已上报: 0, 已注册: 0, 注册失败: 0 });
    const b = r.json.rounds.find((x) => x.id === roundB)!;
    assert.equal(b.deadline, null);
    assert.equal(b.days_left, null);
    assert.match(b.calendar_error!, /2027 年节假日安排尚未录入，无法计算截止日期/);
    assert.equal(r.json.issue_date, '2027-01-20');
  });
});

let fileId = 0;

describe('build', () => {
  test('row errors name the graduate and the field; the others are numbered and written', async () => {
    const narrowed = await t.api(registrationApi.updateProfile, { cookie: hq, body: { widths: [{ name: 'XM', width: 24 }] } });
    assert.equal(narrowed.status, 200);
    assert.equal(narrowed.json.fields.find((f) => f.name === 'XM')!.width, 24);
    const started = await t.api(registrationApi.build, { cookie: hq, body: { batch: w.batch } });
    assert.equal(started.status, 200, JSON.stringify(started.json));
    const task = await finishedTask(t, hq, started.json.task_id, 60_000);
    assert.equal(task.state, 'done', String(task.error));

    const files = await t.api(registrationApi.files, { cookie: hq, query: { batch: w.batch } });
    assert.equal(files.json.total, 1);
    const f = files.json.rows[0];
    fileId = f.id;
    assert.equal(f.written, 3);
    assert.equal(f.errors, 3);
    assert.equal(f.counts.已生成, 3);

    const errs = await t.api(registrationApi.errors, { cookie: hq, params: { id: fileId } });
    const by = (name: string) => errs.json.rows.filter((r) => r.name === name).map((r) => `${r.field}:${r.message}`);
    assert.deepEqual(by('王䶮'), ['XM:姓名含 GBK 无法表示的字：䶮，请按学信网生僻字流程处理']);
    assert.equal(by('赵六').length, 1);
    assert.match(by('赵六')[0], /^MZ:民族（MZ）缺失/);
    assert.equal(by(LONG_NAME).length, 1);
    assert.match(by(LONG_NAME)[0], /^XM:.*26 字节，超过导出方案的宽度 24 字节/);

    // The failed stay 待注册 without a number; the list shows their errors.
    for (const s of [w.students.sA1b, w.students.sA2, w.students.sA3]) {
      const e = await entry(s);
      assert.ok(!e || (e.state === '待注册' && e.certificate_no === null));
    }
    const list = await t.api(registrationApi.graduates, { cookie: hq, query: { batch: w.batch, state: '待注册' } });
    assert.equal(list.json.total, 3);
    assert.ok(list.json.rows.every((r) => r.errors.length === 1 && r.certificate_no === null));
  });

  test('certificate numbers: 18 digits, 51161 + 办学类型 5 + 2027 + 06 + serial, consecutive and unique', async () => {
    const numbers = (await t.db.selectFrom('registration_entry').select('certificate_no').where('certificate_no', 'is not', null).orderBy('graduate_id').execute())
      .map((r) => r.certificate_no!);
    assert.deepEqual(numbers, ['511615202706000001', '511615202706000002', '511615202706000003']);
  });

  test('the DBF: dbfread (GBK) reads back every field and value; the bytes are GBK of the values', async () => {
    const d = await download(fileId, 'dbf');
    assert.equal(d.status, 200);
    const file = path.join(dataDir, 'back.dbf');
    fs.writeFileSync(file, d.body);
    const out = execFileSync(PYTHON, ['-c', `
import json, sys, dbfread
t = dbfread.DBF(sys.argv[1], encoding='gbk', char_decode_errors='strict')
print(json.dumps({'fields': [[f.name, f.type, f.length] for f in t.fields], 'records': [{k: (v.isoformat() if hasattr(v, 'isoformat') else v) for k, v in r.items()} for r in t]}, ensure_ascii=False))
`, file], { encoding: 'utf8' });
    const back = JSON.parse(out) as { fields: [string, string, number][]; records: Record<string, string | null>[] };
    const profile = await t.api(registrationApi.profile, { cookie: hq });
    assert.deepEqual(back.fields, profile.json.fields.map((f) => [f.name, f.type, f.width]));
    assert.equal(back.records.length, 3);
    const zhang = back.records.find((r) => r.XM === '张三')!;
    const s = await t.db.selectFrom('student').selectAll().where('id', '=', w.students.sA1).executeTakeFirstOrThrow();
    assert.equal(zhang.XH, s.student_no);
    assert.equal(zhang.SFZH, s.id_number);
    assert.equal(zhang.XB, '男');
    assert.equal(zhang.MZ, '汉族');
    assert.equal(zhang.ZZMM, '群众');
    assert.equal(zhang.YXDM, '51161');
    assert.equal(zhang.YXMC, '国家开放大学');
    assert.equal(zhang.ZYDM, '590201');
    assert.equal(zhang.ZYMC, '行政管理');
    assert.equal(zhang.CC, '专科');
    assert.equal(zhang.XXXS, '开放教育');
    assert.equal(zhang.CSRQ, '1990-05-17');
    assert.equal(zhang.RXRQ, '2021-03-01');
    assert.equal(zhang.BYRQ, '2027-01-20');
    assert.equal(zhang.BJYJL, '毕业');
    assert.equal(zhang.ZSBH, (await entry(w.students.sA1))!.certificate_no);
    assert.equal(zhang.FY, '辽宁开放大学');
    assert.equal(zhang.XSH, '沈阳市开放大学');
    assert.equal(zhang.BH, '行政管理1班');

    // Byte for byte: each C field of each record is the GBK of its value, padded with spaces to the width.
    const buf = d.body;
    const headerLength = buf.readUInt16LE(8);
    const recordLength = buf.readUInt16LE(10);
    assert.equal(buf[29], 0x4d, 'language driver: GBK (CP936)');
    back.records.forEach((r, i) => {
      let at = headerLength + i * recordLength + 1;
      for (const [name, type, width] of back.fields) {
        const raw = buf.subarray(at, at + width);
        if (type === 'C') {
          const expected = Buffer.alloc(width, 0x20);
          iconv.encode(r[name] ?? '', 'gbk').copy(expected);
          assert.ok(raw.equals(expected), `record ${i} field ${name}`);
        }
        at += width;
      }
    });
  });

  test('the Excel file: the same columns and values, read back by exceljs', async () => {
    const d = await download(fileId, 'xlsx');
    assert.equal(d.status, 200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(d.body as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    const header = (ws.getRow(1).values as string[]).slice(1);
    assert.deepEqual(header, ['KSH', 'XH', 'XM', 'XB', 'CSRQ', 'SFZH', 'ZZMM', 'MZ', 'YXDM', 'YXMC', 'ZYDM', 'ZYMC', 'CC', 'XZ', 'XXXS', 'RXRQ', 'BYRQ', 'BJYJL', 'ZSBH', 'XZM', 'BZ', 'FY', 'XSH', 'BH']);
    assert.equal(ws.rowCount, 4);
    const names = [2, 3, 4].map((n) => String(ws.getRow(n).getCell(3).value));
    assert.deepEqual(names.sort(), ['孙八', '张三', '王五'].sort());
    const zhang = [2, 3, 4].map((n) => ws.getRow(n)).find((row) => row.getCell(3).value === '张三')!;
    assert.equal(zhang.getCell(19).value, (await entry(w.students.sA1))!.certificate_no);
    assert.equal(zhang.getCell(5).value, '19900517');
  });

  test('download is for headquarters; a file that does not exist is 404', async () => {
    assert.equal((await download(fileId, 'dbf', brA)).status, 403);
    assert.equal((await t.api(registrationApi.errors, { cookie: brA, params: { id: 999_999 } })).status, 404);
  });
});

describe('scope', () => {
  test('a branch and a teaching point see only their subtree', async () => {
    const a = await t.api(registrationApi.graduates, { cookie: brA, query: { batch: w.batch } });
    assert.equal(a.json.total, 5);
    assert.ok(!a.json.rows.some((r) => r.name === '孙八'));
    const b = await t.api(registrationApi.graduates, { cookie: brB, query: { batch: w.batch } });
    assert.deepEqual(b.json.rows.map((r) => r.name), ['孙八']);
    const tp = await t.api(registrationApi.graduates, { cookie: tpA1, query: { batch: w.batch } });
    assert.equal(tp.json.total, 4);
    // Row errors of another branch's graduates are not shown.
    const errsB = await t.api(registrationApi.errors, { cookie: brB, params: { id: fileId } });
    assert.equal(errsB.json.total, 0);
    const rounds = await t.api(registrationApi.rounds, { cookie: brB, query: { batch: w.batch } });
    assert.equal(rounds.json.counts.已生成, 1);
    // Acting is for headquarters.
    const refused = await t.api(registrationApi.setState, { cookie: brA, body: { batch: w.batch, selection: { items: [{ id: await graduateId(w.students.sA1), version: 1 }] }, state: '已注册' } });
    assert.equal(refused.status, 403);
  });
});

describe('states', () => {
  test('标记已上报 a file; set by hand; ids that are not the batch\'s graduates are refused as not found', async () => {
    const r = await t.api(registrationApi.report, { cookie: hq, body: { batch: w.batch, selection: { file_id: fileId }, reported_on: '2026-12-01' } });
    assert.deepEqual({ changed: r.json.changed, refused: r.json.refused.length }, { changed: 3, refused: 0 });
    assert.equal((await entry(w.students.sA1))!.reported_on, '2026-12-01');
    const a1 = await graduateId(w.students.sA1);
    const version = (await entry(w.students.sA1))!.version;
    const set = await t.api(registrationApi.setState, { cookie: hq, body: { batch: w.batch, selection: { items: [{ id: a1, version }, { id: 9_999_999, version: 1 }] }, state: '已注册' } });
    assert.equal(set.json.changed, 1);
    assert.deepEqual(set.json.refused.map((x) => x.code), ['NOT_FOUND']);
    assert.equal((await entry(w.students.sA1))!.state, '已注册');
    // A 待注册 graduate has no result to set.
    const pending = await t.api(registrationApi.setState, { cookie: hq, body: { batch: w.batch, selection: { items: [{ id: await graduateId(w.students.sA2), version: 0 }] }, state: '注册失败', reason: '民族缺失' } });
    assert.deepEqual(pending.json.refused.map((x) => x.code), ['REGISTRATION_NOT_BUILT']);
  });

  test('导入注册结果: bad rows refuse the whole file, nothing half-written; then a good file applies', async () => {
    const sB1 = await t.db.selectFrom('student').select('id_number').where('id', '=', w.students.sB1).executeTakeFirstOrThrow();
    const cert1x = (await entry(w.students.sA1x))!.certificate_no!;
    // Another batch's graduate.
    await t.db.insertInto('batch').values({ code: '202607', name: '202607批次', issue_date: '2026-07-10' }).execute();
    const other = await t.db.insertInto('student').values({
      student_no: 'X0000001', name: '周九', gender: '女', id_number: makeIdNumber('1991-02-03', '女'), cohort: '202303', level: '专科', major: '行政管理',
      programme_id: w.programmeId, tp_id: w.nodes.tpA1.id, node_path: w.nodes.classA1.path, status: '毕业', entry_date: '2023-03-01', valid_until: '2031-03-01',
      graduation_batch: '202607', graduation_date: '2026-07-10', graduation_conclusion: '毕业',
    }).returning(['id', 'id_number']).executeTakeFirstOrThrow();
    await t.db.insertInto('graduate').values({ batch_code: '202607', student_id: other.id, student_no: 'X0000001', tp_id: w.nodes.tpA1.id, node_path: w.nodes.classA1.path }).execute();

    const bad = await uploadResults(await xlsx(['证书编号', '身份证号', '结果', '原因'], [
      [cert1x, '', '成功', ''],
      ['', '110101199001011234', '已注册', ''],
      ['', other.id_number, '已注册', ''],
      ['', sB1.id_number, '失败', ''],
    ]));
    assert.equal(bad.status, 200, JSON.stringify(bad.json));
    assert.equal(bad.json.applied, false);
    const messages = (bad.json.errors as { row_no: number; message: string }[]).map((e) => `${e.row_no}:${e.message}`);
    assert.equal(messages.length, 3);
    assert.match(messages[0], /^3:.*不是本系统中的毕业生/);
    assert.match(messages[1], /^4:.*毕业批次 202607 的毕业生，不属于本批次 202701/);
    assert.match(messages[2], /^5:.*须在“原因”列填写/);
    assert.equal((await entry(w.students.sA1x))!.state, '已上报', 'nothing written');

    const good = await uploadResults(await xlsx(['证书编号', '身份证号', '结果', '原因'], [
      [cert1x, '', '成功', ''],
      ['', sB1.id_number, '失败', '照片不合格'],
    ]));
    assert.deepEqual({ applied: good.json.applied, registered: good.json.registered, failed: good.json.failed }, { applied: true, registered: 1, failed: 1 });
    assert.equal((await entry(w.students.sA1x))!.state, '已注册');
    const b1 = (await entry(w.students.sB1))!;
    assert.deepEqual([b1.state, b1.failure_reason], ['注册失败', '照片不合格']);

    const notExcel = await uploadResults(Buffer.from('身份证号,结果\n1,成功\n'), '结果.csv');
    assert.equal(notExcel.status, 400);
    assert.match(String(notExcel.json.message), /不是 Excel 文件/);
  });

  test('重新注册: 注册失败 → 待注册, keeping its number; a second build writes it again with the same number', async () => {
    const b1 = (await entry(w.students.sB1))!;
    const r = await t.api(registrationApi.retry, { cookie: hq, body: { batch: w.batch, selection: { items: [{ id: b1.graduate_id, version: b1.version }, { id: await graduateId(w.students.sA1), version: (await entry(w.students.sA1))!.version }] } } });
    assert.equal(r.json.changed, 1);
    assert.deepEqual(r.json.refused.map((x) => x.code), ['REGISTRATION_NOT_FAILED']);
    const after = (await entry(w.students.sB1))!;
    assert.deepEqual([after.state, after.certificate_no], ['待注册', b1.certificate_no]);

    // Corrected: the name fits again, 民族 is filled; the second build numbers them after the first three.
    await t.db.updateTable('student').set({ ethnicity: '汉族' }).where('id', '=', w.students.sA2).execute();
    await t.api(registrationApi.updateProfile, { cookie: hq, body: { widths: [{ name: 'XM', width: 40 }] } });
    const started = await t.api(registrationApi.build, { cookie: hq, body: { batch: w.batch } });
    assert.equal((await finishedTask(t, hq, started.json.task_id, 60_000)).state, 'done');
    assert.equal((await entry(w.students.sB1))!.certificate_no, b1.certificate_no);
    assert.equal((await entry(w.students.sB1))!.state, '已生成');
    assert.equal((await entry(w.students.sA2))!.certificate_no, '511615202706000004');
    assert.equal((await entry(w.students.sA3))!.certificate_no, '511615202706000005');
    assert.equal((await entry(w.students.sA1b))?.certificate_no ?? null, null, '䶮 still cannot be written: no number');
  });
});

describe('public query date', () => {
  test('缺照片 graduates are listed, and the list shrinks as a photo arrives', async () => {
    const before = await t.api(registrationApi.photoMissing, { cookie: hq, query: { batch: w.batch } });
    assert.equal(before.status, 200);
    assert.equal(before.json.public_from, '2027-01-20');
    assert.ok(before.json.rows.every((r) => r.message === '缺照片，学信网暂不可公开查询'));
    const n = before.json.total;
    assert.ok(n >= 4);
    assert.ok(before.json.rows.some((r) => r.name === '张三'));
    const s = await t.db.selectFrom('student').select(['id', 'node_path']).where('id', '=', w.students.sA1).executeTakeFirstOrThrow();
    await t.db.insertInto('photo').values({ student_id: s.id, photo_type: '毕业证照片', node_path: s.node_path, sha256: 'a'.repeat(64), size_bytes: 1000, width: 480, height: 640, source: '演示数据' }).execute();
    const after = await t.api(registrationApi.photoMissing, { cookie: hq, query: { batch: w.batch } });
    assert.equal(after.json.total, n - 1);
    assert.ok(!after.json.rows.some((r) => r.name === '张三'));
    const list = await t.api(registrationApi.graduates, { cookie: hq, query: { batch: w.batch, q: '张三' } });
    assert.equal(list.json.rows[0].photo_missing, false);
  });
});

describe('partner seals', () => {
  test('the seed majors carry their partner; headquarters sets one per programme', async () => {
    const p = await t.db.insertInto('programme').values({ major: '数学与应用数学', level: '本科', cohort: '2021', min_credits: 71 }).returning('id').executeTakeFirstOrThrow();
    const list = await t.api(registrationApi.partnerSeals, { cookie: brA });
    const maths = list.json.find((r) => r.programme_id === p.id)!;
    assert.equal(maths.major_code, '070101');
    assert.ok(maths.partner_seal);
    const put = await t.api(registrationApi.updatePartnerSeal, { cookie: hq, params: { programme: w.programmeId }, body: { partner_seal: '东北师范大学' } });
    assert.equal(put.json.partner_seal, '东北师范大学');
    const rows = await t.api(registrationApi.graduates, { cookie: hq, query: { batch: w.batch, q: '张三' } });
    assert.equal(rows.json.rows[0].partner_seal, '东北师范大学');
    assert.equal((await t.api(registrationApi.updatePartnerSeal, { cookie: hq, params: { programme: 999_999 }, body: { partner_seal: null } })).status, 404);
  });
});

/** Graduates of a new batch of `year`, made in one statement. */
async function graduatesOf(batch: string, issue: string, n: number, offset: number) {
  await t.db.insertInto('batch').values({ code: batch, name: `${batch}批次`, issue_date: issue }).execute();
  await sql`
    insert into student (student_no, name, gender, id_number, cohort, level, major, programme_id, tp_id, node_path, status, entry_date, valid_until, graduation_batch, graduation_date, graduation_conclusion)
    select 'N' || ${batch} || lpad(i::text, 6, '0'), '学生' || i, '男', 'ID' || ${batch} || lpad(i::text, 8, '0'), '202603', '专科', '行政管理', ${w.programmeId}, ${w.nodes.tpA1.id}, ${w.nodes.classA1.path},
           '毕业', '2026-03-01', '2034-03-01', ${batch}, ${issue}::date, '毕业'
      from generate_series(${offset + 1}::int, ${offset + n}::int) i`.execute(t.db);
  await sql`
    insert into graduate (batch_code, student_id, student_no, tp_id, node_path)
    select ${batch}, s.id, s.student_no, s.tp_id, s.node_path from student s where s.graduation_batch = ${batch}`.execute(t.db);
}

const serials = async (year: number) => (await t.db.selectFrom('registration_entry').select('certificate_no')
  .where('certificate_no', 'like', `51161${'5'}${year}06%`).execute()).map((r) => Number(r.certificate_no!.slice(-6))).sort((a, b) => a - b);

describe('numbering under concurrency', () => {
  test('two numberings at once (two batches of one year) share no number', async () => {
    await graduatesOf('203001', '2030-01-20', 300, 0);
    await graduatesOf('203007', '2030-07-10', 300, 300);
    const [a, b] = await Promise.all([
      service.assignCertificateNumbers(t.db, { batch: '203001' }),
      service.assignCertificateNumbers(t.db, { batch: '203007' }),
    ]);
    assert.deepEqual([a, b], [300, 300]);
    const got = await serials(2030);
    assert.deepEqual(got, Array.from({ length: 600 }, (_, i) => i + 1));
    // Numbering again gives nothing new: a number is given once.
    assert.equal(await service.assignCertificateNumbers(t.db, { batch: '203001' }), 0);
  });

  // Two processes can share only a PostgreSQL server (PGlite lives in one process): CI runs this in its
  // PostgreSQL pass; on PGlite the concurrent numbering test above covers one process.
  if (process.env.DATABASE_URL) {
    test('two processes numbering at once on PostgreSQL give no duplicate', async () => {
      await graduatesOf('203101', '2031-01-20', 3000, 1000);
      await graduatesOf('203107', '2031-07-10', 3000, 5000);
      const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(t.db);
      const url = new URL(process.env.DATABASE_URL!);
      url.pathname = `/${rows[0].name}`;
      const run = (batch: string) => new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/registration/number-child.ts', url.toString(), batch], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (err += d));
        child.on('close', (code) => (code === 0 ? resolve((JSON.parse(out.trim()) as { numbered: number }).numbered) : reject(new Error(`child ${batch}: ${code} ${err}`))));
      });
      const [a, b] = await Promise.all([run('203101'), run('203107')]);
      assert.deepEqual([a, b], [3000, 3000]);
      assert.deepEqual(await serials(2031), Array.from({ length: 6000 }, (_, i) => i + 1));
    });
  }

  test('a serial past 999999 is a clear error, and nothing is numbered', async () => {
    await graduatesOf('203201', '2032-01-20', 3, 9000);
    await t.db.insertInto('registration_serial').values({ year: 2032, level_code: '06', last_serial: 999_998 }).execute();
    await assert.rejects(service.assignCertificateNumbers(t.db, { batch: '203201' }), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'REGISTRATION_SERIAL_OVERFLOW');
      assert.match(e.message, /流水号不足：本次需要 3 个，最多还剩 1 个/);
      return true;
    });
    assert.deepEqual(await serials(2032), []);
  });
});

describe('bad requests', () => {
  test('a build of a batch without 待注册 graduates, or of a batch that does not exist, is refused in Chinese', async () => {
    await t.db.insertInto('batch').values({ code: '202801', name: '202801批次', issue_date: '2028-01-20' }).execute();
    const none = await t.api(registrationApi.build, { cookie: hq, body: { batch: '202801' } });
    assert.equal(none.status, 409);
    assert.match(errorOf(none).message, /没有待注册的毕业生/);
    const unknown = await t.api(registrationApi.build, { cookie: hq, body: { batch: '209901' } });
    assert.equal(unknown.status, 404);
  });
});
