/**
 * 学历电子注册 (毕业 → 学历注册; seed 003 二.4, 四.2, 四.7): certificate numbers, the 学信网 files (DBF + Excel),
 * each graduate's registration state, the 15-working-day deadline, partner-seal majors and the public query date.
 * Headquarters acts; branches and teaching points see their own subtree.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import yazl from 'yazl';
import { sql, type Insertable, type Kysely } from 'kysely';
import type { Actor } from '../platform/auth.ts';
import { runBulk, type BulkResult } from '../platform/bulk.ts';
import { loadCalendar } from '../platform/calendar.ts';
import { today } from '../platform/clock.ts';
import { writeDbf, gbkProblem, type DbfField, type DbfValue } from '../platform/dbf.ts';
import { AppError, errors } from '../platform/errors.ts';
import { XlsxRefused, fileProblem, normaliseText, worksheetRows } from '../platform/excel.ts';
import { fileStore, tempDir } from '../platform/files.ts';
import type { Jobs } from '../platform/jobs.ts';
import { recordOperation } from '../platform/oplog.ts';
import { HQ, mustFind, requireRole } from '../platform/scope.ts';
import type { DB } from '../platform/tables.ts';
import { maskIdCard } from '../../shared/idcard.ts';
import {
  FIELD_NAMES, REGISTRATION_STATES, buildBody,
  type GraduatesFilter, type RegistrationField, type RegistrationProfile, type RegistrationRounds,
  type RegistrationSelection, type RegistrationState, type ResultState, type ResultsSummary, type StateCounts,
} from '../../shared/contract/registration.ts';
import { registerExport, start as startExport, type ExportKind } from '../exports/service.ts';
import { hasGraduationPhoto } from '../photos/service.ts';
import { registrationErrors } from './errors.ts';
import * as q from './queries.ts';

export const BUILD_EXPORT = 'registration.build';
/** 15 working days after the round's publication (seed 003 二.4). */
export const DEADLINE_WORKING_DAYS = 15;
export const PHOTO_MISSING_MESSAGE = '缺照片，学信网暂不可公开查询';
/** 开放教育: the 学习形式 of every 国家开放大学 graduate here. */
const STUDY_MODE = '开放教育';
const LEVEL_CODES = { 本科: '05', 专科: '06' } as const;
/** Rows a build fetches from its cursor at a time: memory stays flat whatever the batch. */
export const buildSettings = { pageSize: 5000 };

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const emptyCounts = (): StateCounts => ({ 待注册: 0, 已生成: 0, 已上报: 0, 已注册: 0, 注册失败: 0 });

async function mustBatch(db: Kysely<DB>, batch: string) {
  const b = await db.selectFrom('batch').select(['code', sql<string>`to_char(issue_date, 'YYYY-MM-DD')`.as('issue_date')]).where('code', '=', batch).executeTakeFirst();
  if (!b) throw registrationErrors.batchUnknown(batch);
  return b;
}

// ---------------------------------------------------------------- rounds and the deadline

/** Published rounds with their deadline (15 working days after publication), days left and counts. An unknown
 *  calendar year is said per round (calendar_error), never failing the list. */
export async function rounds(db: Kysely<DB>, actor: Actor, batch: string): Promise<RegistrationRounds> {
  const b = await mustBatch(db, batch);
  const [rs, counts] = await Promise.all([q.publishedRounds(db, batch), q.stateCounts(db, actor, batch)]);
  const now = today();
  const total = emptyCounts();
  const perRound = new Map<number | null, StateCounts>();
  for (const c of counts) {
    const m = perRound.get(c.round_id) ?? emptyCounts();
    m[c.state] += Number(c.n);
    total[c.state] += Number(c.n);
    perRound.set(c.round_id, m);
  }
  const earliest = rs.reduce<string | undefined>((min, r) => (min === undefined || r.published_on < min ? r.published_on : min), undefined);
  const cal = await loadCalendar(db, earliest ? { from: earliest < now ? earliest : now } : {});
  return {
    batch, issue_date: b.issue_date, today: now, counts: total,
    rounds: rs.map((r) => {
      const c = perRound.get(r.id) ?? emptyCounts();
      const open = c.待注册 + c.已生成 + c.已上报 + c.注册失败;
      let deadline: string | null = null;
      let daysLeft: number | null = null;
      let calendarError: string | null = null;
      try {
        deadline = cal.addWorkingDays(r.published_on, DEADLINE_WORKING_DAYS);
        daysLeft = cal.countWorkingDays(now, deadline);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        calendarError = e.message;
      }
      return {
        id: r.id, name: r.name, published_at: r.published_on, deadline, days_left: daysLeft,
        overdue: deadline !== null && now > deadline && open > 0, calendar_error: calendarError, counts: c,
      };
    }),
  };
}

// ---------------------------------------------------------------- the list

export async function graduates(db: Kysely<DB>, actor: Actor, f: GraduatesFilter & { page: number; page_size: number }) {
  await mustBatch(db, f.batch);
  const [{ n }, rows] = await Promise.all([
    q.filtered(db, actor, f).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    q.listRows(q.filtered(db, actor, f), hasGraduationPhoto).orderBy('tp.code').orderBy('s.student_no')
      .limit(f.page_size).offset((f.page - 1) * f.page_size).execute(),
  ]);
  const errs = await q.lastErrors(db, rows.filter((r) => r.state === '待注册').map((r) => r.id));
  const byGraduate = new Map<number, { field: string; message: string }[]>();
  for (const e of errs) byGraduate.set(e.graduate_id, [...(byGraduate.get(e.graduate_id) ?? []), { field: e.field, message: e.message }]);
  return {
    total: Number(n), page: f.page, page_size: f.page_size,
    rows: rows.map(({ id_number, ...r }) => ({ ...r, version: Number(r.version), id_number_masked: maskIdCard(id_number), errors: byGraduate.get(r.id) ?? [] })),
  };
}

// ---------------------------------------------------------------- the export profile

export async function getProfile(db: Kysely<DB>): Promise<RegistrationProfile> {
  const [s, fields] = await Promise.all([q.settings(db), q.profile(db)]);
  return { ...s, fields: fields.map((f) => ({ ...f, label: FIELD_NAMES[f.name] })) };
}

/** Fields whose values have a fixed length: narrower than it, every row would fail. */
const MIN_WIDTH: Partial<Record<RegistrationField, number>> = { ZSBH: 18, SFZH: 18, YXDM: 5 };

export async function updateProfile(db: Kysely<DB>, actor: Actor, body: {
  school_code?: string; school_type?: string; school_name?: string; president?: string; widths?: { name: RegistrationField; width: number }[];
}): Promise<RegistrationProfile> {
  requireRole(actor, HQ, '修改导出方案');
  const before = await getProfile(db);
  const types = new Map(before.fields.map((f) => [f.name, f.type]));
  for (const w of body.widths ?? []) {
    if (types.get(w.name) === 'D' && w.width !== 8) throw registrationErrors.dateWidth(w.name);
    const min = MIN_WIDTH[w.name];
    if (min && w.width < min) throw registrationErrors.profileTooNarrow(w.name, w.width, min);
  }
  await db.transaction().execute(async (trx) => {
    const set = { school_code: body.school_code, school_type: body.school_type, school_name: body.school_name, president: body.president };
    if (Object.values(set).some((v) => v !== undefined)) {
      await trx.updateTable('registration_setting').set({ ...set, updated_by: actor.id, updated_at: new Date() }).where('id', '=', 1).execute();
    }
    for (const w of body.widths ?? []) {
      await trx.updateTable('registration_profile').set({ width: w.width, updated_by: actor.id, updated_at: new Date() }).where('name', '=', w.name).execute();
    }
    await recordOperation(trx, actor, [{ action: '修改注册导出方案', objectType: 'registration_profile', objectId: 'profile', nodePath: actor.nodePath, before, after: body }]);
  });
  return getProfile(db);
}

// ---------------------------------------------------------------- checking a record

interface Context {
  settings: Awaited<ReturnType<typeof q.settings>>;
  fields: (DbfField & { name: RegistrationField })[];
}

/** A 学信网 field's value for a graduate (dates as YYYY-MM-DD; the DBF writer makes them YYYYMMDD). */
function valuesOf(r: q.BuildRow, s: Context['settings']): Record<RegistrationField, string | null> {
  const birth = /^\d{6}(\d{4})(\d{2})(\d{2})\d{3}[\dX]$/i.exec(r.id_number ?? '');
  return {
    // 国家开放大学 admits by registration, without a 高考 考生号: the 学号 stands in for it.
    KSH: r.student_no, XH: r.student_no, XM: r.name, XB: r.gender,
    CSRQ: birth ? `${birth[1]}-${birth[2]}-${birth[3]}` : null,
    SFZH: r.id_number, ZZMM: r.political_status, MZ: r.ethnicity,
    YXDM: s.school_code, YXMC: s.school_name, ZYDM: r.major_code, ZYMC: r.major, CC: r.level,
    XZ: r.min_years == null ? null : String(Number(r.min_years)), XXXS: STUDY_MODE,
    RXRQ: r.entry_date, BYRQ: r.graduation_date, BJYJL: r.graduation_conclusion ?? '毕业',
    ZSBH: r.certificate_no, XZM: s.president, BZ: null,
    FY: r.branch_name, XSH: r.tp_name, BH: r.class_name,
  };
}

/** Fields a record cannot go without (BZ, FY, XSH, BH may be blank; ZSBH is given by the build). */
const REQUIRED: RegistrationField[] = ['KSH', 'XH', 'XM', 'XB', 'CSRQ', 'SFZH', 'ZZMM', 'MZ', 'YXDM', 'YXMC', 'ZYDM', 'ZYMC', 'CC', 'XZ', 'XXXS', 'RXRQ', 'BYRQ', 'BJYJL', 'XZM'];

function missingMessage(field: RegistrationField, r: q.BuildRow): string {
  const label = `${FIELD_NAMES[field]}（${field}）`;
  if (['MZ', 'ZZMM', 'XB', 'XM', 'SFZH'].includes(field)) return `${label}缺失：请在学籍卡中补全${FIELD_NAMES[field]}后重新生成注册数据`;
  if (field === 'CSRQ') return `${label}无法从身份证号得出：请核对学籍卡中的身份证号后重新生成注册数据`;
  if (field === 'ZYDM') return `${label}缺失：请总部在 学历注册 → 专业设置 中填写${r.level}“${r.major}”的专业代码后重新生成注册数据`;
  if (['XZM', 'YXDM', 'YXMC'].includes(field)) return `${label}缺失：请总部在 学历注册 → 导出方案 中填写后重新生成注册数据`;
  return `${label}缺失：请补全后重新生成注册数据`;
}

/** Every problem of one record: missing, too wide for its profile width in GBK bytes, or not GBK at all. */
export function checkRecord(r: q.BuildRow, ctx: Context, v = valuesOf(r, ctx.settings)): { field: RegistrationField; message: string }[] {
  const out: { field: RegistrationField; message: string }[] = [];
  for (const f of ctx.fields) {
    const value = v[f.name];
    if (value == null || value === '') {
      if (REQUIRED.includes(f.name)) out.push({ field: f.name, message: missingMessage(f.name, r) });
      continue;
    }
    if (f.type !== 'C') continue;
    const p = gbkProblem(value, f.width);
    if (!p) continue;
    const name = FIELD_NAMES[f.name];
    out.push({
      field: f.name,
      message: p.kind === 'unencodable'
        ? `${name}含 GBK 无法表示的字：${p.chars.join('')}，请按学信网生僻字流程处理`
        : `${name}（${f.name}）“${value}”为 ${p.bytes} 字节，超过导出方案的宽度 ${p.width} 字节：请核对${name}，或由总部在导出方案中加宽 ${f.name}`,
    });
  }
  return out;
}

function recordOf(r: q.BuildRow, ctx: Context, v = valuesOf(r, ctx.settings)): DbfValue[] {
  return ctx.fields.map((f) => v[f.name]);
}

/** The Excel cell of a value: dates as YYYYMMDD like the DBF, everything as text (codes keep their zeros). */
const cellOf = (f: DbfField, v: DbfValue) => (v == null ? '' : f.type === 'D' ? String(v).replaceAll('-', '') : String(v));

// ---------------------------------------------------------------- numbering

/**
 * Gives certificate numbers (证书编号, 18 digits: school code 5 + 办学类型 1 + year 4 + 层次 2 + serial 6) to the
 * batch's 待注册 graduates without one — for a build, only those without a row error in its file. Set-based: per
 * 层次 one statement reserves the range on the (year, 层次) serial under its row lock and numbers in graduate order,
 * so two workers numbering at once (two batches of one year) never share a number; the unique index holds it too.
 */
export async function assignCertificateNumbers(db: Kysely<DB>, o: { batch: string; round?: number; exceptErrorsOf?: number; actorId?: number | null }): Promise<number> {
  const b = await mustBatch(db, o.batch);
  if (!b.issue_date) throw registrationErrors.noIssueDate(o.batch);
  const year = Number(b.issue_date.slice(0, 4));
  const s = await q.settings(db);
  return db.transaction().execute(async (trx) => {
    let numbered = 0;
    for (const level of ['本科', '专科'] as const) {
      const levelCode = LEVEL_CODES[level];
      const n = await q.numberLevel(trx, {
        batch: o.batch, round: o.round, level, levelCode, year, prefix: `${s.school_code}${s.school_type}${year}${levelCode}`,
        exceptErrorsOf: o.exceptErrorsOf, actorId: o.actorId ?? null,
      });
      if (n === null) {
        const left = await q.serialRoom(trx, year, levelCode);
        const { k } = await q.candidates(trx, o.batch, o.round).where('s.level', '=', level).where('e.certificate_no', 'is', null)
          .select((eb) => eb.fn.countAll<number>().as('k')).executeTakeFirstOrThrow();
        throw registrationErrors.serialOverflow(year, level, Number(k), left);
      }
      numbered += n;
    }
    return numbered;
  });
}

// ---------------------------------------------------------------- the build

export interface BuildResult {
  fileId: number;
  fileName: string;
  /** Paths of the files written in `dir`. */
  dbf: string;
  xlsx: string | null;
  written: number;
  errors: number;
  numbered: number;
  /** Seconds spent in each part (the benchmark reports them). */
  timings: { check: number; number: number; dbf: number; xlsx: number };
}

const seconds = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;

/** Whether the database is PGlite (one in-process session) rather than a PostgreSQL server: asked once per handle. */
const pgliteOf = new WeakMap<Kysely<DB>, Promise<boolean>>();
function isPglite(db: Kysely<DB>): Promise<boolean> {
  let p = pgliteOf.get(db);
  if (!p) {
    p = sql<{ v: string }>`select version() as v`.execute(db).then((r) => /emcc|emscripten/i.test(r.rows[0].v));
    pgliteOf.set(db, p);
  }
  return p;
}

let cursorSeq = 0;

/**
 * The build's one read: the candidates in graduate order through a server-side cursor, fetched `pageSize` rows
 * at a time (memory stays flat whatever the batch), with the count of unnumbered candidates per 层次 taken from
 * the same snapshot. On PostgreSQL a plain cursor in a REPEATABLE READ transaction on one reserved connection
 * (other work — progress, row errors — goes through the pool meanwhile). PGlite is one session behind a lock: a
 * transaction there would hold the lock and stop the job's progress reports, so it gets a WITH HOLD cursor,
 * materialised by PGlite at its commit and fetched between other statements.
 */
async function withCandidates<T>(db: Kysely<DB>, batch: string, round: number | undefined,
  body: (need: Map<string, number>, pages: () => AsyncGenerator<q.BuildRow[]>) => Promise<T>): Promise<T> {
  const name = sql.raw(`registration_build_${process.pid}_${++cursorSeq}`);
  const pages = (conn: Kysely<DB>) => async function* () {
    for (;;) {
      const { rows } = await sql<q.BuildRow>`fetch ${sql.raw(String(buildSettings.pageSize))} from ${name}`.execute(conn);
      if (rows.length === 0) return;
      yield rows;
      if (rows.length < buildSettings.pageSize) return;
    }
  };
  if (await isPglite(db)) {
    const need = await db.transaction().execute(async (trx) => {
      const n = await q.unnumbered(trx, batch, round);
      await sql`set local cursor_tuple_fraction = 1`.execute(trx);
      await sql`declare ${name} no scroll cursor with hold for ${q.buildSelect(trx, batch, round)}`.execute(trx);
      return n;
    });
    try {
      return await body(need, pages(db));
    } finally {
      await sql`close ${name}`.execute(db).catch(() => undefined);
    }
  }
  return db.connection().execute(async (conn) => {
    await sql`begin isolation level repeatable read read only`.execute(conn);
    try {
      const need = await q.unnumbered(conn, batch, round);
      // Every row will be read: plan for the whole result, not for the first tenth (the cursor default).
      await sql`set local cursor_tuple_fraction = 1`.execute(conn);
      await sql`declare ${name} no scroll cursor for ${q.buildSelect(conn, batch, round)}`.execute(conn);
      const out = await body(need, pages(conn));
      await sql`commit`.execute(conn);
      return out;
    } catch (e) {
      await sql`rollback`.execute(conn).catch(() => undefined);
      throw e;
    }
  });
}

/** The Excel twin of the DBF, written a row at a time beside it: the field names as the header row, every value
 *  as text (exceljs's streaming writer, no shared strings, no styles). */
function xlsxWriter(file: string, fields: DbfField[]) {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: false, useStyles: false });
  const ws = wb.addWorksheet('注册数据');
  ws.addRow(fields.map((f) => f.name)).commit();
  let n = 0;
  return {
    add(row: DbfValue[]) {
      ws.addRow(row.map((v, i) => cellOf(fields[i], v))).commit();
      n++;
    },
    /** exceljs pushes rows into the zip without waiting for it: wait here (once per page) until the zip's input has
     *  drained, or its buffers grow with the batch. */
    async drain() {
      const pipes = (ws as unknown as { stream?: { pipes?: NodeJS.WritableStream[] } }).stream?.pipes ?? [];
      for (const pipe of pipes) {
        const w = pipe as NodeJS.WritableStream & { writableNeedDrain?: boolean };
        if (w.writableNeedDrain) await new Promise((resolve) => w.once('drain', resolve));
      }
    },
    async finish() {
      ws.commit();
      await wb.commit();
      return n;
    },
  };
}

/** The Excel twin of the DBF from rows: the same field names as the header row and the same values, all as text. */
export async function writeXlsx(file: string, fields: DbfField[], rows: AsyncIterable<DbfValue[]>): Promise<number> {
  const w = xlsxWriter(file, fields);
  for await (const row of rows) w.add(row);
  return w.finish();
}

class BuildChanged extends Error {}

/**
 * 生成注册数据 without HTTP (the job and the benchmark call it), in one read of the candidates (every 待注册
 * graduate of the batch, or of one round):
 * 1. serials are reserved per 层次 for the candidates without a number (one statement each, the serial row locked
 *    only for it: two builds or numberings of one year never share a number);
 * 2. each record is checked as it streams past; one with a row error is kept with the file (not written, stays
 *    待注册, gets no number); the others get base + their rank in graduate order within their 层次 and go to the
 *    DBF (dBASE III, GBK, widths from the export profile) and to the Excel file at once;
 * 3. one statement marks exactly those 已生成 in this file and stores their numbers (it numbers by the same rule
 *    and its count and checksum must match the files, else nothing is kept), and the unused tail of each
 *    reservation (the row errors') is given back if nobody reserved after it — so numbers stay consecutive.
 * `formats` lets the benchmark time the DBF path alone.
 */
export async function buildRegistrationFiles(db: Kysely<DB>, actor: Actor, p: { batch: string; round?: number },
  o: { dir: string; progress?: (done: number, total: number) => Promise<boolean> | boolean; taskId?: string; formats?: ('dbf' | 'xlsx')[] }): Promise<BuildResult | null> {
  requireRole(actor, HQ, '生成注册数据');
  const b = await mustBatch(db, p.batch);
  const [settings, profile] = await Promise.all([q.settings(db), q.profile(db)]);
  const ctx: Context = { settings, fields: profile.map((f) => ({ name: f.name, type: f.type, width: f.width })) };
  const formats = o.formats ?? ['dbf', 'xlsx'];
  const { total } = await q.candidates(db, p.batch, p.round).select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
  const progress = async (done: number) => (o.progress ? o.progress(done, Number(total)) : true);

  // A job delivered twice finds its file row and starts that file over (its errors too).
  let file = o.taskId ? await db.selectFrom('registration_file').select(['id']).where('task_id', '=', o.taskId).executeTakeFirst() : undefined;
  if (file) await db.deleteFrom('registration_error').where('file_id', '=', file.id).execute();
  else {
    file = await db.insertInto('registration_file').values({
      batch_code: p.batch, round_id: p.round ?? null, file_name: '', task_id: o.taskId ?? null, created_by: actor.id,
    }).returning('id').executeTakeFirstOrThrow();
  }
  const fileId = file.id;
  const fileName = `${settings.school_code}_${p.batch}_${fileId}`;
  fs.mkdirSync(o.dir, { recursive: true });
  const dbf = path.join(o.dir, `${fileName}.dbf`);
  const xlsx = formats.includes('xlsx') ? path.join(o.dir, `${fileName}.xlsx`) : null;
  const timings = { check: 0, number: 0, dbf: 0, xlsx: 0 };

  // Per 层次: the reservation (base, how many) and how many this build used.
  const levels = new Map<string, { code: string; prefix: string; year: number; base: number; need: number; used: number }>();
  const giveBack = async (all: boolean) => {
    for (const l of levels.values()) await q.returnSerials(db, l.year, l.code, l.base + l.need, all ? l.base : l.base + l.used).catch(() => undefined);
  };
  let committed = false;
  try {
    const out = await withCandidates(db, p.batch, p.round, async (need, pages) => {
      // 1. Reserve serials.
      let t = process.hrtime.bigint();
      const toNumber = [...need.values()].reduce((a, n) => a + n, 0);
      if (toNumber > 0 && !b.issue_date) throw registrationErrors.noIssueDate(p.batch);
      const year = Number(b.issue_date?.slice(0, 4));
      for (const [level, k] of need) {
        const code = LEVEL_CODES[level as keyof typeof LEVEL_CODES];
        if (!code || k === 0) continue;
        const base = await q.reserveSerials(db, year, code, k);
        if (base === null) throw registrationErrors.serialOverflow(year, level as '本科' | '专科', k, await q.serialRoom(db, year, code));
        levels.set(level, { code, prefix: `${settings.school_code}${settings.school_type}${year}${code}`, year, base, need: k, used: 0 });
      }
      timings.number += seconds(t);

      // 2. One read: check, number, write both files.
      t = process.hrtime.bigint();
      const excel = xlsx ? xlsxWriter(xlsx, ctx.fields) : null;
      let done = 0;
      let errorCount = 0;
      let written = 0;
      let idSum = 0;
      let check = 0;
      let numbered = 0;
      let cancelled = false;
      const errs: Insertable<DB['registration_error']>[] = [];
      const flushErrors = async () => {
        for (let i = 0; i < errs.length; i += 2000) await db.insertInto('registration_error').values(errs.slice(i, i + 2000)).execute();
        errs.length = 0;
      };
      const records = async function* () {
        for await (const page of pages()) {
          for (const r of page) {
            let c = process.hrtime.bigint();
            const values = valuesOf(r, ctx.settings);
            const problems = checkRecord(r, ctx, values);
            timings.check += seconds(c);
            if (problems.length) {
              for (const e of problems) errs.push({ file_id: fileId, graduate_id: r.id, node_path: r.node_path, field: e.field, message: e.message });
              errorCount++;
              continue;
            }
            if (r.certificate_no == null) {
              const l = levels.get(r.level ?? '');
              if (l) {
                // The same rule markWritten applies: base + rank within the 层次 in graduate order.
                if (++l.used > l.need) throw new BuildChanged();
                r.certificate_no = l.prefix + String(l.base + l.used).padStart(6, '0');
                values.ZSBH = r.certificate_no;
                numbered++;
              }
            }
            const record = recordOf(r, ctx, values);
            written++;
            idSum += r.id;
            check = (check + ((r.id * Number(r.certificate_no ? r.certificate_no.slice(-6) : 0)) % 1000000007)) % 1000000007;
            if (excel) {
              c = process.hrtime.bigint();
              excel.add(record);
              timings.xlsx += seconds(c);
            }
            yield record;
          }
          done += page.length;
          if (excel) {
            const c = process.hrtime.bigint();
            await excel.drain();
            timings.xlsx += seconds(c);
          }
          if (errs.length >= 2000) await flushErrors();
          if (!(await progress(done))) {
            cancelled = true;
            return;
          }
        }
      };
      await writeDbf(dbf, ctx.fields, records());
      await flushErrors();
      if (excel) {
        const c = process.hrtime.bigint();
        await excel.finish();
        timings.xlsx += seconds(c);
      }
      timings.dbf = seconds(t) - timings.check - timings.xlsx;
      return { cancelled, written, idSum, check, numbered, errorCount };
    });
    if (out.cancelled) return null;

    // 3. One statement: the written graduates are 已生成 in this file, with their numbers.
    const t = process.hrtime.bigint();
    await db.transaction().execute(async (trx) => {
      const m = await q.markWritten(trx, {
        batch: p.batch, round: p.round, fileId, actorId: actor.id,
        levels: [...levels].map(([level, l]) => ({ level, prefix: l.prefix, base: l.base })),
      });
      // The graduates changed between the read and now (one revoked, one added, one numbered elsewhere): the
      // files no longer say what the database would; nothing is kept.
      if (m.written !== out.written || m.idSum !== out.idSum || m.numbered !== out.numbered || m.check !== out.check) throw new BuildChanged();
      await trx.updateTable('registration_file').set({ file_name: `${fileName}.dbf`, written: out.written, errors: out.errorCount }).where('id', '=', fileId).execute();
      await recordOperation(trx, actor, [{
        action: '生成注册数据', objectType: 'registration_file', objectId: fileId, nodePath: actor.nodePath,
        after: { batch: p.batch, round: p.round ?? null, written: out.written, errors: out.errorCount, numbered: out.numbered },
      }]);
    });
    committed = true;
    await giveBack(false);
    timings.number += seconds(t);
    if (!formats.includes('dbf')) await fs.promises.rm(dbf, { force: true });
    return { fileId, fileName, dbf, xlsx, written: out.written, errors: out.errorCount, numbered: out.numbered, timings };
  } catch (e) {
    if (e instanceof BuildChanged) {
      throw new AppError(409, 'REGISTRATION_BUILD_CHANGED', '生成注册数据期间毕业生有变动（撤销毕业、新增或在别处编号），本次生成未保存，也未占用证书编号。请重新生成注册数据。');
    }
    throw e;
  } finally {
    if (!committed) {
      await giveBack(true);
      await Promise.all([dbf, xlsx].map((f) => f && fs.promises.rm(f, { force: true })));
    }
  }
}

/** The export-centre kind: the build as a job with progress and cancel, ending in 消息 with a zip of both files;
 *  each file is also kept for the 学历注册 page. */
const buildExport: ExportKind<{ batch: string; round?: number }> = {
  title: (p) => `生成注册数据（${p.batch}${p.round ? `，审核批次 ${p.round}` : ''}）`,
  payload: buildBody,
  async check(db, actor, p) {
    requireRole(actor, HQ, '生成注册数据');
    await mustBatch(db, p.batch);
    if (p.round !== undefined) {
      const r = await db.selectFrom('audit_round').select('id').where('id', '=', p.round).where('batch_code', '=', p.batch).executeTakeFirst();
      if (!r) throw registrationErrors.roundUnknown(p.round);
    }
    const { n } = await q.candidates(db, p.batch, p.round).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    if (Number(n) === 0) throw registrationErrors.noGraduates(p.batch);
    const running = await db.selectFrom('task').select('id').where('kind', '=', BUILD_EXPORT).where('state', 'in', ['queued', 'running'])
      .where(sql<string>`payload->>'batch'`, '=', p.batch).executeTakeFirst();
    if (running) throw registrationErrors.buildRunning(p.batch);
  },
  async produce(ctx) {
    const dir = path.join(tempDir(), `registration-${ctx.taskId}`);
    try {
      const r = await buildRegistrationFiles(ctx.db, ctx.owner, ctx.payload, { dir, taskId: ctx.taskId, progress: (d, t) => ctx.progress(d, t) });
      if (!r) return null;
      const store = fileStore();
      const keys = { dbf: crypto.randomUUID(), xlsx: crypto.randomUUID() };
      // Both files into one zip for 消息 first (the store moves the files it takes).
      await zipFiles(ctx.file, [[r.dbf, `${r.fileName}.dbf`], [r.xlsx!, `${r.fileName}.xlsx`]]);
      await store.putUpload(keys.dbf, r.dbf);
      await store.putUpload(keys.xlsx, r.xlsx!);
      await ctx.db.updateTable('registration_file').set({ dbf_key: keys.dbf, xlsx_key: keys.xlsx }).where('id', '=', r.fileId).execute();
      return {
        fileName: `注册数据_${r.fileName}.zip`, contentType: 'application/zip', count: r.written,
        notes: [`（DBF 与 Excel 各一份${r.errors ? `；${r.errors} 名毕业生有字段错误未写入，仍为待注册，请在 学历注册 页面查看并改正` : ''}）`],
      };
    } finally {
      await fs.promises.rm(dir, { recursive: true, force: true });
    }
  },
};

async function zipFiles(target: string, files: [string, string][]): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [file, name] of files) zip.addFile(file, name);
  zip.end();
  await new Promise<void>((resolve, reject) => {
    const out = fs.createWriteStream(target);
    out.on('close', () => resolve());
    out.on('error', reject);
    (zip.outputStream as Readable).on('error', reject).pipe(out);
  });
}

export function registerRegistrationJobs(jobs: Jobs): void {
  registerExport(jobs, BUILD_EXPORT, buildExport);
}

/** POST /build: through the export centre (its task, progress, cancel and 消息). */
export function startBuild(db: Kysely<DB>, jobs: Jobs, actor: Actor, body: { batch: string; round?: number }) {
  requireRole(actor, HQ, '生成注册数据');
  return startExport(db, jobs, actor, { kind: BUILD_EXPORT, ...body });
}

// ---------------------------------------------------------------- files

export async function listFiles(db: Kysely<DB>, actor: Actor, batch: string) {
  await mustBatch(db, batch);
  const [files, counts] = await Promise.all([q.files(db, batch), q.fileStateCounts(db, actor, batch)]);
  const per = new Map<number, StateCounts>();
  for (const c of counts) {
    const m = per.get(c.file_id!) ?? emptyCounts();
    m[c.state] += Number(c.n);
    per.set(c.file_id!, m);
  }
  const rows = files.map((f) => ({ ...f, batch: f.batch_code, counts: per.get(f.id) ?? emptyCounts() }));
  return { total: rows.length, rows: rows.map(({ batch_code: _b, ...r }) => r) };
}

/** A file of the batch: every office sees that it exists (its own graduates' counts and errors only). */
const mustFile = (db: Kysely<DB>, id: number) =>
  mustFind(db.selectFrom('registration_file').selectAll().where('id', '=', id).where('dbf_key', 'is not', null).executeTakeFirst(), '注册数据文件');

export async function fileErrors(db: Kysely<DB>, actor: Actor, id: number, page: { page: number; page_size: number }) {
  await mustFile(db, id);
  const base = q.errorsOf(db, actor, id);
  const [{ n }, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    base.select(['x.id', 'x.graduate_id', 's.student_no', 's.name', 'tp.code as tp_code', 'tp.name as tp_name', 'x.field', 'x.message'])
      .orderBy('x.id').limit(page.page_size).offset((page.page - 1) * page.page_size).execute(),
  ]);
  return {
    total: Number(n), page: page.page, page_size: page.page_size,
    rows: rows.map((r) => ({ ...r, id: Number(r.id), field_name: FIELD_NAMES[r.field as RegistrationField] ?? r.field })),
  };
}

/** The DBF or the Excel file of a build (headquarters): logged, since personal data leaves the system. */
export async function openDownload(db: Kysely<DB>, actor: Actor, id: number, format: 'dbf' | 'xlsx') {
  requireRole(actor, HQ, '下载注册数据');
  const f = await mustFile(db, id);
  const key = format === 'dbf' ? f.dbf_key : f.xlsx_key;
  if (!key) throw registrationErrors.fileMissing();
  let opened: { file: string; release(): Promise<void> };
  try {
    opened = await fileStore().openUpload(key);
  } catch {
    throw registrationErrors.fileMissing();
  }
  await recordOperation(db, actor, [{ action: '下载注册数据', objectType: 'registration_file', objectId: id, nodePath: actor.nodePath, after: { format } }]);
  const name = f.file_name.replace(/\.dbf$/, `.${format}`);
  return { ...opened, fileName: name, contentType: format === 'dbf' ? 'application/x-dbf' : XLSX_TYPE };
}

// ---------------------------------------------------------------- states

type Locked = Awaited<ReturnType<ReturnType<typeof q.lockable>['execute']>>[number];

async function lockSelection(trx: Kysely<DB>, actor: Actor, batch: string, sel: RegistrationSelection): Promise<{ asked: { id: number; version?: number }[] | null; rows: Locked[] }> {
  if ('items' in sel) {
    const ids = sel.items.map((i) => i.id);
    const rows = await q.lockable(q.scoped(q.base(trx, batch), actor).where('g.id', 'in', ids)).execute();
    return { asked: sel.items, rows };
  }
  if ('file_id' in sel) {
    await mustFile(trx, sel.file_id);
    return { asked: null, rows: await q.lockable(q.scoped(q.base(trx, batch), actor).where('e.file_id', '=', sel.file_id)).execute() };
  }
  if (sel.filter.batch !== batch) throw errors.badRequest('查询条件中的毕业批次与所选批次不一致，请刷新页面后重试。');
  return { asked: null, rows: await q.lockable(q.filtered(trx, actor, sel.filter)).execute() };
}

const who = (r: Locked) => ({ student_no: r.student_no, name: r.name });

/** Writes the entries of rows that passed (an entry exists once a graduate is numbered: every row here has one). */
async function setEntries(trx: Kysely<DB>, actor: Actor, ids: number[], set: {
  state: RegistrationState; reported_on?: string | null; failure_reason?: string | null; registered_at?: Date | null; file_id?: null;
}) {
  for (let i = 0; i < ids.length; i += 10_000) {
    await trx.updateTable('registration_entry').set({ ...set, version: sql`version + 1`, updated_by: actor.id, updated_at: new Date() })
      .where('graduate_id', '=', sql<number>`any(${ids.slice(i, i + 10_000)}::int[])`).execute();
  }
}

const notBuilt = { code: 'REGISTRATION_NOT_BUILT', message: '尚未生成注册数据（待注册）：请先生成注册数据' };

/** 标记已上报: 已生成 → 已上报 with the date it was sent to 学信网. */
export async function report(db: Kysely<DB>, actor: Actor, body: { batch: string; selection: RegistrationSelection; reported_on: string }): Promise<BulkResult> {
  requireRole(actor, HQ, '标记已上报');
  if (body.reported_on > today()) throw errors.validation(`上报日期 ${body.reported_on} 晚于今天，请填写实际上报学信网的日期。`);
  return db.transaction().execute(async (trx) => {
    const { asked, rows } = await lockSelection(trx, actor, body.batch, body.selection);
    return runBulk(trx, actor, {
      asked, rows, who,
      notFound: '该学生不是本批次的毕业生，或不在您的管理范围内',
      unchanged: (r) => r.state === '已上报' && r.reported_on === body.reported_on,
      version: (r) => Number(r.version),
      check: (r) => (r.state === '待注册' ? notBuilt
        : r.state === '已注册' || r.state === '注册失败' ? { code: 'REGISTRATION_HAS_RESULT', message: `已有注册结果（${r.state}），不能再标记已上报` } : null),
      apply: (ok) => setEntries(trx, actor, ok.map((r) => r.id), { state: '已上报', reported_on: body.reported_on }),
      log: (r) => ({ action: '标记已上报', objectType: 'registration_entry', objectId: r.id, nodePath: r.node_path,
        before: { state: r.state, reported_on: r.reported_on }, after: { state: '已上报', reported_on: body.reported_on } }),
    });
  });
}

/** 设置注册结果 by hand: 已注册, or 注册失败 with 学信网's reason. */
export async function setState(db: Kysely<DB>, actor: Actor, body: { batch: string; selection: RegistrationSelection; state: ResultState; reason?: string }): Promise<BulkResult> {
  requireRole(actor, HQ, '设置注册结果');
  const reason = body.state === '注册失败' ? body.reason?.trim() ?? null : null;
  return db.transaction().execute(async (trx) => {
    const { asked, rows } = await lockSelection(trx, actor, body.batch, body.selection);
    return runBulk(trx, actor, {
      asked, rows, who,
      notFound: '该学生不是本批次的毕业生，或不在您的管理范围内',
      unchanged: (r) => r.state === body.state && (body.state === '已注册' || r.failure_reason === reason),
      version: (r) => Number(r.version),
      check: (r) => (r.state === '待注册' ? notBuilt : null),
      apply: (ok) => setEntries(trx, actor, ok.map((r) => r.id), body.state === '已注册'
        ? { state: '已注册', failure_reason: null, registered_at: new Date() }
        : { state: '注册失败', failure_reason: reason, registered_at: null }),
      log: (r) => ({ action: `设置注册结果：${body.state}`, objectType: 'registration_entry', objectId: r.id, nodePath: r.node_path,
        before: { state: r.state, failure_reason: r.failure_reason }, after: { state: body.state, failure_reason: reason } }),
    });
  });
}

/** 重新注册: a failed graduate, once corrected, goes back to 待注册 (its certificate number stays its own). */
export async function retry(db: Kysely<DB>, actor: Actor, body: { batch: string; selection: RegistrationSelection }): Promise<BulkResult> {
  requireRole(actor, HQ, '重新注册');
  return db.transaction().execute(async (trx) => {
    const { asked, rows } = await lockSelection(trx, actor, body.batch, body.selection);
    return runBulk(trx, actor, {
      asked, rows, who,
      notFound: '该学生不是本批次的毕业生，或不在您的管理范围内',
      unchanged: (r) => r.state === '待注册',
      version: (r) => Number(r.version),
      check: (r) => (r.state === '注册失败' ? null : { code: 'REGISTRATION_NOT_FAILED', message: `只有注册失败的学生可以重新注册（当前为${r.state}）` }),
      apply: (ok) => setEntries(trx, actor, ok.map((r) => r.id), { state: '待注册', reported_on: null, file_id: null }),
      log: (r) => ({ action: '重新注册', objectType: 'registration_entry', objectId: r.id, nodePath: r.node_path,
        before: { state: r.state, failure_reason: r.failure_reason, file_id: r.file_id }, after: { state: '待注册' } }),
    });
  });
}

// ---------------------------------------------------------------- 导入注册结果

const RESULT_WORDS: Record<string, ResultState> = { 已注册: '已注册', 成功: '已注册', 注册成功: '已注册', 注册失败: '注册失败', 失败: '注册失败' };
const HEADERS = { id: '身份证号', cert: '证书编号', result: '结果', reason: '原因' } as const;

interface ResultLine { rowNo: number; id: string; cert: string; result: string; reason: string }

async function readResults(content: Buffer, fileName: string): Promise<ResultLine[]> {
  if (fileProblem(content)) throw registrationErrors.notExcel(fileName);
  const lines: ResultLine[] = [];
  let cols: Record<keyof typeof HEADERS, number> | null = null;
  const text = (v: ExcelJS.CellValue): string => {
    if (v == null) return '';
    if (typeof v === 'object' && 'richText' in v) return normaliseText(v.richText.map((r) => r.text).join(''));
    if (typeof v === 'object' && 'text' in v) return normaliseText(String(v.text));
    if (typeof v === 'number') return String(v);
    return normaliseText(String(v));
  };
  try {
    // The guarded reader: a zip bomb or an oversized part is refused with its own message (XlsxRefused).
    for await (const row of worksheetRows(content)) {
      // Array.from: exceljs leaves holes for empty cells, and map would keep them.
      const values = Array.from(row.values as ExcelJS.CellValue[], text);
      if (!cols) {
        const at = (title: string) => values.findIndex((v) => v.replace(/[*＊\s]/g, '') === title);
        cols = { id: at(HEADERS.id), cert: at(HEADERS.cert), result: at(HEADERS.result), reason: at(HEADERS.reason) };
        const missing = [cols.id < 0 && cols.cert < 0 ? '身份证号 或 证书编号' : null, cols.result < 0 ? '结果' : null].filter(Boolean);
        if (missing.length) throw registrationErrors.resultsColumns(missing.join('、'));
        continue;
      }
      const get = (i: number) => (i >= 0 ? values[i] ?? '' : '');
      const line = { rowNo: row.number, id: get(cols.id).toUpperCase(), cert: get(cols.cert), result: get(cols.result), reason: get(cols.reason) };
      if (line.id || line.cert || line.result || line.reason) lines.push(line);
    }
  } catch (e) {
    if (e instanceof AppError) throw e;
    // A zip bomb, an encrypted or oversized file: the guard's own message; a damaged file is “not Excel” as before.
    if (e instanceof XlsxRefused && !e.message.startsWith('文件无法作为 Excel 打开')) throw new AppError(400, 'REGISTRATION_RESULTS_REFUSED', e.message);
    throw registrationErrors.notExcel(fileName);
  }
  if (!cols) throw registrationErrors.resultsColumns('身份证号 或 证书编号、结果');
  if (lines.length === 0) throw registrationErrors.resultsEmpty();
  return lines;
}

/**
 * 导入注册结果: each row names a graduate of the batch by 证书编号 (or 身份证号) and 学信网's result. Every row is
 * checked first; any refused row (unknown, another batch's graduate, not yet built, a result not understood, a
 * failure without its reason) and nothing is written. Otherwise all rows in one transaction.
 */
export async function importResults(db: Kysely<DB>, actor: Actor, batch: string, upload: { fileName: string; content: Buffer }): Promise<ResultsSummary> {
  requireRole(actor, HQ, '导入注册结果');
  await mustBatch(db, batch);
  const lines = await readResults(upload.content, upload.fileName);
  const errs: ResultsSummary['errors'] = [];
  const summary = { rows: lines.length, registered: 0, failed: 0, unchanged: 0 };
  return db.transaction().execute(async (trx) => {
    // Who each row names, looked up a slice at a time among every graduate (to tell another batch's from unknown).
    const found = new Map<string, { graduate_id: number | null; batch: string | null; state: RegistrationState | null; failure_reason: string | null; node_path: string | null }>();
    for (let i = 0; i < lines.length; i += 1000) {
      const slice = lines.slice(i, i + 1000);
      const ids = slice.map((l) => l.id).filter(Boolean);
      const certs = slice.map((l) => l.cert).filter(Boolean);
      const rows = await trx.selectFrom('student as s')
        .leftJoin('graduate as g', (j) => j.onRef('g.student_id', '=', 's.id').onRef('g.batch_code', '=', 's.graduation_batch'))
        .leftJoin('registration_entry as e', 'e.graduate_id', 'g.id')
        .select(['s.id_number', 'e.certificate_no', 's.graduation_batch', 's.status', 'g.id as graduate_id', 'e.state', 'e.failure_reason', 'g.node_path'])
        .where('s.id_number', 'in', ids.length ? ids : [''])
        .execute();
      // A certificate number may belong to an entry of an earlier graduation: look those up by number too.
      const byCert = certs.length ? await trx.selectFrom('registration_entry').select(['certificate_no', 'batch_code', 'graduate_id', 'state', 'failure_reason', 'node_path'])
        .where('certificate_no', 'in', certs).execute() : [];
      for (const r of rows) {
        const v = { graduate_id: r.graduate_id, batch: r.status === '毕业' ? r.graduation_batch : null, state: r.graduate_id ? (r.state ?? '待注册') : null, failure_reason: r.failure_reason, node_path: r.node_path };
        found.set(`id:${r.id_number}`, v);
      }
      for (const r of byCert) {
        found.set(`cert:${r.certificate_no}`, { graduate_id: r.graduate_id, batch: r.batch_code, state: r.state, failure_reason: r.failure_reason, node_path: r.node_path });
      }
    }
    const seen = new Set<number>();
    const apply: { id: number; state: ResultState; reason: string | null; before: RegistrationState; node_path: string }[] = [];
    for (const l of lines) {
      const value = l.cert || l.id;
      const what = l.cert ? `证书编号 ${l.cert}` : `身份证号 ${l.id}`;
      const bad = (message: string) => errs.push({ row_no: l.rowNo, value, message: `第 ${l.rowNo} 行：${message}` });
      const g = found.get(l.cert ? `cert:${l.cert}` : `id:${l.id}`);
      const result = RESULT_WORDS[l.result.replace(/\s/g, '')];
      if (!g || g.graduate_id == null || g.batch == null) { bad(`${what} 不是本系统中的毕业生，请核对后重新上传`); continue; }
      if (g.batch !== batch) { bad(`${what} 是毕业批次 ${g.batch} 的毕业生，不属于本批次 ${batch}：请在对应批次导入`); continue; }
      if (!result) { bad(`结果“${l.result}”无法识别：应为 已注册 或 注册失败（也可写 成功 或 失败）`); continue; }
      if (result === '注册失败' && !l.reason) { bad(`${what} 注册失败，须在“原因”列填写学信网给出的原因`); continue; }
      if (g.state === '待注册' || g.state == null) { bad(`${what} 尚未生成注册数据（待注册），不能导入注册结果`); continue; }
      if (seen.has(g.graduate_id)) { bad(`${what} 在文件中出现了两次，请删除重复的行`); continue; }
      seen.add(g.graduate_id);
      const reason = result === '注册失败' ? l.reason : null;
      if (g.state === result && (result === '已注册' || g.failure_reason === reason)) { summary.unchanged++; continue; }
      apply.push({ id: g.graduate_id, state: result, reason, before: g.state, node_path: g.node_path ?? actor.nodePath });
    }
    if (errs.length) return { ...summary, registered: 0, failed: 0, unchanged: 0, errors: errs, applied: false };
    const ok = apply.filter((a) => a.state === '已注册');
    await setEntries(trx, actor, ok.map((a) => a.id), { state: '已注册', failure_reason: null, registered_at: new Date() });
    for (const a of apply.filter((x) => x.state === '注册失败')) {
      await trx.updateTable('registration_entry').set({ state: '注册失败', failure_reason: a.reason, registered_at: null, version: sql`version + 1`, updated_by: actor.id, updated_at: new Date() })
        .where('graduate_id', '=', a.id).execute();
    }
    await recordOperation(trx, actor, apply.map((a) => ({
      action: `导入注册结果：${a.state}`, objectType: 'registration_entry', objectId: a.id, nodePath: a.node_path,
      before: { state: a.before }, after: { state: a.state, failure_reason: a.reason, file: upload.fileName },
    })));
    summary.registered = ok.length;
    summary.failed = apply.length - ok.length;
    return { ...summary, errors: [], applied: true };
  });
}

// ---------------------------------------------------------------- partner seals and 专业代码

export async function partnerSeals(db: Kysely<DB>) {
  return q.programmes(db);
}

export async function updatePartnerSeal(db: Kysely<DB>, actor: Actor, id: number, body: { partner_seal: string | null; major_code?: string | null }) {
  requireRole(actor, HQ, '设置合作高校盖章');
  return db.transaction().execute(async (trx) => {
    const before = await mustFind(trx.selectFrom('programme').select(['id', 'partner_seal', 'major_code']).where('id', '=', id).forUpdate().executeTakeFirst(), '专业');
    const set = { partner_seal: body.partner_seal, ...(body.major_code !== undefined ? { major_code: body.major_code } : {}) };
    await trx.updateTable('programme').set(set).where('id', '=', id).execute();
    await recordOperation(trx, actor, [{ action: '设置合作高校盖章', objectType: 'programme', objectId: id, nodePath: actor.nodePath,
      before: { partner_seal: before.partner_seal, major_code: before.major_code }, after: set }]);
    const r = (await q.programmes(trx)).find((p) => p.programme_id === id)!;
    return r;
  });
}

// ---------------------------------------------------------------- public query date (seed 003 四.7)

/** Registered (or being registered) graduates without a 毕业证照片: not publicly queryable on 学信网 until it arrives. */
export async function photoMissing(db: Kysely<DB>, actor: Actor, f: { batch: string; tp_code?: string; page: number; page_size: number }) {
  const b = await mustBatch(db, f.batch);
  let base = q.scoped(q.base(db, f.batch), actor)
    .where('e.state', 'in', REGISTRATION_STATES.filter((s) => s !== '待注册' && s !== '注册失败'))
    .where(sql<boolean>`not ${hasGraduationPhoto('s.id')}`);
  if (f.tp_code) base = base.where('tp.code', '=', f.tp_code);
  const [{ n }, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    base.select(['g.id', 's.id as student_id', 's.student_no', 's.name', 's.level', 's.major', 'tp.code as tp_code', 'tp.name as tp_name', 'e.certificate_no', q.stateOf.as('state')])
      .orderBy('tp.code').orderBy('s.student_no').limit(f.page_size).offset((f.page - 1) * f.page_size).execute(),
  ]);
  return {
    total: Number(n), page: f.page, page_size: f.page_size, public_from: b.issue_date,
    rows: rows.map((r) => ({ ...r, message: PHOTO_MISSING_MESSAGE })),
  };
}
