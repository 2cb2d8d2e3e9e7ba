/** The errors of 毕业审核: rounds, 加急, headquarters' exceptions and 学籍延期. */
import { AppError } from '../platform/errors.ts';

export const auditErrors = {
  batchClosed: (batch: string, closing: string) =>
    new AppError(409, 'BATCH_CLOSED', `毕业批次 ${batch} 的毕业审核已于 ${closing} 截止，不能再审核进该批次。请将学生安排到下一毕业批次。`),
  roundAfterClosing: (batch: string, closing: string) =>
    new AppError(400, 'ROUND_AFTER_CLOSING', `审核批次的结束日期不能晚于毕业批次 ${batch} 的截止日期 ${closing}。`),
  roundCancelled: (name: string) => new AppError(409, 'ROUND_CANCELLED', `审核批次“${name}”已取消，不能审核。`),
  roundOutOfDates: (name: string, starts: string, ends: string) =>
    new AppError(409, 'ROUND_OUT_OF_DATES', `审核批次“${name}”的审核时间为 ${starts} 至 ${ends}，当前不在审核时间内。`),
  roundPublished: (name: string) => new AppError(409, 'ROUND_PUBLISHED', `审核批次“${name}”的结果已发布，不能再修改或重新审核。`),
  roundNotAudited: (name: string) => new AppError(409, 'ROUND_NOT_AUDITED', `审核批次“${name}”尚未完成审核，不能发布结果。`),
  roundRunning: (name: string) => new AppError(409, 'ROUND_RUNNING', `审核批次“${name}”正在审核，请待审核结束后再处理。`),
  roundHasResults: (name: string) => new AppError(409, 'ROUND_HAS_RESULTS', `审核批次“${name}”已有审核结果，不能取消。`),
  urgentClosed: (deadline: string) =>
    new AppError(409, 'URGENT_CLOSED', `加急（续读本科）审核数据的上报截止日期为 ${deadline}，已截止。请联系总部。`),
  // 审核例外 (headquarters, for one student)
  substitutionIncomplete: () => new AppError(400, 'EXCEPTION_SUBSTITUTION_INCOMPLETE', '课程替代须选择被替代的必修课程和用来替代的课程。'),
  exceptionNoTarget: (rule: 'course' | 'category') =>
    new AppError(400, 'EXCEPTION_NO_TARGET', rule === 'course' ? '请选择要免除的课程。' : '请选择要免除的课程类别。'),
  exceptionNotInPlan: (course: string) =>
    new AppError(400, 'EXCEPTION_NOT_IN_PLAN', `课程 ${course} 不在该生的教学计划内，无需替代或免除。`),
  substituteUnknown: (course: string) => new AppError(400, 'EXCEPTION_SUBSTITUTE_UNKNOWN', `替代课程代码 ${course} 不存在，请检查。`),
  // 学籍延期 (seed 003 四.8)
  extensionNotLater: (validUntil: string) =>
    new AppError(400, 'EXTENSION_NOT_LATER', `延期后的有效期应晚于原有效期 ${validUntil}。`),
  extensionTooLong: (validUntil: string, limit: string) =>
    new AppError(400, 'EXTENSION_TOO_LONG', `学籍最多延长一年：有效期至 ${validUntil}，延期不能晚于 ${limit}。`),
};

/** The refusals of the 加急 bulk action (code and message, per graduate). */
export const urgentRefusals = {
  notJunior: (name: string) => ({ code: 'NOT_JUNIOR_COLLEGE', message: `${name}：只有专科毕业生可以标记为续读本科加急` }),
  alreadyPassed: (name: string) => ({ code: 'ALREADY_PASSED', message: `${name}：已通过毕业审核，无需加急` }),
};
