/** The errors of 工作日历: each with its HTTP status, a stable code and what to do. */
import { AppError } from '../platform/errors.ts';
import { calendarYearUnknown } from '../platform/calendar.ts';

export const calendarErrors = {
  /** A deadline that needs a year whose arrangement is not known (thrown by platform/calendar.ts). */
  yearUnknown: calendarYearUnknown,
  noEntry: (day: string) =>
    new AppError(404, 'CALENDAR_DAY_NOT_FOUND',
      `${day} 没有总部录入的安排，无需删除。国务院通知中的安排不能删除；如需改动，请为该日录入放假或调休上班。`, { day }),
  alreadyWorkday: (day: string, weekday: string) =>
    new AppError(400, 'CALENDAR_ALREADY_WORKDAY',
      `${day}（${weekday}）本来就是工作日，无需录入调休上班。调休上班日应是周末或放假的日期；如要撤销总部录入的放假，请删除该日的录入。`, { day }),
  yearEmpty: (year: number) =>
    new AppError(409, 'CALENDAR_YEAR_EMPTY',
      `${year} 年尚未录入任何放假日期，不能标记为已录入。请先按国务院办公厅关于 ${year} 年部分节假日安排的通知，逐项录入放假日期和调休上班日期，再标记为已录入。`, { year }),
};
