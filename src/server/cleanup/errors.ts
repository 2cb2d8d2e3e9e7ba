/** The errors of 学籍清理: each with its HTTP status, a stable code and what to do. */
import { AppError } from '../platform/errors.ts';
import type { Refuse } from '../platform/bulk.ts';

export const cleanupErrors = {
  listClosed: (deadline: string) =>
    new AppError(409, 'CLEANUP_LIST_CLOSED',
      `学籍延期名单已于 ${deadline} 截止上报，不能再提交延期申请。如确需延期，请联系总部。`, { list_deadline: deadline }),
  campaignDone: (ranAt: string) =>
    new AppError(409, 'CLEANUP_DONE', `本次学籍清理已于 ${ranAt} 执行完毕，不能再修改、上报或审批。`, { ran_at: ranAt }),
  tooEarly: (cleanupOn: string) =>
    new AppError(409, 'CLEANUP_TOO_EARLY', `清理日期为 ${cleanupOn}，当天或之后才能执行学籍清理。请到期后再执行。`, { cleanup_on: cleanupOn }),
  alreadyRun: (when: string) =>
    new AppError(409, 'CLEANUP_ALREADY_RUN', `本次学籍清理已于 ${when} 执行，不能重复执行。退学名单和学信网退学数据可在本页下载。`, { ran_at: when }),
  running: () =>
    new AppError(409, 'CLEANUP_RUNNING', '本次学籍清理正在执行，请等待完成（进度见“消息”），不要重复执行。'),
  notRun: () =>
    new AppError(409, 'CLEANUP_NOT_RUN', '本次学籍清理尚未执行，还没有退学学生。请在清理日期当天或之后执行清理。'),
  noFile: () => new AppError(400, 'CLEANUP_NO_FILE', '请选择书面延期申请的扫描件（PDF 或 JPG 文件）后再上传。'),
  fileTooLarge: (mb: number) => new AppError(400, 'CLEANUP_FILE_TOO_LARGE', `书面申请文件超过 ${mb} MB，请压缩或降低扫描分辨率后重新上传。`),
  notApplicationFile: (name: string) =>
    new AppError(400, 'CLEANUP_NOT_PDF_OR_JPEG',
      `“${name}”不是 PDF 或 JPG 文件（按文件内容检查，与扩展名无关）。请上传书面申请的 PDF 或 JPG 扫描件。`, { file_name: name }),
  fileMissing: () => new AppError(404, 'CLEANUP_FILE_MISSING', '书面申请文件已不在文件存储中，请分部重新上传并上报。'),
};

/** The refusals of one row of a bulk action (上报延期名单, 审批). */
export const cleanupRefusals = {
  notConcerned: (cohorts: string[], cleanupOn: string): Refuse => ({ code: 'NOT_CONCERNED',
    message: `该学生不在本次清理范围内：只有学籍批次 ${cohorts.join('、')}、学籍状态为在籍或休学、学籍有效期在 ${cleanupOn} 前到期的学生可以申请延期。` }),
  alreadyExtended: (until: string): Refuse => ({ code: 'ALREADY_EXTENDED',
    message: `该学生的学籍已延期至 ${until}，学籍只能延期一次（最多一年），不能再申请。` }),
  alreadyApproved: (): Refuse => ({ code: 'ALREADY_APPROVED', message: '该学生的延期申请已经总部批准，无需重新上报。' }),
  notLater: (validUntil: string): Refuse => ({ code: 'EXTENSION_NOT_LATER',
    message: `延期至日期应晚于学籍有效期（${validUntil}），请重新填写。` }),
  tooLong: (validUntil: string, max: string, asked: string): Refuse => ({ code: 'EXTENSION_TOO_LONG',
    message: `延期至 ${asked} 超过一年：学籍有效期至 ${validUntil}，最多只能延期一年，即延期至 ${max}。请改为 ${max} 或更早。` }),
  noApplication: (): Refuse => ({ code: 'NO_APPLICATION',
    message: '书面申请文件不存在或不属于本单位本次清理，请重新上传该学生的书面申请（PDF 或 JPG）。' }),
};
