/** The errors of 毕业条件 and 毕业准备情况. */
import { AppError } from '../platform/errors.ts';

export const eligibilityErrors = {
  noProgramme: (major: string, level: string, cohort: string) =>
    new AppError(400, 'WHAT_IF_NO_PROGRAMME', `没有 ${major}（${level}）${cohort} 级的教学计划，无法比对。请换一个专业或入学批次。`),
};
