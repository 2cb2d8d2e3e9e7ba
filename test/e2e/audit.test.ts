/**
 * Browser test of 毕业审核 (seed 003) on the demo batch 202701, as the offices would do it:
 *   1. 总部 opens, from 预毕业确认, a student of 沈阳市开放大学 who lacks only the 综合实践环节, and in
 *      毕业准备情况 waives that requirement (审核例外), so the student becomes eligible;
 *   2. the teaching point agrees (同意毕业) every eligible student of the query;
 *   3. 总部 revokes the waiver: the student is agreed but no longer meets the conditions;
 *   4. the teaching point 上报毕业审核数据;
 *   5. 总部 creates an extra round 补充批 (today's dates; the demo has 第一批 and 第二批), 开始审核, waits for the run, finds the student
 *      不通过 with the reason under 按未通过条件, and 发布结果;
 *   6. the teaching point sees the published round and its own students' results only.
 *
 * Needs `npm run build:web` first and a Chromium at CHROMIUM_PATH (default /usr/bin/chromium).
 * Run: npm run build:web && node --import tsx --test test/e2e/audit.test.ts
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { cellText, startApp, type Session } from './harness.ts';

const SCREENSHOT = '/tmp/e2e-audit.png';

const app = startApp();

const sessions: Session[] = [];

async function signIn(username: string): Promise<Session> {
  const s = await app.signIn(username, { waitFor: '当前毕业批次' });
  sessions.push(s);
  return s;
}

const openMenu = (page: Page, item: string, path: string) => app.openMenu(page, '毕业', item, path);

async function pickOption(page: Page, label: string, option: RegExp): Promise<void> {
  await page.getByLabel(label, { exact: true }).click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: option }).click();
}

test('毕业审核：上报、新建审核批次、审核、按未通过条件查看原因、发布，教学点查看本单位结果', () => {
  let shotOf: Page | undefined;
  return app.run({ screenshot: SCREENSHOT, shotOf: () => shotOf }, async () => {
    // 1. 总部：预毕业确认中找到只缺综合实践环节的沈阳市开放大学学生，打开其毕业准备情况
    const hq = await signIn('hq');
    shotOf = hq.page;
    await openMenu(hq.page, '预毕业确认', '/graduation/confirm');
    await pickOption(hq.page, '是否符合条件', /^不符合$/);
    await hq.page.getByRole('button', { name: '查询', exact: true }).click();
    const hqRows = hq.page.getByRole('region', { name: '学生名单' }).locator('.ant-table-tbody tr.ant-table-row');
    await hqRows.first().waitFor();
    const candidates = hqRows.filter({ hasText: '210101' }).filter({ hasText: /综合实践环节（.*）未通过/ });
    let target: Locator | undefined;
    for (let i = 0; i < (await candidates.count()); i++) {
      const reason = await cellText(candidates.nth(i), '原因');
      if (!reason.includes('；')) {
        target = candidates.nth(i);
        break;
      }
    }
    assert.ok(target, '第一页没有只缺综合实践环节的沈阳市开放大学学生');
    const studentNo = await cellText(target, '学号');
    const name = await cellText(target, '姓名');
    await target.getByRole('link', { name, exact: true }).click();
    await hq.page.waitForURL(/\/graduation\/readiness\/\d+$/);
    const readinessUrl = hq.page.url();
    await hq.page.getByRole('heading', { name: '毕业准备情况' }).waitFor();
    const conditions = hq.page.getByRole('region', { name: '毕业条件' });
    const practice = conditions.locator('tr', { hasText: '综合实践环节' });
    await practice.getByText('未满足', { exact: true }).waitFor();
    await hq.page.getByText('尚不符合毕业条件').waitFor();
    await hq.page.getByText('换专业/入学批次比对（不修改任何记录）').waitFor();

    // 审核例外：免除综合实践环节
    await hq.page.getByRole('button', { name: '添加', exact: true }).click();
    const exceptionModal = hq.page.locator('.ant-modal').filter({ hasText: '添加审核例外' });
    await exceptionModal.waitFor();
    await pickOption(hq.page, '免除的条件', /^综合实践环节$/);
    await exceptionModal.getByLabel('理由').fill('学生已在工作单位完成同等实践，经总部审定');
    await exceptionModal.getByRole('button', { name: '保存', exact: true }).click();
    await hq.page.getByText('已添加免除要求。').waitFor();
    await practice.getByText('已免除', { exact: true }).waitFor();
    await hq.page.getByText('符合毕业条件', { exact: true }).waitFor();

    // 2. 教学点：同意毕业（当前查询的全部符合条件的学生）
    const tp = await signIn('tp1');
    // The demo already agreed some (their 毕业生登记表 are under way): they are reported with the rest.
    const before = (await (await tp.page.request.get(`${app.base}/api/confirmation?batch=202701&status=同意毕业&page_size=1`)).json()) as { total: number };
    await openMenu(tp.page, '预毕业确认', '/graduation/confirm');
    await pickOption(tp.page, '是否符合条件', /^符合$/);
    await tp.page.getByRole('button', { name: '查询', exact: true }).click();
    await tp.page.getByRole('region', { name: '学生名单' }).locator('.ant-table-tbody tr.ant-table-row').first().waitFor();
    await tp.page.getByText(/^当前查询的全部学生（\d+）$/).click();
    await tp.page.getByRole('button', { name: '同意毕业', exact: true }).click();
    await tp.page.locator('.ant-modal-confirm').getByRole('button', { name: '确定', exact: true }).click();
    await tp.page.getByRole('status', { name: '操作结果' }).getByText(/同意毕业：成功 \d+ 人/).waitFor();
    const agreedText = await tp.page.getByRole('status', { name: '操作结果' }).innerText();
    const agreed = Number(/成功 (\d+) 人/.exec(agreedText)![1]);
    assert.ok(agreed > 10, `同意毕业的人数太少：${agreedText}`);
    const reported = agreed + before.total;

    // 3. 总部撤销审核例外：学生已同意毕业，但不再符合条件
    await hq.page.goto(readinessUrl);
    await hq.page.getByRole('heading', { name: '毕业准备情况' }).waitFor();
    const exceptionRow = hq.page.locator('tr', { hasText: '学生已在工作单位完成同等实践' });
    await exceptionRow.getByText('撤销', { exact: true }).click();
    await hq.page.locator('.ant-popconfirm').getByRole('button', { name: '撤销', exact: true }).click();
    await exceptionRow.getByText('已撤销', { exact: true }).waitFor();
    await practice.getByText('未满足', { exact: true }).waitFor();

    // 4. 教学点：上报毕业审核数据
    await openMenu(tp.page, '毕业审核', '/graduation/audit');
    await tp.page.getByText('本单位待审核情况').waitFor();
    await tp.page.getByRole('button', { name: '上报毕业审核数据', exact: true }).click();
    await tp.page.locator('.ant-modal-confirm').getByRole('button', { name: '上报', exact: true }).click();
    const report = tp.page.getByRole('status', { name: '上报结果' });
    await report.getByText(new RegExp(`已上报毕业审核数据：${reported} 名学生`)).waitFor();

    // 5. 总部：新建审核批次（今天起），开始审核，等待完成
    await openMenu(hq.page, '毕业审核', '/graduation/audit');
    await hq.page.locator('.ant-descriptions').getByText('2027-04-16').waitFor();
    const waitingCard = hq.page.locator('.ant-card').filter({ hasText: '待审核情况' });
    assert.match(await waitingCard.innerText(), new RegExp(`已上报待审核\\s*${reported}`));
    await hq.page.getByRole('button', { name: '新建审核批次', exact: true }).click();
    const roundModal = hq.page.locator('.ant-modal').filter({ hasText: '新建审核批次' });
    await roundModal.getByLabel('名称').fill('补充批');
    await roundModal.getByRole('button', { name: '保存', exact: true }).click();
    await hq.page.getByText('已新建审核批次“补充批”。').waitFor();
    const round = hq.page.locator('.ant-table-tbody tr.ant-table-row', { hasText: '补充批' });
    await round.getByText('未开始', { exact: true }).waitFor();
    await round.getByText('开始审核', { exact: true }).click();
    await hq.page.getByText(/审核完成：本批次共有 \d+ 名毕业生的审核结果。/).waitFor({ timeout: 60_000 });
    await round.getByText('已审核', { exact: true }).waitFor();
    const roundText = await round.innerText();
    assert.match(roundText, new RegExp(`${reported} 人（通过 ${reported - 1} / 不通过 1）`), roundText);

    // 审核结果：按未通过条件 → 综合实践环节 → 学生及原因
    await round.getByRole('link', { name: '查看结果' }).click();
    await hq.page.waitForURL(/\/graduation\/audit\/rounds\/\d+\?batch=202701$/);
    await hq.page.getByRole('heading', { name: '审核结果：202701 补充批' }).waitFor();
    await hq.page.getByText('未发布：分部、教学点尚不可见').waitFor();
    const summary = hq.page.getByRole('region', { name: '审核结果统计' });
    await summary.getByText('辽宁开放大学', { exact: true }).waitFor();
    await hq.page.getByText('按未通过条件', { exact: true }).click();
    await summary.getByText('综合实践环节', { exact: true }).click();
    const detail = hq.page.getByRole('region', { name: '审核结果明细' });
    await detail.getByText('未通过条件：综合实践环节').waitFor();
    const failedRow = detail.locator('.ant-table-tbody tr.ant-table-row', { hasText: studentNo });
    await failedRow.waitFor();
    assert.equal(await detail.locator('.ant-table-tbody tr.ant-table-row').count(), 1);
    assert.equal(await cellText(failedRow, '审核结果'), '不通过');
    assert.match(await cellText(failedRow, '未通过原因'), /综合实践环节（.*）未通过/);
    assert.match(
      (await detail.getByRole('link', { name: '导出Excel' }).getAttribute('href')) ?? '',
      /\/api\/audit\/rounds\/\d+\/results\.xlsx\?rule=practice&passed=false$/,
    );
    // 按姓名查找
    await detail.getByText('未通过条件：综合实践环节').locator('xpath=..').locator('.ant-tag-close-icon').click();
    await detail.getByLabel('姓名/学号/身份证号').fill(studentNo);
    // The form's submit button (查询): by role and name it can be matched while the list re-renders.
    await detail.locator('button[type=submit]').click();
    await detail.getByText('共 1 人').waitFor();

    // 发布结果
    await hq.page.getByRole('link', { name: '返回毕业审核' }).click();
    await round.getByText('发布结果', { exact: true }).click();
    await hq.page.locator('.ant-modal-confirm').getByRole('button', { name: '发布', exact: true }).click();
    await hq.page.getByText('已发布审核批次“补充批”的审核结果。').waitFor();
    await round.getByText('已发布', { exact: true }).waitFor();

    // 6. 教学点：查看已发布的本单位审核结果
    shotOf = tp.page;
    await tp.page.reload();
    const tpRound = tp.page.locator('.ant-table-tbody tr.ant-table-row', { hasText: '补充批' });
    await tpRound.getByText('已发布', { exact: true }).waitFor();
    await tpRound.getByRole('link', { name: '查看结果' }).click();
    await tp.page.getByRole('heading', { name: '审核结果：202701 补充批' }).waitFor();
    const tpDetail = tp.page.getByRole('region', { name: '审核结果明细' });
    await tpDetail.getByText(`共 ${reported} 人`).waitFor();
    const tpRows = tpDetail.locator('.ant-table-tbody tr.ant-table-row');
    await tpRows.first().waitFor();
    for (let i = 0; i < (await tpRows.count()); i++) {
      assert.match(await cellText(tpRows.nth(i), '教学点'), /^210101/);
    }
    await pickOption(tp.page, '审核结果', /^不通过$/);
    await tpDetail.getByText('共 1 人').waitFor();
    const tpFailed = tpRows.filter({ hasText: studentNo });
    assert.match(await cellText(tpFailed, '未通过原因'), /综合实践环节（.*）未通过/);

    await tp.page.screenshot({ path: SCREENSHOT });
    for (const s of sessions) assert.deepEqual(s.errors, []);
  });
});
