/**
 * Browser test of issue 15's headers and accounts in the UI:
 *   a. the Content-Security-Policy (frame-ancestors 'none', scripts only from the site, antd's inline styles
 *      allowed) breaks no page: 总部 opens every menu page, and the browser reports no CSP violation;
 *   b. an account whose password an administrator reset is sent to 修改密码 and can use the system after it.
 *
 * Needs `npm run build:web` first and a Chromium at CHROMIUM_PATH (default /usr/bin/chromium).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApp } from './harness.ts';

const app = startApp();

const PAGES = ['/', '/messages', '/graduation/confirm', '/graduation/audit', '/graduation/imports', '/graduation/exemptions',
  '/graduation/graduate-forms', '/graduation/materials', '/records/students', '/records/verification', '/enroll/photos',
  '/system/org', '/system/users', '/system/oplog', '/system/batches', '/system/calendar', '/password'];

test('总部 opens every menu page: the security headers break nothing, no CSP violation is reported', { timeout: 300_000 }, async () => {
  await app.run({ screenshot: '/tmp/e2e-security.png' }, async () => {
    const { page, context, errors } = await app.signIn('hq');
    const violations: string[] = [];
    await context.exposeFunction('reportCsp', (v: string) => violations.push(v));
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        void (window as unknown as { reportCsp: (v: string) => void }).reportCsp(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
      });
    });
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    const main = await page.request.get(`${app.base}/`);
    assert.match(main.headers()['content-security-policy'] ?? '', /frame-ancestors 'none'/);
    for (const path of PAGES) {
      await page.goto(`${app.base}${path}`);
      await page.locator('.ant-layout-sider').waitFor();
      await page.locator('main, .ant-layout-content').first().waitFor();
    }
    await page.goto(`${app.base}/api/docs/`);
    await page.locator('.swagger-ui .info').waitFor();
    assert.deepEqual(violations, []);
    assert.deepEqual(errors, []);
  });
});

test('an account reset by an administrator goes to 修改密码 first, then works', { timeout: 300_000 }, async () => {
  await app.run({ screenshot: '/tmp/e2e-security-password.png' }, async () => {
    const hq = await app.signIn('hq');
    const me = await hq.page.request.get(`${app.base}/api/users?q=teacher`);
    const teacher = ((await me.json()) as { rows: { id: number; username: string }[] }).rows.find((u) => u.username === 'teacher')!;
    const reset = await hq.page.request.post(`${app.base}/api/users/${teacher.id}/reset-password`, {
      data: { password: 'Temp@2026reset' }, headers: { origin: app.base },
    });
    assert.equal(reset.status(), 200);

    const { page, errors } = await app.signIn('hq'); // a second context, for the teacher
    await page.context().clearCookies();
    await page.goto(`${app.base}/login`);
    await page.getByLabel('用户名').fill('teacher');
    await page.getByLabel('密码').fill('Temp@2026reset');
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await page.waitForURL(`${app.base}/password`);
    // Typed straight into the address bar, another page still comes back to 修改密码 (the server refuses its calls).
    await page.goto(`${app.base}/messages`);
    await page.waitForURL(`${app.base}/password`);
    await page.getByLabel('原密码').fill('Temp@2026reset');
    await page.getByLabel('新密码', { exact: true }).fill('Season@2026x');
    await page.getByLabel('确认新密码').fill('Season@2026x');
    await page.getByRole('button', { name: '确认修改' }).click();
    await page.waitForURL(`${app.base}/`);
    const messages = await page.request.get(`${app.base}/api/messages`);
    assert.equal(messages.status(), 200);
    assert.deepEqual(errors, []);
  });
});
