/**
 * `npm run bench -- exports [--students N] [--chromium M] [--db postgres|pglite]`
 *
 * 成绩单打印导出 at scale. A fresh database with N students (default 20,000) at a few teaching points,
 * their grades (about 24–30 each) and a current 毕业证照片 each (the file store under a temporary DATA_DIR).
 * Then, in one run:
 * - the real export producer (transcriptsExport in src/server/documents/exports.ts), as a hq_admin asking
 *   for every student: print_mode 'merged' (one PDF) and then 'zip' (one PDF per student), each timed,
 *   with RSS sampled every 200 ms to show whether memory grows with the export;
 * - the usual alternative on the same first M students (default 500): the same transcript as HTML printed
 *   by headless Chromium, one `page.pdf()` per student and one merged `page.pdf()`.
 * speedup = our pages/s ÷ Chromium's, per file (zip) and merged; the target is 10× in both, and under
 * 400 MB at 20,000. The last line printed is one JSON object with every figure.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { openCore } from '../src/server/app.ts';
import { generateGrades, generateOrg, generateStudents, seedReference } from '../src/server/demo/generator.ts';
import { recomputeEligibility } from '../src/server/eligibility/queries.ts';
import { transcriptsExport, type TranscriptsPayload } from '../src/server/documents/exports.ts';
import { loadTranscripts } from '../src/server/documents/load.ts';
import { docOrder, studentsQuery } from '../src/server/records/service.ts';
import type { ExportContext } from '../src/server/exports/service.ts';
import type { Actor } from '../src/server/platform/auth.ts';
import { fileStore } from '../src/server/platform/files.ts';
import type { DB } from '../src/server/platform/tables.ts';
import { portraitJpeg } from '../src/server/photos/fixtures.ts';
import { jpegInfo } from '../src/server/photos/jpeg.ts';
import { GRADUATION_PHOTO } from '../src/server/photos/queries.ts';
import { launchChromium, printMerged, printPerFile, type PrintResult } from './lib/chromium-pdf.ts';
import { intOption, stringOption, type Options } from './lib/options.ts';
import { countPdfFilePages, countZipPages } from './lib/pdf-pages.ts';
import { RssSampler } from './lib/rss.ts';
import { adminQuery, logger, peakRssMb, round, timed } from './lib/common.ts';

export const description = '成绩单打印导出: merged PDF and zip of per-student PDFs through the export producer, against headless Chromium';

const HELP = `npm run bench -- exports [options]
  --students N           students (each with grades and a photo) exported (default 20000)
  --chromium M           the first M of them printed by headless Chromium for the ratio (default 500)
  --db postgres|pglite   database (default postgres)
  --pg-url URL           server to create the database on (default $BENCH_PG_URL or postgres://postgres@127.0.0.1:5432/postgres)
  --teaching-points T    teaching points the students are spread over (default 6)
  --shared-photo         every student's photo row points at one JPEG (default: each its own bytes)
  --keep                 keep the database and the temporary DATA_DIR
Chromium is CHROMIUM_PATH or /usr/bin/chromium (never downloaded). The last line printed is one JSON object.`;

const log = logger('exports');
const TARGET_SPEEDUP = 10;
const TARGET_RSS_MB = 400;
const BATCH = '202701';
const CHUNK = 20_000;
const WARMUP = 50;
// As in the audit benchmark: cohorts that reach 202701's minimum study time and a few that do not.
const COHORTS = ['201903', '202003', '202103', '202109', '202203', '202209', '202303', '202309', '202403', '202409'];

type Db = Kysely<DB>;
const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);
const pps = (pages: number, ms: number) => (ms > 0 ? round(pages / (ms / 1000), 1) : 0);

export async function run(options: Options): Promise<void> {
  if (options.help) {
    console.log(HELP);
    return;
  }
  const kind = stringOption(options, 'db', 'postgres', ['postgres', 'pglite'] as const);
  const students = intOption(options, 'students', 20_000);
  const chromiumN = Math.min(students, intOption(options, 'chromium', 500));
  const tps = intOption(options, 'teaching-points', 6);
  const adminUrl = stringOption(options, 'pg-url', process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const sharedPhoto = options['shared-photo'] === true;
  const keep = options.keep === true;
  log(`db=${kind} students=${students} chromium=${chromiumN} teaching points=${tps} photos=${sharedPhoto ? 'one shared JPEG' : 'one JPEG each'}`);

  // This process with the application loaded: the floor under every RSS figure below.
  const rssAtStart = mb(process.memoryUsage.rss());
  const cleanups: (() => Promise<void>)[] = [];
  let summary: string | null = null;
  try {
    // The file store, the exports' scratch folder and (PGlite) the database all live in one temporary folder.
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gm-bench-exports-'));
    const saved = { DATA_DIR: process.env.DATA_DIR, FILES_S3_BUCKET: process.env.FILES_S3_BUCKET };
    process.env.DATA_DIR = dataDir;
    delete process.env.FILES_S3_BUCKET;
    cleanups.push(async () => {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      if (keep) return log(`kept ${dataDir}`);
      fs.rmSync(dataDir, { recursive: true, force: true });
      log(`removed ${dataDir}`);
    });

    let config: { databaseUrl?: string; dataDir?: string };
    if (kind === 'postgres') {
      const name = `gm_bench_exports_${process.pid}`;
      await adminQuery(adminUrl, `create database "${name}"`);
      cleanups.push(async () => {
        if (keep) return log(`kept database ${name}`);
        await adminQuery(adminUrl, `drop database if exists "${name}" with (force)`);
        log(`dropped database ${name}`);
      });
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      config = { databaseUrl: url.toString() };
    } else {
      config = { dataDir };
    }
    const { database, jobs } = await openCore(config);
    cleanups.push(async () => {
      await jobs.stop();
      await database.close();
    });
    const db = database.db;

    // ---- data -----------------------------------------------------------------------------------
    const gen = await timed(async () => {
      await seedReference(db);
      await generateOrg(db, Math.min(3, tps), tps);
      for (let start = 1; start <= students; start += CHUNK) {
        const count = Math.min(CHUNK, students - start + 1);
        const r = await generateStudents(db, { count, start, cohorts: COHORTS });
        await generateGrades(db, r.first, r.last);
      }
      await db.insertInto('batch').values({ code: BATCH, name: '2027年1月毕业批次', issue_date: '2027-01-20', closing_date: '2099-12-31', is_current: true }).execute();
      await recomputeEligibility(db, BATCH);
      await topUpGrades(db);
    });
    const photos = await timed(() => seedPhotos(db, sharedPhoto));
    await sql`analyze`.execute(db);
    const owner = await hqAdmin(db);
    const counts = (await sql<{ students: number; grades: number; photos: number; graduates: number; tps: number }>`
      select (select count(*) from student)::int as students, (select count(*) from grade)::int as grades,
             (select count(*) from photo where is_current)::int as photos, (select count(*) from graduate)::int as graduates,
             (select count(distinct tp_id) from student)::int as tps`.execute(db)).rows[0];
    const grades = (await sql<{ min: number; max: number }>`
      select min(n)::int as min, max(n)::int as max from (select count(*) as n from grade group by student_id) x`.execute(db)).rows[0];
    log(`data: ${counts.students} students at ${counts.tps} teaching points, ${counts.grades} grades (${grades.min}–${grades.max} each), ` +
      `${counts.photos} photos (${photos.value.distinct} distinct JPEGs, ${round(photos.value.bytes / 1024, 1)} KB each), ${counts.graduates} graduates of ${BATCH}; ` +
      `generated in ${round(gen.ms / 1000, 1)} s, photos in ${round(photos.ms / 1000, 1)} s; peak rss ${peakRssMb()} MB`);

    // ---- ours: the export producer ----------------------------------------------------------------
    const scratch = path.join(dataDir, 'bench-out');
    fs.mkdirSync(scratch, { recursive: true });
    const all = transcriptsExport.payload.parse({ scope: 'query', filter: {}, sort: null, print_mode: 'merged' });
    await transcriptsExport.check(db, owner, all);

    // Warm-up, not timed (as the Chromium side warms up too): a server is warm after its first export.
    const firstIds = (await db.selectFrom('student').select('id').orderBy('id').limit(WARMUP).execute()).map((r) => r.id);
    const warm = await produce(db, owner, transcriptsExport.payload.parse({ scope: 'ticked', ids: firstIds, filter: {}, sort: null, print_mode: 'merged' }),
      path.join(scratch, 'warmup.pdf'));
    fs.rmSync(path.join(scratch, 'warmup.pdf'), { force: true });
    const rssBeforeExports = mb(process.memoryUsage.rss());
    log(`warm-up: ${WARMUP} transcripts in ${round(warm.ms / 1000, 2)} s; rss at start ${rssAtStart} MB, now ${rssBeforeExports} MB`);
    const peakBeforeExports = peakRssMb();

    const mergedFile = path.join(scratch, 'merged.pdf');
    const merged = await produce(db, owner, { ...all, print_mode: 'merged' }, mergedFile);
    const peakAfterMerged = peakRssMb();
    const mergedBytes = fs.statSync(mergedFile).size;
    const mergedCounted = await countPdfFilePages(mergedFile);
    const mergedPages = merged.produced.pages ?? mergedCounted;
    const mergedEnds = merged.rss.ends();
    fs.rmSync(mergedFile, { force: true });
    log(`merged: ${merged.produced.count} transcripts, ${mergedPages} pages (counted ${mergedCounted}) in ${round(merged.ms / 1000, 2)} s = ` +
      `${pps(mergedPages, merged.ms)} pages/s, ${mb(mergedBytes)} MB (${merged.produced.fileName}); ${merged.calls} progress reports; ` +
      `rss max ${merged.rss.maxMb()} MB (first 10% ${mergedEnds.first}, last 10% ${mergedEnds.last}, by ${mergedEnds.by}); ` +
      `documents/s first 10% ${merged.rss.rates()?.first ?? '?'}, last 10% ${merged.rss.rates()?.last ?? '?'}; peak rss ${peakAfterMerged} MB`);

    const zipFile = path.join(scratch, 'transcripts.zip');
    const zip = await produce(db, owner, { ...all, print_mode: 'zip' }, zipFile);
    const peakAfterZip = peakRssMb();
    const zipBytes = fs.statSync(zipFile).size;
    const zipCounted = await countZipPages(zipFile);
    const zipPages = zip.produced.pages ?? zipCounted.pages;
    const zipEnds = zip.rss.ends();
    fs.rmSync(zipFile, { force: true });
    log(`zip: ${zip.produced.count} transcripts, ${zipCounted.pdfs} PDFs of ${zipCounted.entries} entries, ${zipPages} pages (counted ${zipCounted.pages}) in ` +
      `${round(zip.ms / 1000, 2)} s = ${pps(zipPages, zip.ms)} pages/s, ${mb(zipBytes)} MB (${zip.produced.fileName}); ${zip.calls} progress reports; ` +
      `rss max ${zip.rss.maxMb()} MB (first 10% ${zipEnds.first}, last 10% ${zipEnds.last}, by ${zipEnds.by}); ` +
      `documents/s first 10% ${zip.rss.rates()?.first ?? '?'}, last 10% ${zip.rss.rates()?.last ?? '?'}; peak rss ${peakAfterZip} MB`);
    if (merged.produced.pages != null && merged.produced.pages !== mergedCounted) log(`WARNING: merged reports ${merged.produced.pages} pages, the file has ${mergedCounted}`);
    if (zip.produced.pages != null && zip.produced.pages !== zipCounted.pages) log(`WARNING: zip reports ${zip.produced.pages} pages, its PDFs have ${zipCounted.pages}`);

    // ---- Chromium: the same transcripts as HTML ---------------------------------------------------
    // The export's first students in the export's own order, read by the loader the export uses: the same
    // data, drawn by the browser.
    const chromiumIds = (await docOrder(studentsQuery(db, owner, {}), null).select('s.id').limit(chromiumN).execute()).map((r) => r.id);
    const loaded = await loadTranscripts(db, chromiumIds, null);
    const data = chromiumIds.map((id) => loaded.get(id)!.data);
    const launch = await timed(launchChromium);
    const browser = launch.value;
    cleanups.push(() => browser.close());
    log(`chromium launched in ${round(launch.ms / 1000, 2)} s (not timed); ${data.length} transcripts loaded`);
    const perFile = await watchChromium(() => printPerFile(browser, data));
    log(`chromium per file: ${perFile.r.pages} pages in ${round(perFile.r.ms / 1000, 2)} s = ${pps(perFile.r.pages, perFile.r.ms)} pages/s, ` +
      `${mb(perFile.r.bytes)} MB; browser rss max ${perFile.rssMb} MB`);
    const mergedC = await watchChromium(() => printMerged(browser, data));
    log(`chromium merged: ${mergedC.r.pages} pages in ${round(mergedC.r.ms / 1000, 2)} s = ${pps(mergedC.r.pages, mergedC.r.ms)} pages/s, ` +
      `${mb(mergedC.r.bytes)} MB; browser rss max ${mergedC.rssMb} MB`);

    const zipPps = pps(zipPages, zip.ms);
    const mergedPps = pps(mergedPages, merged.ms);
    const chromePerFilePps = pps(perFile.r.pages, perFile.r.ms);
    const chromeMergedPps = pps(mergedC.r.pages, mergedC.r.ms);
    const speedupPerFile = round(zipPps / chromePerFilePps, 1);
    const speedupMerged = round(mergedPps / chromeMergedPps, 1);
    log(`speedup vs Chromium: per file ${speedupPerFile}×, merged ${speedupMerged}× (target ≥ ${TARGET_SPEEDUP}×); ` +
      `peak rss ${peakAfterZip} MB (target < ${TARGET_RSS_MB} MB)`);

    summary = JSON.stringify({
      bench: 'exports', db: kind, students: counts.students, grades: counts.grades, teaching_points: counts.tps,
      grades_per_student_min: grades.min, grades_per_student_max: grades.max, photos: counts.photos, distinct_photos: photos.value.distinct,
      merged_seconds: round(merged.ms / 1000, 2), merged_pages: mergedPages, merged_pages_counted: mergedCounted,
      merged_pages_per_second: mergedPps, merged_mb: mb(mergedBytes), merged_documents: merged.produced.count,
      zip_seconds: round(zip.ms / 1000, 2), zip_pages: zipPages, zip_pages_counted: zipCounted.pages, zip_entries: zipCounted.entries,
      zip_pages_per_second: zipPps, zip_mb: mb(zipBytes), zip_documents: zip.produced.count,
      chromium_students: data.length, chromium_launch_seconds: round(launch.ms / 1000, 2),
      chromium_per_file_seconds: round(perFile.r.ms / 1000, 2), chromium_per_file_pages: perFile.r.pages,
      chromium_per_file_pages_per_second: chromePerFilePps, chromium_per_file_mb: mb(perFile.r.bytes), chromium_per_file_rss_mb: perFile.rssMb,
      chromium_merged_seconds: round(mergedC.r.ms / 1000, 2), chromium_merged_pages: mergedC.r.pages,
      chromium_merged_pages_per_second: chromeMergedPps, chromium_merged_mb: mb(mergedC.r.bytes), chromium_merged_rss_mb: mergedC.rssMb,
      speedup_vs_chromium_per_file: speedupPerFile, speedup_vs_chromium_merged: speedupMerged, target_speedup: TARGET_SPEEDUP,
      merged_docs_per_second_first_10pct: merged.rss.rates()?.first ?? null, merged_docs_per_second_last_10pct: merged.rss.rates()?.last ?? null,
      zip_docs_per_second_first_10pct: zip.rss.rates()?.first ?? null, zip_docs_per_second_last_10pct: zip.rss.rates()?.last ?? null,
      rss_first_10pct_mb: mergedEnds.first, rss_last_10pct_mb: mergedEnds.last, rss_ends_by: mergedEnds.by,
      zip_rss_first_10pct_mb: zipEnds.first, zip_rss_last_10pct_mb: zipEnds.last,
      merged_rss_max_mb: merged.rss.maxMb(), zip_rss_max_mb: zip.rss.maxMb(), rss_at_start_mb: rssAtStart, rss_before_exports_mb: rssBeforeExports,
      merged_progress_calls: merged.calls, merged_last_progress: merged.last, zip_progress_calls: zip.calls, zip_last_progress: zip.last,
      peak_rss_mb_before_exports: peakBeforeExports, peak_rss_mb_after_merged: peakAfterMerged,
      peak_rss_mb: peakAfterZip, target_rss_mb: TARGET_RSS_MB, peak_rss_mb_after_chromium: peakRssMb(),
      warmup_documents: WARMUP, generate_seconds: round(gen.ms / 1000, 1), photos_seconds: round(photos.ms / 1000, 1),
    });
  } finally {
    while (cleanups.length) {
      try {
        await cleanups.pop()!();
      } catch (e) {
        console.error('[exports] cleanup:', (e as Error).message);
      }
    }
    // The JSON line is the last line printed, after the cleanup's log lines.
    if (summary) console.log(summary);
  }
}

/** One run of the producer as the export job would run it, timed, with its progress counted and RSS sampled. */
async function produce(db: Db, owner: Actor, payload: TranscriptsPayload, file: string) {
  const rss = new RssSampler(200).start();
  let calls = 0;
  let last: { done: number; total: number | null } | null = null;
  const ctx: ExportContext<TranscriptsPayload> = {
    taskId: `bench-${payload.print_mode}-${process.pid}`, payload, db, owner, file,
    async progress(done, total) {
      calls++;
      last = { done, total: total ?? null };
      rss.done = done;
      rss.total = total ?? rss.total;
      return true;
    },
  };
  try {
    const t = await timed(() => transcriptsExport.produce(ctx));
    if (!t.value) throw new Error(`the ${payload.print_mode} export produced nothing (null: cancelled?)`);
    return { ms: t.ms, produced: t.value, calls, last: last as { done: number; total: number | null } | null, rss };
  } finally {
    rss.stop();
  }
}

async function watchChromium(fn: () => Promise<PrintResult>): Promise<{ r: PrintResult; rssMb: number }> {
  // The browser's processes are this process's children: their RSS, summed, sampled twice a second.
  const s = new RssSampler(500, true).start();
  try {
    const r = await fn();
    return { r, rssMb: s.stop().maxDescendantsMb() };
  } finally {
    s.stop();
  }
}

/**
 * The generator gives each student its programme's courses (19–25); a real transcript also lists electives
 * taken from other programmes. Each student gets some (passed, 期末考试) up to 24–30 rows in all, so the
 * table is as long as the transcripts MEASURED.md's PDF figures were taken with.
 */
async function topUpGrades(db: Db): Promise<void> {
  await sql`
    insert into grade (student_id, course_code, score, passed, term, source)
    select s.id, k.code, 60 + abs(hashint4(s.id * 41 + hashtext(k.code))) % 40, true,
      (left(s.cohort, 4)::int + 1)::text || case when abs(hashtext(k.code)) % 2 = 0 then '春' else '秋' end, '期末考试'
    from student s
    cross join lateral (select count(*)::int as have from grade g where g.student_id = s.id) h
    cross join lateral (
      select c.code from course c
      where not exists (select 1 from grade g where g.student_id = s.id and g.course_code = c.code)
      order by hashint4(hashtext(c.code) # s.id)
      limit greatest(0, 24 + abs(hashint4(s.id * 7)) % 7 - h.have)) k`.execute(db);
}

/** The export's owner: a headquarters administrator at the root (made here; the generator makes no users). */
async function hqAdmin(db: Db): Promise<Actor> {
  const hq = await db.selectFrom('org_node').select(['id', 'name', 'code', 'path', 'kind']).where('kind', '=', 'hq').executeTakeFirstOrThrow();
  const u = await db.insertInto('app_user')
    // Never signs in: the hash is not one any password verifies against.
    .values({ username: 'bench-hq-admin', password_hash: '!bench', display_name: '基准测试管理员', role: 'hq_admin', node_id: hq.id })
    .returning(['id', 'username', 'display_name', 'role']).executeTakeFirstOrThrow();
  return {
    id: u.id, username: u.username, displayName: u.display_name, role: u.role, nodeId: hq.id, nodeKind: hq.kind,
    nodeName: hq.name, nodeCode: hq.code, nodePath: hq.path, studentId: null,
  };
}

/**
 * A current 毕业证照片 for every student. One portrait is drawn; each student gets its bytes with a JPEG
 * comment (COM) segment naming them, so every photo is its own blob in the store and its own image in a
 * merged PDF, as real photos are, without drawing 20,000 pictures. --shared-photo: one blob for all.
 */
async function seedPhotos(db: Db, shared: boolean): Promise<{ distinct: number; bytes: number }> {
  const base = await portraitJpeg(202701);
  const info = jpegInfo(base)!;
  const store = fileStore();
  const ids = (await db.selectFrom('student').select(['id', 'node_path']).orderBy('id').execute());
  const variant = (id: number) => {
    const text = Buffer.from(`bench student ${id}`, 'latin1');
    const seg = Buffer.alloc(4);
    seg.writeUInt16BE(0xfffe, 0);
    seg.writeUInt16BE(text.length + 2, 2);
    return Buffer.concat([base.subarray(0, 2), seg, text, base.subarray(2)]);
  };
  const sharedSha = shared ? await store.put(base) : null;
  const shas = new Array<string>(ids.length);
  const sizes = new Array<number>(ids.length);
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const k = next++;
      if (sharedSha) {
        shas[k] = sharedSha;
        sizes[k] = base.length;
      } else {
        const jpeg = variant(ids[k].id);
        shas[k] = await store.put(jpeg);
        sizes[k] = jpeg.length;
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  for (let i = 0; i < ids.length; i += 5000) {
    const part = ids.slice(i, i + 5000);
    await sql`
      insert into photo (student_id, photo_type, node_path, sha256, size_bytes, width, height, is_current, source)
      select s, ${GRADUATION_PHOTO}, p, h, z, ${info.width}::int, ${info.height}::int, true, '演示数据'
      from unnest(${part.map((r) => r.id)}::int[], ${part.map((r) => r.node_path)}::text[], ${shas.slice(i, i + 5000)}::text[], ${sizes.slice(i, i + 5000)}::int[]) as x(s, p, h, z)`.execute(db);
  }
  return { distinct: shared ? 1 : ids.length, bytes: base.length };
}
