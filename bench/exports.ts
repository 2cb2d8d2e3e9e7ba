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
import path from 'node:path';
import { transcriptsExport } from '../src/server/documents/exports.ts';
import { loadTranscripts } from '../src/server/documents/load.ts';
import { docOrder, studentsQuery } from '../src/server/records/service.ts';
import { launchChromium, printMerged, printPerFile, type PrintResult } from './lib/chromium-pdf.ts';
import { Cleanups, fillDataset, hqAdmin, openDataset, produce } from './lib/dataset.ts';
import { intOption, stringOption, type Options } from './lib/options.ts';
import { countPdfFilePages, countZipPages } from './lib/pdf-pages.ts';
import { RssSampler } from './lib/rss.ts';
import { logger, peakRssMb, round, timed } from './lib/common.ts';

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
const WARMUP = 50;
// As in the audit benchmark: cohorts that reach 202701's minimum study time and a few that do not.
const COHORTS = ['201903', '202003', '202103', '202109', '202203', '202209', '202303', '202309', '202403', '202409'];
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
  const cleanups = new Cleanups('exports');
  let summary: string | null = null;
  try {
    const { db, dataDir } = await openDataset({ name: 'exports', kind, adminUrl, keep, log }, cleanups);
    const dataset = await fillDataset(db, { students, teachingPoints: tps, cohorts: COHORTS, sharedPhoto, electives: true, log });
    const owner = await hqAdmin(db);

    // ---- ours: the export producer ----------------------------------------------------------------
    const scratch = path.join(dataDir, 'bench-out');
    fs.mkdirSync(scratch, { recursive: true });
    const all = transcriptsExport.payload.parse({ scope: 'query', filter: {}, sort: null, print_mode: 'merged' });
    await transcriptsExport.check(db, owner, all);

    // Warm-up, not timed (as the Chromium side warms up too): a server is warm after its first export.
    const firstIds = (await db.selectFrom('student').select('id').orderBy('id').limit(WARMUP).execute()).map((r) => r.id);
    const warm = await produce(transcriptsExport, db, owner, transcriptsExport.payload.parse({ scope: 'ticked', ids: firstIds, filter: {}, sort: null, print_mode: 'merged' }),
      path.join(scratch, 'warmup.pdf'));
    fs.rmSync(path.join(scratch, 'warmup.pdf'), { force: true });
    const rssBeforeExports = mb(process.memoryUsage.rss());
    log(`warm-up: ${WARMUP} transcripts in ${round(warm.ms / 1000, 2)} s; rss at start ${rssAtStart} MB, now ${rssBeforeExports} MB`);
    const peakBeforeExports = peakRssMb();

    const mergedFile = path.join(scratch, 'merged.pdf');
    const merged = await produce(transcriptsExport, db, owner, { ...all, print_mode: 'merged' }, mergedFile);
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
    const zip = await produce(transcriptsExport, db, owner, { ...all, print_mode: 'zip' }, zipFile);
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
      bench: 'exports', db: kind, students: dataset.students, grades: dataset.grades, teaching_points: dataset.tps,
      grades_per_student_min: dataset.gradesMin, grades_per_student_max: dataset.gradesMax, photos: dataset.photos, distinct_photos: dataset.distinctPhotos,
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
      warmup_documents: WARMUP, generate_seconds: round(dataset.generateMs / 1000, 1), photos_seconds: round(dataset.photosMs / 1000, 1),
    });
  } finally {
    await cleanups.run();
    // The JSON line is the last line printed, after the cleanup's log lines.
    if (summary) console.log(summary);
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
