/**
 * The statutory working-day calendar (法定工作日): every deadline that the seeds count in working days
 * (e.g. seed 003 二.4: 学历电子注册 15 个工作日内) is computed here, and nowhere else.
 *
 * A date is a working day unless it is off:
 *   1. headquarters' entry for that date (table calendar_day, 系统管理 → 工作日历) wins: 放假 or 调休上班;
 *   2. else the State Council's notice (国务院办公厅关于某年部分节假日安排的通知, and one-off notices such as
 *      国办发明电〔2020〕1号 extending the 2020 Spring Festival to 02-02), from the pinned package
 *      `chinese-days`: a statutory holiday is off, a make-up working day (调休上班) is on;
 *   3. else Saturday and Sunday are off, Monday to Friday on.
 * The rule only holds for a year whose arrangement is known: the package covers it, or headquarters marked
 * the year's notice entered (table calendar_year). Any other year is unknown, and a computation that needs
 * one of its dates throws CALENDAR_YEAR_UNKNOWN (409) telling headquarters where to enter it — never a
 * Monday-to-Friday guess.
 *
 * Semantics, both used by every deadline:
 *   addWorkingDays(d, n)      the n-th working day after d (d itself does not count; n = 0 gives d back).
 *                             "15 working days after the publication on d" = addWorkingDays(d, 15).
 *   countWorkingDays(a, b)    the working days in (a, b]: after a, up to and including b; negative when
 *                             b < a (minus the working days in (b, a]). So countWorkingDays(d,
 *                             addWorkingDays(d, n)) = n, and "days left" = countWorkingDays(today, deadline)
 *                             (0 on the deadline itself, negative once it has passed).
 * Each call reads headquarters' entries in one query; `loadCalendar` gives one snapshot for many computations.
 */
import { createRequire } from 'node:module';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from './tables.ts';
import { AppError } from './errors.ts';

type Db = Kysely<DB> | Transaction<DB>;

export type DayKind = 'holiday' | 'workday';

/** What decides one date. `weekend` and `weekday` are the plain rule (no notice, no entry). */
export interface DayInfo {
  day: string;
  working: boolean;
  kind: DayKind | 'weekend' | 'weekday';
  /** The holiday's name (春节, 国庆节 …) for a holiday or a make-up working day. */
  name: string | null;
  source: '国务院通知' | '总部录入' | null;
}

/** The unknown year: the message names the year and where headquarters enters it. */
export const calendarYearUnknown = (year: number) =>
  new AppError(409, 'CALENDAR_YEAR_UNKNOWN',
    `${year} 年节假日安排尚未录入，无法计算截止日期。请总部在系统管理 → 工作日历中录入 ${year} 年的节假日和调休安排。`,
    { year });

// ---- the State Council's arrangements, from the pinned package ----

interface PackageData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}
const require = createRequire(import.meta.url);
const data = require('chinese-days/dist/chinese-days.json') as PackageData;
const version = (require('chinese-days/package.json') as { version: string }).version;

/** The package's short names, as the notices write them. */
const NAMES: Record<string, string> = { 清明: '清明节', 端午: '端午节', 中秋: '中秋节' };
/** "Spring Festival,春节,3" → 春节. */
const nameOf = (value: string) => {
  const zh = value.split(',')[1] ?? value;
  return NAMES[zh] ?? zh;
};

const statutory = new Map<string, { kind: DayKind; name: string }>();
for (const [day, v] of Object.entries(data.holidays)) statutory.set(day, { kind: 'holiday', name: nameOf(v) });
for (const [day, v] of Object.entries(data.workdays)) statutory.set(day, { kind: 'workday', name: nameOf(v) });

/** A year counts as covered by the package when it has that year's Spring Festival: every annual notice
 *  has one, so a stray date of a neighbouring notice (元旦 from 12-31) does not make a year known. */
const packageYears = new Set<number>();
for (const [day, v] of Object.entries(data.holidays)) if (v.includes('春节')) packageYears.add(Number(day.slice(0, 4)));
const covered = [...packageYears].sort((a, b) => a - b);

/** Where the notices come from: the page says so. */
export const STATUTORY_SOURCE = { package: 'chinese-days', version, firstYear: covered[0], lastYear: covered[covered.length - 1] };

export function packageCovers(year: number): boolean {
  return packageYears.has(year);
}

/** The notice's holidays and make-up working days of one year, by date. */
export function statutoryDays(year: number): { day: string; kind: DayKind; name: string }[] {
  const prefix = `${year}-`;
  return [...statutory].filter(([day]) => day.startsWith(prefix)).map(([day, s]) => ({ day, ...s })).sort((a, b) => a.day.localeCompare(b.day));
}

/** The notice's entry for one date, if any. */
export function statutoryDay(day: string): { kind: DayKind; name: string } | undefined {
  return statutory.get(day);
}

// ---- dates ----

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date written YYYY-MM-DD. */
export function isDate(day: string): boolean {
  const m = DAY.exec(day);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === day;
}

function mustBeDate(day: string): void {
  if (!isDate(day)) throw new Error(`calendar: not a date: ${JSON.stringify(day)}`);
}

const MS_DAY = 86_400_000;
const toMs = (day: string) => Date.parse(`${day}T00:00:00Z`);
const fromMs = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const WEEKDAYS = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'] as const;

/** 星期一 … 星期日 of a date. */
export function weekdayOf(day: string): string {
  return WEEKDAYS[new Date(toMs(day)).getUTCDay()];
}

// ---- the calendar ----

/** One snapshot of the calendar: headquarters' entries and entered years as read once. */
export interface WorkingCalendar {
  /** Whether the arrangement of this year is known (the package covers it, or headquarters entered it). */
  knows(year: number): boolean;
  /** What decides a date; throws CALENDAR_YEAR_UNKNOWN for a date of an unknown year. */
  dayInfo(day: string): DayInfo;
  isWorkingDay(day: string): boolean;
  /** The n-th working day after `from` (n ≥ 0; 0 gives `from`). */
  addWorkingDays(from: string, n: number): string;
  /** The working days in (from, to]; negative when to < from. */
  countWorkingDays(from: string, to: string): number;
}

export function makeCalendar(overrides: Iterable<[string, { kind: DayKind; name: string }]>, enteredYears: Iterable<number>): WorkingCalendar {
  const entries = new Map(overrides);
  const entered = new Set(enteredYears);
  const knows = (year: number) => packageYears.has(year) || entered.has(year);

  const infoAt = (ms: number): DayInfo => {
    const day = fromMs(ms);
    const year = Number(day.slice(0, 4));
    if (!knows(year)) throw calendarYearUnknown(year);
    const own = entries.get(day);
    if (own) return { day, working: own.kind === 'workday', kind: own.kind, name: own.name, source: '总部录入' };
    const s = statutory.get(day);
    if (s) return { day, working: s.kind === 'workday', kind: s.kind, name: s.name, source: '国务院通知' };
    const wd = new Date(ms).getUTCDay();
    const weekend = wd === 0 || wd === 6;
    return { day, working: !weekend, kind: weekend ? 'weekend' : 'weekday', name: null, source: null };
  };

  const count = (from: string, to: string): number => {
    let n = 0;
    for (let ms = toMs(from) + MS_DAY, end = toMs(to); ms <= end; ms += MS_DAY) if (infoAt(ms).working) n++;
    return n;
  };

  const dayInfo = (day: string): DayInfo => {
    mustBeDate(day);
    return infoAt(toMs(day));
  };

  return {
    knows,
    dayInfo,
    isWorkingDay: (day) => dayInfo(day).working,
    addWorkingDays(from, n) {
      mustBeDate(from);
      if (!Number.isInteger(n) || n < 0) throw new RangeError(`calendar: addWorkingDays needs a whole number of days ≥ 0, got ${n}`);
      let ms = toMs(from);
      for (let left = n; left > 0;) {
        ms += MS_DAY;
        if (infoAt(ms).working) left--;
      }
      return fromMs(ms);
    },
    countWorkingDays(from, to) {
      mustBeDate(from);
      mustBeDate(to);
      return to >= from ? count(from, to) : -count(to, from) || 0;
    },
  };
}

/**
 * Reads headquarters' entries (after `from`, up to `to` when given: the only dates a computation from
 * `from` can look at) and the entered years in one query, and answers from them.
 */
export async function loadCalendar(db: Db, range: { from?: string; to?: string } = {}): Promise<WorkingCalendar> {
  if (range.from !== undefined) mustBeDate(range.from);
  if (range.to !== undefined) mustBeDate(range.to);
  const { rows } = await sql<{ day: string | null; kind: DayKind | null; name: string | null; year: number | null }>`
    select to_char(d.day, 'YYYY-MM-DD') as day, d.kind, d.name, null::int as year from calendar_day d
     where true ${range.from !== undefined ? sql`and d.day > ${range.from}::date` : sql``}
               ${range.to !== undefined ? sql`and d.day <= ${range.to}::date` : sql``}
    union all
    select null, null, null, y.year from calendar_year y`.execute(db);
  const overrides: [string, { kind: DayKind; name: string }][] = [];
  const years: number[] = [];
  for (const r of rows) {
    if (r.year !== null) years.push(Number(r.year));
    else if (r.day && r.kind) overrides.push([r.day, { kind: r.kind, name: r.name ?? '' }]);
  }
  return makeCalendar(overrides, years);
}

/** Whether `day` is a working day. Throws CALENDAR_YEAR_UNKNOWN for a date of an unknown year. */
export async function isWorkingDay(db: Db, day: string): Promise<boolean> {
  mustBeDate(day);
  const before = fromMs(toMs(day) - MS_DAY);
  return (await loadCalendar(db, { from: before, to: day })).isWorkingDay(day);
}

/** The n-th working day after `from` (n ≥ 0; `from` itself does not count, and n = 0 gives it back).
 *  Throws CALENDAR_YEAR_UNKNOWN when the count reaches a date of an unknown year. */
export async function addWorkingDays(db: Db, from: string, n: number): Promise<string> {
  return (await loadCalendar(db, { from })).addWorkingDays(from, n);
}

/** The working days in (from, to]: after `from`, up to and including `to`; negative when to < from.
 *  Throws CALENDAR_YEAR_UNKNOWN when a date counted lies in an unknown year. */
export async function countWorkingDays(db: Db, from: string, to: string): Promise<number> {
  mustBeDate(from);
  mustBeDate(to);
  return (await loadCalendar(db, to >= from ? { from, to } : { from: to, to: from })).countWorkingDays(from, to);
}
