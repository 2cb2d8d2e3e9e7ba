/** The errors of 免修免考. */
import { AppError } from '../platform/errors.ts';

export const exemptionErrors = {
  courseUnknown: (code: string) => new AppError(400, 'EXEMPTION_COURSE_UNKNOWN', `课程代码 ${code} 不存在，请从课程列表中选择。`),
  notInPlan: (courseName: string) => new AppError(400, 'EXEMPTION_NOT_IN_PLAN', `课程“${courseName}”不在该生的教学计划内，无需申请免修免考。`),
  alreadyPassed: (student: string, courseName: string) =>
    new AppError(409, 'EXEMPTION_ALREADY_PASSED', `${student} 的“${courseName}”已经合格，无需申请免修免考。`),
  duplicate: (student: string, courseName: string, status: string) =>
    new AppError(409, 'EXEMPTION_DUPLICATE', `${student} 的“${courseName}”已有免修免考申请（${status}），请勿重复提交。`),
  stale: () => new AppError(409, 'EXEMPTION_STALE', '该申请已被他人处理，请刷新后查看。'),
  notYourTurn: (status: string, who: string) => new AppError(409, 'EXEMPTION_NOT_YOUR_TURN', `该申请${status}，应由${who}审核。`),
  decided: (status: string) => new AppError(409, 'EXEMPTION_DECIDED', `该申请已${status}，不能再审核。`),
};
