import { AppError } from '../platform/errors.ts';

/** The errors of 学籍 and its 学生名单导出. */
export const recordErrors = {
  noStudents: () => new AppError(400, 'STUDENTS_EXPORT_EMPTY', '没有符合条件的学生，未生成导出文件。请调整查询条件后再导出。'),
  tooManyStudents: (count: number, max: number) =>
    new AppError(400, 'STUDENTS_EXPORT_TOO_LARGE', `符合条件的学生共 ${count} 人，超过单次导出上限 ${max} 人。请按教学点或学籍批次分批导出。`, { count, max }),
};
