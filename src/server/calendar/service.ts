/**
 * 工作日历 (系统管理 → 工作日历): a year's arrangement as the calendar decides it, and headquarters' entries.
 * The computations themselves (addWorkingDays, countWorkingDays, isWorkingDay) are machinery, in
 * platform/calendar.ts: every capability counts its working-day deadlines there.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../platform/tables.ts';
import type { Actor } from '../platform/auth.ts';
import { recordOperation } from '../platform/oplog.ts';
import { packageCovers, statutoryDay, statutoryDays, STATUTORY_SOURCE, weekdayOf } from '../platform/calendar.ts';
import { addDays as plusDays } from '../platform/clock.ts';
import type { AddDays, CalendarDay, CalendarYear } from '../../shared/contract/calendar.ts';
import { calendarErrors } from './errors.ts';
import * as q from './queries.ts';

export { addWorkingDays, countWorkingDays, isWorkingDay, loadCalendar } from '../platform/calendar.ts';

const iso = (d: Date | string) => (d instanceof Date ? d.toISOString() : new Date(d).toISOString());
const sourceText = `国务院办公厅通知（数据包 ${STATUTORY_SOURCE.package} ${STATUTORY_SOURCE.version}）`;

/** One year: whether its arrangement is known, and every holiday and make-up working day, each with its source. */
export async function yearView(db: Kysely<DB>, year: number): Promise<CalendarYear> {
  const [entries, entered, years] = await Promise.all([q.entriesOfYear(db, year), q.yearRow(db, year), q.enteredYears(db)]);
  const byDay = new Map<string, CalendarDay>();
  for (const s of statutoryDays(year)) {
    byDay.set(s.day, { day: s.day, weekday: weekdayOf(s.day), kind: s.kind, name: s.name, source: '国务院通知', note: null, replaces: null, entered_by: null, entered_at: null });
  }
  for (const e of entries) {
    const s = statutoryDay(e.day);
    byDay.set(e.day, {
      day: e.day, weekday: weekdayOf(e.day), kind: e.kind, name: e.name, source: '总部录入', note: e.note,
      replaces: s ? { kind: s.kind, name: s.name } : null, entered_by: e.entered_by, entered_at: iso(e.created_at),
    });
  }
  const inPackage = packageCovers(year);
  const known = inPackage || entered !== undefined;
  const enteredText = entered ? `总部${entered.entered_by ? `（${entered.entered_by}）` : ''}于 ${iso(entered.entered_at).slice(0, 10)} 标记已录入` : '';
  const statusText = inPackage
    ? `${year} 年的节假日安排来自${sourceText}${entered ? `，${enteredText}` : ''}，可以计算工作日。`
    : entered
      ? `${year} 年的节假日安排由${enteredText}，可以计算工作日。`
      : `${year} 年节假日安排尚未录入：需要 ${year} 年日期的截止日期都无法计算。请总部按国务院办公厅关于 ${year} 年部分节假日安排的通知录入放假日期和调休上班日期，再标记为已录入。`;
  return {
    year,
    status: known ? '已录入' : '未录入',
    in_package: inPackage,
    entered: entered ? { at: iso(entered.entered_at), by: entered.entered_by, note: entered.note } : null,
    status_text: statusText,
    days: [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day)),
    entered_years: years,
    source: { package: STATUTORY_SOURCE.package, version: STATUTORY_SOURCE.version, first_year: STATUTORY_SOURCE.firstYear, last_year: STATUTORY_SOURCE.lastYear },
  };
}

/** The dates from `day` to `until` (inclusive). */
function span(day: string, until: string | null | undefined): string[] {
  const days = [day];
  while (until && days[days.length - 1] < until) days.push(plusDays(days[days.length - 1], 1));
  return days;
}

/** Headquarters enters 放假 or 调休上班 for a date or a span of dates; an entry already there is replaced. */
export async function addDays(db: Kysely<DB>, actor: Actor, input: AddDays): Promise<CalendarYear> {
  const days = span(input.day, input.until);
  const note = input.note || null;
  if (input.kind === 'workday') {
    for (const d of days) {
      const weekday = weekdayOf(d);
      const offAnyway = statutoryDay(d)?.kind === 'holiday' || weekday === '星期六' || weekday === '星期日';
      if (!offAnyway) throw calendarErrors.alreadyWorkday(d, weekday);
    }
  }
  await db.transaction().execute(async (trx) => {
    const before = new Map((await q.entriesOn(trx, days)).map((e) => [e.day, e]));
    await q.upsertEntries(trx, days.map((d) => ({ day: d, kind: input.kind, name: input.name, note, created_by: actor.id })));
    await recordOperation(trx, actor, days.map((d) => {
      const was = before.get(d);
      return {
        action: '录入工作日历', objectType: 'calendar_day', objectId: d, nodePath: actor.nodePath,
        before: was ? { kind: was.kind, name: was.name, note: was.note } : undefined,
        after: { kind: input.kind, name: input.name, note },
      };
    }));
  });
  return yearView(db, Number(input.day.slice(0, 4)));
}

/** Removes headquarters' entry for a date: the date goes back to the notice, or the weekend rule. */
export async function removeDay(db: Kysely<DB>, actor: Actor, day: string): Promise<CalendarYear> {
  await db.transaction().execute(async (trx) => {
    const gone = await q.deleteEntry(trx, day);
    if (!gone) throw calendarErrors.noEntry(day);
    await recordOperation(trx, actor, [{
      action: '删除工作日历录入', objectType: 'calendar_day', objectId: day, nodePath: actor.nodePath,
      before: { kind: gone.kind, name: gone.name, note: gone.note },
    }]);
  });
  return yearView(db, Number(day.slice(0, 4)));
}

/** Headquarters marks a year's notice entered: its dates can be counted from then on. A year the package
 *  does not cover needs its holidays entered first, so that no year becomes Monday to Friday by a click. */
export async function markEntered(db: Kysely<DB>, actor: Actor, year: number, note: string | null | undefined): Promise<CalendarYear> {
  await db.transaction().execute(async (trx) => {
    if (!packageCovers(year) && !(await q.hasHoliday(trx, year))) throw calendarErrors.yearEmpty(year);
    const before = await q.yearRow(trx, year);
    await q.upsertYear(trx, { year, entered_by: actor.id, note: note || null });
    await recordOperation(trx, actor, [{
      action: '标记节假日安排已录入', objectType: 'calendar_year', objectId: year, nodePath: actor.nodePath,
      before: before ? { note: before.note, entered_at: iso(before.entered_at) } : undefined,
      after: { note: note || null },
    }]);
  });
  return yearView(db, year);
}
