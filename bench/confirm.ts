/**
 * `npm run bench -- confirm [--db postgres|pglite] [--students N] [--duration S] [--connections C] [--requests R] [--keep]`
 *
 * Generates an organisation of 45 branches and 2,000 teaching points with N students (default
 * 200,000 on PostgreSQL, 20,000 on PGlite), their grades and the candidates of batch 202701, then
 * measures through HTTP, in one run:
 * - the 预毕业确认 list (GET /api/confirmation, page 1) for a teaching point with about 1,000
 *   candidates: p50/p99 over R sequential requests, and requests per second under C concurrent clients;
 * - the floor: a bare route on a second Fastify server doing one indexed query through the same
 *   database pool, measured the same way — the list's rps is reported as a ratio of the floor's;
 * - the headquarters-wide counts per teaching point (GET /api/confirmation/counts as hq_admin);
 * - 同意毕业 of 1,000 ticked candidates, and of all candidates of the largest teaching point.
 * The last line printed is one JSON object with every figure.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { sql } from 'kysely';
import { buildApp, type Running } from '../src/server/app.ts';
import { generateGrades, generateOrg, generateStudents, seedReference } from '../src/server/demo/generator.ts';
import { recomputeEligibility } from '../src/server/eligibility/queries.ts';
import { hashPassword } from '../src/server/platform/auth.ts';
import { addDays, today } from '../src/server/platform/clock.ts';
import { STEP_KEYS } from '../src/shared/steps.ts';
import { load, type LoadResult, type LoadSpec } from './lib/load.ts';
import { cpuPerRequest, cpuSnapshot } from './lib/cpu.ts';
import { intOption, stringOption, type Options } from './lib/options.ts';
import { adminQuery, login as loginAs, logger, median, peakRssMb, round, timed } from './lib/common.ts';

export const description = '预毕业确认: list latency and throughput against a one-query floor, hq counts, 同意毕业 in bulk';

const BATCH = '202701';
const BRANCHES = 45;
const TEACHING_POINTS = 2000;
const TARGET_CANDIDATES = 1000;
const CHUNK = 20_000;
const PASSWORD = 'Bench@2026x';
// Cohorts whose minimum study time (2.5 years) is reached by 202701's issue date.
const COHORTS = ['202103', '202109', '202203', '202209', '202303', '202309', '202403'];
const TARGET_LIST_P99_MS = 50;
const TARGET_RATIO = 0.5;

const log = logger('confirm');
const login = (base: string, username: string) => loginAs(base, username, PASSWORD);

const HELP = `npm run bench -- confirm [options]
  --db postgres|pglite   database (default postgres)
  --students N           students to generate (default 200000 on postgres, 20000 on PGlite)
  --duration S           seconds of each concurrent run (default 10, after 2 s of warm-up)
  --connections C        concurrent clients (default 50)
  --requests R           sequential requests for p50/p99 (default 200)
  --pg-url URL           server to create the database on (default $BENCH_PG_URL or postgres://postgres@127.0.0.1:5432/postgres)
  --keep                 keep the generated database (or PGlite folder)
  --reuse NAME           measure again on a database kept by --keep, without generating (postgres)
  --sql "STATEMENTS"     run after generation, before measuring (to try an index)
The last line printed is one JSON object with every figure.`;

export async function run(options: Options): Promise<void> {
  if (options.help) {
    console.log(HELP);
    return;
  }
  const kind = stringOption(options, 'db', 'postgres', ['postgres', 'pglite'] as const);
  let students = intOption(options, 'students', kind === 'pglite' ? 20_000 : 200_000);
  const durationS = intOption(options, 'duration', 10);
  const connections = intOption(options, 'connections', 50);
  const requests = intOption(options, 'requests', 200);
  const adminUrl = stringOption(options, 'pg-url', process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  // --keep: leave the generated database (or PGlite folder) in place for EXPLAIN and friends.
  const keep = options.keep === true;
  // --reuse NAME: measure again on a database kept by --keep (postgres), without generating.
  const reuse = options.reuse === undefined ? undefined : stringOption(options, 'reuse', '');
  // --sql "…": statements to run after generation, before measuring (to try an index, say).
  const extraSql = options.sql === undefined ? undefined : stringOption(options, 'sql', '');
  if (reuse && kind !== 'postgres') throw new Error('--reuse is for --db postgres');
  log(`db=${kind} students=${students} branches=${BRANCHES} teaching_points=${TEACHING_POINTS} connections=${connections} duration=${durationS}s requests=${requests}`);

  // Undo whatever was set up, last first. When interrupted, only what must not be left behind
  // (the database, the folder): closing the app could wait for a long generating statement.
  const cleanups: { essential: boolean; fn: () => Promise<void> }[] = [];
  const onCleanup = (fn: () => Promise<void>, essential = false) => cleanups.push({ essential, fn });
  const cleanup = async (onlyEssential = false) => {
    while (cleanups.length) {
      const c = cleanups.pop()!;
      if (onlyEssential && !c.essential) continue;
      try {
        await c.fn();
      } catch (e) {
        console.error('[confirm] cleanup:', (e as Error).message);
      }
    }
  };
  let interrupted: Promise<void> | null = null;
  const onSignal = () => {
    log('interrupted: cleaning up');
    interrupted = cleanup(true).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    let config: { databaseUrl?: string; dataDir?: string };
    let dbName: string | null = null;
    if (kind === 'postgres') {
      const name = reuse ?? `gm_bench_${process.pid}`;
      dbName = name;
      if (!reuse) {
        await adminQuery(adminUrl, `create database "${name}"`);
        onCleanup(async () => {
          if (keep) return log(`kept database ${name} (rerun with --reuse ${name})`);
          await adminQuery(adminUrl, `drop database if exists "${name}" with (force)`);
          log(`dropped database ${name}`);
        }, true);
        log(`created database ${name}`);
      }
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      config = { databaseUrl: url.toString() };
    } else {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gm-bench-'));
      onCleanup(async () => {
        if (keep) return log(`kept ${dir}`);
        fs.rmSync(dir, { recursive: true, force: true });
        log(`removed ${dir}`);
      }, true);
      config = { dataDir: dir };
      log(`PGlite in ${dir}`);
    }

    const running = await buildApp({ ...config, work: false, logger: false });
    onCleanup(() => running.close());
    const db = running.database.db;

    // ---- data ----
    let generateMs = 0;
    if (reuse) {
      await resetState(running);
      log(`reusing database ${reuse}: confirmation state, sessions, audit log and bench users reset`);
    } else {
      generateMs = (await timed(() => generate(running, students))).ms;
    }
    if (extraSql) {
      const r = await timed(() => running.database.sql.executeSql(extraSql));
      await sql`analyze`.execute(db);
      log(`--sql applied in ${r.ms.toFixed(0)} ms: ${extraSql}`);
    }
    const { candidates, mid, largest, tpCount } = await pickPoints(running);
    if (reuse) students = await db.selectFrom('student').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow().then((r) => Number(r.n));
    log(`${reuse ? 'found' : `generated in ${(generateMs / 1000).toFixed(1)}s`}: ${candidates} candidates over ${tpCount} teaching points; ` +
      `list point ${mid.code} has ${mid.n}, largest ${largest.code} has ${largest.n}`);

    const hash = await hashPassword(PASSWORD);
    const hq = await db.selectFrom('org_node').select('id').where('kind', '=', 'hq').executeTakeFirstOrThrow();
    await db.insertInto('app_user').values([
      { username: 'bench_hq', password_hash: hash, display_name: '总部管理员（压测）', role: 'hq_admin', node_id: hq.id, student_id: null },
      { username: 'bench_tp_mid', password_hash: hash, display_name: `${mid.code}教务员（压测）`, role: 'tp_admin', node_id: mid.id, student_id: null },
      { username: 'bench_tp_big', password_hash: hash, display_name: `${largest.code}教务员（压测）`, role: 'tp_admin', node_id: largest.id, student_id: null },
    ]).execute();

    // ---- servers ----
    await running.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (running.app.server.address() as AddressInfo).port;
    const base = `http://127.0.0.1:${port}`;

    const floor = Fastify({ logger: false });
    floor.get<{ Querystring: { tp: string } }>('/floor', async (req) => {
      const rows = await db.selectFrom('student').select(['id', 'student_no', 'name', 'cohort', 'major'])
        .where('tp_id', '=', Number(req.query.tp)).limit(30).execute();
      return { rows };
    });
    await floor.listen({ host: '127.0.0.1', port: 0 });
    onCleanup(() => floor.close());
    const floorPort = (floor.server.address() as AddressInfo).port;
    log(`app on ${base}, floor on http://127.0.0.1:${floorPort}`);

    const cookies = {
      hq: await login(base, 'bench_hq'),
      mid: await login(base, 'bench_tp_mid'),
      big: await login(base, 'bench_tp_big'),
    };

    const listPath = `/api/confirmation?batch=${BATCH}&page=1&page_size=50`;
    const first = await api<{ total: number; rows: unknown[] }>(base, 'GET', listPath, cookies.mid);
    if (first.total !== mid.n || first.rows.length !== Math.min(50, mid.n)) {
      throw new Error(`list answered total=${first.total} rows=${first.rows.length}, expected ${mid.n}`);
    }
    const listSpec = { host: '127.0.0.1', port, path: listPath, headers: { Cookie: cookies.mid } };
    const floorSpec = { host: '127.0.0.1', port: floorPort, path: `/floor?tp=${mid.id}` };

    // Each load run, with the CPU it cost this process (the server) and the database's backends.
    const measure = async (what: string, spec: LoadSpec) => {
      const before = cpuSnapshot(dbName);
      const r = await load(spec);
      const cpu = cpuPerRequest(before, cpuSnapshot(dbName), r.completed);
      report(what, r, cpu);
      return { ...r, cpu };
    };

    // ---- latency: sequential requests ----
    const floorSeq = await measure('floor sequential', { ...floorSpec, connections: 1, requests, warmupRequests: 20 });
    const listSeq = await measure('list sequential', { ...listSpec, connections: 1, requests, warmupRequests: 20 });

    // ---- throughput: concurrent clients ----
    const loadOpts = { connections, durationMs: durationS * 1000, warmupMs: 2000 };
    const floorConc = await measure(`floor ${connections}c`, { ...floorSpec, ...loadOpts });
    const listConc = await measure(`list ${connections}c`, { ...listSpec, ...loadOpts });
    const ratio = listConc.rps / floorConc.rps;
    log(`list/floor rps ratio ${ratio.toFixed(3)} (target ≥ ${TARGET_RATIO})`);

    // ---- hq counts per teaching point ----
    const countsPath = `/api/confirmation/counts?batch=${BATCH}`;
    await api(base, 'GET', countsPath, cookies.hq);
    const countTimes: number[] = [];
    let countsRows = 0;
    for (let i = 0; i < 5; i++) {
      const r = await timed(() => api<unknown[]>(base, 'GET', countsPath, cookies.hq));
      countTimes.push(r.ms);
      countsRows = r.value.length;
    }
    if (countsRows !== tpCount) throw new Error(`counts answered ${countsRows} teaching points, expected ${tpCount}`);
    log(`hq counts: ${countsRows} teaching points, median ${median(countTimes).toFixed(1)} ms (${countTimes.map((x) => x.toFixed(0)).join(', ')})`);

    // ---- 同意毕业 of 1,000 ticked ----
    type Row = { id: number; version: number };
    const ticked: Row[] = [];
    for (let page = 1; ticked.length < TARGET_CANDIDATES; page++) {
      const r = await api<{ rows: Row[] }>(base, 'GET', `/api/confirmation?batch=${BATCH}&page=${page}&page_size=500`, cookies.mid);
      ticked.push(...r.rows.map(({ id, version }) => ({ id, version })));
      if (r.rows.length < 500) break;
    }
    ticked.splice(TARGET_CANDIDATES);
    type Action = { changed: number; unchanged: number; refused: unknown[] };
    const agreeTicked = await timed(() => api<Action>(base, 'POST', '/api/confirmation/agree', cookies.mid,
      { batch: BATCH, selection: { items: ticked } }));
    log(`同意毕业 of ${ticked.length} ticked: ${agreeTicked.ms.toFixed(0)} ms — changed ${agreeTicked.value.changed}, refused ${agreeTicked.value.refused.length}`);

    // ---- 同意毕业 of all candidates of the largest teaching point ----
    const agreeAll = await timed(() => api<Action>(base, 'POST', '/api/confirmation/agree', cookies.big,
      { batch: BATCH, selection: { all: true, filter: { batch: BATCH } } }));
    const allRows = agreeAll.value.changed + agreeAll.value.unchanged + agreeAll.value.refused.length;
    log(`同意毕业 of all ${allRows} of ${largest.code}: ${agreeAll.ms.toFixed(0)} ms — changed ${agreeAll.value.changed}, refused ${agreeAll.value.refused.length}`);

    const result = {
      bench: 'confirm',
      db: kind,
      students,
      branches: BRANCHES,
      teaching_points: TEACHING_POINTS,
      candidates,
      list_tp_candidates: mid.n,
      list_p50_ms: round(listSeq.p50_ms),
      list_p99_ms: round(listSeq.p99_ms),
      list_rps_50c: round(listConc.rps, 1),
      list_p50_50c_ms: round(listConc.p50_ms),
      list_p99_50c_ms: round(listConc.p99_ms),
      list_errors: listSeq.errors + listConc.errors + Number(listSeq.timed_out) + Number(listConc.timed_out),
      floor_p50_ms: round(floorSeq.p50_ms),
      floor_p99_ms: round(floorSeq.p99_ms),
      floor_rps_50c: round(floorConc.rps, 1),
      floor_p99_50c_ms: round(floorConc.p99_ms),
      floor_errors: floorSeq.errors + floorConc.errors + Number(floorSeq.timed_out) + Number(floorConc.timed_out),
      list_node_cpu_ms: listConc.cpu.node_ms,
      list_pg_cpu_ms: listConc.cpu.pg_ms,
      floor_node_cpu_ms: floorConc.cpu.node_ms,
      floor_pg_cpu_ms: floorConc.cpu.pg_ms,
      ratio_rps: round(ratio, 3),
      counts_ms: round(median(countTimes), 1),
      counts_rows: countsRows,
      agree_1000_ms: round(agreeTicked.ms, 1),
      agree_1000_rows: ticked.length,
      agree_1000_changed: agreeTicked.value.changed,
      agree_1000_refused: agreeTicked.value.refused.length,
      agree_all_ms: round(agreeAll.ms, 1),
      agree_all_rows: allRows,
      agree_all_changed: agreeAll.value.changed,
      agree_all_refused: agreeAll.value.refused.length,
      peak_rss_mb: peakRssMb(),
      generate_seconds: round(generateMs / 1000, 1),
      reused: reuse !== undefined,
      extra_sql: extraSql ?? null,
      connections,
      duration_s: durationS,
      requests,
      list_p99_ok: listSeq.p99_ms < TARGET_LIST_P99_MS,
      ratio_ok: ratio >= TARGET_RATIO,
    };
    await cleanup();
    console.log(JSON.stringify(result));
  } catch (e) {
    // Statements cut off by the interruption's cleanup fail: that is expected, not news.
    if (interrupted) return void (await interrupted);
    throw e;
  } finally {
    await cleanup();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

interface Point { id: number; code: string; n: number }

/** Org, students (skewed: low-numbered teaching points are large), grades, batch 202701 open today, candidates. */
async function generate(running: Running, students: number) {
  const db = running.database.db;
  await seedReference(db);
  await generateOrg(db, BRANCHES, TEACHING_POINTS);
  log(`org: ${BRANCHES} branches, ${TEACHING_POINTS} teaching points`);
  for (let start = 1; start <= students; start += CHUNK) {
    const count = Math.min(CHUNK, students - start + 1);
    const r = await generateStudents(db, { count, start, cohorts: COHORTS });
    await generateGrades(db, r.first, r.last);
    log(`students and grades ${start + count - 1}/${students} (peak rss ${peakRssMb()} MB)`);
  }
  const t = today();
  await db.insertInto('batch').values({
    code: BATCH, name: '2027年1月毕业批次', issue_date: '2027-01-20', closing_date: '2027-04-16',
    exemption_deadline: addDays(t, 20), is_current: true,
  }).execute();
  await db.insertInto('batch_window').values(STEP_KEYS.map((step) => ({ batch_code: BATCH, step, starts_on: addDays(t, -1), ends_on: addDays(t, 90) }))).execute();
  const candidates = await recomputeEligibility(db, BATCH);
  log(`eligibility: ${candidates} candidates (peak rss ${peakRssMb()} MB)`);
  // The steady state autovacuum would reach: statistics and the visibility map.
  await sql`vacuum analyze`.execute(db);
}

/** The largest teaching point, and the one (other than it) whose candidates are closest to 1,000. */
async function pickPoints(running: Running) {
  const db = running.database.db;
  const perTp = await db.selectFrom('graduate as g').innerJoin('org_node as tp', 'tp.id', 'g.tp_id')
    .select(['tp.id', 'tp.code', (eb) => eb.fn.countAll<number>().as('n')])
    .where('g.batch_code', '=', BATCH).groupBy(['tp.id', 'tp.code']).orderBy('n', 'desc').orderBy('tp.id').execute();
  const points: Point[] = perTp.map((r) => ({ id: r.id, code: r.code, n: Number(r.n) }));
  if (points.length === 0) throw new Error('no candidates generated');
  const largest = points[0];
  // The list's teaching point: closest to 1,000 candidates, and not the largest (that one is agreed in bulk).
  const others = points.length > 1 ? points.slice(1) : points;
  const mid = others.reduce((a, b) => (Math.abs(b.n - TARGET_CANDIDATES) < Math.abs(a.n - TARGET_CANDIDATES) ? b : a));
  const candidates = points.reduce((a, p) => a + p.n, 0);
  return { candidates, mid, largest, tpCount: points.length };
}

/** Back to the state right after generation: nothing confirmed, no sessions, no audit, no bench users. */
async function resetState(running: Running): Promise<void> {
  await running.database.sql.executeSql(`
    update graduate set confirm_status = '待确认', confirm_reason = null, confirmed_at = null, confirmed_by = null, version = 1
      where confirm_status <> '待确认' or version <> 1;
    delete from session;
    delete from operation_log;
    delete from app_user where username like 'bench\\_%';`);
  for (const t of ['graduate', 'operation_log', 'session', 'app_user']) await running.database.sql.executeSql(`vacuum analyze ${t}`);
}

async function api<T = unknown>(base: string, method: 'GET' | 'POST', url: string, cookie: string, body?: unknown): Promise<T> {
  const res = await fetch(base + url, {
    method,
    headers: body === undefined ? { cookie } : { cookie, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${method} ${url}: ${res.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

function report(what: string, r: LoadResult, cpu: { node_ms: number | null; pg_ms: number | null }): void {
  log(`${what}: ${r.requests} requests in ${r.seconds.toFixed(1)}s = ${r.rps.toFixed(0)} rps; ` +
    `p50 ${r.p50_ms.toFixed(2)} ms, p90 ${r.p90_ms.toFixed(2)}, p99 ${r.p99_ms.toFixed(2)}, max ${r.max_ms.toFixed(1)}; ` +
    `${r.bytes_per_response} B/response; cpu/request: server ${cpu.node_ms} ms` + (cpu.pg_ms === null ? '' : `, postgres ${cpu.pg_ms} ms`) +
    (r.errors ? `; ERRORS ${r.errors} ${JSON.stringify(r.statuses)}` : '') + (r.timed_out ? '; TIMED OUT' : ''));
}
