/** The errors of 数据导入 (审核数据导入). */
import { AppError } from '../platform/errors.ts';

export const importErrors = {
  importTooLarge: (message: string) => new AppError(413, 'IMPORT_TOO_LARGE', message),
  importNoFile: () => new AppError(400, 'IMPORT_NO_FILE', '请选择要上传的 Excel 文件（.xlsx），以 multipart/form-data 的 file 字段上传。'),
  importState: (message: string) => new AppError(409, 'IMPORT_STATE', message),
  /** Not Excel at all, empty, or too large (the sheet reader's message says which). */
  importFileInvalid: (message: string) => new AppError(400, 'IMPORT_FILE_INVALID', message),
  importNoKind: () => new AppError(400, 'IMPORT_NO_KIND', '请选择导入类型（学籍数据、教学计划、期末考试成绩或综合实践环节成绩）。'),
  importNoBatch: (kindName: string) => new AppError(400, 'IMPORT_NO_BATCH', `导入${kindName}须选择毕业批次。`),
  gradesWindowClosed: (windows: string, batch: string) =>
    new AppError(409, 'GRADES_WINDOW_CLOSED',
      `综合实践环节成绩接收时间为：${windows}。当前不在接收时间内，请在接收时间内上报，或联系总部。`, { batch, windows }),
  gradesWindowNotSet: (batch: string) =>
    new AppError(409, 'GRADES_WINDOW_NOT_SET', `毕业批次 ${batch} 尚未设置综合实践环节成绩的接收时间，请联系总部设置审核批次及接收时间。`),
};
