import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { openCore } from '../../src/server/app.ts';
import { generateGrades, generateOrg, generateStudents, seedReference } from '../../src/server/demo/generator.ts';
import { recomputeEligibility } from '../../src/server/eligibility/queries.ts';
import type { ExportContext, ExportKind, Produced } from '../../src/server/exports/service.ts';
import type { Actor } from '../../src/server/platform/auth.ts';
import { fileStore } from '../../src/server/platform/files.ts';
import type { Role } from '../../src/shared/org.ts';
import type { DB } from '../../src/server/platform/tables.ts';
import { portraitJpeg } from '../../src/server/photos/fixtures.ts';
import { jpegInfo } from '../../src/server/photos/jpeg.ts';
import { GRADUATION_PHOTO } from '../../src/server/photos/queries.ts';
import { adminQuery, peakRssMb, round, timed } from './common.ts';
import { RssSampler } from './rss.ts';

/**
 * The dataset the document benchmarks share: a fresh database (a PostgreSQL database made for the run, or
 * PGlite) under a temporary DATA_DIR, N students at a few teaching points with grades and a current
 * 毕业证照片 each, the graduation batch 202701 with its candidates, and a hq_admin to act as. Everything
 * made is undone by the run's `Cleanups` (unless --keep).
 */

type Db = Kysely<DB>;

export const BATCH = '202701';
const CHUNK = 20_000;

/** Undo steps run last-in first-out; one failing does not stop the others. */
export class Cleanups {
  readonly #steps: (() => Promise<void>)[] = [];
  constructor(private readonly name: string) {}

  push(step: () => Promise<void>): void {
    this.#steps.push(step);
  }

  async run(): Promise<void> {
    while (this.#steps.length) {
      try {
        await this.#steps.pop()!();
      } catch (e) {
        console.error(`[${this.name}] cleanup:`, (e as Error).message);
      }
    }
  }
}

export interface OpenOptions {
  /** The benchmark's name: in the database's and the temporary folder's names. */
  name: string;
  kind: 'postgres' | 'pglite';
  /** The server the database is created on (postgres). */
  adminUrl: string;
  keep: boolean;
  log: (msg: string) => void;
}

/**
 * A temporary DATA_DIR (the file store, the exports' scratch folder and, for PGlite, the database) and a
 * fresh database with the migrations run, the application's core open on it.
 */
export async function openDataset(o: OpenOptions, cleanups: Cleanups): Promise<{ db: Db; dataDir: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `gm-bench-${o.name}-`));
  const saved = { DATA_DIR: process.env.DATA_DIR, FILES_S3_BUCKET: process.env.FILES_S3_BUCKET };
  process.env.DATA_DIR = dataDir;
  delete process.env.FILES_S3_BUCKET;
  cleanups.push(async () => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    if (o.keep) return o.log(`kept ${dataDir}`);
    fs.rmSync(dataDir, { recursive: true, force: true });
    o.log(`removed ${dataDir}`);
  });

  let config: { databaseUrl?: string; dataDir?: string };
  if (o.kind === 'postgres') {
    const name = `gm_bench_${o.name}_${process.pid}`;
    await adminQuery(o.adminUrl, `create database "${name}"`);
    cleanups.push(async () => {
      if (o.keep) return o.log(`kept database ${name}`);
      await adminQuery(o.adminUrl, `drop database if exists "${name}" with (force)`);
      o.log(`dropped database ${name}`);
    });
    const url = new URL(o.adminUrl);
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
  return { db: database.db, dataDir };
}

export interface FillOptions {
  students: number;
  teachingPoints: number;
  /** 入学批次 to spread the students over: those that reach 202701's minimum study time are its candidates. */
  cohorts: readonly string[];
  /** Every student's photo row points at one JPEG (default: each its own bytes). */
  sharedPhoto: boolean;
  /** Electives on top of the programme's courses, up to 24–30 grades a student (a transcript's length). */
  electives: boolean;
  log: (msg: string) => void;
}

export interface Filled {
  students: number;
  grades: number;
  photos: number;
  graduates: number;
  tps: number;
  gradesMin: number;
  gradesMax: number;
  distinctPhotos: number;
  photoBytes: number;
  generateMs: number;
  photosMs: number;
}

/** Students, grades, the batch 202701 with its candidates (recomputeEligibility), and photos; then ANALYZE. */
export async function fillDataset(db: Db, o: FillOptions): Promise<Filled> {
  const gen = await timed(async () => {
    await seedReference(db);
    await generateOrg(db, Math.min(3, o.teachingPoints), o.teachingPoints);
    for (let start = 1; start <= o.students; start += CHUNK) {
      const count = Math.min(CHUNK, o.students - start + 1);
      const r = await generateStudents(db, { count, start, cohorts: [...o.cohorts] });
      await generateGrades(db, r.first, r.last);
    }
    await db.insertInto('batch').values({ code: BATCH, name: '2027年1月毕业批次', issue_date: '2027-01-20', closing_date: '2099-12-31', is_current: true }).execute();
    await recomputeEligibility(db, BATCH);
    if (o.electives) await topUpGrades(db);
  });
  const photos = await timed(() => seedPhotos(db, o.sharedPhoto));
  await sql`analyze`.execute(db);
  const counts = (await sql<{ students: number; grades: number; photos: number; graduates: number; tps: number }>`
    select (select count(*) from student)::int as students, (select count(*) from grade)::int as grades,
           (select count(*) from photo where is_current)::int as photos, (select count(*) from graduate)::int as graduates,
           (select count(distinct tp_id) from student)::int as tps`.execute(db)).rows[0];
  const grades = (await sql<{ min: number; max: number }>`
    select min(n)::int as min, max(n)::int as max from (select count(*) as n from grade group by student_id) x`.execute(db)).rows[0];
  o.log(`data: ${counts.students} students at ${counts.tps} teaching points, ${counts.grades} grades (${grades.min}–${grades.max} each), ` +
    `${counts.photos} photos (${photos.value.distinct} distinct JPEGs, ${round(photos.value.bytes / 1024, 1)} KB each), ${counts.graduates} graduates of ${BATCH}; ` +
    `generated in ${round(gen.ms / 1000, 1)} s, photos in ${round(photos.ms / 1000, 1)} s; peak rss ${peakRssMb()} MB`);
  return {
    ...counts, gradesMin: grades.min, gradesMax: grades.max, distinctPhotos: photos.value.distinct, photoBytes: photos.value.bytes,
    generateMs: gen.ms, photosMs: photos.ms,
  };
}

/**
 * A staff member at `nodeId` to act as (made here; the generator makes no users). Never signs in: the
 * hash is not one any password verifies against.
 */
export async function staffActor(db: Db, role: Role, nodeId: number, username: string, displayName: string): Promise<Actor> {
  const n = await db.selectFrom('org_node').select(['id', 'name', 'code', 'path', 'kind']).where('id', '=', nodeId).executeTakeFirstOrThrow();
  const u = await db.insertInto('app_user')
    .values({ username, password_hash: '!bench', display_name: displayName, role, node_id: n.id })
    .returning(['id', 'username', 'display_name', 'role']).executeTakeFirstOrThrow();
  return {
    id: u.id, username: u.username, displayName: u.display_name, role: u.role, nodeId: n.id, nodeKind: n.kind,
    nodeName: n.name, nodeCode: n.code, nodePath: n.path, studentId: null,
  };
}

/** A headquarters administrator at the root. */
export async function hqAdmin(db: Db): Promise<Actor> {
  const hq = await db.selectFrom('org_node').select('id').where('kind', '=', 'hq').executeTakeFirstOrThrow();
  return staffActor(db, 'hq_admin', hq.id, 'bench-hq-admin', '基准测试管理员');
}

/** One run of an export producer as the export job would run it, timed, with its progress counted and RSS sampled. */
export async function produce<P>(kind: ExportKind<P>, db: Db, owner: Actor, payload: P & { print_mode: string }, file: string) {
  const rss = new RssSampler(200).start();
  let calls = 0;
  let last: { done: number; total: number | null } | null = null;
  const ctx: ExportContext<P> = {
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
    const t = await timed(() => kind.produce(ctx));
    if (!t.value) throw new Error(`the ${payload.print_mode} export produced nothing (null: cancelled?)`);
    return { ms: t.ms, produced: t.value as Produced, calls, last: last as { done: number; total: number | null } | null, rss };
  } finally {
    rss.stop();
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

/**
 * A current 毕业证照片 for every student. One portrait is drawn; each student gets its bytes with a JPEG
 * comment (COM) segment naming them, so every photo is its own blob in the store and its own image in a
 * merged PDF, as real photos are, without drawing 20,000 pictures. sharedPhoto: one blob for all.
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
