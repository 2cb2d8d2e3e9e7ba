/** The errors of 用户管理: each with its HTTP status, a stable code and what to do. */
import { AppError } from '../platform/errors.ts';

export const accountErrors = {
  roleNotForNode: (nodeName: string, roleName: string) =>
    new AppError(400, 'USER_ROLE_NOT_FOR_NODE', `“${nodeName}”的账号角色应为${roleName}，请重新选择。`),
  usernameTaken: (username: string) => new AppError(409, 'USERNAME_TAKEN', `用户名“${username}”已被使用，请换一个。`),
  cannotDisableSelf: () => new AppError(400, 'USER_DISABLE_SELF', '不能停用自己的账号。'),
};
