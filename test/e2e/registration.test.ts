/**
 * Browser test of 学历电子注册 (issue 12; seed 003 二.4, 四.7) and of the query of seed 000 step 五 it makes work:
 *   1. the teaching point 沈阳市开放大学 has agreed its eligible students of 202701 and reported them (through the
 *      API, as test/e2e/audit.test.ts does on the pages); before anything, 学籍批次 2021 + 学籍状态 毕业 finds no one;
 *   2. 总部, in 毕业审核, runs 第一批 and publishes its results (publication is graduation);
 *   3. 总部 opens 毕业 → 学历注册: the round's 上报截止 (15 working days) and the days left; 生成注册数据 runs as a task
 *      and ends in 消息; the DBF is downloaded and read back with Debian's python3-dbfread (GBK): the graduates' names
 *      and 证书编号; 标记已上报 for the file; 导入注册结果 from an Excel file built here (one 注册失败 with its reason);
 *      the list shows 已注册;
 *   4. the teaching point sees its own graduates read-only, then in 学籍 → 查询统计 → 学籍卡查询 enters 学籍批次
 *      2021, 学籍状态 毕业, 查询, and finds its graduates.
 *
 * Needs a built web (WEB_DIR, default dist/web) and a Chromium at CHROMIUM_PATH (default /usr/bin/chromium).
 * Run: npx vite build --outDir /tmp/web && WEB_DIR=/tmp/web node --import tsx --test test/e2e/registration.test.ts
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Page, Response } from 'playwright-core';
import { cellText, startApp, type Session } from './harness.ts';

const SCREENSHOT = '/tmp/e2e-registration.png';
const BATCH = '202701';
/** Debian's python3 has python3-dbfread; another python3 earlier on the PATH may not. */
const PYTHON = process.env.PYTHON3 ?? (fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

const app = startApp();

async function pickOption(page: Page, label: string, option: RegExp): Promise<void> {
  await page.getByLabel(label, { exact: true }).click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: option }).click();
}

/** The answer of a GET of `pathname` whose query passes `expect`. */
const answerOf = (page: Page, pathname: string, expect: (q: URLSearchParams) => boolean = () => true, timeout?: number) =>
  page.waitForResponse((r: Response) => {
    const url = new URL(r.url());
    return r.request().method() === 'GET' && url.pathname === pathname && expect(url.searchParams);
  }, { timeout });

async function getJson<T>(page: Page, url: string): Promise<T> {
  const res = await page.request.get(`${app.base}${url}`);
  assert.equal(res.status(), 200, await res.text());
  return (await res.json()) as T;
}

async function postJson<T>(page: Page, url: string, data: unknown): Promise<T> {
  const res = await page.request.post(`${app.base}${url}`, { data });
  assert.equal(res.status(), 200, `${url}: ${await res.text()}`);
  return (await res.json()) as T;
}

interface GraduateRow { id: number; student_no: string; name: string; tp_code: string; state: string; certificate_no: string | null; file_name: string | null }
interface Rounds { rounds: { id: number; name: string; deadline: string | null; days_left: number | null; overdue: boolean; calendar_error: string | null }[] }

/** The DBF read back by an independent reader: python3-dbfread, GBK, strict (a garbled byte fails). */
function readDbf(buffer: Buffer): { fields: string[]; rows: Record<string, string | null>[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gm-e2e-registration-'));
  const file = path.join(dir, 'registration.dbf');
  fs.writeFileSync(file, buffer);
  const script = [
    'import sys, json',
    'from dbfread import DBF',
    "t = DBF(sys.argv[1], encoding='gbk', char_decode_errors='strict')",
    "rows = [{k: (v.isoformat() if hasattr(v, 'isoformat') else v) for k, v in r.items()} for r in t]",
    "print(json.dumps({'fields': [f.name for f in t.fields], 'rows': rows}, ensure_ascii=False))",
  ].join('\n');
  try {
    return JSON.parse(execFileSync(PYTHON, ['-c', script, file], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })) as ReturnType<typeof readDbf>;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** 学信网's answer: 证书编号, 结果, 原因 — every graduate 已注册 but `failed`, 注册失败 with its reason. */
async function resultsFile(rows: GraduateRow[], failed: GraduateRow): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('注册结果');
  ws.addRow(['证书编号', '结果', '原因']);
  for (const r of rows) {
    ws.addRow(r.id === failed.id ? [r.certificate_no, '注册失败', '身份证号与姓名不匹配'] : [r.certificate_no, '已注册', '']);
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

test('学历注册：总部发布审核结果、生成注册数据、下载 DBF、上报、导入注册结果；教学点按学籍批次 2021、学籍状态 毕业查到毕业生', () => {
  let shotOf: Page | undefined;
  const sessions: Session[] = [];
  return app.run({ screenshot: SCREENSHOT, shotOf: () => shotOf }, async () => {
    // 1. 教学点：同意毕业并上报（毕业审核页面上的这两步见 audit.test.ts）
    const tp = await app.signIn('tp1', { waitFor: '当前毕业批次' });
    sessions.push(tp);
    const step5 = `/api/records/students?cohort=2021&status=${encodeURIComponent('毕业')}&page_size=1`;
    assert.equal((await getJson<{ total: number }>(tp.page, step5)).total, 0, '发布审核结果之前，2021 学籍批次不应有毕业学生');
    await postJson(tp.page, '/api/confirmation/agree', { batch: BATCH, selection: { all: true, filter: { batch: BATCH, eligible: 'true' } } });
    const reported = await postJson<{ graduates: number }>(tp.page, '/api/audit/report', { batch: BATCH, urgent: false });
    assert.ok(reported.graduates > 10, `上报人数太少：${reported.graduates}`);

    // 2. 总部：毕业审核 → 第一批 开始审核，发布结果
    const hq = await app.signIn('hq', { waitFor: '当前毕业批次' });
    sessions.push(hq);
    shotOf = hq.page;
    await app.openMenu(hq.page, '毕业', '毕业审核', '/graduation/audit');
    const round = hq.page.locator('.ant-table-tbody tr.ant-table-row', { hasText: '第一批' });
    await round.getByText('开始审核', { exact: true }).click();
    await hq.page.getByText(/审核完成：本批次共有 \d+ 名毕业生的审核结果。/).waitFor({ timeout: 60_000 });
    await round.getByText('已审核', { exact: true }).waitFor();
    const audited = /(\d+) 人（通过 (\d+) \/ 不通过 (\d+)）/.exec(await round.innerText());
    assert.ok(audited, await round.innerText());
    const passed = Number(audited[2]);
    assert.ok(passed > 0, '第一批没有通过审核的学生');
    await round.getByText('发布结果', { exact: true }).click();
    await hq.page.locator('.ant-modal-confirm').getByRole('button', { name: '发布', exact: true }).click();
    await hq.page.getByText('已发布审核批次“第一批”的审核结果。').waitFor();

    // 3. 总部：毕业 → 学历注册
    const roundsRead = answerOf(hq.page, '/api/registration/rounds', (q) => q.get('batch') === BATCH);
    const listRead = answerOf(hq.page, '/api/registration/graduates', (q) => q.get('batch') === BATCH);
    await app.openMenu(hq.page, '毕业', '学历注册', '/graduation/registration');
    const rounds = (await (await roundsRead).json()) as Rounds;
    assert.equal((await listRead).status(), 200);
    const published = rounds.rounds.find((r) => r.name === '第一批');
    assert.ok(published, '学历注册中没有已发布的“第一批”');
    const deadlines = hq.page.getByRole('region', { name: '注册截止日期' });
    const roundRow = deadlines.locator('.ant-table-tbody tr.ant-table-row', { hasText: '第一批' });
    await roundRow.waitFor();
    if (published.deadline) {
      // Published today: the whole 15 working days are left (seed 003 二.4).
      assert.equal(published.days_left, 15, JSON.stringify(published));
      assert.equal(published.overdue, false);
      assert.equal(await cellText(roundRow, '上报截止（15 个工作日）'), published.deadline);
      assert.equal(await cellText(roundRow, '剩余工作日'), '15 个工作日');
    } else {
      // A deadline in a year whose holidays are not entered: the server's message, never a guess.
      assert.match(published.calendar_error ?? '', /节假日安排尚未录入/);
      await roundRow.getByText(published.calendar_error!).waitFor();
    }
    const list = hq.page.getByRole('region', { name: '毕业生名单' });
    await list.getByText(`共 ${passed} 人`).waitFor();
    assert.equal(await cellText(list.locator('.ant-table-tbody tr.ant-table-row').first(), '注册状态'), '待注册');

    // 生成注册数据: a task; its end is shown here and in 消息.
    await hq.page.getByRole('button', { name: '生成注册数据', exact: true }).click();
    // The list is read again once the task has ended.
    const afterBuild = answerOf(hq.page, '/api/registration/graduates', (q) => q.get('batch') === BATCH, 90_000);
    await hq.page.locator('.ant-modal-confirm').getByRole('button', { name: '生成', exact: true }).click();
    const result = hq.page.getByRole('status', { name: '生成结果' });
    await result.getByText(/^注册数据已生成：/).waitFor({ timeout: 60_000 });
    const summary = /注册数据已生成：(\S+)，写入 (\d+) 人(?:；(\d+) 人有错误)?/.exec(await result.innerText());
    assert.ok(summary, await result.innerText());
    const written = Number(summary[2]);
    const failedBuild = Number(summary[3] ?? 0);
    assert.equal(written + failedBuild, passed, await result.innerText());
    assert.ok(written > 1, '没有写入注册数据的毕业生');
    if (failedBuild > 0) {
      // Each row error names the graduate and the field.
      const firstError = result.getByRole('region', { name: '生成错误' }).locator('.ant-table-tbody tr.ant-table-row').first();
      await firstError.waitFor();
      assert.match(await cellText(firstError, '字段'), /（[A-Z]+）$/);
    }
    await hq.page.getByRole('link', { name: /^消息（\d+ 条未读）$/ }).waitFor();
    await afterBuild;

    // The list after the build: 已生成, with a 证书编号 of 18 digits (51161, 办学类型, 2027, 层次 05/06, serial).
    const rows = list.locator('.ant-table-tbody tr.ant-table-row');
    const builtRow = rows.filter({ hasText: '已生成' }).first();
    await builtRow.waitFor();
    const certificate = await cellText(builtRow, '证书编号');
    const name = await cellText(builtRow, '姓名');
    assert.match(certificate, /^51161\d2027(05|06)\d{6}$/);

    // The DBF, read back independently: every graduate written, with the name and number the list shows.
    const href = await result.getByRole('link', { name: '下载 DBF' }).getAttribute('href');
    assert.ok(href, '生成结果中没有“下载 DBF”');
    const dbf = await hq.page.request.get(`${app.base}${href}`);
    assert.equal(dbf.status(), 200);
    const { fields, rows: records } = readDbf(await dbf.body());
    for (const f of ['XH', 'XM', 'SFZH', 'ZSBH', 'BYRQ']) assert.ok(fields.includes(f), `DBF 中没有字段 ${f}：${fields.join(',')}`);
    assert.equal(records.length, written);
    const record = records.find((r) => r.ZSBH === certificate);
    assert.ok(record, `DBF 中没有证书编号 ${certificate}`);
    assert.equal(record.XM, name);
    const xlsxHref = await result.getByRole('link', { name: '下载 Excel' }).getAttribute('href');
    const xlsx = await hq.page.request.get(`${app.base}${xlsxHref}`);
    assert.equal(xlsx.status(), 200);
    assert.equal((await xlsx.body()).subarray(0, 2).toString(), 'PK');

    // 标记已上报: the whole file, sent today.
    await hq.page.getByRole('tab', { name: '注册数据文件' }).click();
    const fileRow = hq.page.getByRole('region', { name: '注册数据文件' }).locator('.ant-table-tbody tr.ant-table-row', { hasText: summary[1] });
    await fileRow.getByRole('button', { name: '标记已上报', exact: true }).click();
    const reportModal = hq.page.locator('.ant-modal').filter({ hasText: '上报日期' });
    const afterReport = answerOf(hq.page, '/api/registration/graduates', (q) => q.get('batch') === BATCH);
    // antd may leave a fading “loading” icon in the button's name.
    await reportModal.getByRole('button', { name: /标记已上报$/ }).click();
    await hq.page.getByRole('status', { name: '操作结果' }).getByText(`标记已上报：成功 ${written} 人`).waitFor();
    await afterReport;
    await list.locator('.ant-table-tbody tr.ant-table-row', { hasText: certificate }).getByText('已上报', { exact: true }).waitFor();

    // 导入注册结果: 学信网's answer by 证书编号, one graduate refused.
    const generated = await getJson<{ rows: GraduateRow[] }>(hq.page, `/api/registration/graduates?batch=${BATCH}&state=${encodeURIComponent('已上报')}&page_size=500`);
    assert.equal(generated.rows.length, written);
    const refused = generated.rows.find((r) => r.certificate_no !== certificate)!;
    const uploaded = hq.page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/registration/results');
    const afterImport = answerOf(hq.page, '/api/registration/graduates', (q) => q.get('batch') === BATCH);
    await hq.page.locator('input[type=file]').setInputFiles({
      name: '注册结果.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: await resultsFile(generated.rows, refused),
    });
    assert.equal((await uploaded).status(), 200);
    await hq.page.getByRole('status', { name: '导入结果' }).getByText(`导入注册结果：共 ${written} 行，已注册 ${written - 1} 人，注册失败 1 人`).waitFor();
    await afterImport;

    // 已注册: the query by state; the refused graduate shows 学信网's reason.
    await pickOption(hq.page, '注册状态', /^已注册$/);
    const registered = answerOf(hq.page, '/api/registration/graduates', (q) => q.get('state') === '已注册');
    await hq.page.locator('button[type=submit]', { hasText: '查询' }).click();
    assert.equal((await registered).status(), 200);
    await list.getByText(`共 ${written - 1} 人`).waitFor();
    await list.locator('.ant-table-tbody tr.ant-table-row', { hasText: certificate }).getByText('已注册', { exact: true }).waitFor();
    await pickOption(hq.page, '注册状态', /^注册失败$/);
    const failedRead = answerOf(hq.page, '/api/registration/graduates', (q) => q.get('state') === '注册失败');
    await hq.page.locator('button[type=submit]', { hasText: '查询' }).click();
    await failedRead;
    const failedRow = list.locator('.ant-table-tbody tr.ant-table-row', { hasText: refused.student_no });
    await failedRow.waitFor();
    assert.match(await cellText(failedRow, '失败原因'), /身份证号与姓名不匹配/);

    // 4. 教学点：学历注册 shows its own graduates, read-only.
    shotOf = tp.page;
    const tpList = answerOf(tp.page, '/api/registration/graduates', (q) => q.get('batch') === BATCH);
    await app.openMenu(tp.page, '毕业', '学历注册', '/graduation/registration');
    const tpRows = (await (await tpList).json()) as { total: number; rows: GraduateRow[] };
    assert.ok(tpRows.total > 0 && tpRows.total <= passed);
    assert.ok(tpRows.rows.every((r) => r.tp_code === '210101'), '教学点看到了其他教学点的毕业生');
    await tp.page.getByRole('region', { name: '毕业生名单' }).getByText(`共 ${tpRows.total} 人`).waitFor();
    assert.equal(await tp.page.getByRole('button', { name: '生成注册数据' }).count(), 0);

    // 学籍卡查询 with the seed's step-五 filter.
    await app.openMenu(tp.page, '学籍', '学籍卡查询', '/records/students');
    await tp.page.getByLabel('学籍批次', { exact: true }).fill('2021');
    await pickOption(tp.page, '学籍状态', /^毕业$/);
    const found = answerOf(tp.page, '/api/records/students', (q) => q.get('cohort') === '2021' && q.get('status') === '毕业');
    await tp.page.locator('button[type=submit]', { hasText: '查询' }).click();
    const answer = (await (await found).json()) as { total: number };
    assert.ok(answer.total > 0, '学籍批次 2021、学籍状态 毕业 没有查到毕业生');
    await tp.page.getByText(`共 ${answer.total} 人`).waitFor();
    const studentRows = tp.page.locator('.ant-table-tbody tr.ant-table-row');
    await studentRows.first().waitFor();
    for (let i = 0; i < Math.min(await studentRows.count(), 10); i++) {
      assert.equal(await cellText(studentRows.nth(i), '学籍状态'), '毕业');
      assert.match(await cellText(studentRows.nth(i), '学籍批次'), /^2021/);
      assert.match(await cellText(studentRows.nth(i), '教学点'), /^210101/);
    }

    for (const s of sessions) assert.deepEqual(s.errors, []);
  });
});
