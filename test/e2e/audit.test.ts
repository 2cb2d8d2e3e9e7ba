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
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCREENSHOT = '/tmp/e2e-audit.png';
const PASSWORD = 'Demo@2026';

let server: ChildProcess | undefined;
let serverLog = '';
let dataDir = '';
let base = '';
let browser: Browser | undefined;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server?.exitCode != null) throw new Error(`服务器启动失败（退出码 ${server.exitCode}）：\n${serverLog}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`服务器 ${timeoutMs / 1000} 秒内未就绪：\n${serverLog}`);
}

async function stopServer(): Promise<void> {
  const child = server;
  server = undefined;
  if (!child || child.pid === undefined || child.exitCode != null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // The whole process group: npx → tsx → node.
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    child.kill('SIGTERM');
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 5000);
  await exited;
  clearTimeout(timer);
}

before(async () => {
  const index = path.join(ROOT, 'dist/web/index.html');
  if (!fs.existsSync(index)) {
    throw new Error(`找不到 ${index}：请先运行 npm run build:web 构建前端，再运行本测试。`);
  }
  const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!fs.existsSync(executablePath)) {
    throw new Error(`找不到浏览器 ${executablePath}：请安装 chromium（apt-get install -y chromium）或设置 CHROMIUM_PATH。`);
  }

  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gm-e2e-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  delete env.DEMO;
  server = spawn('npx', ['tsx', 'src/server/main.ts'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout!.on('data', (d: Buffer) => (serverLog += d.toString()));
  server.stderr!.on('data', (d: Buffer) => (serverLog += d.toString()));

  // Start the browser while the server loads its demo data; keep whichever started, so `after` can stop it.
  const [launched, ready] = await Promise.allSettled([
    chromium.launch({
      executablePath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    }),
    waitForHealth(`${base}/api/health`, 120_000),
  ]);
  if (launched.status === 'fulfilled') browser = launched.value;
  if (launched.status === 'rejected') throw launched.reason;
  if (ready.status === 'rejected') throw ready.reason;
});

after(async () => {
  try {
    await browser?.close();
  } finally {
    await stopServer();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }
});


/** The text of one column of a table row, by the column's header. */
async function cellText(row: Locator, header: string): Promise<string> {
  const headers = await row.locator('xpath=ancestor::table[1]').locator('thead th').allInnerTexts();
  const index = headers.findIndex((h) => h.trim() === header);
  assert.ok(index >= 0, `表头中没有“${header}”：${headers.join(' | ')}`);
  return (await row.locator('td').nth(index).innerText()).trim();
}

interface Session {
  context: BrowserContext;
  page: Page;
  errors: string[];
}

const sessions: Session[] = [];

async function signIn(username: string): Promise<Session> {
  const context = await browser!.newContext({ locale: 'zh-CN', viewport: { width: 1680, height: 1000 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const s = { context, page, errors };
  sessions.push(s);
  await page.goto(`${base}/login`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(PASSWORD);
  await page.getByRole('button', { name: '登录', exact: true }).click();
  await page.waitForURL(`${base}/`);
  await page.getByText('当前毕业批次').waitFor();
  return s;
}

async function openMenu(page: Page, item: string, path: string): Promise<void> {
  const leaf = page.getByRole('menuitem', { name: item, exact: true });
  if (!(await leaf.isVisible())) await page.getByRole('menuitem', { name: '毕业', exact: true }).click();
  await leaf.click();
  await page.waitForURL(`${base}${path}`);
}

async function pickOption(page: Page, label: string, option: RegExp): Promise<void> {
  await page.getByLabel(label, { exact: true }).click();
  await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: option }).click();
}

test('毕业审核：上报、新建审核批次、审核、按未通过条件查看原因、发布，教学点查看本单位结果', async () => {
  let shotOf: Page | undefined;
  try {
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
    await report.getByText(new RegExp(`已上报毕业审核数据：${agreed} 名学生`)).waitFor();

    // 5. 总部：新建审核批次（今天起），开始审核，等待完成
    await openMenu(hq.page, '毕业审核', '/graduation/audit');
    await hq.page.locator('.ant-descriptions').getByText('2027-04-16').waitFor();
    const waitingCard = hq.page.locator('.ant-card').filter({ hasText: '待审核情况' });
    assert.match(await waitingCard.innerText(), new RegExp(`已上报待审核\\s*${agreed}`));
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
    assert.match(roundText, new RegExp(`${agreed} 人（通过 ${agreed - 1} / 不通过 1）`), roundText);

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
    await tpDetail.getByText(`共 ${agreed} 人`).waitFor();
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
  } catch (e) {
    await shotOf?.screenshot({ path: SCREENSHOT, fullPage: true }).catch(() => undefined);
    throw e;
  } finally {
    for (const s of sessions) await s.context.close();
  }
});
