/** The errors of 预毕业确认. */
import { AppError } from '../platform/errors.ts';

export const confirmationErrors = {
  /** “当前查询的全部学生” over a query that finds nobody. */
  emptyQuery: () => new AppError(400, 'CONFIRM_EMPTY_QUERY', '当前查询条件下没有学生，请调整条件后重新查询。'),
};
