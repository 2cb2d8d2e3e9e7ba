import { AppError } from '../platform/errors.ts';

/** What a document export (入学报名登记表, 成绩单, 毕业生登记表) names: the thing counted and its unit (学生/人, 毕业生登记表/份). */
export interface Counted { thing: string; unit: string }

/** The errors of the printed documents and their exports. */
export const documentErrors = {
  /** Ticked rows the asker may not see answer as not found, like any object outside their scope. */
  tickedNotFound: (m: Counted, missing: number) =>
    new AppError(404, 'DOCUMENTS_TICKED_NOT_FOUND', `勾选的${m.thing}中有 ${missing} ${m.unit}不存在，或不在您的管理范围内。`, { missing }),
  empty: (m: Counted & { what: string; hint: string }) =>
    new AppError(400, 'DOCUMENTS_EMPTY', `没有符合条件的${m.thing}，未生成${m.what}文件。${m.hint}`),
  tooMany: (m: Counted & { what: string }, count: number, max: number) =>
    new AppError(400, 'DOCUMENTS_TOO_MANY', `符合条件的${m.thing}共 ${count} ${m.unit}，超过单次${m.what}上限 ${max} ${m.unit}。请按教学点或专业分批导出。`, { count, max }),
  /** The job found no one to draw: the list changed after the export was asked for. */
  changedBeforeStart: () => new AppError(409, 'DOCUMENTS_LIST_CHANGED', '没有符合条件的学生（名单在导出开始前已变化），请重新查询后再导出'),
  changedWhileDrawing: () => new AppError(409, 'DOCUMENTS_LIST_CHANGED', '没有可导出的学生（名单在导出过程中已变化），请重新查询后再导出'),
};
