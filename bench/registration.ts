/**
 * `npm run bench -- registration [--graduates N] [--db pglite|postgres] [--students M] [--keep]`
 *
 * 学历电子注册 and 学籍清理 (issue 12), in one run on one generated database:
 * - N graduates (default 300,000) of one 国家开放大学 batch (学籍状态 毕业, 毕业批次 202701);
 * - the floor: a bare `COPY (SELECT the same columns …) TO STDOUT` of those rows (PGlite: TO '/dev/blob');
 * - our path: buildRegistrationFiles — one cursor read that checks every record, numbers it (证书编号, serials
 *   reserved up front) and writes the DBF and the Excel twin side by side, then one statement marking them 已生成;
 *   the build reports the time inside the checks and inside exceljs apart (`dbf` is the rest of the read);
 *   `ratio` = (check + numbering + DBF) ÷ COPY;
 * - Excel: the build's Excel share against exceljs's streaming WorkbookWriter alone writing the same rows read by
 *   keyset pages — `excel_ratio`;
 * - RSS sampled while the build runs (the process peak beside it: PGlite's heap lives in this process);
 * - 学籍清理: M students (default 1,000,000) of an expired cohort; the clean-up job (runCleanup) against a bare
 *   `UPDATE student SET status = '退学', … WHERE` the same rows — `cleanup_ratio`.
 * The last line printed is one JSON object with every figure.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { sql, type Kysely } from 'kysely';
import { openCore } from '../src/server/app.ts';
import { runCleanup } from '../src/server/cleanup/service.ts';
import { generateOrg, generateStudents, seedReference } from '../src/server/demo/generator.ts';
import type { DB } from '../src/server/platform/tables.ts';
import { writeDbf, type DbfField } from '../src/server/platform/dbf.ts';
import { buildRegistrationFiles } from '../src/server/registration/service.ts';
import { adminQuery, logger, median, peakRssMb, round, timed } from './lib/common.ts';
import { hqAdmin } from './lib/dataset.ts';
import { intOption, stringOption, type Options } from './lib/options.ts';
import { RssSampler } from './lib/rss.ts';

export const description = '学历电子注册: numbering + DBF against COPY, the Excel against exceljs alone; 学籍清理 against a bare UPDATE';

type Db = Kysely<DB>;
const BATCH = '202701';
const ISSUE_DATE = '2027-01-20';
const GRADUATE_COHORTS = ['201903', '202003', '202103', '202109'];
/** The 学籍清理 population: entered 2017 spring, 学籍有效期 to 2025-03-01, cleared on 2026-06-15. */
const CLEANUP_COHORT = '201703';
const CLEANUP_DAY = '2026-06-15';
const BRANCHES = 45;
const TEACHING_POINTS = 1000;
const CHUNK = 20_000;
const PAGE = 5000;
const TARGETS = { ratio: 4, excel_ratio: 1.5, peak_rss_mb: 300, cleanup_ratio: 2 };

const log = logger('registration');
const r2 = round;
const timedS = async <T>(fn: () => Promise<T>) => timed(fn).then(({ ms, value }) => ({ s: ms / 1000, value }));

const HELP = `npm run bench -- registration [options]
  --graduates N          graduates of the batch (default 300000)
  --students M           students of the expired cohort for 学籍清理 (default 1000000)
  --db pglite|postgres   database (default pglite)
  --pg-url URL           server to create the database on (default $BENCH_PG_URL or postgres://postgres@127.0.0.1:5432/postgres)
  --runs R               COPY floor repetitions (median; default 3)
  --keep                 keep the generated database (or PGlite folder) and the files written
The last line printed is one JSON object with every figure.`;

/**
 * The columns of a 学信网 record, as the build reads them (registration/queries.ts buildSelect): student, graduate,
 * teaching point, branch, class, programme, batch and the registration entry.
 */
const COLUMNS = sql`g.id, s.student_no, s.name, s.gender, s.id_number, s.political_status, s.ethnicity, p.major_code, s.major, s.level,
  p.min_years, s.graduation_conclusion, e.certificate_no, br.name as branch_name, tp.name as tp_name, cl.name as class_name,
  to_char(s.entry_date, 'YYYY-MM-DD') as entry_date, to_char(coalesce(s.graduation_date, b.issue_date), 'YYYY-MM-DD') as graduation_date`;
// Literals, not parameters: COPY takes none.
const FROM = sql`from student s
  join graduate g on g.student_id = s.id and g.batch_code = ${sql.lit(BATCH)}
  join org_node tp on tp.id = g.tp_id
  join programme p on p.id = s.programme_id
  left join registration_entry e on e.graduate_id = g.id
  left join org_node br on br.id = tp.parent_id
  left join org_node cl on cl.id = s.class_id
  join batch b on b.code = g.batch_code
  where s.graduation_batch = ${sql.lit(BATCH)} and s.status = '毕业'`;

export async function run(options: Options): Promise<void> {
  if (options.help) {
    console.log(HELP);
    return;
  }
  const kind = stringOption(options, 'db', 'pglite', ['pglite', 'postgres'] as const);
  const graduates = intOption(options, 'graduates', 300_000);
  const students = intOption(options, 'students', 1_000_000);
  const runs = intOption(options, 'runs', 3);
  const adminUrl = stringOption(options, 'pg-url', process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const keep = options.keep === true;
  log(`db=${kind} graduates=${graduates} students=${students}`);

  const cleanups: (() => Promise<void>)[] = [];
  let summary: string | null = null;
  try {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gm-bench-registration-'));
    const saved = process.env.DATA_DIR;
    process.env.DATA_DIR = dataDir;
    cleanups.push(async () => {
      if (saved === undefined) delete process.env.DATA_DIR;
      else process.env.DATA_DIR = saved;
      if (keep) return log(`kept ${dataDir}`);
      fs.rmSync(dataDir, { recursive: true, force: true });
    });
    let config: { databaseUrl?: string; dataDir?: string };
    if (kind === 'postgres') {
      const name = `gm_bench_registration_${process.pid}`;
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
      config = { dataDir: path.join(dataDir, 'pglite') };
    }
    const { database, jobs } = await openCore(config);
    cleanups.push(async () => {
      await jobs.stop();
      await database.close();
    });
    const db = database.db;

    // ------------------------------------------------------------------ data
    const gen = await timedS(async () => {
      await seedReference(db);
      await generateOrg(db, BRANCHES, TEACHING_POINTS);
      await db.insertInto('batch').values({ code: BATCH, name: '2027年1月毕业批次', issue_date: ISSUE_DATE, closing_date: '2027-01-10', is_current: true }).execute();
      for (let start = 1; start <= graduates; start += CHUNK) {
        const count = Math.min(CHUNK, graduates - start + 1);
        const r = await generateStudents(db, { count, start, cohorts: GRADUATE_COHORTS });
        await graduate(db, r.first, r.last);
      }
      log(`${graduates} graduates made (peak rss ${peakRssMb()} MB)`);
      for (let start = graduates + 1; start <= graduates + students; start += CHUNK) {
        const count = Math.min(CHUNK, graduates + students - start + 1);
        await generateStudents(db, { count, start, cohorts: [CLEANUP_COHORT] });
        if ((start - graduates - 1) % (CHUNK * 10) === 0) log(`students ${start - graduates - 1 + count}/${students}`);
      }
      await sql`vacuum analyze`.execute(db);
    });
    log(`generated in ${r2(gen.s, 1)} s (peak rss ${peakRssMb()} MB)`);
    const actor = await hqAdmin(db);

    // ------------------------------------------------------------------ the COPY floor
    const copyTarget = kind === 'pglite' ? sql`'/dev/blob'` : sql`stdout`;
    const copy = () => timedS(() => sql`copy (select ${COLUMNS} ${FROM} order by g.id) to ${copyTarget}`.execute(db));
    await copy(); // warm the cache
    const copies: number[] = [];
    for (let i = 0; i < runs; i++) copies.push((await copy()).s);
    const copyS = median(copies);
    log(`COPY floor ${r2(copyS, 3)} s (runs ${copies.map((s) => r2(s, 3)).join(', ')})`);

    // ------------------------------------------------------------------ our path: check + numbering + DBF (+ Excel)
    const outDir = path.join(dataDir, 'out');
    const rss = new RssSampler(100).start();
    const build = await timedS(() => buildRegistrationFiles(db, actor, { batch: BATCH }, {
      dir: outDir, progress: (done, total) => {
        rss.done = done;
        rss.total = total;
        return true;
      },
    }));
    rss.stop();
    const b = build.value;
    if (!b) throw new Error('the build was cancelled');
    const dbfBytes = fs.statSync(b.dbf).size;
    const header = Buffer.alloc(12);
    const fd = fs.openSync(b.dbf, 'r');
    fs.readSync(fd, header, 0, 12, 0);
    fs.closeSync(fd);
    const dbfRecords = header.readUInt32LE(4);
    if (dbfRecords !== b.written || b.written + b.errors !== graduates) {
      throw new Error(`DBF holds ${dbfRecords} records; written ${b.written}, errors ${b.errors}, graduates ${graduates}`);
    }
    const oursS = b.timings.check + b.timings.number + b.timings.dbf;
    const ratio = r2(oursS / copyS);
    log(`build ${r2(build.s, 2)} s: check ${r2(b.timings.check, 2)} s, numbering ${r2(b.timings.number, 2)} s, DBF ${r2(b.timings.dbf, 2)} s ` +
      `(${b.written} records, ${r2(dbfBytes / 1048576, 1)} MB), Excel ${r2(b.timings.xlsx, 2)} s; ${b.numbered} numbered, ${b.errors} row errors; ` +
      `rss max ${rss.maxMb()} MB while building`);
    log(`ratio (check + numbering + DBF) ÷ COPY = ${ratio} (target ≤ ${TARGETS.ratio})`);
    const uniqueNumbers = Number((await sql<{ n: number }>`select count(distinct certificate_no)::int as n from registration_entry where batch_code = ${BATCH}`.execute(db)).rows[0].n);
    if (uniqueNumbers !== b.numbered) throw new Error(`${b.numbered} numbered but ${uniqueNumbers} distinct numbers`);

    // ------------------------------------------------------------------ the DBF writer alone (its share of the DBF part)
    const fields = (await db.selectFrom('registration_profile').select(['name', 'type', 'width']).orderBy('position').execute());
    const writerOnly = await timedS(() => writeDbf(path.join(outDir, 'writer-only.dbf'), fields as DbfField[], synthetic(graduates)));
    log(`DBF writer alone: ${r2(writerOnly.s, 3)} s for ${writerOnly.value.records} records in memory`);

    // ------------------------------------------------------------------ exceljs alone, the same rows
    const alone = await timedS(() => exceljsAlone(db, path.join(outDir, 'exceljs-alone.xlsx'), fields));
    const excelRatio = r2(b.timings.xlsx / alone.s);
    log(`exceljs alone ${r2(alone.s, 2)} s (${alone.value} rows); ours ${r2(b.timings.xlsx, 2)} s: excel_ratio ${excelRatio} (target ≤ ${TARGETS.excel_ratio})`);
    const rssAfterExcel = peakRssMb();

    // ------------------------------------------------------------------ 学籍清理 against a bare UPDATE
    const campaign = await db.insertInto('cleanup_campaign').values({
      name: '2026年学籍清理（基准测试）', cohorts: [CLEANUP_COHORT], list_deadline: '2026-05-15', cleanup_on: CLEANUP_DAY, doc_no: '国开学〔2026〕1号', created_by: actor.id,
    }).returning('id').executeTakeFirstOrThrow();
    const bare = () => timedS(async () => Number((await sql`
      update student set status = '退学', withdrawal_date = ${CLEANUP_DAY}::date, withdrawal_doc_no = '国开学〔2026〕1号', withdrawal_campaign_id = ${campaign.id}::int
      where cohort = ${CLEANUP_COHORT} and status in ('在籍', '休学') and coalesce(extension_until, valid_until) < ${CLEANUP_DAY}::date`.execute(db)).numAffectedRows ?? 0));
    const reset = async () => {
      await sql`update student set status = '在籍', withdrawal_date = null, withdrawal_doc_no = null, withdrawal_campaign_id = null where withdrawal_campaign_id is not null`.execute(db);
      await db.updateTable('cleanup_campaign').set({ ran_at: null, cleared: null, run_on: null }).where('id', '=', campaign.id).execute();
      await sql`vacuum analyze student`.execute(db);
    };
    await reset();
    const bare1 = await bare();
    await reset();
    const job = await timedS(() => runCleanup(db, campaign.id, { actor, day: CLEANUP_DAY }));
    await reset();
    const bare2 = await bare();
    await reset();
    if (job.value.cleared !== bare1.value || bare1.value !== students) {
      throw new Error(`clean-up cleared ${job.value.cleared}, the bare UPDATE ${bare1.value}, of ${students} students`);
    }
    const bareS = (bare1.s + bare2.s) / 2;
    const cleanupRatio = r2(job.s / bareS);
    log(`学籍清理 ${r2(job.s, 2)} s (${job.value.cleared} cleared) vs bare UPDATE ${r2(bare1.s, 2)} / ${r2(bare2.s, 2)} s: cleanup_ratio ${cleanupRatio} (target ≤ ${TARGETS.cleanup_ratio})`);

    summary = JSON.stringify({
      bench: 'registration', db: kind, graduates, students,
      copy_seconds: r2(copyS, 3), copy_runs: copies.map((s) => r2(s, 3)),
      ours_seconds: r2(oursS, 3), check_seconds: r2(b.timings.check, 3), numbering_seconds: r2(b.timings.number, 3), dbf_seconds: r2(b.timings.dbf, 3),
      build_seconds: r2(build.s, 3), dbf_writer_only_seconds: r2(writerOnly.s, 3), ratio, target_ratio: TARGETS.ratio,
      written: b.written, row_errors: b.errors, numbered: b.numbered, dbf_mb: r2(dbfBytes / 1048576, 1),
      excel_seconds: r2(b.timings.xlsx, 3), exceljs_alone_seconds: r2(alone.s, 3), excel_ratio: excelRatio, target_excel_ratio: TARGETS.excel_ratio,
      build_rss_max_mb: rss.maxMb(), build_rss_ends_mb: rss.ends(), peak_rss_mb: rssAfterExcel, target_peak_rss_mb: TARGETS.peak_rss_mb,
      cleanup_seconds: r2(job.s, 3), bare_update_seconds: r2(bareS, 3), bare_update_runs: [r2(bare1.s, 3), r2(bare2.s, 3)], cleared: job.value.cleared,
      cleanup_ratio: cleanupRatio, target_cleanup_ratio: TARGETS.cleanup_ratio,
      generate_seconds: r2(gen.s, 1), process_peak_rss_mb: peakRssMb(),
    });
  } finally {
    while (cleanups.length) {
      try {
        await cleanups.pop()!();
      } catch (e) {
        console.error('[registration] cleanup:', (e as Error).message);
      }
    }
    if (summary) console.log(summary);
  }
}

/** The students first..last graduate in BATCH: a graduate row each (agreed, eligible), 学籍状态 毕业. */
async function graduate(db: Db, first: number, last: number): Promise<void> {
  await sql`
    insert into graduate (batch_code, student_id, student_no, tp_id, node_path, confirm_status, eligible)
    select ${BATCH}, s.id, s.student_no, s.tp_id, s.node_path, '同意毕业', true from student s where s.id between ${first} and ${last}`.execute(db);
  await sql`
    update student set status = '毕业', graduation_batch = ${BATCH}, graduation_date = ${ISSUE_DATE}::date, graduation_conclusion = '毕业'
    where id between ${first} and ${last}`.execute(db);
}

/** Registration records made in memory, one at a time (the writer's own cost, without the database). */
function* synthetic(n: number): Generator<(string | null)[]> {
  for (let i = 1; i <= n; i++) {
    const no = `2021${String(i).padStart(9, '0')}`;
    yield [no, no, i % 7 ? '欧阳明辉' : '张三', i % 2 ? '男' : '女', '1990-05-17', `11010119900517${String(i % 1000).padStart(3, '0')}X`, '中国共产党党员', '汉族',
      '51161', '国家开放大学', '120203K', '会计学', '本科', '2.5', '开放教育', '2021-03-01', ISSUE_DATE, '毕业', `511615202705${String(i).padStart(6, '0')}`,
      '荆德刚', null, '第1分部', '第12教学点', null];
  }
}

/** exceljs's streaming writer alone: the same rows (keyset pages of the same columns), every value as text. */
async function exceljsAlone(db: Db, file: string, fields: { name: string; type: string }[]): Promise<number> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: false, useStyles: false });
  const ws = wb.addWorksheet('注册数据');
  ws.addRow(fields.map((f) => f.name)).commit();
  let n = 0;
  for (let after = 0; ;) {
    const page = (await sql<Record<string, string | number | null>>`select ${COLUMNS} ${FROM} and g.id > ${after} order by g.id limit ${PAGE}`.execute(db)).rows;
    if (page.length === 0) break;
    for (const r of page) {
      ws.addRow([r.student_no, r.student_no, r.name, r.gender, String(r.id_number).slice(6, 14), r.id_number, r.political_status, r.ethnicity,
        '51161', '国家开放大学', r.major_code, r.major, r.level, String(r.min_years), '开放教育', String(r.entry_date).replaceAll('-', ''),
        String(r.graduation_date).replaceAll('-', ''), r.graduation_conclusion, r.certificate_no, '荆德刚', '', r.branch_name, r.tp_name, r.class_name]
        .map((v) => (v == null ? '' : String(v)))).commit();
      n++;
    }
    after = Number(page[page.length - 1].id);
  }
  ws.commit();
  await wb.commit();
  return n;
}
