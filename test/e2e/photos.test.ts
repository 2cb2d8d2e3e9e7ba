/**
 * Browser test of step 三 电子照片管理 as a teaching-point teacher (seed 000):
 * 招生 → 电子照片管理 → 批量上传电子照片, 上传图片类型 毕业证照片, 浏览 to a zip of JPEGs named by
 * 身份证号 (two good ones, one PNG named .jpg, one inside a folder), read the report, 保存.
 *
 * Needs `npm run build:web` first and a Chromium at CHROMIUM_PATH (default /usr/bin/chromium).
 * Run: npm run build:web && node --import tsx --test test/e2e/photos.test.ts
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { chromium, type Browser, type Response } from 'playwright-core';
import { portraitJpeg } from '../../src/server/photos/fixtures.ts';
import { buildZip } from '../../src/server/photos/testzip.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCREENSHOT = '/tmp/e2e-photos.png';
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

const isUpload = (r: Response) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/photos/uploads';
const isSave = (r: Response) => r.request().method() === 'POST' && /^\/api\/photos\/uploads\/[^/]+\/save$/.test(new URL(r.url()).pathname);

test('教学点教师：批量上传电子照片，查看检查结果并保存', async () => {
  const context = await browser!.newContext({ locale: 'zh-CN', viewport: { width: 1680, height: 1000 } });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  try {
    // 登录
    await page.goto(`${base}/login`);
    await page.getByLabel('用户名').fill('tp1');
    await page.getByLabel('密码').fill(PASSWORD);
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.waitForURL(`${base}/`);
    const missingCard = page.getByLabel('缺照片');
    await missingCard.waitFor();
    const missingBefore = Number((await missingCard.locator('.ant-statistic-content-value').innerText()).replace(/\D/g, ''));
    assert.ok(missingBefore >= 2, `首页缺照片人数为 ${missingBefore}，演示数据中应有缺照片的毕业生`);

    // The teacher's two students without a photo, and their 身份证号 (as the teacher knows them).
    const missing = (await (await page.request.get(`${base}/api/photos/missing?batch=202701&page_size=2`)).json()) as { rows: { student_id: number; name: string }[] };
    const students = await Promise.all(missing.rows.map(async (r) => ({
      ...r, id_number: ((await (await page.request.get(`${base}/api/students/${r.student_id}`)).json()) as { id_number: string }).id_number,
    })));
    const png = await sharp({ create: { width: 480, height: 640, channels: 3, background: '#e8eef5' } }).png().toBuffer();
    const zip = buildZip([
      { name: `${students[0].id_number}.jpg`, data: await portraitJpeg(101) },
      { name: `${students[1].id_number.toLowerCase()}.jpg`, data: await portraitJpeg(102) },
      { name: '110101199003070000.jpg', data: png },
      { name: `照片/${students[0].id_number}.jpg`, data: await portraitJpeg(103) },
    ]);

    // 左侧工具栏：招生 → 电子照片管理
    await page.getByRole('menuitem', { name: '招生', exact: true }).click();
    await page.getByRole('menuitem', { name: '电子照片管理', exact: true }).click();
    await page.waitForURL(`${base}/enroll/photos`);
    await page.getByRole('tab', { name: '批量上传电子照片' }).waitFor();

    // 上传图片类型：毕业证照片；图片限制 shown
    const typeSelect = page.getByLabel('上传图片类型');
    await typeSelect.click();
    await page.locator('.ant-select-item-option').filter({ hasText: '毕业证照片' }).click();
    const limits = page.getByLabel('图片限制');
    await limits.waitFor();
    assert.match(await limits.innerText(), /JPEG 格式，480×640 像素（宽×高），24 位真彩色，文件大小 20–200 KB/);

    // 浏览 → the zip; the check runs and its report appears
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByRole('button', { name: '浏览', exact: true }).click()]);
    const [uploadRes] = await Promise.all([page.waitForResponse(isUpload), chooser.setFiles({ name: '毕业证照片.zip', mimeType: 'application/zip', buffer: zip })]);
    assert.equal(uploadRes.status(), 200);
    const report = page.getByRole('table').filter({ has: page.locator('th', { hasText: '说明' }) });
    await page.getByText('检查完成，待保存').first().waitFor();
    const rows = report.locator('.ant-table-tbody tr.ant-table-row');
    await rows.nth(3).waitFor();
    assert.equal(await rows.count(), 4);
    const text = (await rows.allInnerTexts()).join('\n');
    assert.match(text, new RegExp(`${students[0].name}[\\s\\S]*通过`));
    assert.match(text, /不是有效的身份证号|校验位不正确/);
    assert.match(text, /位于文件夹内/);
    await page.screenshot({ path: SCREENSHOT.replace('.png', '-report.png') });
    // Nothing is saved yet: the home count is unchanged until 保存.
    const before = (await (await page.request.get(`${base}/api/home`)).json()) as { photos_missing: number };
    assert.equal(before.photos_missing, missingBefore);

    // 保存 (asked once more, then applied)
    await page.getByRole('button', { name: '保存', exact: true }).click();
    const [saveRes] = await Promise.all([
      page.waitForResponse(isSave),
      page.locator('.ant-popconfirm').getByRole('button', { name: '保存', exact: true }).click(),
    ]);
    assert.equal(saveRes.status(), 200);
    const saved = (await saveRes.json()) as { applied: number };
    assert.equal(saved.applied, 2);
    await page.getByText('已保存 2 张照片').waitFor();
    await page.getByText('已保存', { exact: true }).first().waitFor();
    const after = (await (await page.request.get(`${base}/api/home`)).json()) as { photos_missing: number };
    assert.equal(after.photos_missing, missingBefore - 2);

    // The student's photo page shows the new 毕业证照片.
    await page.goto(`${base}/enroll/students/${students[0].student_id}/photos`);
    const card = page.getByLabel('毕业证照片', { exact: true });
    await card.getByRole('img', { name: `${students[0].name}的毕业证照片` }).waitFor();
    assert.match(await card.innerText(), /批量上传/);

    await page.screenshot({ path: SCREENSHOT });
    assert.deepEqual(pageErrors, []);
  } catch (e) {
    await page.screenshot({ path: SCREENSHOT, fullPage: true }).catch(() => undefined);
    throw e;
  } finally {
    await context.close();
  }
});
