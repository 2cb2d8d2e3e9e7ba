/** 工作日历 (系统管理 → 工作日历): the statutory working-day calendar that every working-day deadline counts
 *  in, and headquarters' entries to it. The contract between server and web. */
import { z } from 'zod';
import { defineRoutes } from '../contract.ts';
import { HQ, STAFF } from '../org.ts';

/** What headquarters enters for a date: 放假 (a holiday) or 调休上班 (a make-up working day). */
export const CALENDAR_DAY_KINDS = ['holiday', 'workday'] as const;
export type CalendarDayKind = (typeof CALENDAR_DAY_KINDS)[number];
export const DAY_KIND_NAMES: Record<CalendarDayKind, string> = { holiday: '放假', workday: '调休上班' };

/** Where a date's arrangement comes from: the State Council's notice (the pinned package) or headquarters. */
export const CALENDAR_SOURCES = ['国务院通知', '总部录入'] as const;
export type CalendarSource = (typeof CALENDAR_SOURCES)[number];

/** Whether a year's arrangement is known: 已录入 (the package covers it, or headquarters entered it) or 未录入. */
export const YEAR_STATUSES = ['已录入', '未录入'] as const;
export type YearStatus = (typeof YEAR_STATUSES)[number];

export const MIN_YEAR = 2000;
export const MAX_YEAR = 2100;

/** A real date, YYYY-MM-DD, within the years the calendar holds. */
export function isCalendarDate(day: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return false;
  const year = Number(m[1]);
  if (year < MIN_YEAR || year > MAX_YEAR) return false;
  const d = new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === day;
}

export const calendarDate = z.string('请填写日期，格式为 YYYY-MM-DD，如 2027-02-08')
  .refine(isCalendarDate, `日期无效：请填写 ${MIN_YEAR} 至 ${MAX_YEAR} 年间实际存在的日期，格式为 YYYY-MM-DD，如 2027-02-08`);

export const calendarYearParam = z.object({
  year: z.coerce.number(`年份应为 ${MIN_YEAR} 至 ${MAX_YEAR} 之间的四位数字，如 2027`)
    .int(`年份应为 ${MIN_YEAR} 至 ${MAX_YEAR} 之间的四位数字，如 2027`)
    .min(MIN_YEAR, `年份应为 ${MIN_YEAR} 至 ${MAX_YEAR} 之间的四位数字，如 2027`)
    .max(MAX_YEAR, `年份应为 ${MIN_YEAR} 至 ${MAX_YEAR} 之间的四位数字，如 2027`),
});
export const calendarDayParam = z.object({ day: calendarDate });

export const calendarDayKind = z.enum(CALENDAR_DAY_KINDS, '类型应为 holiday（放假）或 workday（调休上班）');

/** One date of a year's arrangement, as the calendar decides it. */
export const calendarDaySchema = z.object({
  day: z.string(),
  /** 星期一 … 星期日. */
  weekday: z.string(),
  kind: calendarDayKind,
  /** The holiday's name: 春节, 国庆节, or what headquarters wrote. */
  name: z.string(),
  source: z.enum(CALENDAR_SOURCES),
  note: z.string().nullable(),
  /** For headquarters' entry on a date the notice also names: what the notice said (the entry wins). */
  replaces: z.object({ kind: calendarDayKind, name: z.string() }).nullable(),
  /** Headquarters' entry: who entered it, and when. */
  entered_by: z.string().nullable(),
  entered_at: z.string().nullable(),
});
export type CalendarDay = z.infer<typeof calendarDaySchema>;

/** A year of the calendar: whether its arrangement is known, and its holidays and make-up working days. */
export const calendarYearSchema = z.object({
  year: z.number(),
  status: z.enum(YEAR_STATUSES),
  /** The pinned package has the State Council's notice of this year. */
  in_package: z.boolean(),
  /** Headquarters marked this year's notice entered. */
  entered: z.object({ at: z.string(), by: z.string().nullable(), note: z.string().nullable() }).nullable(),
  /** What the page says about the status, in words. */
  status_text: z.string(),
  days: z.array(calendarDaySchema),
  /** The years headquarters marked entered, and the years the package covers: for the year picker. */
  entered_years: z.array(z.number()),
  source: z.object({ package: z.string(), version: z.string(), first_year: z.number(), last_year: z.number() }),
});
export type CalendarYear = z.infer<typeof calendarYearSchema>;

const MAX_SPAN = 31;

export const addDaysBody = z.object({
  /** The date, or the first date of a span. */
  day: calendarDate,
  /** The last date of a span (inclusive): a whole holiday at once, e.g. 春节 02-06 至 02-12. */
  until: calendarDate.nullish(),
  kind: calendarDayKind,
  name: z.string('请填写名称，如“春节”或“春节调休上班”').trim().min(1, '请填写名称，如“春节”或“春节调休上班”').max(40, '名称最多 40 个字'),
  note: z.string().trim().max(200, '备注最多 200 个字').nullish(),
}).refine((b) => !b.until || b.until >= b.day, { message: '结束日期不能早于开始日期', path: ['until'] })
  .refine((b) => !b.until || (Date.parse(b.until) - Date.parse(b.day)) / 86_400_000 < MAX_SPAN,
    { message: `一次最多录入 ${MAX_SPAN} 天，请分几次录入`, path: ['until'] });
export type AddDays = z.infer<typeof addDaysBody>;

export const markEnteredBody = z.object({
  /** E.g. the notice's number: 国办发明电〔2026〕X号. */
  note: z.string().trim().max(200, '备注最多 200 个字').nullish(),
});

export const calendarApi = defineRoutes(['工作日历'], {
  year: {
    method: 'GET', path: '/api/calendar/years/:year', access: STAFF,
    summary: '某年的节假日安排：是否已录入，放假日期和调休上班日期（国务院通知与总部录入）',
    params: calendarYearParam, response: calendarYearSchema,
  },
  addDays: {
    method: 'POST', path: '/api/calendar/days', access: HQ,
    summary: '录入放假日期或调休上班日期（总部；已有总部录入的日期被替换）',
    body: addDaysBody, response: calendarYearSchema,
  },
  removeDay: {
    method: 'DELETE', path: '/api/calendar/days/:day', access: HQ,
    summary: '删除总部录入的某日安排（该日回到国务院通知或周末规则）',
    params: calendarDayParam, response: calendarYearSchema,
  },
  markEntered: {
    method: 'PUT', path: '/api/calendar/years/:year/entered', access: HQ,
    summary: '标记某年的节假日安排已录入（总部）：此后该年可计算工作日',
    params: calendarYearParam, body: markEnteredBody, response: calendarYearSchema,
  },
});
