/** The errors of 用户管理: each with its HTTP status, a stable code and what to do. */
import { AppError } from '../platform/errors.ts';

export const accountErrors = {
  roleNotForNode: (nodeName: string, roleName: string) =>
    new AppError(400, 'USER_ROLE_NOT_FOR_NODE', `“${nodeName}”的账号角色应为${roleName}，请重新选择。`),
  usernameTaken: (username: string) => new AppError(409, 'USERNAME_TAKEN', `用户名“${username}”已被使用，请换一个。`),
  cannotDisableSelf: () => new AppError(400, 'USER_DISABLE_SELF', '不能停用自己的账号。'),
  /** Only an account strictly below the caller's unit; one's own password changes through 修改密码 with the old one. */
  resetOwn: () => new AppError(403, 'PASSWORD_RESET_OWN', '不能在用户管理中重置自己的密码，请在“修改密码”中输入原密码后修改。'),
  resetPeer: () => new AppError(403, 'PASSWORD_RESET_NOT_BELOW', '只能重置下级单位账号的密码；本单位其他管理员的密码请联系上级管理部门重置。'),
  wrongOldPassword: () => new AppError(400, 'PASSWORD_OLD_WRONG', '原密码不正确，请重新输入。'),
  passwordTooShort: (min: number) => new AppError(400, 'PASSWORD_TOO_SHORT', `新密码至少 ${min} 位，请设置更长的密码（可以用一句好记的话）。`),
  passwordHasUsername: () => new AppError(400, 'PASSWORD_HAS_USERNAME', '新密码不能包含用户名，请重新设置。'),
  passwordTooCommon: () => new AppError(400, 'PASSWORD_TOO_COMMON', '新密码过于常见，容易被猜中，请换一个不常见的密码。'),
  passwordUnchanged: () => new AppError(400, 'PASSWORD_UNCHANGED', '新密码不能与当前密码相同，请设置一个新的密码。'),
};
