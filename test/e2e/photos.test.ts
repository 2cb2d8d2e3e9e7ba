/**
 * Browser test of step 三 电子照片管理 as a teaching-point teacher (seed 000):
 * 招生 → 电子照片管理 → 批量上传电子照片, 上传图片类型 毕业证照片, 浏览 to a zip of JPEGs named by
 * 身份证号 (two good ones, one PNG named .jpg, one inside a folder), read the report, 保存.
 *
 * Needs `npm run build:web` first and a Chromium at CHROMIUM_PATH (default /usr/bin/chromium).
 * Run: npm run build:web && node --import tsx --test test/e2e/photos.test.ts
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { Response } from 'playwright-core';
import { portraitJpeg } from '../../src/server/photos/fixtures.ts';
import { buildZip } from '../../src/server/photos/testzip.ts';
import { startApp } from './harness.ts';

const SCREENSHOT = '/tmp/e2e-photos.png';

const app = startApp();

const isUpload = (r: Response) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/photos/uploads';
const isSave = (r: Response) => r.request().method() === 'POST' && /^\/api\/photos\/uploads\/[^/]+\/save$/.test(new URL(r.url()).pathname);

test('教学点教师：批量上传电子照片，查看检查结果并保存', () =>
  app.run({ screenshot: SCREENSHOT }, async () => {
    // 登录
    const { page, errors: pageErrors } = await app.signIn('tp1', { timeout: 20_000 });
    const missingCard = page.getByLabel('缺照片');
    await missingCard.waitFor();
    const missingBefore = Number((await missingCard.locator('.ant-statistic-content-value').innerText()).replace(/\D/g, ''));
    assert.ok(missingBefore >= 2, `首页缺照片人数为 ${missingBefore}，演示数据中应有缺照片的毕业生`);

    // The teacher's two students without a photo, and their 身份证号 (as the teacher knows them).
    const missing = (await (await page.request.get(`${app.base}/api/photos/missing?batch=202701&page_size=2`)).json()) as { rows: { student_id: number; name: string }[] };
    const students = await Promise.all(missing.rows.map(async (r) => ({
      ...r, id_number: ((await (await page.request.get(`${app.base}/api/students/${r.student_id}`)).json()) as { id_number: string }).id_number,
    })));
    const png = await sharp({ create: { width: 480, height: 640, channels: 3, background: '#e8eef5' } }).png().toBuffer();
    const zip = buildZip([
      { name: `${students[0].id_number}.jpg`, data: await portraitJpeg(101) },
      { name: `${students[1].id_number.toLowerCase()}.jpg`, data: await portraitJpeg(102) },
      { name: '110101199003070000.jpg', data: png },
      { name: `照片/${students[0].id_number}.jpg`, data: await portraitJpeg(103) },
    ]);

    // 左侧工具栏：招生 → 电子照片管理
    await app.openMenu(page, '招生', '电子照片管理', '/enroll/photos');
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
    const before = (await (await page.request.get(`${app.base}/api/home`)).json()) as { photos_missing: number };
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
    const after = (await (await page.request.get(`${app.base}/api/home`)).json()) as { photos_missing: number };
    assert.equal(after.photos_missing, missingBefore - 2);

    // The student's photo page shows the new 毕业证照片.
    await page.goto(`${app.base}/enroll/students/${students[0].student_id}/photos`);
    const card = page.getByLabel('毕业证照片', { exact: true });
    await card.getByRole('img', { name: `${students[0].name}的毕业证照片` }).waitFor();
    assert.match(await card.innerText(), /批量上传/);

    await page.screenshot({ path: SCREENSHOT });
    assert.deepEqual(pageErrors, []);
  }));
