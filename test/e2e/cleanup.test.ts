/**
 * Browser test of 学籍 → 学籍清理 (seed 003 四.8), as headquarters and a branch would do it:
 *   0. 总部 loads, through 审核数据导入, three students of 学籍批次 201509 whose 学籍有效期 (8 years) ended in 2023
 *      (the demo's students are all younger): two at 沈阳市开放大学 (辽宁), one at 长春市开放大学 (吉林);
 *   1. 总部 新建学籍清理 for 201509 (延期名单截止 in ten days, 清理日期 in a month);
 *   2. 辽宁开放大学 sees the deadline, is refused a file that is not a PDF, and 上报 one student with a real PDF;
 *   3. 总部 approves it; the student's 最晚毕业批次 moves from 202307 to 202407;
 *   4. the 清理预览 names per branch who will be cleared and why (not the extended student);
 *   5. 执行清理 before 清理日期 shows the server's refusal; 总部 moves the dates to today, runs it, and the two
 *      students are 退学 with the campaign's 文号; the 学信网 退学 Excel lists them;
 *   6. the branch sees its own 退学 student only.
 *
 * Needs a web build and a Chromium at CHROMIUM_PATH (default /usr/bin/chromium).
 * Run: npx vite build --outDir /tmp/web && WEB_DIR=/tmp/web node --import tsx --test test/e2e/cleanup.test.ts
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import PDFDocument from 'pdfkit';
import type { Locator, Page } from 'playwright-core';
import { cellText, startApp } from './harness.ts';

const SCREENSHOT = '/tmp/e2e-cleanup.png';

const app = startApp();

const COHORT = '201509';
const DOC_NO = '国开学〔2026〕99号';

/** A 身份证号 with its check digit (GB 11643); the 17th digit odd: 男. */
function idNumber(first17: string): string {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * w[i], 0);
  return first17 + '10X98765432'[sum % 11];
}

const STUDENTS = [
  { no: 'E2EQL1509001', name: '清理甲', id: idNumber('21010219850707901'), tp: '210101' },
  { no: 'E2EQL1509002', name: '清理乙', id: idNumber('21010219850707903'), tp: '210101' },
  { no: 'E2EQL1509003', name: '清理丙', id: idNumber('22010219850707905'), tp: '220101' },
];

async function xlsx(sheet: string, rows: (string | number)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheet);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The 教学计划 the 2015 students study under (students are matched to a programme by 入学年份). */
const programmeFile = () =>
  xlsx('教学计划', [
    ['专业', '层次', '入学批次', '最低总学分', '最低学习年限', '综合实践环节课程代码', '必修课程代码', '分类最低学分'],
    ['行政管理', '专科', '2015', 76, 2.5, '', '', ''],
  ]);

const studentsFile = () =>
  xlsx('学籍', [
    ['学号', '姓名', '性别', '身份证号', '民族', '政治面貌', '学籍批次', '层次', '专业', '教学点代码', '班级代码', '学籍状态', '入学日期', '手机'],
    ...STUDENTS.map((s) => [s.no, s.name, '男', s.id, '汉族', '群众', COHORT, '专科', '行政管理', s.tp, '', '在籍', '2015-09-01', '']),
  ]);

/** A small real PDF: the scanned written application. */
function applicationPdf(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4' });
    const parts: Buffer[] = [];
    doc.on('data', (b: Buffer) => parts.push(b));
    doc.on('end', () => resolve(Buffer.concat(parts)));
    doc.on('error', reject);
    doc.text('Application for extension of student status, E2EQL1509001');
    doc.end();
  });
}

/** Today and other days in China, as the server counts them. */
function chinaDay(offsetDays = 0): string {
  const d = new Date(Date.now() + offsetDays * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(d);
}

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** 审核数据导入: one file of one kind, checked, then 全部导入. */
async function importFile(page: Page, kind: string, name: string, buffer: Buffer, rows: number): Promise<void> {
  await page.getByLabel('数据类型').getByText(kind, { exact: true }).click();
  const [uploaded] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/imports'),
    page.locator('input[type=file]').setInputFiles({ name, mimeType: XLSX_TYPE, buffer }),
  ]);
  assert.equal(uploaded.status(), 200, await uploaded.text());
  await page.getByText(`共 ${rows} 行，检查全部通过，可以导入。`).waitFor();
  await page.locator('button:not(.ant-btn-loading)', { hasText: '全部导入' }).click({ timeout: 120_000 });
  await page.getByText(`已导入 ${rows} 行，并已记录本次上报。`).waitFor();
}

/** An antd date field of a form: type the day, confirm with Enter. */
async function fillDate(scope: Locator, label: string, dayText: string): Promise<void> {
  const input = scope.getByLabel(label, { exact: true });
  await input.click();
  await input.fill(dayText);
  await input.press('Enter');
  assert.equal(await input.inputValue(), dayText);
}

/** 查询 of a list's filter, once the list is not loading (a loading button takes no click). */
async function query(page: Page): Promise<void> {
  const button = page.locator('button.ant-btn-primary:not(.ant-btn-loading)', { hasText: /^\s*查\s*询\s*$/ });
  await button.click({ timeout: 120_000 });
}

const rowOf = (page: Page, list: string, text: string) =>
  page.getByRole('region', { name: list }).locator('.ant-table-tbody tr.ant-table-row', { hasText: text });

test('学籍清理：新建、分部上报延期（PDF）、总部批准、清理预览、执行清理、退学名单', () => {
  /** The page the test is acting on, for the screenshot of a failure. */
  let acting: Page | undefined;
  return app.run({ screenshot: SCREENSHOT, shotOf: () => acting }, async () => {
    const [a, b, c] = STUDENTS;

    // 0. 总部：导入 2015 级教学计划和三名 2015 年秋季入学、学籍已到期的学生
    const hq = await app.signIn('hq', { timeout: 60_000, waitFor: '当前毕业批次' });
    acting = hq.page;
    await app.openMenu(hq.page, '毕业', '审核数据导入', '/graduation/imports');
    await importFile(hq.page, '教学计划', '教学计划2015.xlsx', await programmeFile(), 1);
    await importFile(hq.page, '学籍数据', '学籍2015.xlsx', await studentsFile(), STUDENTS.length);

    // 1. 总部：学籍 → 学籍清理 → 新建学籍清理
    await app.openMenu(hq.page, '学籍', '学籍清理', '/records/cleanup');
    await hq.page.getByRole('button', { name: '新建学籍清理', exact: true }).click();
    const create = hq.page.locator('.ant-modal').filter({ hasText: '新建学籍清理' });
    await create.getByLabel('名称').fill('2026 年学籍清理（2015 年秋季入学）');
    const cohorts = create.getByLabel('涉及学籍批次', { exact: true });
    await cohorts.click();
    await cohorts.pressSequentially(COHORT);
    await cohorts.press('Enter');
    const deadline = chinaDay(10);
    const cleanupOn = chinaDay(30);
    await fillDate(create, '延期名单截止日期', deadline);
    await fillDate(create, '清理日期', cleanupOn);
    await create.getByLabel('退学文号').fill(DOC_NO);
    await create.getByRole('button', { name: '新建', exact: true }).click();
    await hq.page.getByText('已新建学籍清理“2026 年学籍清理（2015 年秋季入学）”。').waitFor();
    await hq.page.getByText(`${deadline}（距截止还有 10 天）`).waitFor();
    // The three students are listed with their 最晚毕业批次 (201509: 202307; with an extension 202407).
    const hqA = rowOf(hq.page, '学籍延期名单', a.no);
    await hqA.waitFor();
    assert.equal(await rowOf(hq.page, '学籍延期名单', COHORT).count(), 3);
    assert.match(await cellText(hqA, '最晚毕业批次'), /^202307\s+获批延期后 202407$/);
    assert.equal(await cellText(hqA, '延期申请'), '未申请');

    // 2. 分部：上报学籍延期名单 — the deadline, a file that is not a PDF refused, then a real PDF
    const br = await app.signIn('branch', { timeout: 60_000, waitFor: '当前毕业批次' });
    acting = br.page;
    await app.openMenu(br.page, '学籍', '学籍清理', '/records/cleanup');
    await br.page.getByRole('tab', { name: '上报学籍延期名单' }).waitFor();
    await br.page.getByText(`请在 ${deadline}（含）前上报学籍延期名单。`).waitFor();
    // The branch sees its own students only (not 长春's 清理丙).
    await rowOf(br.page, '学籍延期名单', a.no).waitFor();
    assert.equal(await rowOf(br.page, '学籍延期名单', c.no).count(), 0);
    await br.page.getByLabel('姓名/学号').fill(a.no);
    await query(br.page);
    const brA = rowOf(br.page, '学籍延期名单', a.no);
    await br.page.getByRole('region', { name: '学籍延期名单' }).getByText('共 1 人').waitFor();
    await brA.locator('.ant-checkbox-input').check();
    await br.page.getByRole('button', { name: '上报延期申请', exact: true }).click();
    const submit = br.page.locator('.ant-modal').filter({ hasText: '上报延期申请（1 人）' });
    await submit.waitFor();
    const pickFile = async (name: string, mimeType: string, buffer: Buffer) => {
      const [chooser] = await Promise.all([br.page.waitForEvent('filechooser'), submit.getByRole('button', { name: `上传${a.name}的书面申请` }).click()]);
      await chooser.setFiles({ name, mimeType, buffer });
    };
    await pickFile('申请.pdf', 'application/pdf', Buffer.from('这不是 PDF，只是改了扩展名的文本'));
    await br.page.getByText(/“申请\.pdf”不是 PDF 或 JPG 文件/).waitFor();
    await submit.getByText('未上传').waitFor();
    await pickFile('清理甲延期申请.pdf', 'application/pdf', await applicationPdf());
    await submit.getByText('已上传：清理甲延期申请.pdf').waitFor();
    await submit.getByLabel('延期理由').fill('因工作调动未能按期完成学业，申请延长学籍一年');
    await submit.getByRole('button', { name: '上报', exact: true }).click();
    await br.page.getByRole('status', { name: '操作结果' }).getByText('上报延期申请：成功 1 人，无需变更 0 人，未通过 0 人').waitFor();
    await brA.locator('.ant-tag', { hasText: '待审批' }).waitFor();
    assert.equal(await cellText(brA, '延期至'), '2024-09-01');

    // 3. 总部：延期申请 — 待审批, view the application, 批准
    acting = hq.page;
    await hq.page.reload();
    await hq.page.getByText('待审批 1 人，已批准 0 人，已驳回 0 人').waitFor();
    await hq.page.getByRole('combobox', { name: '申请状态' }).click();
    await hq.page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: '待审批' }).click();
    await query(hq.page);
    await hq.page.getByRole('region', { name: '学籍延期名单' }).getByText('共 1 人').waitFor();
    const pendingA = rowOf(hq.page, '学籍延期名单', a.no);
    await pendingA.locator('.ant-tag', { hasText: '待审批' }).waitFor();
    const fileLink = pendingA.getByRole('link', { name: '查看', exact: true });
    const fileRes = await hq.page.request.get(new URL((await fileLink.getAttribute('href'))!, app.base).toString());
    assert.equal(fileRes.status(), 200);
    assert.equal((await fileRes.body()).subarray(0, 5).toString('latin1'), '%PDF-');
    await pendingA.locator('.ant-checkbox-input').check();
    await hq.page.getByRole('button', { name: '批准', exact: true }).click();
    const approve = hq.page.locator('.ant-modal').filter({ hasText: '批准 1 项延期申请' });
    await approve.getByLabel('审批意见').fill('同意延期一年，最晚参加 2024 年 7 月批次毕业审核');
    await approve.getByRole('button', { name: '批准', exact: true }).click();
    await hq.page.getByRole('status', { name: '操作结果' }).getByText('批准延期：成功 1 人，无需变更 0 人，未通过 0 人').waitFor();
    await hq.page.getByText('没有学籍到期的学生').waitFor(); // no 待审批 left
    await hq.page.getByRole('button', { name: '重置', exact: true }).click();
    await hq.page.getByLabel('姓名/学号').fill(a.no);
    await query(hq.page);
    const approvedA = rowOf(hq.page, '学籍延期名单', a.no);
    await approvedA.locator('.ant-tag', { hasText: '已批准' }).waitFor();
    assert.equal(await cellText(approvedA, '最晚毕业批次'), '202407');
    assert.match(await cellText(approvedA, '学籍有效期'), /2023-09-01\s+已延期至 2024-09-01/);

    // 4. 清理预览: per branch, who and why; the extended student is not among them
    await hq.page.getByRole('tab', { name: '清理预览' }).click();
    const summary = hq.page.getByRole('region', { name: '各分部清理预览' });
    const ln = summary.locator('tr', { hasText: '辽宁开放大学' });
    const jl = summary.locator('tr', { hasText: '吉林开放大学' });
    await ln.waitFor();
    assert.equal(await cellText(ln, '将清理'), '1');
    assert.equal(await cellText(ln, '超过学籍有效期且未申请延期'), '1');
    assert.equal(await cellText(jl, '将清理'), '1');
    const clearList = hq.page.getByRole('region', { name: '将清理名单' });
    const previewB = clearList.locator('tr.ant-table-row', { hasText: b.no });
    await previewB.waitFor();
    assert.equal(await cellText(previewB, '清理原因'), '超过学籍有效期且未申请延期');
    await clearList.locator('tr.ant-table-row', { hasText: c.no }).waitFor();
    assert.equal(await clearList.locator('tr.ant-table-row', { hasText: a.no }).count(), 0);

    // 5. 执行清理 before 清理日期: the server's refusal, on the page
    const runButton = hq.page.getByRole('button', { name: '执行清理', exact: true });
    await runButton.click();
    await hq.page.locator('.ant-popconfirm').getByRole('button', { name: '执行清理', exact: true }).click();
    await hq.page.getByRole('alert').filter({ hasText: '未能执行学籍清理' }).getByText(`清理日期为 ${cleanupOn}，当天或之后才能执行学籍清理。`).waitFor();

    // … the dates moved so that the clean-up is due today, then run
    await hq.page.getByRole('button', { name: '修改', exact: true }).click();
    const edit = hq.page.locator('.ant-modal').filter({ hasText: '修改学籍清理' });
    await fillDate(edit, '延期名单截止日期', chinaDay(-1));
    await fillDate(edit, '清理日期', chinaDay(0));
    // By its end: a dialog's button may still hold the fading icon of its last progress.
    await edit.getByRole('button', { name: /保存$/ }).click();
    await hq.page.getByText('已保存学籍清理“2026 年学籍清理（2015 年秋季入学）”。').waitFor();
    await hq.page.getByText(`${chinaDay(-1)}（已截止）`).waitFor();
    await runButton.click();
    await hq.page.locator('.ant-popconfirm').getByRole('button', { name: '执行清理', exact: true }).click();
    await hq.page.getByText('学籍清理已完成。').waitFor({ timeout: 60_000 });
    await hq.page.getByText(/执行，2 名学生转为退学$/).waitFor();
    assert.equal(await runButton.count(), 0);

    // 退学名单 and the 学信网 退学 Excel
    await hq.page.getByRole('tab', { name: '退学名单' }).click();
    const out = hq.page.getByRole('region', { name: '退学名单' });
    const outB = out.locator('tr.ant-table-row', { hasText: b.no });
    await outB.waitFor();
    assert.equal(await cellText(outB, '退学日期'), chinaDay(0));
    assert.equal(await cellText(outB, '文号'), DOC_NO);
    await out.locator('tr.ant-table-row', { hasText: c.no }).waitFor();
    assert.equal(await out.locator('tr.ant-table-row', { hasText: a.no }).count(), 0);
    const excelHref = await hq.page.getByRole('link', { name: '下载退学数据（Excel）' }).first().getAttribute('href');
    const excel = await hq.page.request.get(new URL(excelHref!, app.base).toString());
    assert.equal(excel.status(), 200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await excel.body()) as unknown as ArrayBuffer);
    const sheet = wb.worksheets[0];
    const header = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
    assert.deepEqual(header, ['KSH', 'XH', 'XM', 'SFZH', 'ZXLX', 'PZRQ', 'WH']);
    const records: string[][] = [];
    sheet.eachRow((row, n) => {
      if (n > 1) records.push((row.values as unknown[]).slice(1).map((v) => String(v ?? '')));
    });
    assert.deepEqual(records.map((r) => r[1]).sort(), [b.no, c.no]);
    assert.equal(records.find((r) => r[1] === b.no)?.[3], b.id);
    assert.equal(records.find((r) => r[1] === b.no)?.[6], DOC_NO);

    // 6. 分部：its own 退学 student only; the extended one stays 在籍
    acting = br.page;
    await br.page.reload();
    await br.page.getByRole('tab', { name: '退学名单' }).click();
    const brOut = br.page.getByRole('region', { name: '退学名单' });
    await brOut.locator('tr.ant-table-row', { hasText: b.no }).waitFor();
    assert.equal(await brOut.locator('tr.ant-table-row', { hasText: c.no }).count(), 0);
    await br.page.getByRole('tab', { name: '上报学籍延期名单' }).click();
    const afterA = rowOf(br.page, '学籍延期名单', a.no);
    await afterA.waitFor();
    assert.equal(await cellText(afterA, '学籍状态'), '在籍');

    await hq.page.screenshot({ path: SCREENSHOT });
    assert.deepEqual(hq.errors, []);
    assert.deepEqual(br.errors, []);
  });
});
