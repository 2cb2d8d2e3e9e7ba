import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import ExcelJS from 'exceljs';
import { errorOf, startTestApp, type TestApp } from '../testing/harness.ts';
import { buildWorld, type World } from '../testing/factories.ts';
import type { ResponseOf } from '../../shared/contract.ts';
import type { BulkResult } from '../../shared/bulk.ts';
import type { materialsApi } from '../../shared/contract/materials.ts';

type Materials = ResponseOf<typeof materialsApi.list>;
type NotGraduating = ResponseOf<typeof materialsApi.notGraduating>;

/** Step 七: the materials checklist, its counts, and the 未办理毕业学生统计表. */
describe('到校提交毕业审核材料', () => {
  let t: TestApp;
  let w: World;
  const cookie: Record<string, string> = {};
  const g: Record<string, number> = {};
  before(async () => {
    t = await startTestApp();
    w = await buildWorld(t.db);
    for (const k of ['sA1', 'sA1b', 'sA1x', 'sA3'] as const) g[k] = (await w.graduateOf(w.students[k])).id;
    await t.db.updateTable('graduate').set({ confirm_status: '同意毕业' }).where('id', 'in', [g.sA1, g.sA1b, g.sA3]).execute();
    for (const u of ['hq', 'brA', 'brB', 'tpA1', 'tpA2', 'teacherA1']) cookie[u] = await t.login(u);
  });
  after(async () => t?.close());

  const mark = (user: string, body: Record<string, unknown>) => t.call<BulkResult>('POST', '/api/materials/mark', { cookie: cookie[user], body: { batch: w.batch, ...body } });
  const ALL = ['信息采集照片', '成绩单', '入学登记表', '毕业生登记表'];

  test('the teaching point ticks what it prepared; the branch what it received; counts per teaching point', async () => {
    const l0 = await t.call<Materials>('GET', `/api/materials?batch=${w.batch}`, { cookie: cookie.tpA1 });
    assert.equal(l0.status, 200, JSON.stringify(l0.json));
    assert.deepEqual(l0.json.rows.map((r) => r.graduate_id).sort(), [g.sA1, g.sA1b].sort(), 'agreed graduates of tpA1 only');
    assert.equal(l0.json.rows[0].items['成绩单'].prepared_at, null);

    const p = await mark('tpA1', { action: 'prepare', done: true, items: ALL.map((item) => ({ graduate_id: g.sA1, item })) });
    assert.deepEqual(p.json, { changed: 4, unchanged: 0, refused: [] });
    const open = await t.call<Materials>('GET', `/api/materials?batch=${w.batch}&state=未备齐`, { cookie: cookie.tpA1 });
    assert.deepEqual(open.json.rows.map((r) => r.graduate_id), [g.sA1b]);

    assert.equal((await mark('tpA1', { action: 'receive', done: true, items: [{ graduate_id: g.sA1, item: '成绩单' }] })).status, 403, 'only the school receives');
    const r = await mark('brA', { action: 'receive', done: true, items: ALL.map((item) => ({ graduate_id: g.sA1, item })) });
    assert.equal(r.json.changed, 4);
    const undo = await mark('tpA1', { action: 'prepare', done: false, items: [{ graduate_id: g.sA1, item: '成绩单' }] });
    assert.equal(undo.json.changed, 0);
    assert.match(undo.json.refused[0].message, /学校已接收该生的成绩单/);
    assert.equal(undo.json.refused[0].code, 'WRONG_STATE');

    const s = await t.call<ResponseOf<typeof materialsApi.summary>>('GET', `/api/materials/summary?batch=${w.batch}`, { cookie: cookie.brA });
    const a1 = s.json.rows.find((x) => x.tp_code === 'TA1');
    assert.ok(a1);
    assert.deepEqual({ graduates: a1.graduates, all_prepared: a1.all_prepared, all_received: a1.all_received, photo: a1.received['信息采集照片'] },
      { graduates: 2, all_prepared: 1, all_received: 1, photo: 1 });
    assert.equal(s.json.rows.find((x) => x.tp_code === 'TA2')?.all_prepared, 0);
    assert.equal((await t.call<Materials>('GET', `/api/materials?batch=${w.batch}&state=已接收`, { cookie: cookie.tpA1 })).json.total, 1);
    const audit = await t.db.selectFrom('operation_log').select('action').where('object_type', '=', 'graduate_material').execute();
    assert.deepEqual(audit.map((x) => x.action).sort(), ['标记毕业材料已备齐', '确认接收毕业材料']);
  });

  test('another teaching point or branch cannot tick them; a bad item is refused', async () => {
    const other = await mark('tpA2', { action: 'prepare', done: true, items: [{ graduate_id: g.sA1b, item: '成绩单' }] });
    assert.equal(other.json.changed, 0);
    assert.match(other.json.refused[0].message, /不在您的管理范围内/);
    const foreign = await mark('brB', { action: 'receive', done: true, items: [{ graduate_id: g.sA1b, item: '成绩单' }] });
    assert.equal(foreign.json.changed, 0);
    assert.equal((await t.call<Materials>('GET', `/api/materials?batch=${w.batch}`, { cookie: cookie.brB })).json.total, 0);
    const bad = await mark('tpA1', { action: 'prepare', done: true, items: [{ graduate_id: g.sA1b, item: '档案袋' }] });
    assert.equal(bad.status, 400);
    assert.match(errorOf(bad).message, /材料为/);
    const notAgreed = await mark('tpA1', { action: 'prepare', done: true, items: [{ graduate_id: g.sA1x, item: '成绩单' }] });
    assert.match(notAgreed.json.refused[0].message, /未在毕业批次 \d{6} 同意毕业/);
  });

  test('未办理毕业学生统计表: who is not graduating and why, as a list and as Excel', async () => {
    const r = await t.call<NotGraduating>('GET', `/api/materials/not-graduating?batch=${w.batch}`, { cookie: cookie.tpA1 });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const byName = Object.fromEntries(r.json.rows.map((x) => [x.name, x.reason] as const));
    assert.match(byName['王五'], /未办理预毕业确认；不符合毕业条件/, 'not agreed and ineligible');
    assert.match(byName['张三'], /毕业生登记表未完成（学生未填写）；缺毕业证照片/);
    assert.equal(byName['钱七'], undefined, 'another teaching point');
    const x = await t.running.app.inject({ method: 'GET', url: `/api/materials/not-graduating.xlsx?batch=${w.batch}`, headers: { cookie: cookie.tpA1 } });
    assert.equal(x.statusCode, 200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    assert.equal(ws.getRow(1).getCell(8).value, '未办理原因');
    assert.equal(ws.rowCount, r.json.total + 1);
    // With a 学籍批次: that cohort's students who are not candidates at all are listed too.
    const none = await t.call<NotGraduating>('GET', `/api/materials/not-graduating?batch=${w.batch}&cohort=1999`, { cookie: cookie.tpA1 });
    assert.equal(none.json.total, 0);
    assert.equal((await t.call('GET', `/api/materials/not-graduating?batch=${w.batch}`, { cookie: cookie.teacherA1 })).status, 403);

    // The paper one, per teaching point, with the place for the stamp.
    const pdf = await t.running.app.inject({ method: 'GET', url: `/api/materials/not-graduating.pdf?batch=${w.batch}`, headers: { cookie: cookie.tpA1 } });
    assert.equal(pdf.statusCode, 200);
    const text = execFileSync('pdftotext', ['-layout', '-', '-'], { input: pdf.rawPayload }).toString().replace(/\s+/g, '');
    assert.match(text, /未办理毕业学生统计表/);
    assert.match(text, /王五/);
    assert.match(text, new RegExp(`合计：${r.json.total}人`));
    assert.match(text, /盖章/);
    const needTp = await t.call('GET', `/api/materials/not-graduating.pdf?batch=${w.batch}`, { cookie: cookie.brA });
    assert.equal(needTp.status, 400);
    assert.match(errorOf(needTp).message, /请选择函授站代码/);
    assert.equal((await t.call('GET', `/api/materials/not-graduating.pdf?batch=${w.batch}&tp_code=TB1`, { cookie: cookie.brA })).status, 404);
  });
});
