import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { errorOf, startTestApp, type TestApp } from '../testing/harness.ts';
import { buildWorld, type World } from '../testing/factories.ts';
import type { ResponseOf } from '../../shared/contract.ts';
import type { recordsApi } from '../../shared/contract/records.ts';

type Students = ResponseOf<typeof recordsApi.students>;
type EnrollFormView = ResponseOf<typeof recordsApi.myEnrollForm>;

let t: TestApp;
let w: World;
let hq: string, brA: string, tpA1: string, student: string;

before(async () => {
  t = await startTestApp();
  w = await buildWorld(t.db);
  [hq, brA, tpA1, student] = await Promise.all(['hq', 'brA', 'tpA1', 'studentA1'].map((u) => t.login(u)));
});
after(async () => t.close());

const form = {
  address: '辽宁省沈阳市和平区南京北街 1 号', postcode: '110001', phone: '13800000001', email: '', employer: '沈阳市某街道办事处',
  occupation: '职员', education_before: '高中', history: [{ from: '2015-09', to: '2021-06', place: '沈阳市某公司', role: '文员' }],
  family: [{ relation: '母亲', name: '王某', employer: '退休', phone: '13900000002' }],
};

describe('学籍卡查询', () => {
  test('a teaching point lists its own students, 身份证号 masked, filtered and sorted', async () => {
    const r = await t.call<Students>('GET', '/api/records/students?cohort=2021&status=在籍&sort=name', { cookie: tpA1 });
    assert.equal(r.status, 200);
    assert.deepEqual(r.json.rows.map((x) => x.name).sort(), ['张三', '李四', '王五', '赵六'].sort());
    assert.match(r.json.rows[0].id_number_masked, /^\d{4}\*{10}\d{3}[\dX]$/);
    assert.equal(r.json.rows.some((x) => 'id_number' in x), false);
    const b = await t.call<Students>('GET', '/api/records/students?q=孙八', { cookie: tpA1 });
    assert.equal(b.json.total, 0, 'another branch’s student is not found by name either');
    const h = await t.call<Students>('GET', '/api/records/students?q=孙八', { cookie: hq });
    assert.equal(h.json.total, 1);
  });

  test('a bad 学籍批次 is refused in Chinese', async () => {
    const r = await t.call('GET', '/api/records/students?cohort=21', { cookie: brA });
    assert.equal(r.status, 400);
    assert.match(errorOf(r).message, /学籍批次/);
  });
});

describe('入学登记表 and 强制核对', () => {
  test('a student completes the form; identity stays the office’s; the record is 已更新 with its time', async () => {
    const before = await t.call<EnrollFormView>('GET', '/api/me/enroll-form', { cookie: student });
    assert.equal(before.status, 200);
    assert.equal(before.json.identity.name, '张三');
    assert.equal(before.json.status, '未更新');
    const r = await t.call<EnrollFormView>('PUT', '/api/me/enroll-form', { cookie: student, body: { ...form, name: '改名', id_number: '110101199001010011' } });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.status, '已更新');
    assert.ok(r.json.updated_at);
    assert.equal(r.json.identity.name, '张三');
    assert.equal(r.json.form.address, form.address);
    const s = await t.db.selectFrom('student').select(['name', 'phone', 'enroll_form_status']).where('id', '=', w.students.sA1).executeTakeFirstOrThrow();
    assert.deepEqual(s, { name: '张三', phone: form.phone, enroll_form_status: '已更新' });
  });

  test('a wrong phone number is refused with the field named, and nothing changes', async () => {
    const r = await t.call('PUT', '/api/me/enroll-form', { cookie: student, body: { ...form, phone: '12345' } });
    assert.equal(r.status, 400);
    assert.match(errorOf(r).message, /手机号/);
  });

  test('staff have no 入学登记表 of their own', async () => {
    assert.equal((await t.call('GET', '/api/me/enroll-form', { cookie: tpA1 })).status, 403);
  });

  test('headquarters starts 强制核对 for a 年级; offices see progress per teaching point and export it', async () => {
    const c = await t.call<ResponseOf<typeof recordsApi.startVerification>>('POST', '/api/records/verification', { cookie: hq, body: { grade: '2021' } });
    assert.equal(c.status, 200);
    assert.equal(c.json.students, 6);
    assert.equal((await t.db.selectFrom('student').select('enroll_form_status').where('id', '=', w.students.sA1).executeTakeFirstOrThrow()).enroll_form_status, '未更新');
    await t.call('PUT', '/api/me/enroll-form', { cookie: student, body: form });
    const v = await t.call<ResponseOf<typeof recordsApi.verification>>('GET', '/api/records/verification?grade=2021&status=未更新', { cookie: brA });
    assert.equal(v.status, 200);
    assert.deepEqual(v.json.rows.map((x) => x.name).sort(), ['李四', '王五', '赵六', '钱七'].sort());
    assert.deepEqual(v.json.by_tp.map((x) => [x.tp_code, x.updated, x.not_updated]), [['TA1', 1, 3], ['TA2', 0, 1]]);
    const res = await t.running.app.inject({ method: 'GET', url: '/api/records/verification.xlsx?grade=2021&status=未更新', headers: { cookie: tpA1 } });
    assert.equal(res.statusCode, 200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const names = wb.worksheets[0].getColumn(4).values.slice(2).map(String).sort();
    assert.deepEqual(names, ['李四', '王五', '赵六'].sort());
  });
});
