/** The errors of 毕业生登记表 (issue 6). */
import { AppError } from '../platform/errors.ts';

export const formErrors = {
  notGraduate: () => new AppError(404, 'GRADUATE_FORM_NONE',
    '您目前不是毕业批次的毕业生（教学点尚未为您办理预毕业确认“同意毕业”），暂不能填写毕业生登记表。如有疑问，请联系教学点。'),
  locked: (state: string) => new AppError(409, 'GRADUATE_FORM_LOCKED',
    `登记表已提交（当前状态：${state}），不能再修改。如需修改，请联系教学点将登记表退回给您。`, { state }),
  stale: () => new AppError(409, 'GRADUATE_FORM_STALE',
    '登记表已在别处保存过（可能在另一个窗口或设备上），本页内容已过期，未做更改。请刷新页面，核对内容后再保存。'),
  /** A box too long, with too many lines, or with a character the printing font cannot show: every problem at once. */
  text: (message: string, details?: unknown) => new AppError(400, 'GRADUATE_FORM_TEXT', message, details),
  /** 填写意见 with neither opinion for a ticked form. */
  opinionMissing: () => new AppError(400, 'GRADUATE_FORM_OPINION_MISSING', '请为勾选的每名学生填写班主任意见或函授站意见。'),
};
