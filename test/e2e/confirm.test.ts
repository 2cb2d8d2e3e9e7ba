/**
 * Browser test of step 一 预毕业确认 as a teaching-point teacher (seed 000):
 * 毕业 → 预毕业确认, 毕业批次 202701 and 本教学点代码, 查询, tick eligible students, 同意毕业.
 *
 * Needs `npm run build:web` first and a Chromium at CHROMIUM_PATH (default /usr/bin/chromium).
 * Run: npm run build:web && node --import tsx --test test/e2e/confirm.test.ts
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Response } from 'playwright-core';
import { cellText, startApp } from './harness.ts';

const SCREENSHOT = '/tmp/e2e-confirm.png';

const app = startApp();

const isList = (r: Response) => r.request().method() === 'GET' && new URL(r.url()).pathname === '/api/confirmation';
const isAgree = (r: Response) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/confirmation/agree';

test('教学点教师：预毕业确认，勾选符合条件的学生并同意毕业', () =>
  app.run({ screenshot: SCREENSHOT }, async () => {
    // 登录
    const { page, errors: pageErrors } = await app.signIn('tp1', { waitFor: '当前毕业批次' });

    // 左侧工具栏：毕业 → 预毕业确认
    await app.openMenu(page, '毕业', '预毕业确认', '/graduation/confirm');

    // 选择毕业批次 202701；本教学点代码固定为本教学点
    const batchSelect = page.getByLabel('毕业批次');
    await batchSelect.click();
    await page.locator('.ant-select-item-option').filter({ hasText: '202701' }).click();
    const batchItem = page.locator('.ant-form-item').filter({ has: page.locator('label', { hasText: '毕业批次' }) });
    assert.match(await batchItem.innerText(), /202701/);
    const tpCode = page.getByLabel('本教学点代码');
    assert.equal(await tpCode.inputValue(), '210101');
    assert.equal(await tpCode.isDisabled(), true);

    // 查询
    const [listRes] = await Promise.all([page.waitForResponse(isList), page.getByRole('button', { name: '查询', exact: true }).click()]);
    assert.equal(listRes.status(), 200);
    const list = (await listRes.json()) as { total: number; rows: { student_no: string; tp_code: string }[]; window: { open: boolean } | null };
    assert.ok(list.total > 0, '查询结果为空');
    assert.ok(list.rows.every((r) => r.tp_code === '210101'), '出现了其他教学点的学生');
    assert.equal(list.window?.open, true);
    await page.getByText(/预毕业确认办理时间：.*距截止还有 \d+ 天/).waitFor();

    const rows = page.getByRole('region', { name: '学生名单' }).locator('.ant-table-tbody tr.ant-table-row');
    await rows.first().waitFor();
    const eligible = rows
      .filter({ has: page.locator('.ant-tag', { hasText: /^符合$/ }) })
      .filter({ has: page.locator('.ant-tag', { hasText: /^待确认$/ }) });
    const ineligible = rows.filter({ has: page.locator('.ant-tag', { hasText: /^不符合$/ }) });
    assert.ok((await eligible.count()) >= 3, '本页符合条件的待确认学生不足 3 人');
    assert.ok((await ineligible.count()) >= 1, '本页没有不符合条件的学生');

    // 勾选 3 名符合条件的学生和 1 名不符合条件的学生
    const picked: string[] = [];
    for (let i = 0; i < 3; i++) {
      const row = eligible.nth(i);
      picked.push(await cellText(row, '学号'));
    }
    const badRow = ineligible.first();
    const badNo = await cellText(badRow, '学号');
    const badReason = await cellText(badRow, '原因');
    assert.ok(badReason.length > 1, '不符合条件的学生没有显示原因');
    for (const no of picked) {
      await rows.filter({ hasText: no }).getByRole('checkbox').check();
    }
    await rows.filter({ hasText: badNo }).getByRole('checkbox').check();
    await page.getByText('勾选的学生（4）').waitFor();

    // 同意毕业 (a double click sends one request)
    let agreeRequests = 0;
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/confirmation/agree') agreeRequests++;
    });
    const [agreeRes, reloadRes] = await Promise.all([
      page.waitForResponse(isAgree),
      page.waitForResponse(isList),
      page.getByRole('button', { name: '同意毕业', exact: true }).dblclick(),
    ]);
    assert.equal(agreeRes.status(), 200);
    assert.equal(reloadRes.status(), 200);
    const result = (await agreeRes.json()) as { changed: number; unchanged: number; refused: { student_no: string; code: string; message: string }[] };
    assert.equal(result.changed, 3);
    assert.equal(result.refused.length, 1);
    assert.equal(result.refused[0].student_no, badNo);
    assert.match(result.refused[0].message, /不符合毕业条件/);
    assert.equal(result.refused[0].code, 'NOT_ELIGIBLE');

    // 结果：表格中显示同意毕业，结果提示列出未通过的学生和原因
    for (const no of picked) {
      const row = rows.filter({ hasText: no });
      await row.locator('.ant-tag', { hasText: /^同意毕业$/ }).waitFor();
    }
    await rows.filter({ hasText: badNo }).locator('.ant-tag', { hasText: /^待确认$/ }).waitFor();
    const panel = page.getByRole('status', { name: '操作结果' });
    await panel.getByText('同意毕业：成功 3 人，无需变更 0 人，未通过 1 人').waitFor();
    const refusedRow = panel.locator('tr', { hasText: badNo });
    await refusedRow.waitFor();
    assert.match(await refusedRow.innerText(), /不符合毕业条件/);
    assert.ok((await refusedRow.innerText()).includes(badReason.split('；')[0]), `未通过原因中没有“${badReason}”`);
    assert.equal(agreeRequests, 1, '双击“同意毕业”发出了不止一次请求');
    await page.getByText('勾选的学生（0）').waitFor();

    await page.screenshot({ path: SCREENSHOT });
    assert.deepEqual(pageErrors, []);
  }));
