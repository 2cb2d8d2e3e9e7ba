/**
 * Browser test of step 七 到校提交毕业审核材料 (seed 000): the teaching point ticks the papers it prepared for
 * its graduates, the branch confirms what it received, and the 未办理毕业学生统计表 is printed.
 *
 * Needs `npm run build:web` first and a Chromium at CHROMIUM_PATH (default /usr/bin/chromium).
 * Run: npm run build:web && node --import tsx --test test/e2e/materials.test.ts
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { startApp } from './harness.ts';

const SCREENSHOT = '/tmp/e2e-materials.png';

/** 选择毕业批次 202701 in the filter form `form`. */
async function chooseBatch(page: Page, form: string) {
  await page.locator(form).getByLabel('毕业批次').click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: '202701' }).click();
  const item = page.locator(form).locator('.ant-form-item').filter({ has: page.locator('label', { hasText: '毕业批次' }) });
  assert.match(await item.innerText(), /202701/);
}
const app = startApp();

test('教学点标记材料已备齐，学校确认接收；打印未办理毕业学生统计表', () =>
  app.run({ screenshot: SCREENSHOT }, async () => {
    const { page } = await app.signIn('tp1', { timeout: 20_000 });
    await app.openMenu(page, '毕业', '毕业材料提交', '/graduation/materials');
    await chooseBatch(page, '#materials-filter');
    await page.getByRole('button', { name: /查\s*询/ }).first().click();
    const rows = page.locator('.ant-table-tbody tr.ant-table-row');
    await rows.first().waitFor();
    const first = rows.first();
    const studentNo = (await first.locator('td').nth(1).innerText()).trim();
    assert.match(studentNo, /^\d+$/);
    await first.locator('.ant-checkbox-input').check();
    await page.getByRole('button', { name: '标记已备齐' }).click();
    await page.getByText(/标记已备齐：4 项/).waitFor();
    await page.locator('tr.ant-table-row', { hasText: studentNo }).getByText('已备齐').first().waitFor();
    assert.equal(await page.locator('tr.ant-table-row', { hasText: studentNo }).getByText('已备齐').count(), 4);

    // The school receives them.
    const branch = await app.signIn('branch', { timeout: 20_000 });
    await app.openMenu(branch.page, '毕业', '毕业材料提交', '/graduation/materials');
    await chooseBatch(branch.page, '#materials-filter');
    await branch.page.getByLabel('姓名/学号').fill(studentNo);
    await branch.page.getByRole('button', { name: /查\s*询/ }).first().click();
    const row = branch.page.locator('tr.ant-table-row', { hasText: studentNo });
    await row.waitFor();
    await row.locator('.ant-checkbox-input').check();
    await branch.page.getByRole('button', { name: '确认接收' }).click();
    await row.getByText('已接收').first().waitFor();
    assert.equal(await row.getByText('已接收').count(), 4);
    await branch.page.getByRole('tab', { name: '各教学点统计' }).click();
    const tpRow = branch.page.getByRole('tabpanel', { name: '各教学点统计' }).locator('tr.ant-table-row', { hasText: '210101' });
    await tpRow.waitFor();
    assert.match(await tpRow.innerText(), /1 \/ 1/);

    // 未办理毕业学生统计表 of the teaching point: the list, then the PDF to stamp.
    await page.getByRole('tab', { name: '未办理毕业学生统计表' }).click();
    const panel = page.getByRole('tabpanel', { name: '未办理毕业学生统计表' });
    await chooseBatch(page, '#not-graduating-filter');
    await panel.getByRole('button', { name: /查\s*询/ }).click();
    await panel.getByText(/未办理毕业学生：\d+ 人/).waitFor();
    const reasons = await panel.locator('.ant-table-tbody tr.ant-table-row').allInnerTexts();
    assert.ok(reasons.length > 0, 'the demo has students not graduating');
    const href = await panel.getByRole('link', { name: /打印统计表/ }).getAttribute('href');
    const pdf = await page.request.get(`${app.base}${href}`);
    assert.equal(pdf.status(), 200);
    const text = execFileSync('pdftotext', ['-layout', '-', '-'], { input: await pdf.body() }).toString().replace(/\s+/g, '');
    assert.match(text, /未办理毕业学生统计表/);
    assert.match(text, /教学点（盖章）/);
  }));
