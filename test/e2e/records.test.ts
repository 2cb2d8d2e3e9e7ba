/**
 * Browser tests of 打印入学登记表 and 打印学生成绩单 (seed 000 steps 五 and 六) and of the 学籍卡:
 *   a. the teaching point queries 学籍卡查询 (学籍批次 2020, 学籍状态 毕业), ticks two students, 下载报名登记表
 *      with 导出范围 勾选 and 排序方式 按姓名; the 消息 bell lights up; the zip from 消息 holds their two PDFs,
 *      numbered in 姓名 order;
 *   b. 总部, in 学生学籍档案打印, queries the 202301 graduates of 函授站 210101 and prints every student's
 *      成绩单 as one merged PDF;
 *   c. the 学籍卡 shows the whole 身份证号 (masked in the list), and fits a phone's width.
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
import { cellText, startApp } from './harness.ts';

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

test('下载报名登记表：勾选两名学生、按姓名排序，压缩包中两份 PDF 按姓名编号', () =>
  app.run({ screenshot: SCREENSHOT }, async () => {
    const { page, errors } = await app.signIn('tp1', { waitFor: '当前毕业批次' });
    await app.openMenu(page, '学籍', '学籍卡查询', '/records/students');
    await page.getByLabel('学籍批次', { exact: true }).fill('2020');
    await pickOption(page, '学籍状态', /^毕业$/);
    await query(page, (u) => u.searchParams.get('cohort') === '2020' && u.searchParams.get('status') === '毕业');

    // The server's 姓名 order of the query, to pick two students whose 学号 order is the other way round.
    const byName = await page.context().request.get(`${app.base}/api/records/students?cohort=2020&status=${encodeURIComponent('毕业')}&sort=name&page_size=100`);
    const order: string[] = ((await byName.json()) as { rows: { student_no: string }[] }).rows.map((r) => r.student_no);
    const rows = page.locator('.ant-table-tbody tr.ant-table-row');
    const shown: { no: string; name: string }[] = [];
    for (let i = 0; i < (await rows.count()); i++) shown.push({ no: await cellText(rows.nth(i), '学号'), name: await cellText(rows.nth(i), '姓名') });
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
