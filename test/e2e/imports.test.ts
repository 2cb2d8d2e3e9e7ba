/**
 * Browser test of 审核数据导入 as a branch administrator (issue 3): 毕业 → 审核数据导入, 学籍数据,
 * upload an Excel file with one good and one bad row, read the report, 仅导入正确的行.
 *
 * Needs `npm run build:web` first and a Chromium at CHROMIUM_PATH (default /usr/bin/chromium).
 * Run: npm run build:web && node --import tsx --test test/e2e/imports.test.ts
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import { startApp } from './harness.ts';

const SCREENSHOT = '/tmp/e2e-imports.png';

const app = startApp();

/** A 学籍 file: one student of the demo's 行政管理 专科 2021 programme at 210101, and one at an unknown teaching point. */
async function studentsFile(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('学籍');
  ws.addRow(['学号', '姓名', '性别', '身份证号', '民族', '政治面貌', '学籍批次', '层次', '专业', '教学点代码', '班级代码', '学籍状态', '入学日期', '手机']);
  ws.addRow(['E2E2021000001', '导入甲', '男', '210102199001010015', '汉族', '群众', '202109', '专科', '行政管理', '210101', '', '在籍', '2021-09-01', '']);
  ws.addRow(['E2E2021000002', '导入乙', '男', '210102199001010031', '汉族', '群众', '202109', '专科', '行政管理', 'NOPE', '', '在籍', '2021/9/1', '']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

test('分部管理员：上传学籍数据，查看错误报告，仅导入正确的行', () =>
  app.run({ screenshot: SCREENSHOT, always: true }, async () => {
    const { page, errors: pageErrors } = await app.signIn('branch', { timeout: 20_000 });

    await app.openMenu(page, '毕业', '审核数据导入', '/graduation/imports');

    // A branch sees only what it may load; 综合实践环节 shows the batch's reception window.
    const kinds = page.getByLabel('数据类型');
    // allInnerTexts does not wait: let the page render its choices first.
    await kinds.getByText('学籍数据').waitFor();
    assert.deepEqual((await kinds.locator('label').allInnerTexts()).map((s) => s.trim()), ['学籍数据', '综合实践环节成绩']);
    await kinds.getByText('综合实践环节成绩').click();
    await page.getByText(/综合实践环节成绩接收时间：第一批 .* 至 .*。当前在接收时间内。/).waitFor();
    await kinds.getByText('学籍数据').click();

    const [uploaded] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/imports'),
      page.locator('input[type=file]').setInputFiles({ name: '学籍.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: await studentsFile() }),
    ]);
    assert.equal(uploaded.status(), 200, await uploaded.text());

    await page.getByText('共 2 行，其中 1 行有错误。').waitFor();
    await page.getByRole('cell', { name: /第 3 行“教学点代码”列：教学点代码 NOPE 不存在，或不在您的管理范围内/ }).waitFor();
    assert.equal(await page.getByRole('button', { name: '全部导入', exact: true }).isDisabled(), true);

    await page.getByRole('button', { name: '仅导入正确的行', exact: true }).click();
    await page.locator('.ant-popconfirm').getByRole('button', { name: '导入', exact: true }).click();
    await page.getByText('已导入 1 行，并已记录本次上报。').waitFor();
    await page.locator('.ant-table-row', { hasText: '学籍.xlsx' }).locator('.ant-tag', { hasText: '已导入' }).waitFor();
    assert.deepEqual(pageErrors, []);
  }));
