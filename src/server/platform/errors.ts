/** The error catalogue: an HTTP status, a stable code, and a Chinese message that says what to do. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const errors = {
  badRequest: (message: string, details?: unknown) => new AppError(400, 'BAD_REQUEST', message, details),
  validation: (message: string, details?: unknown) => new AppError(400, 'VALIDATION', message, details),
  unauthenticated: () => new AppError(401, 'UNAUTHENTICATED', '登录已失效，请重新登录。'),
  badCredentials: () => new AppError(401, 'BAD_CREDENTIALS', '用户名或密码错误，请检查后重试。'),
  locked: (minutes: number) =>
    new AppError(423, 'ACCOUNT_LOCKED', `密码连续输错次数过多，账号已锁定，请 ${minutes} 分钟后再试，或联系管理员重置密码。`),
  disabled: () => new AppError(403, 'ACCOUNT_DISABLED', '该账号已停用，请联系上级管理员。'),
  forbidden: (what = '此操作') => new AppError(403, 'FORBIDDEN', `您的角色无权进行${what}。如需办理，请联系上级管理部门。`),
  /** Also what an object outside the caller's subtree answers: it does not exist for them. */
  notFound: (what = '记录') => new AppError(404, 'NOT_FOUND', `${what}不存在，或不在您的管理范围内。`),
  conflict: (message: string, details?: unknown) => new AppError(409, 'CONFLICT', message, details),
  windowClosed: (stepName: string, starts: string, ends: string) =>
    new AppError(409, 'WINDOW_CLOSED',
      `“${stepName}”的办理时间为 ${starts} 至 ${ends}，当前不在办理时间内。如需延期办理，请联系总部为本单位延长时间。`,
      { step: stepName, starts_on: starts, ends_on: ends }),
  noWindow: (stepName: string, batch: string) =>
    new AppError(409, 'WINDOW_NOT_SET', `毕业批次 ${batch} 尚未设置“${stepName}”的办理时间，请联系总部设置。`),
  unknownBatch: (code: string) => new AppError(404, 'UNKNOWN_BATCH', `毕业批次“${code}”不存在，请从下拉列表中选择毕业批次。`),
  // 数据导入 (issue 3)
  importTooLarge: (message: string) => new AppError(413, 'IMPORT_TOO_LARGE', message),
  importNoFile: () => new AppError(400, 'IMPORT_NO_FILE', '请选择要上传的 Excel 文件（.xlsx），以 multipart/form-data 的 file 字段上传。'),
  importState: (message: string) => new AppError(409, 'IMPORT_STATE', message),
  gradesWindowClosed: (windows: string, batch: string) =>
    new AppError(409, 'GRADES_WINDOW_CLOSED',
      `综合实践环节成绩接收时间为：${windows}。当前不在接收时间内，请在接收时间内上报，或联系总部。`, { batch, windows }),
  gradesWindowNotSet: (batch: string) =>
    new AppError(409, 'GRADES_WINDOW_NOT_SET', `毕业批次 ${batch} 尚未设置综合实践环节成绩的接收时间，请联系总部设置审核批次及接收时间。`),
  photoTypeUnknown: (code: string) => new AppError(404, 'PHOTO_TYPE_UNKNOWN', `上传图片类型“${code}”不存在或已停用，请从下拉列表中选择上传图片类型。`),
  photoNoFile: () => new AppError(400, 'PHOTO_NO_FILE', '没有收到文件：请点击“浏览”选择文件后再上传。'),
  photoZipTooLarge: (maxMb: number) =>
    new AppError(413, 'PHOTO_ZIP_TOO_LARGE', `压缩包超过上传上限 ${maxMb} MB，请分成几个压缩包分别上传。`),
  photoNotZip: () => new AppError(400, 'PHOTO_NOT_ZIP', '所选文件不是 ZIP 压缩包：请把照片压缩成一个 .zip 文件后再上传。'),
  photoUploadNotReady: () => new AppError(409, 'PHOTO_UPLOAD_NOT_READY', '照片还在检查中，请等检查完成、查看检查结果后再保存。'),
  photoUploadFailed: (why: string) => new AppError(409, 'PHOTO_UPLOAD_FAILED', `该压缩包未通过检查，不能保存：${why}`),
  photoRejected: (reason: string) => new AppError(400, 'PHOTO_REJECTED', `照片不符合要求：${reason}。`, { reason }),
  // 毕业生登记表 (issue 6)
  formNotGraduate: () => new AppError(404, 'GRADUATE_FORM_NONE',
    '您目前不是毕业批次的毕业生（教学点尚未为您办理预毕业确认“同意毕业”），暂不能填写毕业生登记表。如有疑问，请联系教学点。'),
  formLocked: (state: string) => new AppError(409, 'GRADUATE_FORM_LOCKED',
    `登记表已提交（当前状态：${state}），不能再修改。如需修改，请联系教学点将登记表退回给您。`, { state }),
  formStale: () => new AppError(409, 'GRADUATE_FORM_STALE',
    '登记表已在别处保存过（可能在另一个窗口或设备上），本页内容已过期，未做更改。请刷新页面，核对内容后再保存。'),
  formText: (message: string, details?: unknown) => new AppError(400, 'GRADUATE_FORM_TEXT', message, details),
};
