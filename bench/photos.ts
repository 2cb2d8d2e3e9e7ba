/**
 * `npm run bench -- photos [--photos N] [--db postgres|pglite]`
 *
 * 批量上传电子照片 through the whole path, as a teaching point does it: N students (default 20,000) of one
 * teaching point, a zip of N photos (480×640, ~30 KB, deflated; every 67th bad in one of the ways the
 * check refuses), then over HTTP: upload (multipart, streamed) → the check job → the report → 保存.
 * The floor is `unzip -tq` on the same file in the same run (read, inflate and CRC every entry).
 * Peak memory is this process's: it is the server (HTTP, job worker and, with PGlite, the database).
 * The zip is drawn by child processes and cached in the temp folder (keyed by N).
 * The last line printed is one JSON object with every figure.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { buildApp, type Running } from '../src/server/app.ts';
import { addNode, generateStudents, seedReference } from '../src/server/demo/generator.ts';
import { hashPassword } from '../src/server/platform/auth.ts';
import { intOption, stringOption, type Options } from './lib/options.ts';
import { adminQuery, login as loginAs, logger, round } from './lib/common.ts';
import { badKind } from './lib/photo-zip.ts';
import { pathOf, type CallInput, type ResponseOf, type RouteContract } from '../src/shared/contract.ts';
import { photosApi, type UploadReport } from '../src/shared/contract/photos.ts';

export const description = '批量上传电子照片: a zip of N photos through upload, check, report and 保存, against unzip -t';

const PASSWORD = 'Bench@2026x';
const TARGET_RATIO = 3;
const TARGET_RSS_MB = 300;

const log = logger('photos');
const login = (base: string, username: string) => loginAs(base, username, PASSWORD);
const here = path.dirname(fileURLToPath(import.meta.url));

export async function run(options: Options): Promise<void> {
  if (options.help) {
    console.log('npm run bench -- photos [--photos N (20000)] [--db postgres|pglite (postgres)] [--pg-url URL]\nThe last line printed is one JSON object with every figure.');
    return;
  }
  const photos = intOption(options, 'photos', 20_000);
  const kind = stringOption(options, 'db', 'postgres', ['postgres', 'pglite'] as const);
  const adminUrl = stringOption(options, 'pg-url', process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  if (spawnSync('unzip', ['-v']).status !== 0) throw new Error('unzip is not installed (apt-get install -y unzip): it is the floor of this benchmark');

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'gm-bench-photos-'));
  process.env.DATA_DIR = path.join(work, 'data');
  let dbName: string | null = null;
  let running: Running | null = null;
  try {
    let databaseUrl: string | undefined;
    if (kind === 'postgres') {
      dbName = `gm_bench_photos_${process.pid}`;
      await adminQuery(adminUrl, `create database "${dbName}"`);
      const u = new URL(adminUrl);
      u.pathname = `/${dbName}`;
      databaseUrl = u.toString();
    }
    log(`db=${kind} photos=${photos}`);
    running = await buildApp({ databaseUrl, dataDir: kind === 'pglite' ? path.join(work, 'pglite') : undefined, work: true });
    const db = running.database.db;

    // ---- data: one teaching point with N students ----
    await seedReference(db);
    const hq = await addNode(db, null, 'hq', '000', '国家开放大学');
    const br = await addNode(db, hq.id, 'branch', '21', '辽宁开放大学');
    const tp = await addNode(db, br.id, 'tp', '210101', '沈阳市开放大学');
    await generateStudents(db, { count: photos, start: 1, tpIds: [tp.id], cohorts: ['202103'] });
    await db.insertInto('app_user').values({ username: 'bench_tp', password_hash: await hashPassword(PASSWORD), display_name: '教务员（压测）', role: 'tp_admin', node_id: tp.id }).execute();
    const ids = (await db.selectFrom('student').select('id_number').orderBy('id').execute()).map((r) => r.id_number);
    const bad = ids.filter((_, i) => badKind(i) !== null).length;
    log(`${ids.length} students generated; ${bad} of the entries will be bad`);

    // ---- the zip (cached) ----
    const zipFile = await benchZip(ids);
    const zipBytes = fs.statSync(zipFile).size;
    log(`zip ${zipFile}: ${(zipBytes / 1024 / 1024).toFixed(1)} MB`);

    // ---- the floor ----
    const floorStart = performance.now();
    const floor = spawnSync('unzip', ['-tq', zipFile], { encoding: 'utf8' });
    const floorSeconds = (performance.now() - floorStart) / 1000;
    if (floor.status !== 0) throw new Error(`unzip -tq failed: ${floor.stdout} ${floor.stderr}`);
    log(`floor: unzip -tq in ${floorSeconds.toFixed(2)} s`);

    // ---- ours: upload → check → report → 保存 ----
    await running.app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(running.app.server.address() as AddressInfo).port}`;
    const cookie = await login(base, 'bench_tp');
    // What the process holds before the upload: the app, its modules and the generated data.
    const baselineRss = process.resourceUsage().maxRSS / 1024;
    const sampler = setInterval(() => {
      const rss = process.memoryUsage();
      if (process.env.BENCH_RSS_TRACE) log(`rss ${Math.round(rss.rss / 1048576)} heap ${Math.round(rss.heapUsed / 1048576)} ext ${Math.round(rss.external / 1048576)} ab ${Math.round(rss.arrayBuffers / 1048576)}`);
    }, 250);
    const start = performance.now();
    const started = JSON.parse(await uploadFile(base, cookie, zipFile)) as ResponseOf<typeof photosApi.upload>;
    const uploaded = performance.now();
    let report: UploadReport;
    for (;;) {
      report = await api(base, photosApi.report, { params: { id: started.upload_id }, query: { page_size: 50 } }, cookie);
      if (report.upload.state !== 'checking') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const checked = performance.now();
    if (report.upload.state !== 'checked') throw new Error(`check ended ${report.upload.state}: ${report.upload.error}`);
    const saved = await api(base, photosApi.save, { params: { id: started.upload_id } }, cookie);
    const end = performance.now();
    const peakRss = process.resourceUsage().maxRSS / 1024;
    clearInterval(sampler);
    const seconds = (end - start) / 1000;
    log(`upload ${((uploaded - start) / 1000).toFixed(2)} s, check + report ${((checked - uploaded) / 1000).toFixed(2)} s, 保存 ${((end - checked) / 1000).toFixed(2)} s`);
    log(`report: ${report.total} entries, ${report.upload.accepted} accepted, ${report.upload.rejected} rejected; 保存 applied ${saved.applied}`);
    if (saved.applied !== photos - bad || report.upload.rejected !== bad) throw new Error(`expected ${photos - bad} applied and ${bad} rejected`);

    const excelStart = performance.now();
    const xlsx = await fetch(`${base}/api/photos/uploads/${started.upload_id}/report.xlsx`, { headers: { cookie } });
    const xlsxBytes = (await xlsx.arrayBuffer()).byteLength;
    const excelSeconds = (performance.now() - excelStart) / 1000;
    log(`Excel report: ${(xlsxBytes / 1024).toFixed(0)} KB in ${excelSeconds.toFixed(2)} s`);

    // The similarity hashes run after 保存, in the background: timed on their own, and awaited so that
    // closing the app does not cut them off.
    const similarStart = performance.now();
    for (;;) {
      const task = await db.selectFrom('task').select('state').where('kind', '=', 'photos.similar').orderBy('created_at', 'desc').executeTakeFirst();
      if (!task || task.state === 'done' || task.state === 'failed') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const similarSeconds = (performance.now() - similarStart) / 1000;
    log(`similarity job (after 保存, not in the measured path): ${similarSeconds.toFixed(1)} s`);

    const ratio = seconds / floorSeconds;
    log(`ours ${seconds.toFixed(2)} s vs floor ${floorSeconds.toFixed(2)} s: ratio ${ratio.toFixed(2)} (target ≤ ${TARGET_RATIO}); ` +
      `peak RSS ${peakRss.toFixed(0)} MB (target < ${TARGET_RSS_MB})`);
    console.log(JSON.stringify({
      bench: 'photos', photos, seconds: round(seconds), floor_seconds: round(floorSeconds), ratio: round(ratio),
      photos_per_second: Math.round(photos / seconds), peak_rss_mb: round(peakRss, 1), baseline_rss_mb: round(baselineRss, 1),
      db: kind, zip_mb: round(zipBytes / 1024 / 1024, 1), bad_entries: bad,
      upload_seconds: round((uploaded - start) / 1000), check_seconds: round((checked - uploaded) / 1000), save_seconds: round((end - checked) / 1000),
      excel_seconds: round(excelSeconds), similar_seconds: round(similarSeconds, 1), target_ratio: TARGET_RATIO, target_rss_mb: TARGET_RSS_MB,
    }));
  } finally {
    await running?.close().catch((e: Error) => log(`close: ${e.message}`));
    if (dbName) await adminQuery(adminUrl, `drop database if exists "${dbName}" with (force)`).catch(() => {});
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The zip for these ids, drawn once by two child processes and kept in the temp folder. */
async function benchZip(ids: string[]): Promise<string> {
  const cacheDir = path.join(os.tmpdir(), 'gm-bench-photos-cache');
  fs.mkdirSync(cacheDir, { recursive: true });
  const key = `${ids.length}-${ids[0]}-${ids[ids.length - 1]}`;
  const zipFile = path.join(cacheDir, `photos-${key}.zip`);
  if (fs.existsSync(zipFile)) return zipFile;
  const idsFile = path.join(cacheDir, `ids-${key}.json`);
  fs.writeFileSync(idsFile, JSON.stringify(ids));
  const jpegDir = path.join(cacheDir, `jpeg-${key}`);
  fs.mkdirSync(jpegDir, { recursive: true });
  log(`drawing ${ids.length} photos (once; cached in ${cacheDir})`);
  const child = (args: string[]) => new Promise<void>((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(here, 'lib/photo-zip.ts'), ...args], { stdio: 'inherit' });
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`photo-zip ${args[0]} exited ${code}`))));
  });
  const parts = Math.max(1, os.cpus().length);
  await Promise.all(Array.from({ length: parts }, (_, i) => child(['draw', idsFile, jpegDir, String(i), String(parts)])));
  await child(['zip', idsFile, jpegDir, zipFile]);
  fs.rmSync(jpegDir, { recursive: true, force: true });
  return zipFile;
}

/** The file as a browser sends it: multipart/form-data, streamed from disk. */
function uploadFile(base: string, cookie: string, file: string): Promise<string> {
  const boundary = `----gmbench${Date.now()}`;
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${path.basename(file)}"\r\nContent-Type: application/zip\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const size = fs.statSync(file).size;
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}/api/photos/uploads?photo_type=${encodeURIComponent('毕业证照片')}`, {
      method: 'POST',
      headers: { cookie, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + size + tail.length },
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`upload: ${res.statusCode} ${body}`))));
    });
    req.on('error', reject);
    req.write(head);
    const s = fs.createReadStream(file);
    s.on('error', reject);
    s.on('end', () => req.end(tail));
    s.pipe(req, { end: false });
  });
}

type Scalar = string | number | boolean | null | undefined;

/** Calls one route of a contract over HTTP (no body); its answer as the contract types it. */
async function api<C extends RouteContract>(base: string, contract: C, input: CallInput<C>, cookie: string): Promise<ResponseOf<C>> {
  const i = input as { params?: Record<string, Scalar>; query?: Record<string, Scalar> };
  const url = pathOf(contract.path, i.params, i.query);
  const res = await fetch(base + url, { method: contract.method, headers: { cookie } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${contract.method} ${url}: ${res.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as ResponseOf<C>;
}
