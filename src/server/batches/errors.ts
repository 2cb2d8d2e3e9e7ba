/** The errors of 毕业批次: each with its HTTP status, a stable code and what to do. */
import { AppError } from '../platform/errors.ts';

export const batchErrors = {
  windowEndsBeforeStart: (stepName: string) =>
    new AppError(400, 'BATCH_WINDOW_ENDS_BEFORE_START', `“${stepName}”的结束日期早于开始日期，请修改。`),
  batchExists: (code: string) =>
    new AppError(409, 'BATCH_EXISTS', `毕业批次 ${code} 已存在，请勿重复创建；如需修改时间，请在该批次中设置。`),
  extensionNotLater: (endsOn: string) =>
    new AppError(400, 'BATCH_EXTENSION_NOT_LATER', `延长后的截止日期须晚于原截止日期 ${endsOn}。`),
};
