import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import sharp from 'sharp';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { errorOf, startTestApp, type TestApp } from '../testing/harness.ts';
import { buildStudent, buildWorld, makeIdNumber, type World } from '../testing/factories.ts';
import { checkDigit } from '../../shared/idcard.ts';
import { portraitJpeg } from './fixtures.ts';
import { buildZip, multipart } from './testzip.ts';
import { listEntries, readEntries, ZipRefused } from './zip.ts';
import { jpegInfo } from './jpeg.ts';
import { keys } from '../platform/files.ts';
import type { ResponseOf } from '../../shared/contract.ts';
import type { batchesApi } from '../../shared/contract/batches.ts';
import type { PhotoFlag, PhotoType, StudentPhotos, UploadEntry, UploadReport, photosApi } from '../../shared/contract/photos.ts';

type Saved = ResponseOf<typeof photosApi.save>;
type Flags = ResponseOf<typeof photosApi.flags>;
type Missing = ResponseOf<typeof photosApi.missing>;

// Files of this test run go to a folder of its own.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gm-photos-'));
process.env.DATA_DIR = dataDir;

let t: TestApp;
let w: World;
let tp: string;
const ids: Record<string, string> = {};

before(async () => {
  t = await startTestApp();
  w = await buildWorld(t.db);
  tp = await t.login('tpA1');
  // One student whose number ends in X, to be named with a lower-case x.
  let first17 = '';
  for (let n = 100; checkDigit(first17) !== 'X'; n++) first17 = `11010119900307${n}`;
  await t.db.updateTable('student').set({ id_number: `${first17}X` }).where('id', '=', w.students.sA1b).execute();
  for (const [k, id] of Object.entries(w.students)) {
    ids[k] = (await t.db.selectFrom('student').select('id_number').where('id', '=', id).executeTakeFirstOrThrow()).id_number;
  }
});
after(async () => {
  await t.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function upload(zip: Buffer, cookie = tp, type = '毕业证照片', fileName = '照片.zip') {
  const m = multipart(fileName, zip);
  const res = await t.running.app.inject({ method: 'POST', url: `/api/photos/uploads?photo_type=${encodeURIComponent(type)}`, payload: m.payload, headers: { ...m.headers, cookie } });
  return { status: res.statusCode, json: res.json<ResponseOf<typeof photosApi.upload>>() };
}

/** Uploads and waits for the check job; answers the whole report. */
async function check(zip: Buffer, cookie = tp) {
  const r = await upload(zip, cookie);
  assert.equal(r.status, 200, JSON.stringify(r.json));
  const id = r.json.upload_id;
  for (let i = 0; i < 200; i++) {
    const rep = await t.call<UploadReport>('GET', `/api/photos/uploads/${id}?page_size=500`, { cookie });
    if (rep.json.upload.state !== 'checking') return { id, ...rep.json };
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error('check did not finish');
}

const byName = (rows: UploadEntry[], name: string) => {
  const r = rows.find((x) => x.entry_name === name);
  assert.ok(r, `no report row for ${name}`);
  return r;
};

const currentPhoto = (studentId: number) =>
  t.db.selectFrom('photo').select(['id', 'sha256']).where('student_id', '=', studentId).where('photo_type', '=', '毕业证照片').where('is_current', '=', true).execute();

describe('zip reading', () => {
  test('a name in GBK (no UTF-8 flag, as Windows zip tools write it) and one in UTF-8 are both read right', async () => {
    const file = path.join(dataDir, 'names.zip');
    fs.writeFileSync(file, buildZip([
      { name: iconv.encode('张三照片.jpg', 'gbk'), data: Buffer.from('x') },
      { name: '李四照片.jpg', data: Buffer.from('y') },
    ]));
    const entries = await listEntries(file, { maxEntries: 10, maxTotalBytes: 1e6, maxEntryBytes: 1e5, maxRatio: 100 });
    assert.deepEqual(entries.map((e) => e.name), ['张三照片.jpg', '李四照片.jpg']);
  });

  test('too many entries, or a declared total over the cap, refuse the whole zip before inflating', async () => {
    const file = path.join(dataDir, 'many.zip');
    fs.writeFileSync(file, buildZip(Array.from({ length: 5 }, (_, i) => ({ name: `${i}.jpg`, data: Buffer.from('x') }))));
    await assert.rejects(listEntries(file, { maxEntries: 4, maxTotalBytes: 1e6, maxEntryBytes: 1e5, maxRatio: 100 }), (e: Error) => e instanceof ZipRefused && /超过单次上传上限 4 个/.test(e.message));
    fs.writeFileSync(file, buildZip([{ name: 'a.jpg', data: Buffer.from('x'), declaredSize: 3_000_000_000 }]));
    await assert.rejects(listEntries(file, { maxEntries: 4, maxTotalBytes: 1e9, maxEntryBytes: 1e5, maxRatio: 100 }), /疑似压缩炸弹/);
  });

  test('the actual total is capped while inflating, whatever the headers say', async () => {
    const file = path.join(dataDir, 'total.zip');
    const chunk = Buffer.alloc(90_000, 7);
    fs.writeFileSync(file, buildZip(Array.from({ length: 4 }, (_, i) => ({ name: `${i}.jpg`, data: chunk, declaredSize: 10 }))));
    const limits = { maxEntries: 10, maxTotalBytes: 200_000, maxEntryBytes: 100_000, maxRatio: 1000 };
    const entries = await listEntries(file, limits);
    await assert.rejects((async () => { for await (const _ of readEntries(file, entries, limits)) { /* drain */ } })(), /超过上限/);
  });

  test('entries sharing their data (an overlapping bomb) refuse the zip', async () => {
    const zip = buildZip([{ name: 'a.jpg', data: Buffer.alloc(1000, 1) }, { name: 'b.jpg', data: Buffer.alloc(1000, 1) }]);
    // Point the second central entry at the first entry's data.
    const cd = zip.readUInt32LE(zip.length - 6);
    const second = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), cd + 46);
    zip.writeUInt32LE(0, second + 42);
    const file = path.join(dataDir, 'overlap.zip');
    fs.writeFileSync(file, zip);
    await assert.rejects(listEntries(file, { maxEntries: 10, maxTotalBytes: 1e6, maxEntryBytes: 1e5, maxRatio: 100 }), /共用同一段数据/);
  });
});

describe('批量上传电子照片: every entry judged, with a reason in Chinese', () => {
  let report: Awaited<ReturnType<typeof check>>;
  let badIds: Record<string, string> = {};
  let good: Buffer;
  let withExif: Buffer;

  before(async () => {
    good = await portraitJpeg(1);
    withExif = await sharp(await portraitJpeg(2)).withExif({ IFD0: { Make: 'SecretCam', Artist: '隐私' } }).jpeg({ quality: 72 }).toBuffer();
    const png = await sharp({ create: { width: 480, height: 640, channels: 3, background: '#e8eef5' } }).png().toBuffer();
    const cmyk = await sharp(await portraitJpeg(4)).toColourspace('cmyk').jpeg({ quality: 80 }).toBuffer();
    const grey = await sharp(await portraitJpeg(5)).toColourspace('b-w').jpeg({ quality: 95 }).toBuffer();
    const small = await sharp({ create: { width: 480, height: 640, channels: 3, background: '#eeeeee' } }).jpeg({ quality: 50 }).toBuffer();
    const wrongSize = await portraitJpeg(6, { width: 400, height: 500, quality: 90 });
    const noisy = await sharp(Buffer.from(Array.from({ length: 480 * 640 * 3 }, (_, i) => (i * 7919 * 31) % 251)), { raw: { width: 480, height: 640, channels: 3 } }).jpeg({ quality: 100 }).toBuffer();
    // A 10000×10000 header on a small file: decoding it would take 300 MB.
    const huge = Buffer.from(await portraitJpeg(7));
    const sof = huge.indexOf(Buffer.from([0xff, 0xc0]));
    huge.writeUInt16BE(10000, sof + 5);
    huge.writeUInt16BE(10000, sof + 7);
    const truncated = (await portraitJpeg(8)).subarray(0, 18_000);
    const foreign = await portraitJpeg(9);
    const nobody = makeIdNumber('1985-01-01', '女', '110101');
    const lowerX = ids.sA1b.slice(0, 17) + 'x';
    // One student of the teaching point per picture that is wrong in its bytes.
    const bad: Record<string, string> = {};
    for (const k of ['png', 'cmyk', 'grey', 'small', 'wrongSize', 'huge', 'truncated', 'noisy']) {
      const id = await buildStudent(t.db, { nodeId: w.nodes.classA1.id, programmeId: w.programmeId, name: `照片${k}` });
      bad[k] = (await t.db.selectFrom('student').select('id_number').where('id', '=', id).executeTakeFirstOrThrow()).id_number;
    }
    badIds = bad;
    const wrongDigit = `${ids.sA1.slice(0, 17)}${ids.sA1[17] === '0' ? '1' : '0'}`;
    report = await check(buildZip([
      { name: `${ids.sA1}.jpg`, data: withExif },
      { name: `${lowerX}.JPG`, data: good },
      { name: `${bad.png}.jpg`, data: png },
      { name: `${bad.cmyk}.jpg`, data: cmyk },
      { name: `${bad.grey}.jpg`, data: grey },
      { name: `${bad.small}.jpg`, data: small },
      { name: `${bad.wrongSize}.jpg`, data: wrongSize },
      { name: `${bad.huge}.jpg`, data: huge },
      { name: `${bad.truncated}.jpg`, data: truncated },
      { name: `${bad.noisy}.jpg`, data: noisy },
      { name: `${ids.sA1x}.jpg`, data: good },
      { name: `${ids.sA1x.toLowerCase()}.jpeg`, data: good },
      { name: '12345.jpg', data: good },
      { name: `${wrongDigit}.jpg`, data: good },
      { name: `${ids.sB1}.jpg`, data: foreign },
      { name: `${nobody}.jpg`, data: foreign },
      { name: 'photos/', data: Buffer.alloc(0), store: true },
      { name: `photos/${ids.sA2}.jpg`, data: good },
      { name: `../../etc/${ids.sA2}.jpg`, data: good },
      { name: `${ids.sA2}.jpg`, data: Buffer.from('/etc/passwd'), unixMode: 0o120777 },
      { name: `${ids.sA3}.jpg`, data: good, flags: 1 },
      { name: '__MACOSX/._x.jpg', data: Buffer.from('mac') },
      { name: 'Thumbs.db', data: Buffer.from('thumbs') },
      { name: 'more.zip', data: buildZip([{ name: 'a.jpg', data: good }]) },
      { name: iconv.encode('张三.jpg', 'gbk'), data: good },
    ]));
  });

  test('the report lists every entry with a verdict', () => {
    assert.equal(report.upload.state, 'checked');
    assert.equal(report.total, 25);
    assert.deepEqual([report.upload.accepted, report.upload.replacing, report.upload.unchanged, report.upload.rejected], [2, 0, 0, 23]);
  });

  test('accepted: a good photo, and a name with a lower-case x', () => {
    assert.equal(byName(report.rows, `${ids.sA1}.jpg`).verdict, '新增');
    const x = byName(report.rows, `${ids.sA1b.slice(0, 17)}x.JPG`);
    assert.equal(x.verdict, '新增');
    assert.equal(x.student_name, '李四');
  });

  test('not a JPEG whatever its extension says; CMYK; grey; size; pixels; 10000×10000 (never decoded); truncated', () => {
    const why = (k: string) => byName(report.rows, `${badIds[k]}.jpg`).reason;
    assert.match(why('png'), /不是 JPEG 图片（实际为 PNG/);
    assert.match(why('cmyk'), /CMYK/);
    assert.match(why('grey'), /灰度/);
    assert.match(why('small'), /小于下限 20 KB/);
    assert.match(why('noisy'), /超过上限 200 KB/);
    assert.match(why('wrongSize'), /像素尺寸为 400×500，应为 480×640/);
    assert.match(why('huge'), /像素尺寸为 10000×10000/);
    assert.match(why('truncated'), /不完整/);
  });

  test('two files for one 身份证号 are both refused: which one is meant is not known', () => {
    assert.match(byName(report.rows, `${ids.sA1x}.jpg`).reason, /多个文件对应同一身份证号/);
    assert.match(byName(report.rows, `${ids.sA1x.toLowerCase()}.jpeg`).reason, /多个文件对应同一身份证号/);
  });

  test('names: wrong length, wrong check digit, not in the subtree and nonexistent get the same message', () => {
    assert.match(byName(report.rows, '12345.jpg').reason, /身份证号应为 18 位，当前为 5 位/);
    assert.match(byName(report.rows, `${ids.sA1.slice(0, 17)}${ids.sA1[17] === '0' ? '1' : '0'}.jpg`).reason, /校验位不正确/);
    const foreign = byName(report.rows, `${ids.sB1}.jpg`);
    const nobody = report.rows.find((r) => r.verdict === '不通过' && r.reason.startsWith('找不到') && r.id_number !== ids.sB1);
    assert.ok(nobody);
    assert.equal(foreign.reason.replace(ids.sB1, 'ID'), nobody.reason.replace(String(nobody.id_number), 'ID'));
    assert.equal(foreign.student_name, null, 'nothing about the other unit’s student is shown');
  });

  test('folders, zip-slip, symlinks, encrypted entries, __MACOSX, Thumbs.db, nested zips, GBK names', () => {
    assert.match(byName(report.rows, 'photos/').reason, /文件夹/);
    assert.match(byName(report.rows, `photos/${ids.sA2}.jpg`).reason, /位于文件夹内/);
    assert.match(byName(report.rows, `../../etc/${ids.sA2}.jpg`).reason, /位于文件夹内（或文件名含路径）/);
    assert.match(byName(report.rows, `${ids.sA2}.jpg`).reason, /符号链接/);
    assert.match(byName(report.rows, `${ids.sA3}.jpg`).reason, /已加密/);
    assert.match(byName(report.rows, '__MACOSX/._x.jpg').reason, /__MACOSX/);
    assert.match(byName(report.rows, 'Thumbs.db').reason, /Thumbs\.db/);
    assert.match(byName(report.rows, 'more.zip').reason, /套了一个压缩包/);
    assert.match(byName(report.rows, '张三.jpg').reason, /不是有效的身份证号/);
    for (const r of report.rows.filter((x) => x.verdict === '不通过')) assert.ok(r.reason.length > 8, `reason for ${r.entry_name}`);
  });

  test('nothing is applied before 保存', async () => {
    assert.equal((await currentPhoto(w.students.sA1)).length, 0);
  });

  test('the report downloads as Excel with one row per entry', async () => {
    const res = await t.running.app.inject({ method: 'GET', url: `/api/photos/uploads/${report.id}/report.xlsx`, headers: { cookie: tp } });
    assert.equal(res.statusCode, 200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const ws = wb.worksheets[0];
    assert.equal(ws.rowCount, 26);
    assert.deepEqual((ws.getRow(1).values as unknown[]).slice(1, 7), ['序号', '文件名', '身份证号', '学号', '姓名', '结果']);
    assert.equal(ws.getRow(2).getCell(6).value, '新增');
  });

  test('保存 applies the accepted entries together; EXIF is not stored; a second 保存 changes nothing', async () => {
    const other = await t.login('tpA2');
    const refused = await t.call<Saved>('POST', `/api/photos/uploads/${report.id}/save`, { cookie: other });
    assert.equal(refused.status, 404, 'another teaching point cannot see or save the upload');
    const [a, b] = await Promise.all([
      t.call<Saved>('POST', `/api/photos/uploads/${report.id}/save`, { cookie: tp }),
      t.call<Saved>('POST', `/api/photos/uploads/${report.id}/save`, { cookie: tp }),
    ]);
    assert.deepEqual([a.json.applied, b.json.applied].sort(), [0, 2]);
    const [p] = await currentPhoto(w.students.sA1);
    const stored = fs.readFileSync(path.join(dataDir, 'files', keys.blob(p.sha256)));
    assert.equal(stored.includes(Buffer.from('SecretCam')), false, 'EXIF removed');
    assert.equal(withExif.includes(Buffer.from('SecretCam')), true, 'the upload had it');
    assert.deepEqual(jpegInfo(stored), { width: 480, height: 640, components: 3, precision: 8, complete: true });
    assert.equal((await currentPhoto(w.students.sA1b)).length, 1);
  });

  test('the same zip again: every photo 无变化, and 保存 changes nothing', async () => {
    const again = await check(buildZip([{ name: `${ids.sA1}.jpg`, data: withExif }, { name: `${ids.sA1b}.jpg`, data: good }]));
    assert.deepEqual(again.rows.map((r) => r.verdict), ['无变化', '无变化']);
    const before = await t.db.selectFrom('photo').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const s = await t.call<Saved>('POST', `/api/photos/uploads/${again.id}/save`, { cookie: tp });
    assert.equal(s.json.applied, 0);
    const after = await t.db.selectFrom('photo').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(after.n), Number(before.n));
  });
});

describe('zip bombs and oversized entries', () => {
  test('a small entry inflating to 50 MB is refused as a bomb; a lying header is caught at the cap', async () => {
    const bombId = makeIdNumber('1992-02-02', '男');
    const liarId = makeIdNumber('1993-03-03', '男');
    await t.db.updateTable('student').set({ id_number: bombId }).where('id', '=', w.students.sA2).execute();
    await t.db.updateTable('student').set({ id_number: liarId }).where('id', '=', w.students.sA1x).execute();
    const zeros = Buffer.alloc(50 * 1024 * 1024);
    const zip = buildZip([{ name: `${bombId}.jpg`, data: zeros }, { name: `${liarId}.jpg`, data: zeros, declaredSize: 30_000 }]);
    assert.ok(zip.length < 200_000, `the bomb is small (${zip.length} bytes)`);
    const rssBefore = process.memoryUsage().rss;
    const r = await check(zip);
    assert.match(byName(r.rows, `${bombId}.jpg`).reason, /压缩炸弹/);
    assert.match(byName(r.rows, `${liarId}.jpg`).reason, /文件过大，超过上限 200 KB/);
    assert.ok(process.memoryUsage().rss - rssBefore < 40 * 1024 * 1024, 'the 50 MB were never produced');
  });

  test('more entries than allowed: the whole upload fails with the reason, and cannot be saved', async () => {
    process.env.PHOTO_ZIP_MAX_ENTRIES = '2';
    try {
      const r = await check(buildZip([1, 2, 3].map((i) => ({ name: `${i}.jpg`, data: Buffer.from('x') }))));
      assert.equal(r.upload.state, 'failed');
      assert.match(r.upload.error ?? '', /超过单次上传上限 2 个/);
      const s = await t.call<Saved>('POST', `/api/photos/uploads/${r.id}/save`, { cookie: tp });
      assert.equal(s.status, 409);
      assert.match(errorOf(s).message, /未通过检查，不能保存/);
    } finally {
      delete process.env.PHOTO_ZIP_MAX_ENTRIES;
    }
  });

  test('a file that is not a zip, and no file at all, are refused at once', async () => {
    const r = await upload(Buffer.from('just some text'));
    assert.equal(r.status, 400);
    assert.match(errorOf(r).message, /不是 ZIP 压缩包/);
    const none = await t.call('POST', '/api/photos/uploads?photo_type=毕业证照片', { cookie: tp, body: {} });
    assert.equal(none.status, 400);
    assert.match(errorOf(none).message, /没有收到文件/);
    const badType = await upload(buildZip([{ name: 'a.jpg', data: Buffer.from('x') }]), tp, '不存在的类型');
    assert.equal(badType.status, 404);
    assert.match(errorOf(badType).message, /上传图片类型“不存在的类型”不存在/);
  });
});

describe('crash safety: 保存 is one transaction', () => {
  test('a failure in the middle of 保存 leaves every old photo current and no new one; a retry applies all', async () => {
    const a = w.students.sA1;
    const b = w.students.sA1b;
    const oldA = (await currentPhoto(a))[0];
    const oldB = (await currentPhoto(b))[0];
    const r = await check(buildZip([
      { name: `${ids.sA1}.jpg`, data: await portraitJpeg(21) },
      { name: `${ids.sA1b}.jpg`, data: await portraitJpeg(22) },
    ]));
    assert.deepEqual(r.rows.map((x) => x.verdict), ['替换', '替换']);
    // The insert fails on the second student's new row, after the old rows were retired.
    await sql.raw(`create function photo_crash() returns trigger language plpgsql as $$ begin
        if new.student_id = ${b} then raise exception 'simulated crash'; end if; return new; end $$`).execute(t.db);
    await sql.raw('create trigger photo_crash before insert on photo for each row execute function photo_crash()').execute(t.db);
    try {
      const s = await t.call<Saved>('POST', `/api/photos/uploads/${r.id}/save`, { cookie: tp });
      assert.equal(s.status, 500);
      assert.match(errorOf(s).message, /未保存任何更改/);
    } finally {
      await sql.raw('drop trigger photo_crash on photo').execute(t.db);
      await sql.raw('drop function photo_crash()').execute(t.db);
    }
    assert.deepEqual(await currentPhoto(a), [oldA]);
    assert.deepEqual(await currentPhoto(b), [oldB]);
    const u = await t.db.selectFrom('photo_upload').select('state').where('id', '=', r.id).executeTakeFirstOrThrow();
    assert.equal(u.state, 'checked');
    const s = await t.call<Saved>('POST', `/api/photos/uploads/${r.id}/save`, { cookie: tp });
    assert.equal(s.json.applied, 2);
    assert.notDeepEqual(await currentPhoto(a), [oldA]);
    const history = await t.call<StudentPhotos>('GET', `/api/photos/students/${a}`, { cookie: tp });
    const grad = history.json.types.find((x) => x.code === '毕业证照片');
    assert.ok(grad);
    assert.equal(grad.history.length, 2, 'the old photo is kept as history');
    assert.equal(grad.history.filter((p) => p.is_current).length, 1);
  });
});

describe('the student card, images, duplicates', () => {
  const single = async (studentId: number, data: Buffer, cookie = tp) => {
    const m = multipart('photo.jpg', data, 'image/jpeg');
    const res = await t.running.app.inject({ method: 'POST', url: `/api/photos/students/${studentId}?photo_type=${encodeURIComponent('录取照片')}`, payload: m.payload, headers: { ...m.headers, cookie } });
    return { status: res.statusCode, json: res.json<ResponseOf<typeof photosApi.uploadOne>>() };
  };

  test('one photo uploaded on the card; a bad one refused with its reason; a foreign student is “not found”', async () => {
    const ok = await single(w.students.sA2, await portraitJpeg(31));
    assert.equal(ok.status, 200);
    assert.equal(ok.json.verdict, '新增');
    const bad = await single(w.students.sA2, await sharp(await portraitJpeg(32)).png().toBuffer());
    assert.equal(bad.status, 400);
    assert.match(errorOf(bad).message, /不是 JPEG 图片/);
    const foreign = await single(w.students.sB1, await portraitJpeg(33));
    const nobody = await single(999_999, await portraitJpeg(33));
    assert.equal(foreign.status, 404);
    assert.deepEqual(foreign.json, nobody.json);
  });

  test('the photo and its 120×160 thumbnail are served to those who may see the student only', async () => {
    const card = await t.call<StudentPhotos>('GET', `/api/photos/students/${w.students.sA2}`, { cookie: tp });
    const id = card.json.types.find((x) => x.code === '录取照片')?.current?.id;
    assert.ok(id);
    const img = await t.running.app.inject({ method: 'GET', url: `/api/photos/${id}/image`, headers: { cookie: tp } });
    assert.equal(img.headers['content-type'], 'image/jpeg');
    const thumb = await t.running.app.inject({ method: 'GET', url: `/api/photos/${id}/thumb`, headers: { cookie: tp } });
    const meta = await sharp(thumb.rawPayload).metadata();
    assert.deepEqual([meta.width, meta.height], [120, 160]);
    const other = await t.call('GET', `/api/photos/${id}/thumb`, { cookie: await t.login('tpB1') });
    assert.equal(other.status, 404);
  });

  test('the same picture for two students is flagged; a near-identical re-encode is flagged by the similarity job', async () => {
    const pic = await portraitJpeg(41);
    const near = await sharp(pic).jpeg({ quality: 60 }).toBuffer();
    const r = await check(buildZip([{ name: `${ids.sA1}.jpg`, data: pic }, { name: `${ids.sA1b}.jpg`, data: pic }]));
    assert.match(byName(r.rows, `${ids.sA1}.jpg`).duplicate_note ?? '', /是同一张图片/);
    await t.call<Saved>('POST', `/api/photos/uploads/${r.id}/save`, { cookie: tp });
    const admin = await t.login('brA');
    const flags = await t.call<Flags>('GET', '/api/photos/flags', { cookie: admin });
    assert.ok(flags.json.rows.some((f) => f.kind === '相同图片'));
    // A near-identical copy for a third student (single upload): the similarity job flags it.
    const m = multipart('p.jpg', near, 'image/jpeg');
    const res = await t.running.app.inject({ method: 'POST', url: `/api/photos/students/${w.students.sA2}?photo_type=${encodeURIComponent('毕业证照片')}`, payload: m.payload, headers: { ...m.headers, cookie: tp } });
    assert.equal(res.statusCode, 200, res.body);
    let similar: PhotoFlag | undefined;
    for (let i = 0; i < 100 && !similar; i++) {
      await new Promise((res2) => setTimeout(res2, 100));
      similar = (await t.call<Flags>('GET', '/api/photos/flags', { cookie: admin })).json.rows.find((f) => f.kind === '相似图片');
    }
    assert.ok(similar, 'a similar-picture flag appears');
    assert.ok(similar.distance <= 6);
    const rev = await t.call('POST', `/api/photos/flags/${similar.id}/review`, { cookie: admin });
    assert.equal(rev.status, 200);
    const again = await t.call('POST', `/api/photos/flags/${similar.id}/review`, { cookie: admin });
    assert.equal(again.status, 404, 'already reviewed');
    const foreign = await t.call<Flags>('GET', '/api/photos/flags', { cookie: await t.login('brB') });
    assert.equal(foreign.json.total, 0);
  });
});

describe('缺照片', () => {
  test('the list, its count on the home page and its Excel export agree, within the subtree', async () => {
    const list = await t.call<Missing>('GET', '/api/photos/missing?batch=202701', { cookie: tp });
    assert.equal(list.status, 200);
    const withPhoto = new Set((await t.db.selectFrom('photo').select('student_id').where('photo_type', '=', '毕业证照片').where('is_current', '=', true).execute()).map((r) => r.student_id));
    const expected = (await t.db.selectFrom('graduate').select('student_id').where('tp_id', '=', w.nodes.tpA1.id).where('confirm_status', '<>', '不同意').execute())
      .filter((g) => !withPhoto.has(g.student_id));
    assert.equal(list.json.total, expected.length);
    assert.ok(list.json.rows.every((r) => r.tp_code === 'TA1'));
    assert.match(list.json.rows[0]?.id_number_masked ?? '1101**********0000', /\*{10}/);
    const home = await t.call<ResponseOf<typeof batchesApi.home>>('GET', '/api/home', { cookie: tp });
    assert.equal(home.json.photos_missing, expected.length);
    const xlsx = await t.running.app.inject({ method: 'GET', url: '/api/photos/missing.xlsx?batch=202701', headers: { cookie: tp } });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    assert.equal(wb.worksheets[0].rowCount, expected.length + 1);
    const foreign = await t.call<Missing>('GET', '/api/photos/missing?batch=202701&tp_code=TA1', { cookie: await t.login('tpB1') });
    assert.equal(foreign.json.total, 0);
  });

  test('headquarters changes a type’s 图片限制 and adds a type; others may not', async () => {
    const body = { width: 480, height: 640, min_kb: 10, max_kb: 300, note: '浅色背景', enabled: true };
    const hq = await t.call<PhotoType>('PUT', `/api/photos/types/${encodeURIComponent('录取照片')}`, { cookie: await t.login('hq'), body });
    assert.equal(hq.status, 200);
    assert.match(hq.json.limits_text, /10–300 KB/);
    const tpRes = await t.call('PUT', `/api/photos/types/${encodeURIComponent('录取照片')}`, { cookie: tp, body });
    assert.equal(tpRes.status, 403);
    const added = await t.call('PUT', `/api/photos/types/${encodeURIComponent('学位照片')}`, { cookie: await t.login('hq'), body: { ...body, min_kb: 30 } });
    assert.equal(added.status, 200);
    const types = await t.call<ResponseOf<typeof photosApi.types>>('GET', '/api/photos/types', { cookie: tp });
    assert.ok(types.json.some((x) => x.code === '学位照片' && /30–300 KB/.test(x.limits_text)));
  });
});


describe('the step 三 window (照片)', () => {
  const setWindow = (starts: string, ends: string) =>
    t.db.updateTable('batch_window').set({ starts_on: starts, ends_on: ends }).where('batch_code', '=', '202701').where('step', '=', 'photos').execute();

  test('outside the window 毕业证照片 are refused, naming the window; an extension for the unit reopens it', async () => {
    const r = await check(buildZip([{ name: `${ids.sA1}.jpg`, data: await portraitJpeg(51) }]));
    assert.equal(r.rows[0].verdict, '替换');
    await setWindow('2020-10-10', '2020-10-23');
    try {
      const refused = await upload(buildZip([{ name: `${ids.sA1}.jpg`, data: await portraitJpeg(52) }]));
      assert.equal(refused.status, 409);
      assert.match(errorOf(refused).message, /“上传毕业生登记表照片”的办理时间为 2020-10-10 至 2020-10-23/);
      const save = await t.call<Saved>('POST', `/api/photos/uploads/${r.id}/save`, { cookie: tp });
      assert.equal(save.status, 409);
      assert.equal(errorOf(save).error, 'WINDOW_CLOSED');
      const ext = await t.call('POST', '/api/batches/202701/extensions', {
        cookie: await t.login('hq'), body: { step: 'photos', node_id: w.nodes.tpA1.id, ends_on: '2099-12-31', reason: '补传照片' },
      });
      assert.equal(ext.status, 200, JSON.stringify(ext.json));
      const again = await t.call<Saved>('POST', `/api/photos/uploads/${r.id}/save`, { cookie: tp });
      assert.equal(again.status, 200);
      assert.equal(again.json.applied, 1);
    } finally {
      await setWindow('2020-01-01', '2099-12-31');
    }
  });
});

describe('the check job delivered twice', () => {
  test('a re-run after a crash mid-check replaces the partial report; a re-run after it finished does nothing', async () => {
    const r = await check(buildZip([
      { name: `${ids.sA1}.jpg`, data: await portraitJpeg(61) },
      { name: `${ids.sA1b}.jpg`, data: await portraitJpeg(62) },
      { name: '12345.jpg', data: Buffer.from('x') },
    ]));
    const before = r.rows.map((x) => [x.seq, x.verdict, x.reason]);
    // As if the worker died after writing part of the report.
    await t.db.deleteFrom('photo_upload_entry').where('upload_id', '=', r.id).where('seq', '>', 1).execute();
    await t.db.updateTable('photo_upload').set({ state: 'checking' }).where('id', '=', r.id).execute();
    const { runCheck } = await import('./service.ts');
    const ctx = { taskId: String(r.upload.task_id), payload: { upload_id: r.id }, db: t.db, progress: async () => true };
    await runCheck(ctx);
    const again = await t.call<UploadReport>('GET', `/api/photos/uploads/${r.id}`, { cookie: tp });
    assert.equal(again.json.upload.state, 'checked');
    assert.deepEqual(again.json.rows.map((x) => [x.seq, x.verdict, x.reason]), before);
    assert.deepEqual(await runCheck(ctx), { skipped: true });
  });
});
