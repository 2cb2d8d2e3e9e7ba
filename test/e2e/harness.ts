/**
 * What the browser tests share: the platform started on a free port with its demo data in a temporary
 * DATA_DIR, a Chromium (CHROMIUM_PATH, default /usr/bin/chromium) driven by playwright-core, signing in,
 * the left menu, a screenshot when a test fails, and the teardown.
 *
 * Not a test itself (the runner takes only `*.test.ts`). Needs `npm run build:web` first.
 */
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The password of every demo account. */
export const PASSWORD = 'Demo@2026';

export interface Session {
  context: BrowserContext;
  page: Page;
  /** Uncaught errors of the page. */
  errors: string[];
}

export interface SignInOptions {
  /** The page's default timeout (ms). */
  timeout?: number;
  /** A text of the home page to wait for after signing in. */
  waitFor?: string;
}

export interface RunOptions {
  /** Where the full-page screenshot goes. */
  screenshot: string;
  /** Which page to take (default: the last session's). */
  shotOf?: () => Page | undefined;
  /** Take it whatever the outcome, not only when the test fails. */
  always?: boolean;
}

export interface App {
  /** http://127.0.0.1:<port>, once `before` has run. */
  readonly base: string;
  /** A new browser context (zh-CN, 1680×1000) signed in as `username`; closed at the end of `run`. */
  signIn(username: string, options?: SignInOptions): Promise<Session>;
  /** Left menu: opens `group` unless `item` already shows, clicks `item`, waits for `path`. */
  openMenu(page: Page, group: string, item: string, path: string): Promise<void>;
  /** Runs a test's body: screenshot as `options` say, then every session is closed. */
  run(options: RunOptions, body: () => Promise<void>): Promise<void>;
}

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

/**
 * Starts the server and the browser in `before` and stops them in `after` (call at the top of a test file).
 * `env` is added to the server's environment (DATABASE_URL and DEMO are removed from it, PORT, HOST and DATA_DIR set).
 */
export function startApp(options: { env?: NodeJS.ProcessEnv } = {}): App {
  let server: ChildProcess | undefined;
  let serverLog = '';
  let dataDir = '';
  let base = '';
  let browser: Browser | undefined;
  const sessions: Session[] = [];

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
    const index = path.join(path.resolve(ROOT, process.env.WEB_DIR || 'dist/web'), 'index.html');
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
    const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir };
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
      // A loaded CI machine can take minutes to build the demo; a server that fails exits, which is seen at once.
      waitForHealth(`${base}/api/health`, 300_000),
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

  return {
    get base() {
      return base;
    },

    async signIn(username, { timeout = 15_000, waitFor } = {}) {
      const context = await browser!.newContext({ locale: 'zh-CN', viewport: { width: 1680, height: 1000 } });
      const page = await context.newPage();
      page.setDefaultTimeout(timeout);
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      const s = { context, page, errors };
      sessions.push(s);
      await page.goto(`${base}/login`);
      await page.getByLabel('用户名').fill(username);
      await page.getByLabel('密码').fill(PASSWORD);
      await page.getByRole('button', { name: '登录', exact: true }).click();
      await page.waitForURL(`${base}/`);
      if (waitFor) await page.getByText(waitFor).waitFor();
      return s;
    },

    async openMenu(page, group, item, path) {
      const leaf = page.getByRole('menuitem', { name: item, exact: true });
      // A click that lands while the group's submenu is still folding open can miss its item: when the page
      // has not changed to the item's address, open the group (if need be) and click the item again.
      for (let attempt = 1; ; attempt++) {
        if (!(await leaf.isVisible())) await page.getByRole('menuitem', { name: group, exact: true }).click();
        await leaf.click();
        try {
          await page.waitForURL(`${base}${path}`, { timeout: attempt < 3 ? 5_000 : 15_000 });
          return;
        } catch (e) {
          if (attempt >= 3) throw e;
        }
      }
    },

    async run({ screenshot, shotOf = () => sessions.at(-1)?.page, always = false }, body) {
      const shoot = () => shotOf()?.screenshot({ path: screenshot, fullPage: true }).catch(() => undefined);
      try {
        await body();
      } catch (e) {
        if (!always) await shoot();
        throw e;
      } finally {
        if (always) await shoot();
        for (const s of sessions.splice(0)) await s.context.close();
      }
    },
  };
}

/** The text of one column of a table row, by the column's header. */
export async function cellText(row: Locator, header: string): Promise<string> {
  const headers = await row.locator('xpath=ancestor::table[1]').locator('thead th').allInnerTexts();
  const index = headers.findIndex((h) => h.trim() === header);
  assert.ok(index >= 0, `表头中没有“${header}”：${headers.join(' | ')}`);
  return (await row.locator('td').nth(index).innerText()).trim();
}

/** Wait until an input shows the given value (a value set by a picked option appears on a later render). */
export async function valueShown(input: Locator, value: string, timeoutMs = 30_000): Promise<void> {
  const handle = await input.elementHandle();
  assert.ok(handle, 'the input is not on the page');
  // An anonymous arrow: tsx would wrap a named function in a `__name` helper the page does not have.
  await input.page().waitForFunction(([el, expected]) => (el as HTMLInputElement).value === expected, [handle, value] as const, { timeout: timeoutMs })
    .catch(async () => assert.equal(await input.inputValue(), value, 'the input did not show the expected value'));
}
