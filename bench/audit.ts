/**
 * `npm run bench -- audit [--db postgres|pglite] [--students N] [--candidates M] [--keep] [--reuse NAME]`
 *
 * Generates N students (default 1,000,000 on PostgreSQL, 100,000 on PGlite) with their grades (about
 * 30 each), the candidates of batch 202701, and marks M of them (default 200,000, or a fifth of N on
 * smaller runs) as agreed and reported by their branches (one submission per branch). Then, in one run:
 * - the floor: the bare aggregate — one GROUP BY student over the same grade rows, no rules;
 * - a whole audit round (runRound: the rule engine, chunk by chunk, results written);
 * - the same round re-run (idempotent: nothing changes, so nothing is written).
 * Each is timed three times (--runs), alternating, and the medians are compared: ratio = round ÷ floor.
 * The last line printed is one JSON object with every figure.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { openCore } from '../src/server/app.ts';
import { generateGrades, generateOrg, generateStudents, seedReference } from '../src/server/demo/generator.ts';
import { recomputeEligibility } from '../src/server/eligibility/queries.ts';
import { addDays, today } from '../src/server/platform/clock.ts';
import { runRound } from '../src/server/audit/service.ts';
import { intOption, stringOption, type Options } from './lib/options.ts';
import { adminQuery, logger, median, peakRssMb, round, timed } from './lib/common.ts';

export const description = '毕业审核: a whole audit round against the bare GROUP BY over the same grades';

const BATCH = '202701';
const BRANCHES = 45;
const TEACHING_POINTS = 2000;
const CHUNK = 20_000;
const TARGET_RATIO = 1.5;
// Cohorts whose minimum study time (2.5 years) is reached by 202701's issue date, and a few that are not.
const COHORTS = ['201903', '202003', '202103', '202109', '202203', '202209', '202303', '202309', '202403', '202409'];

const log = logger('audit');
const r2 = round;
/** Seconds, as this benchmark reports them. */
const timedS = async <T>(fn: () => Promise<T>) => timed(fn).then(({ ms, value }) => ({ s: ms / 1000, value }));

const HELP = `npm run bench -- audit [options]
  --db postgres|pglite   database (default postgres)
  --students N           students to generate (default 1000000 on postgres, 100000 on PGlite)
  --candidates M         graduates agreed and reported, audited by the round (default min(200000, N/5))
  --pg-url URL           server to create the database on (default $BENCH_PG_URL or postgres://postgres@127.0.0.1:5432/postgres)
  --runs R               timed repetitions, alternating floor and round (default 3; medians reported)
  --keep                 keep the generated database (or PGlite folder)
  --reuse NAME           measure again on a database kept by --keep (postgres), without generating
The last line printed is one JSON object with every figure.`;

export async function run(options: Options): Promise<void> {
  if (options.help) {
    console.log(HELP);
    return;
  }
  const kind = stringOption(options, 'db', 'postgres', ['postgres', 'pglite'] as const);
  const students = intOption(options, 'students', kind === 'pglite' ? 100_000 : 1_000_000);
  const wanted = intOption(options, 'candidates', Math.min(200_000, Math.floor(students / 5)));
  const adminUrl = stringOption(options, 'pg-url', process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const keep = options.keep === true;
  const runs = intOption(options, 'runs', 3);
  const reuse = options.reuse === undefined ? undefined : stringOption(options, 'reuse', '');
  log(`db=${kind} students=${students} candidates=${wanted}`);

  const cleanups: (() => Promise<void>)[] = [];
  let summary: string | null = null;
  try {
    let config: { databaseUrl?: string; dataDir?: string };
    if (kind === 'postgres') {
      const name = reuse ?? `gm_bench_audit_${process.pid}`;
      if (!reuse) {
        await adminQuery(adminUrl, `create database "${name}"`);
        cleanups.push(async () => {
          if (keep) return log(`kept database ${name} (rerun with --reuse ${name})`);
          await adminQuery(adminUrl, `drop database if exists "${name}" with (force)`);
          log(`dropped database ${name}`);
        });
      }
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      config = { databaseUrl: url.toString() };
    } else {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gm-bench-audit-'));
      cleanups.push(async () => {
        if (keep) return log(`kept ${dir}`);
        fs.rmSync(dir, { recursive: true, force: true });
      });
      config = { dataDir: dir };
    }
    const { database, jobs } = await openCore(config);
    cleanups.push(async () => {
      await jobs.stop();
      await database.close();
    });
    const db = database.db;

    let generateS = 0;
    let eligibilityS = 0;
    if (!reuse) {
      const g = await timedS(async () => {
        await seedReference(db);
        await generateOrg(db, BRANCHES, TEACHING_POINTS);
        for (let start = 1; start <= students; start += CHUNK) {
          const count = Math.min(CHUNK, students - start + 1);
          const r = await generateStudents(db, { count, start, cohorts: COHORTS });
          await generateGrades(db, r.first, r.last);
          log(`students and grades ${start + count - 1}/${students} (peak rss ${peakRssMb()} MB)`);
        }
      });
      generateS = g.s;
      const t = today();
      await db.insertInto('batch').values({
        code: BATCH, name: '2027年1月毕业批次', issue_date: '2027-01-20', closing_date: '2099-12-31', exemption_deadline: addDays(t, 20), is_current: true,
      }).execute();
      log(`generated in ${r2(generateS, 1)} s`);
      await sql`analyze`.execute(db);
      eligibilityS = (await timedS(() => recomputeEligibility(db, BATCH))).s;
      log(`eligibility in ${r2(eligibilityS, 1)} s`);
      await prepareCandidates(db, wanted);
      await sql`vacuum analyze`.execute(db);
    }
    await resetRounds(db);
    const counts = (await sql<{ students: number; grades: number; graduates: number; candidates: number }>`
      select (select count(*) from student)::int as students, (select count(*) from grade)::int as grades,
             (select count(*) from graduate where batch_code = ${BATCH})::int as graduates,
             (select count(*) from graduate where batch_code = ${BATCH} and confirm_status = '同意毕业' and submission_id is not null)::int as candidates
    `.execute(db)).rows[0];
    log(`data: ${counts.students} students, ${counts.grades} grades, ${counts.graduates} graduates of ${BATCH}, ${counts.candidates} to audit` +
      (reuse ? '' : `; generated in ${r2(generateS, 1)} s, eligibility in ${r2(eligibilityS, 1)} s`));

    // The floor: the same grade rows, one GROUP BY, no rules.
    const floor = () => timedS(() => sql`
      select g.student_id, count(*) as n, sum(g.score) as total
      from graduate gr join grade g on g.student_id = gr.student_id
      where gr.batch_code = ${BATCH} and gr.confirm_status = '同意毕业' and gr.submission_id is not null
      group by g.student_id`.execute(db).then((r) => r.rows.length));

    const floors: number[] = [];
    const rounds: number[] = [];
    const reruns: number[] = [];
    let audited = 0;
    let passed = 0;
    await floor(); // warm the cache for both
    for (let i = 0; i < runs; i++) {
      const f = await floor();
      floors.push(f.s);
      await resetRounds(db);
      const roundId = await newRound(db);
      const r = await timedS(() => runRound(db, roundId));
      rounds.push(r.s);
      audited = r.value.audited;
      const again = await timedS(() => runRound(db, roundId));
      reruns.push(again.s);
      passed = Number((await sql<{ n: number }>`select count(*)::int as n from audit_result where round_id = ${roundId} and passed`.execute(db)).rows[0].n);
      log(`#${i + 1}: floor ${r2(f.s, 3)} s (${f.value} students), round ${r2(r.s, 3)} s (${audited} audited, ${passed} passed), re-run ${r2(again.s, 3)} s, peak rss ${peakRssMb()} MB`);
    }
    const floorS = median(floors);
    const roundS = median(rounds);
    const ratio = r2(roundS / floorS);
    log(`round ${r2(roundS, 3)} s vs bare aggregate ${r2(floorS, 3)} s: ratio ${ratio} (target ≤ ${TARGET_RATIO})`);
    summary = JSON.stringify({
      bench: 'audit', db: kind, students: counts.students, grades: counts.grades, graduates: counts.graduates, candidates: counts.candidates,
      audited, passed, seconds: r2(roundS, 3), floor_seconds: r2(floorS, 3), ratio, target_ratio: TARGET_RATIO,
      rerun_seconds: r2(median(reruns), 3), students_per_second: Math.round(audited / roundS), chunk: CHUNK,
      generate_seconds: r2(generateS, 1), eligibility_seconds: r2(eligibilityS, 2), peak_rss_mb: peakRssMb(),
    });
  } finally {
    while (cleanups.length) {
      try {
        await cleanups.pop()!();
      } catch (e) {
        console.error('[audit] cleanup:', (e as Error).message);
      }
    }
    // The JSON line is the last line printed, after the cleanup's log lines.
    if (summary) console.log(summary);
  }
}

/** Agree `wanted` eligible and ineligible candidates alike (the audit decides), reported by their branches. */
async function prepareCandidates(db: import('kysely').Kysely<import('../src/server/platform/tables.ts').DB>, wanted: number) {
  await sql`
    update graduate set confirm_status = '同意毕业'
    where id in (select id from graduate where batch_code = ${BATCH} order by hashint4(id) limit ${wanted}::int)`.execute(db);
  await sql`
    insert into submission (batch_code, node_id, node_path, kind, rows, submitted_at)
    select ${BATCH}, b.id, b.path, '毕业审核数据', 0, now() - (row_number() over (order by hashint4(b.id)) || ' minutes')::interval
    from org_node b where b.kind = 'branch' order by hashint4(b.id)`.execute(db);
  await sql`
    update graduate g set submission_id = s.id
    from org_node tp join submission s on s.node_id = tp.parent_id
    where tp.id = g.tp_id and g.batch_code = ${BATCH} and g.confirm_status = '同意毕业'`.execute(db);
}

async function resetRounds(db: import('kysely').Kysely<import('../src/server/platform/tables.ts').DB>) {
  await sql`update graduate set audit_status = '未审核', audit_round_id = null, audited_at = null where audit_round_id is not null`.execute(db);
  await sql`delete from audit_result`.execute(db);
  await sql`delete from audit_round`.execute(db);
}

async function newRound(db: import('kysely').Kysely<import('../src/server/platform/tables.ts').DB>): Promise<number> {
  const t = today();
  return (await db.insertInto('audit_round').values({ batch_code: BATCH, name: `第一批-${Date.now()}`, starts_on: addDays(t, -1), ends_on: addDays(t, 30) })
    .returning('id').executeTakeFirstOrThrow()).id;
}

