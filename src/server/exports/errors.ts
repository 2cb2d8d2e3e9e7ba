import { AppError } from '../platform/errors.ts';

/** The errors of the export centre and 消息. */
export const exportErrors = {
  unknownKind: (kind: string) => new AppError(400, 'EXPORT_KIND_UNKNOWN', `导出类型“${kind}”不存在。`, { kind }),
  badPayload: (messages: string[], issues: unknown) => new AppError(400, 'EXPORT_PAYLOAD', `导出条件不正确：${messages.join('；')}`, issues),
  expired: (days: number) => new AppError(410, 'EXPORT_EXPIRED', `该导出文件已超过保留期限（${days} 天）并已删除，请重新导出。`),
  /** A task row without its asker: the job cannot know what the file may show. */
  noOwner: () => new AppError(500, 'EXPORT_NO_OWNER', '导出任务没有发起人'),
};
