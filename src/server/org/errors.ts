/** The errors of 组织机构: each with its HTTP status, a stable code and what to do. */
import { AppError } from '../platform/errors.ts';

export const orgErrors = {
  noChildOfClass: () => new AppError(400, 'ORG_CLASS_HAS_NO_CHILDREN', '班级下不能再建下级单位。'),
  codeTaken: (code: string) => new AppError(409, 'ORG_CODE_TAKEN', `单位代码“${code}”已被使用，请换一个。`),
  cannotDisableOwn: () => new AppError(400, 'ORG_DISABLE_OWN', '不能停用自己所在的单位。'),
  headTeacherNotOfClass: () => new AppError(400, 'ORG_HEAD_TEACHER_INVALID', '班主任须是本班级的班主任账号。'),
};
