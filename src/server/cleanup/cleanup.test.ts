/**
 * 学籍清理 (seed 003 四.8), as the notice tells it: 2012 spring entrants (201203), 延期名单 by 2020-05-15, the
 * clean-up on 2020-06-15, 退学 with the campaign's 文号, and the 学信网 退学 file read back by independent readers.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { errorOf, finishedTask, startTestApp, type TestApp } from '../testing/harness.ts';
import { buildStudent, buildWorld, type World } from '../testing/factories.ts';
import { setToday } from '../platform/clock.ts';
import { cleanupApi as api, lastGraduationBatch, maxExtensionUntil, type Campaign } from '../../shared/contract/cleanup.ts';
import { runCleanup } from './service.ts';

const PYTHON = process.env.DBF_PYTHON ?? '/usr/bin/python3';
const DOC_NO = '国开学〔2020〕12号';
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0xff, 0xd9]);

let t: TestApp;
let w: World;
let hq: string;
let brA: string;
let brB: string;
let tpA1: string;
let tpA2: string;
let campaign: Campaign;
/** The students of the story (cohort 201203, 学籍有效期 to 2020-02-29 unless said). */
const s = {} as Record<'expired' | 'extended' | 'rejected' | 'graduated' | 'openAudit' | 'suspended' | 'foreign' | 'otherTp' | 'otherCohort', number>;

function multipart(fileName: string, content: Buffer) {
  const boundary = `----gm${Math.random().toString(16).slice(2)}`;
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    content, Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, type: `multipart/form-data; boundary=${boundary}` };
}

async function upload(cookie: string, fileName: string, content: Buffer) {
  const m = multipart(fileName, content);
  const res = await t.running.app.inject({ method: 'POST', url: `/api/cleanup/campaigns/${campaign.id}/applications`, headers: { cookie, 'content-type': m.type }, payload: m.body });
  return { status: res.statusCode, json: res.json<{ application_id: number; content_type: string; error?: string; message?: string }>() };
}

async function student(nodeId: number, name: string, o: { cohort?: string; status?: '在籍' | '毕业'; validUntil?: string } = {}) {
  const id = await buildStudent(t.db, { nodeId, programmeId: w.programmeId, name, cohort: o.cohort ?? '201203', entry: '2012-03-01', status: o.status });
  await t.db.updateTable('student').set({ valid_until: o.validUntil ?? '2020-02-29' }).where('id', '=', id).execute();
  return id;
}

const studentRow = (id: number) => t.db.selectFrom('student').select(['status', 'withdrawal_date', 'withdrawal_doc_no', 'withdrawal_campaign_id', 'extension_until', 'name', 'student_no', 'id_number'])
  .where('id', '=', id).executeTakeFirstOrThrow();

before(async () => {
  t = await startTestApp();
  w = await buildWorld(t.db);
  // One after another: logins are throttled per address.
  const cookies: string[] = [];
  for (const u of ['hq', 'brA', 'brB', 'tpA1', 'tpA2']) cookies.push(await t.login(u));
  [hq, brA, brB, tpA1, tpA2] = cookies;
  const n = w.nodes;
  s.expired = await student(n.classA1.id, '周一');
  s.extended = await student(n.classA1.id, '吴二');
  s.rejected = await student(n.classA1.id, '郑三');
  s.graduated = await student(n.classA1.id, '王四', { status: '毕业' });
  s.openAudit = await student(n.classA1.id, '冯五');
  s.suspended = await student(n.classA2.id, '陈六');
  await t.db.updateTable('student').set({ status: '休学' }).where('id', '=', s.suspended).execute();
  s.foreign = await student(n.classB1.id, '褚七');
  s.otherTp = await student(n.classA3.id, '卫八');
  s.otherCohort = await student(n.classA1.id, '蒋九', { cohort: '201209', validUntil: '2020-08-31' });
  // 冯五 was agreed (同意毕业) in the world's batch (202701, closing 2027-04-16): its audit is still open in 2020.
  // 周一 is on that batch's candidate list too, not agreed: that alone does not hold the clean-up back.
  for (const [id, confirm] of [[s.openAudit, '同意毕业'], [s.expired, '待确认']] as const) {
    const tp = await t.db.selectFrom('student').select(['student_no', 'tp_id', 'node_path']).where('id', '=', id).executeTakeFirstOrThrow();
    await t.db.insertInto('graduate').values({ batch_code: w.batch, student_id: id, ...tp, confirm_status: confirm }).execute();
  }
  setToday('2020-04-30');
});
after(async () => {
  setToday(undefined);
  await t?.close();
});

describe('the rules written once', () => {
  test('最晚毕业批次: a 2012 spring entrant may graduate up to 202001, with the one-year extension up to 202101', () => {
    assert.equal(lastGraduationBatch('201203', false), '202001');
    assert.equal(lastGraduationBatch('201203', true), '202101');
    assert.equal(lastGraduationBatch('201209', false), '202007');
    assert.equal(lastGraduationBatch('201209', true), '202107');
    assert.equal(lastGraduationBatch('201201', false), '201907');
    assert.equal(lastGraduationBatch('2012', false), null);
  });
  test('an extension reaches at most one year past 学籍有效期', () => {
    assert.equal(maxExtensionUntil('2020-02-29'), '2021-02-28');
    assert.equal(maxExtensionUntil('2020-08-31'), '2021-08-31');
  });
});

describe('学籍清理, as seed 003 四.8 tells it', () => {
  test('headquarters opens the campaign; branches cannot', async () => {
    const body = { name: '2020 年学籍清理（2012 年春季入学）', cohorts: ['201203'], list_deadline: '2020-05-15', cleanup_on: '2020-06-15', doc_no: DOC_NO };
    const refused = await t.api(api.createCampaign, { cookie: brA, body });
    assert.equal(refused.status, 403);
    const bad = await t.api(api.createCampaign, { cookie: hq, body: { ...body, cleanup_on: '2020-05-01' } });
    assert.equal(bad.status, 400);
    const res = await t.api(api.createCampaign, { cookie: hq, body });
    assert.equal(res.status, 200, JSON.stringify(res.json));
    campaign = res.json;
    assert.deepEqual(campaign.cohorts, ['201203']);
    assert.equal(campaign.list_window.open, true);
    assert.equal(campaign.can_run, false);
    assert.match(campaign.run_blocked!, /2020-06-15/);
  });

  test('a branch sees its own expiring students with the last batch they may graduate in', async () => {
    const res = await t.api(api.candidates, { cookie: brA, params: { id: campaign.id } });
    assert.equal(res.status, 200, JSON.stringify(res.json));
    const ids = res.json.rows.map((r) => r.student_id).sort((a, b) => a - b);
    // Not the graduated, not the other cohort, not branch B's; 休学 is concerned (the clean-up clears it too).
    assert.deepEqual(ids, [s.expired, s.extended, s.rejected, s.openAudit, s.suspended, s.otherTp].sort((a, b) => a - b));
    const one = res.json.rows.find((r) => r.student_id === s.expired)!;
    assert.equal(one.last_batch, '202001');
    assert.equal(one.last_batch_extended, '202101');
    assert.equal(one.max_extension_until, '2021-02-28');
    const tp = await t.api(api.candidates, { cookie: tpA2, params: { id: campaign.id } });
    assert.deepEqual(tp.json.rows.map((r) => r.student_id), [s.otherTp]);
  });

  let pdfId = 0;
  let jpegId = 0;
  test('the written application must be a PDF or a JPEG by its content, not its name', async () => {
    const fake = await upload(brA, '申请.pdf', Buffer.from('这不是 PDF，只是改了扩展名的文本'));
    assert.equal(fake.status, 400);
    assert.equal(fake.json.error, 'CLEANUP_NOT_PDF_OR_JPEG');
    assert.match(fake.json.message!, /申请\.pdf.*不是 PDF 或 JPG/);
    const pdf = await upload(brA, '吴二申请.pdf', PDF);
    assert.equal(pdf.status, 200, JSON.stringify(pdf.json));
    assert.equal(pdf.json.content_type, 'application/pdf');
    pdfId = pdf.json.application_id;
    const jpeg = await upload(brA, 'scan.bin', JPEG);
    assert.equal(jpeg.status, 200);
    assert.equal(jpeg.json.content_type, 'image/jpeg');
    jpegId = jpeg.json.application_id;
    const tp = await upload(tpA1, 'x.pdf', PDF);
    assert.equal(tp.status, 403);
  });

  test('submission: over a year refused, a foreign student not found, the rest 待审批', async () => {
    const res = await t.api(api.submit, { cookie: brA, params: { id: campaign.id }, body: { items: [
      { student_id: s.extended, application_id: pdfId, reason: '工作原因，申请延长学籍一年' },
      { student_id: s.rejected, application_id: jpegId, reason: '申请延期', extended_until: '2021-02-28' },
      { student_id: s.expired, application_id: pdfId, reason: '申请延期两年', extended_until: '2021-03-01' },
      { student_id: s.foreign, application_id: pdfId, reason: '不是本分部的学生' },
      { student_id: s.otherCohort, application_id: pdfId, reason: '不在本次清理的学籍批次' },
    ] } });
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.equal(res.json.changed, 2);
    const by = new Map(res.json.refused.map((r) => [r.id, r]));
    assert.equal(by.get(s.expired)?.code, 'EXTENSION_TOO_LONG');
    assert.match(by.get(s.expired)!.message, /超过一年.*2021-02-28/);
    assert.equal(by.get(s.foreign)?.code, 'NOT_FOUND');
    assert.equal(by.get(s.foreign)?.name, undefined, 'a foreign student is not named');
    assert.equal(by.get(s.otherCohort)?.code, 'NOT_CONCERNED');
    // Another branch's application cannot be attached.
    const other = await t.api(api.submit, { cookie: brB, params: { id: campaign.id }, body: { items: [{ student_id: s.foreign, application_id: pdfId, reason: '借用别人的申请' }] } });
    assert.equal(other.json.refused[0]?.code, 'NO_APPLICATION');
    // The same again changes nothing.
    const again = await t.api(api.submit, { cookie: brA, params: { id: campaign.id }, body: { items: [{ student_id: s.extended, application_id: pdfId, reason: '工作原因，申请延长学籍一年' }] } });
    assert.deepEqual([again.json.changed, again.json.unchanged], [0, 1]);
  });

  test("an application is seen in its own subtree only: another branch's answers 404", async () => {
    const rows = (await t.api(api.candidates, { cookie: hq, params: { id: campaign.id }, query: { extension: '待审批' } })).json.rows;
    const ext = rows.find((r) => r.student_id === s.extended)!.extension!;
    assert.equal(ext.state, '待审批');
    assert.equal(ext.extended_until, '2021-02-28');
    const own = await t.running.app.inject({ method: 'GET', url: `/api/cleanup/extensions/${ext.id}/application`, headers: { cookie: tpA1 } });
    assert.equal(own.statusCode, 200);
    assert.equal(own.headers['content-type'], 'application/pdf');
    assert.deepEqual(own.rawPayload, PDF);
    const foreign = await t.running.app.inject({ method: 'GET', url: `/api/cleanup/extensions/${ext.id}/application`, headers: { cookie: brB } });
    assert.equal(foreign.statusCode, 404);
    const sibling = await t.running.app.inject({ method: 'GET', url: `/api/cleanup/extensions/${ext.id}/application`, headers: { cookie: tpA2 } });
    assert.equal(sibling.statusCode, 404);
  });

  test('after the deadline the list is closed, naming the deadline', async () => {
    setToday('2020-05-16');
    const res = await t.api(api.submit, { cookie: brA, params: { id: campaign.id }, body: { items: [{ student_id: s.expired, application_id: pdfId, reason: '迟交的延期申请' }] } });
    assert.equal(res.status, 409);
    assert.equal(errorOf(res).error, 'CLEANUP_LIST_CLOSED');
    assert.match(errorOf(res).message, /2020-05-15/);
    const up = await upload(brA, 'late.pdf', PDF);
    assert.equal(up.status, 409);
  });

  test('headquarters approves and rejects with a reason; approval extends 学籍有效期', async () => {
    const rows = (await t.api(api.candidates, { cookie: hq, params: { id: campaign.id }, query: { extension: '待审批' } })).json.rows;
    const idOf = (sid: number) => rows.find((r) => r.student_id === sid)!.extension!.id;
    const branch = await t.api(api.decide, { cookie: brA, params: { id: campaign.id }, body: { ids: [idOf(s.extended)], decision: '已批准', reason: '同意' } });
    assert.equal(branch.status, 403);
    const ok = await t.api(api.decide, { cookie: hq, params: { id: campaign.id }, body: { ids: [idOf(s.extended)], decision: '已批准', reason: '材料齐全，同意延期' } });
    assert.equal(ok.json.changed, 1, JSON.stringify(ok.json));
    const no = await t.api(api.decide, { cookie: hq, params: { id: campaign.id }, body: { ids: [idOf(s.rejected)], decision: '已驳回', reason: '申请理由不充分' } });
    assert.equal(no.json.changed, 1);
    assert.equal((await studentRow(s.extended)).extension_until, '2021-02-28');
    assert.equal((await studentRow(s.rejected)).extension_until, null);
    const after = (await t.api(api.candidates, { cookie: brA, params: { id: campaign.id } })).json.rows;
    const ext = after.find((r) => r.student_id === s.extended)!;
    assert.equal(ext.last_batch, '202101');
    assert.equal(ext.extension?.decision_reason, '材料齐全，同意延期');
    assert.equal(after.find((r) => r.student_id === s.rejected)!.last_batch, '202001');
  });

  test('the preview lists who will be cleared and why, per branch, and the 待决定 apart', async () => {
    const clear = await t.api(api.preview, { cookie: hq, params: { id: campaign.id }, query: { list: 'clear' } });
    assert.equal(clear.status, 200, JSON.stringify(clear.json));
    const why = new Map(clear.json.rows.map((r) => [r.student_id, r.reason]));
    assert.deepEqual([...why.keys()].sort((a, b) => a - b), [s.expired, s.rejected, s.suspended, s.foreign, s.otherTp].sort((a, b) => a - b));
    assert.equal(why.get(s.expired), '超过学籍有效期且未申请延期');
    assert.equal(why.get(s.rejected), '延期申请被驳回');
    const decide = await t.api(api.preview, { cookie: hq, params: { id: campaign.id }, query: { list: 'decide' } });
    assert.deepEqual(decide.json.rows.map((r) => r.student_id), [s.openAudit]);
    assert.equal(decide.json.rows[0].open_batch, w.batch);
    assert.match(decide.json.rows[0].reason, /202701.*尚未结束/);
    const summary = await t.api(api.previewSummary, { cookie: hq, params: { id: campaign.id } });
    assert.equal(summary.json.on, '2020-06-15');
    const a = summary.json.rows.find((r) => r.branch_code === 'BA')!;
    assert.deepEqual([a.to_clear, a.to_decide], [4, 1]);
    assert.equal(a.by_reason['延期申请被驳回'], 1);
    assert.equal(summary.json.rows.find((r) => r.branch_code === 'BB')!.to_clear, 1);
    // A teaching point sees its own students only; a branch does not see another's.
    const tp = await t.api(api.preview, { cookie: tpA2, params: { id: campaign.id } });
    assert.deepEqual(tp.json.rows.map((r) => r.student_id), [s.otherTp]);
    const b = await t.api(api.previewSummary, { cookie: brB, params: { id: campaign.id } });
    assert.deepEqual(b.json.rows.map((r) => r.branch_code), ['BB']);
  });

  test('the clean-up before its date is refused, naming the date', async () => {
    setToday('2020-06-14');
    const res = await t.api(api.run, { cookie: hq, params: { id: campaign.id } });
    assert.equal(res.status, 409);
    assert.equal(errorOf(res).error, 'CLEANUP_TOO_EARLY');
    assert.match(errorOf(res).message, /2020-06-15/);
    const branch = await t.api(api.run, { cookie: brA, params: { id: campaign.id } });
    assert.equal(branch.status, 403);
    assert.equal((await studentRow(s.expired)).status, '在籍');
  });

  test('on the date: the expired, non-graduated, non-extended become 退学 with the day and the 文号, once', async () => {
    setToday('2020-06-15');
    const res = await t.api(api.run, { cookie: hq, params: { id: campaign.id } });
    assert.equal(res.status, 200, JSON.stringify(res.json));
    const task = await finishedTask(t, hq, res.json.task_id);
    assert.equal(task.state, 'done', task.error ?? '');
    for (const id of [s.expired, s.rejected, s.suspended, s.foreign, s.otherTp]) {
      const r = await studentRow(id);
      assert.deepEqual([r.status, r.withdrawal_date, r.withdrawal_doc_no, r.withdrawal_campaign_id], ['退学', '2020-06-15', DOC_NO, campaign.id], r.name);
    }
    assert.equal((await studentRow(s.graduated)).status, '毕业');
    assert.equal((await studentRow(s.extended)).status, '在籍');
    assert.equal((await studentRow(s.openAudit)).status, '在籍', 'listed for a decision, not cleared');
    assert.equal((await studentRow(s.otherCohort)).status, '在籍');
    assert.equal((await studentRow(w.students.sA1)).status, '在籍');
    const log = await t.db.selectFrom('operation_log').select(['action', 'after', 'actor_name']).where('action', '=', '学籍清理退学').execute();
    assert.equal(log.length, 1);
    assert.equal((log[0].after as { cleared: number }).cleared, 5);
    const c = (await t.api(api.campaign, { cookie: hq, params: { id: campaign.id } })).json;
    assert.equal(c.cleared, 5);
    assert.equal(c.can_run, false);

    const twice = await t.api(api.run, { cookie: hq, params: { id: campaign.id } });
    assert.equal(twice.status, 409);
    assert.equal(errorOf(twice).error, 'CLEANUP_ALREADY_RUN');
    // The queue delivering the job again changes nothing.
    const again = await runCleanup(t.db, campaign.id);
    assert.deepEqual([again.already, again.cleared], [true, 5]);
    assert.equal((await t.db.selectFrom('operation_log').select('id').where('action', '=', '学籍清理退学').execute()).length, 1);
    const late = await t.api(api.decide, { cookie: hq, params: { id: campaign.id }, body: { ids: [1], decision: '已批准', reason: '清理后再批' } });
    assert.equal(late.status, 409);

    const list = await t.api(api.withdrawals, { cookie: brA, params: { id: campaign.id } });
    assert.equal(list.json.total, 4);
    assert.equal(list.json.rows.find((r) => r.student_id === s.rejected)!.reason, '延期申请被驳回');
  });

  test('the 学信网 退学 file: DBF (GBK) read back by dbfread, and Excel', async () => {
    const res = await t.running.app.inject({ method: 'GET', url: `/api/cleanup/campaigns/${campaign.id}/withdrawals.dbf`, headers: { cookie: hq } });
    assert.equal(res.statusCode, 200, res.body);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gm-cleanup-'));
    try {
      const file = path.join(dir, 'tx.dbf');
      fs.writeFileSync(file, res.rawPayload);
      const script = `
import json, sys, datetime, dbfread
t = dbfread.DBF(sys.argv[1], encoding='gbk', char_decode_errors='strict')
v = lambda x: x.isoformat() if isinstance(x, datetime.date) else x
print(json.dumps({'fields': [[f.name, f.type, f.length] for f in t.fields], 'records': [{k: v(x) for k, x in r.items()} for r in t]}, ensure_ascii=False))`;
      const read = JSON.parse(execFileSync(PYTHON, ['-c', script, file], { encoding: 'utf8' })) as { fields: [string, string, number][]; records: Record<string, string>[] };
      assert.deepEqual(read.fields.map((f) => f[0]), ['KSH', 'XH', 'XM', 'SFZH', 'ZXLX', 'PZRQ', 'WH']);
      assert.equal(read.fields.find((f) => f[0] === 'PZRQ')![1], 'D');
      assert.equal(read.records.length, 5);
      const want = await Promise.all([s.expired, s.rejected, s.suspended, s.foreign, s.otherTp].map(studentRow));
      want.sort((a, b) => a.student_no.localeCompare(b.student_no));
      assert.deepEqual(read.records, want.map((r) => ({ KSH: r.student_no, XH: r.student_no, XM: r.name, SFZH: r.id_number, ZXLX: '2', PZRQ: '2020-06-15', WH: DOC_NO })));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const branch = await t.running.app.inject({ method: 'GET', url: `/api/cleanup/campaigns/${campaign.id}/withdrawals.dbf`, headers: { cookie: brA } });
    assert.equal(branch.statusCode, 403);

    const x = await t.running.app.inject({ method: 'GET', url: `/api/cleanup/campaigns/${campaign.id}/withdrawals.xlsx`, headers: { cookie: hq } });
    assert.equal(x.statusCode, 200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    assert.deepEqual((ws.getRow(1).values as string[]).slice(1), ['KSH', 'XH', 'XM', 'SFZH', 'ZXLX', 'PZRQ', 'WH']);
    assert.equal(ws.rowCount, 6);
    assert.deepEqual((ws.getRow(2).values as string[]).slice(5), ['2', '20200615', DOC_NO]);
  });

  test('a name GBK cannot hold refuses the DBF, naming the student and the character', async () => {
    await t.db.updateTable('student').set({ name: '王䶮' }).where('id', '=', s.otherTp).execute();
    const res = await t.running.app.inject({ method: 'GET', url: `/api/cleanup/campaigns/${campaign.id}/withdrawals.dbf`, headers: { cookie: hq } });
    assert.equal(res.statusCode, 409);
    assert.match(res.json<{ message: string }>().message, /王䶮：姓名含 GBK 无法表示的字：䶮，请按学信网生僻字流程处理/);
  });
});
