/** The errors of 到校提交毕业审核材料 (seed 000 step 七). */
import { AppError } from '../platform/errors.ts';

export const materialErrors = {
  /** Above a teaching point, the printed 未办理毕业学生统计表 needs the teaching point it is for. */
  statementNeedsTp: () => new AppError(400, 'NOT_GRADUATING_TP_REQUIRED', '请选择函授站代码：未办理毕业学生统计表按教学点打印、盖章。'),
};
