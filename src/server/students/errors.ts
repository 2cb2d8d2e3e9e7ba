/** The errors of a student's graduation (毕业, 撤销毕业). */
import { AppError } from '../platform/errors.ts';

export const studentErrors = {
  notGraduated: (name: string, status: string) =>
    new AppError(409, 'NOT_GRADUATED', `学生“${name}”的学籍状态为“${status}”，不是“毕业”，无需撤销毕业。请核对学生后再操作。`),
  noGraduationBatch: (name: string) =>
    new AppError(409, 'GRADUATION_NOT_PUBLISHED',
      `学生“${name}”的“毕业”状态不是由毕业审核结果发布产生的（没有毕业批次），不能在此撤销。请通过学籍异动处理。`),
};
