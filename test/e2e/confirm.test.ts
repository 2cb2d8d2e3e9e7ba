/**
 * Browser test of step 一 预毕业确认 as a teaching-point teacher (seed 000):
 * 毕业 → 预毕业确认, 毕业批次 202701 and 本教学点代码, 查询, tick eligible students, 同意毕业.
 *
 * Needs `npm run build:web` first and a Chromium at CHROMIUM_PATH (default /usr/bin/chromium).
 * Run: npm run build:web && node --import tsx --test test/e2e/confirm.test.ts
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Locator, type Response } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCREENSHOT = '/tmp/e2e-confirm.png';
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

const isList = (r: Response) => r.request().method() === 'GET' && new URL(r.url()).pathname === '/api/confirmation';
const isAgree = (r: Response) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/confirmation/agree';

/** The text of one column of a table row, by the column's header. */
async function cellText(row: Locator, header: string): Promise<string> {
  const headers = await row.locator('xpath=ancestor::table[1]').locator('thead th').allInnerTexts();
  const index = headers.findIndex((h) => h.trim() === header);
  assert.ok(index >= 0, `表头中没有“${header}”：${headers.join(' | ')}`);
  return (await row.locator('td').nth(index).innerText()).trim();
}

test('教学点教师：预毕业确认，勾选符合条件的学生并同意毕业', async () => {
  const context = await browser!.newContext({ locale: 'zh-CN', viewport: { width: 1680, height: 1000 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  try {
    // 登录
    await page.goto(`${base}/login`);
    await page.getByLabel('用户名').fill('tp1');
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.waitForURL(`${base}/`);
    await page.getByText('当前毕业批次').waitFor();

    // 左侧工具栏：毕业 → 预毕业确认
    await page.getByRole('menuitem', { name: '毕业', exact: true }).click();
    await page.getByRole('menuitem', { name: '预毕业确认', exact: true }).click();
    await page.waitForURL(`${base}/graduation/confirm`);

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
    const result = (await agreeRes.json()) as { changed: number; unchanged: number; refused: { student_no: string; reason: string }[] };
    assert.equal(result.changed, 3);
    assert.equal(result.refused.length, 1);
    assert.equal(result.refused[0].student_no, badNo);
    assert.match(result.refused[0].reason, /不符合毕业条件/);

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
  } catch (e) {
    await page.screenshot({ path: SCREENSHOT, fullPage: true }).catch(() => undefined);
    throw e;
  } finally {
    await context.close();
  }
});
