/**
 * Browser test of 审核数据导入 as a branch administrator (issue 3): 毕业 → 审核数据导入, 学籍数据,
 * upload an Excel file with one good and one bad row, read the report, 仅导入正确的行.
 *
 * Needs `npm run build:web` first and a Chromium at CHROMIUM_PATH (default /usr/bin/chromium).
 * Run: npm run build:web && node --import tsx --test test/e2e/imports.test.ts
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import { chromium, type Browser } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCREENSHOT = '/tmp/e2e-imports.png';
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

/** A 学籍 file: one student of the demo's 行政管理 专科 2021 programme at 210101, and one at an unknown teaching point. */
async function studentsFile(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('学籍');
  ws.addRow(['学号', '姓名', '性别', '身份证号', '民族', '政治面貌', '学籍批次', '层次', '专业', '教学点代码', '班级代码', '学籍状态', '入学日期', '手机']);
  ws.addRow(['E2E2021000001', '导入甲', '男', '210102199001010015', '汉族', '群众', '202109', '专科', '行政管理', '210101', '', '在籍', '2021-09-01', '']);
  ws.addRow(['E2E2021000002', '导入乙', '男', '210102199001010031', '汉族', '群众', '202109', '专科', '行政管理', 'NOPE', '', '在籍', '2021/9/1', '']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

test('分部管理员：上传学籍数据，查看错误报告，仅导入正确的行', async () => {
  const context = await browser!.newContext({ locale: 'zh-CN', viewport: { width: 1680, height: 1000 } });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  try {
    await page.goto(`${base}/login`);
    await page.getByLabel('用户名').fill('branch');
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.waitForURL(`${base}/`);

    await page.getByRole('menuitem', { name: '毕业', exact: true }).click();
    await page.getByRole('menuitem', { name: '审核数据导入', exact: true }).click();
    await page.waitForURL(`${base}/graduation/imports`);

    // A branch sees only what it may load; 综合实践环节 shows the batch's reception window.
    const kinds = page.getByLabel('数据类型');
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
  } finally {
    await page.screenshot({ path: SCREENSHOT, fullPage: true }).catch(() => undefined);
    await context.close();
  }
});
