/**
 * Browser tests of 打印入学登记表 and 打印学生成绩单 (seed 000 steps 五 and 六) and of the 学籍卡:
 *   a. 总部 publishes the 202701 第一批 (the teaching point has agreed and reported its graduates): the passed become
 *      学籍状态 毕业; the teaching point then queries 学籍卡查询 with the seed's own filter (学籍批次 2021, 学籍状态
 *      毕业) and finds them, ticks two students, 下载报名登记表 with 导出范围 勾选 and 排序方式 按姓名; the 消息 bell
 *      lights up; the zip from 消息 holds their two PDFs, numbered in 姓名 order;
 *   b. 总部, in 学生学籍档案打印, queries the 202301 graduates of 函授站 210101 and prints every student's
 *      成绩单 as one merged PDF;
 *   c. the 学籍卡 shows the whole 身份证号 (masked in the list), and fits a phone's width;
 *   d. 总部 sees a graduate's 毕业批次 / 毕业日期 / 毕结业结论 in the 学籍卡 and 撤销毕业 with a reason: back to 在籍,
 *      and the teaching point's step-五 query no longer finds the student.
 *
 * Needs `npm run build:web` first and a Chromium at CHROMIUM_PATH (default /usr/bin/chromium).
 * Run: npm run build:web && node --import tsx --test test/e2e/records.test.ts
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import yauzl from 'yauzl';
import { cellText, startApp, type Session } from './harness.ts';

const SCREENSHOT = '/tmp/e2e-records.png';

const app = startApp();

async function pickOption(page: Page, label: string, option: RegExp): Promise<void> {
  await page.getByLabel(label, { exact: true }).click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: option }).click();
}

/** Clicks 查询 and waits for the list the query asked for. */
async function query(page: Page, expect: (url: URL) => boolean): Promise<void> {
  const answered = page.waitForResponse((r) => {
    const url = new URL(r.url());
    return url.pathname === '/api/records/students' && expect(url);
  });
  await page.locator('button[type=submit]', { hasText: '查询' }).click();
  assert.equal((await answered).status(), 200);
}

/** 确定 in 导出设置, then the bell's unread count, 消息, and the body behind the message's 下载. */
async function exportAndDownload(page: Page, title: string): Promise<Buffer> {
  const dialog = page.locator('.ant-modal').filter({ hasText: '导出设置' });
  await dialog.getByRole('button', { name: '确定', exact: true }).click();
  await page.getByText('已开始导出，完成后可在右上角“消息”中下载').waitFor();
  await page.getByRole('link', { name: /^消息（\d+ 条未读）$/ }).click({ timeout: 60_000 });
  await page.waitForURL(`${app.base}/messages`);
  const row = page.locator('.ant-table-tbody tr.ant-table-row', { hasText: `${title} 已完成` });
  const href = await row.getByRole('link', { name: '下载', exact: true }).getAttribute('href');
  assert.ok(href, '消息中没有下载链接');
  const res = await page.context().request.get(new URL(href, app.base).href);
  assert.equal(res.status(), 200);
  return res.body();
}

type Listed = { total: number; rows: { id: number; student_no: string; name: string; cohort: string; status: string }[] };

/** The step-五 list as the API answers it, for the session's account. */
async function listed(s: Session, query: string): Promise<Listed> {
  const res = await s.page.context().request.get(`${app.base}/api/records/students?${query}`);
  assert.equal(res.status(), 200);
  return (await res.json()) as Listed;
}

const STEP_FIVE = `cohort=2021&status=${encodeURIComponent('毕业')}`;
let published: Promise<void> | undefined;

/**
 * 202701's 第一批 published, once per run: the teaching point (`tp`, signed in as tp1) agrees every eligible student and reports them (by
 * the API, as the offices did in audit.test.ts's browser steps), then 总部 starts the audit and 发布结果 in the
 * browser. Publication is graduation: before it no 2021 student of the demo is 毕业.
 */
function publishFirstRound(tp: Session): Promise<void> {
  published ??= (async () => {
    assert.equal((await listed(tp, STEP_FIVE)).total, 0, '发布前演示数据中不应有 2021 级毕业学生');
    const api = tp.page.context().request;
    const agree = await api.post(`${app.base}/api/confirmation/agree`, {
      data: { batch: '202701', selection: { all: true, filter: { batch: '202701', eligible: 'true', status: '待确认' } } },
    });
    assert.equal(agree.status(), 200, await agree.text());
    const report = await api.post(`${app.base}/api/audit/report`, { data: { batch: '202701' } });
    assert.equal(report.status(), 200, await report.text());
    assert.ok(((await report.json()) as { graduates: number }).graduates > 0, '没有上报任何毕业生');

    const hq = await app.signIn('hq', { waitFor: '当前毕业批次' });
    await app.openMenu(hq.page, '毕业', '毕业审核', '/graduation/audit');
    const round = hq.page.locator('.ant-table-tbody tr.ant-table-row', { hasText: '第一批' });
    await round.getByText('开始审核', { exact: true }).click();
    await hq.page.getByText(/审核完成：本批次共有 \d+ 名毕业生的审核结果。/).waitFor({ timeout: 60_000 });
    await round.getByText('发布结果', { exact: true }).click();
    await hq.page.locator('.ant-modal-confirm').getByRole('button', { name: '发布', exact: true }).click();
    await hq.page.getByText('已发布审核批次“第一批”的审核结果。').waitFor();
    await round.getByText('已发布', { exact: true }).waitFor();
  })();
  return published;
}

function zipEntries(buffer: Buffer): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const names: string[] = [];
      zip.on('entry', (e: yauzl.Entry) => {
        names.push(e.fileName);
        zip.readEntry();
      });
      zip.on('end', () => resolve(names));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

test('学籍卡查询（学籍批次 2021、学籍状态 毕业）找到发布审核结果后的毕业生；下载报名登记表：勾选两名、按姓名排序，压缩包中两份 PDF 按姓名编号', () =>
  app.run({ screenshot: SCREENSHOT }, async () => {
    const tp = await app.signIn('tp1', { waitFor: '当前毕业批次' });
    await publishFirstRound(tp);
    const { page, errors } = tp;
    await app.openMenu(page, '学籍', '学籍卡查询', '/records/students');
    // Seed 000 step 五.1, literally: 学籍批次 “2021”, 学籍状态 “毕业”, 查询.
    await page.getByLabel('学籍批次', { exact: true }).fill('2021');
    await pickOption(page, '学籍状态', /^毕业$/);
    await query(page, (u) => u.searchParams.get('cohort') === '2021' && u.searchParams.get('status') === '毕业');
    const graduates = await listed(tp, `${STEP_FIVE}&page_size=500`);
    assert.ok(graduates.total >= 2, `2021 级毕业生不足两名：${graduates.total}`);
    assert.ok(graduates.rows.every((r) => r.cohort.startsWith('2021') && r.status === '毕业'));

    // The server's 姓名 order of the query, to pick two students whose 学号 order is the other way round.
    const byName = await page.context().request.get(`${app.base}/api/records/students?${STEP_FIVE}&sort=name&page_size=500`);
    const order: string[] = ((await byName.json()) as { rows: { student_no: string }[] }).rows.map((r) => r.student_no);
    const rows = page.locator('.ant-table-tbody tr.ant-table-row');
    await rows.first().waitFor();
    const shown: { no: string; name: string }[] = [];
    for (let i = 0; i < (await rows.count()); i++) {
      shown.push({ no: await cellText(rows.nth(i), '学号'), name: await cellText(rows.nth(i), '姓名') });
      assert.match(await cellText(rows.nth(i), '学籍批次'), /^2021/);
      assert.equal(await cellText(rows.nth(i), '学籍状态'), '毕业');
    }
    assert.ok(shown.length >= 2, '查询结果不足两名学生');
    let pair: [number, number] | undefined;
    for (let j = 1; j < shown.length && !pair; j++) {
      // Rows are in 学号 order: row j comes after row 0 there, and before it by 姓名.
      if (order.indexOf(shown[j].no) < order.indexOf(shown[0].no)) pair = [0, j];
    }
    assert.ok(pair, '第一页中找不到学号顺序与姓名顺序相反的两名学生');
    for (const i of pair) await rows.nth(i).getByRole('checkbox').check();
    await page.getByText('已勾选 2 人').waitFor();

    await page.getByRole('button', { name: '下载报名登记表', exact: true }).click();
    const dialog = page.locator('.ant-modal').filter({ hasText: '导出设置' });
    await dialog.getByText('勾选的学生（2 人）', { exact: true }).click();
    await dialog.getByText(/^教学点默认排序（按.+）$/).waitFor();
    await dialog.getByText('按姓名', { exact: true }).click();
    const zip = await exportAndDownload(page, '入学报名登记表导出');

    const expected = pair.map((i) => shown[i]).sort((a, b) => order.indexOf(a.no) - order.indexOf(b.no));
    assert.deepEqual(await zipEntries(zip), expected.map((s, i) => `000${i + 1}_${s.no}_${s.name}.pdf`));
    assert.deepEqual(errors, []);
  }));

test('学生学籍档案打印：202301 批次、函授站 210101 的毕业生，成绩单合并为一个 PDF', () =>
  app.run({ screenshot: SCREENSHOT }, async () => {
    const { page, errors } = await app.signIn('hq', { waitFor: '当前毕业批次' });
    await app.openMenu(page, '毕业', '学生学籍档案打印', '/graduation/archive-print');
    await pickOption(page, '毕业批次', /^202301/);
    await pickOption(page, '函授站代码', /^210101/);
    await pickOption(page, '学籍状态', /^毕业$/);
    await query(page, (u) => u.searchParams.get('batch') === '202301' && u.searchParams.get('tp_code') === '210101');
    const rows = page.locator('.ant-table-tbody tr.ant-table-row');
    await rows.first().waitFor();
    const name = await cellText(rows.first(), '姓名');
    assert.match(await cellText(rows.first(), '教学点'), /^210101/);

    await page.getByRole('button', { name: '成绩单打印', exact: true }).click();
    const dialog = page.locator('.ant-modal').filter({ hasText: '导出设置' });
    await dialog.getByText(/^当前查询的全部学生（\d+ 人）$/).click();
    await dialog.getByText('合并为一个 PDF', { exact: true }).click();
    const pdf = await exportAndDownload(page, '成绩单打印导出');

    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gm-e2e-records-')), 'transcripts.pdf');
    fs.writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
    assert.ok(text.includes('学生成绩单'), '合并的 PDF 中没有“学生成绩单”');
    assert.ok(text.includes(name), `合并的 PDF 中没有学生“${name}”`);
    assert.deepEqual(errors, []);
  }));

test('学籍卡：完整显示身份证号（列表中隐去部分数字），手机宽度下不横向溢出', () =>
  app.run({ screenshot: SCREENSHOT }, async () => {
    const { page, errors } = await app.signIn('tp1', { waitFor: '当前毕业批次' });
    await app.openMenu(page, '学籍', '学籍卡查询', '/records/students');
    await page.getByRole('heading', { name: '学籍卡查询' }).waitFor();
    const row = page.locator('.ant-table-tbody tr.ant-table-row').first();
    await row.waitFor();
    const masked = await cellText(row, '身份证号');
    const name = await cellText(row, '姓名');
    const studentNo = await cellText(row, '学号');
    assert.match(masked, /\*/);

    await row.getByRole('link', { name, exact: true }).click();
    await page.waitForURL(/\/records\/students\/\d+$/);
    await page.getByRole('heading', { name: `学籍卡：${name}（${studentNo}）` }).waitFor();
    const basic = page.getByRole('region', { name: '基本信息' });
    const full = (await basic.locator('th', { hasText: /^身份证号$/ }).locator('xpath=following-sibling::td[1]').innerText()).trim();
    assert.match(full, /^\d{17}[\dX]$/);
    const [head, tail] = [masked.match(/^[^*]*/)![0], masked.match(/[^*]*$/)![0]];
    assert.ok(full.startsWith(head) && full.endsWith(tail), `${full} 与列表中的 ${masked} 不符`);
    await page.getByRole('region', { name: '成绩' }).locator('.ant-table').waitFor();
    await page.getByRole('region', { name: '家庭成员' }).waitFor();

    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('link', { name: '返回学籍卡查询' }).waitFor();
    // The menu folds away with an animation after the resize: wait for the layout to settle.
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    await page.waitForFunction(() => document.documentElement.scrollWidth - document.documentElement.clientWidth <= 1, undefined, { timeout: 5000 }).catch(() => undefined);
    assert.ok((await overflow()) <= 1, `手机宽度下页面横向溢出 ${await overflow()}px`);
    await page.getByRole('link', { name: '返回学籍卡查询' }).click();
    await page.waitForURL(`${app.base}/records/students`);
    assert.deepEqual(errors, []);
  }));

test('学籍卡：总部看到毕业批次、毕业日期、毕结业结论，填写原因撤销毕业后恢复在籍，教学点的学籍卡查询不再列出', () =>
  app.run({ screenshot: SCREENSHOT }, async () => {
    const tp = await app.signIn('tp1', { waitFor: '当前毕业批次' });
    await publishFirstRound(tp);
    const before = await listed(tp, `${STEP_FIVE}&page_size=500`);
    const target = before.rows[0];
    assert.ok(target, '没有 2021 级毕业生');

    const { page, errors } = await app.signIn('hq', { waitFor: '当前毕业批次' });
    await page.goto(`${app.base}/records/students/${target.id}`);
    await page.getByRole('heading', { name: `学籍卡：${target.name}（${target.student_no}）` }).waitFor();
    const record = page.getByRole('region', { name: '学籍信息' });
    const field = async (label: string) => (await record.locator('th', { hasText: new RegExp(`^${label}$`) }).locator('xpath=following-sibling::td[1]').innerText()).trim();
    assert.equal(await field('毕业批次'), '202701');
    assert.equal(await field('毕业日期'), '2027-01-20'); // the batch's 发证日期
    assert.equal(await field('毕结业结论'), '毕业');
    assert.match(await field('学籍状态'), /^毕业/);

    await record.getByRole('button', { name: '撤销毕业', exact: true }).click();
    const dialog = page.locator('.ant-modal').filter({ hasText: '撤销毕业：' });
    await dialog.getByRole('button', { name: '确定撤销', exact: true }).click();
    await dialog.getByText('请填写撤销毕业的原因').waitFor();
    await dialog.getByLabel('撤销原因').fill('经核查，该生一门必修课成绩登记错误');
    await dialog.getByRole('button', { name: '确定撤销', exact: true }).click();
    await page.getByText('已撤销毕业，学籍状态恢复为在籍。').waitFor();
    await record.getByText('在籍', { exact: true }).waitFor();
    assert.equal(await field('毕业日期'), '—');
    assert.equal(await record.getByRole('button', { name: '撤销毕业', exact: true }).count(), 0);

    const after = await listed(tp, `${STEP_FIVE}&page_size=500`);
    assert.equal(after.total, before.total - 1);
    assert.ok(!after.rows.some((r) => r.id === target.id), '撤销毕业后仍被“学籍状态 毕业”查到');
    assert.deepEqual(errors, []);
  }));
