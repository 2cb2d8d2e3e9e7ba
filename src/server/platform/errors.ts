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
  throttled: (seconds: number) =>
    new AppError(429, 'LOGIN_THROTTLED',
      `登录失败次数过多，为保护账号安全，请 ${seconds < 60 ? `${seconds} 秒` : `${Math.ceil(seconds / 60)} 分钟`}后再试。如忘记密码，请联系上级管理员重置。`,
      { retry_after_seconds: seconds }),
  /** The web sends the user to 修改密码 on this code. */
  mustChangePassword: () =>
    new AppError(403, 'MUST_CHANGE_PASSWORD', '您的密码为初始密码或已被管理员重置，请先在“修改密码”中设置新密码，再使用其他功能。'),
  crossOrigin: () =>
    new AppError(403, 'CROSS_ORIGIN', '请求来自其他网站，已拒绝。请直接在本平台的页面中操作。'),
  controlCharacters: (where: string) =>
    new AppError(400, 'CONTROL_CHARACTERS', `提交的内容${where ? `（${where}）` : ''}含有不可见的控制字符，请删除后重新输入（可重新手工输入，不要从其他软件粘贴）。`),
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
};
