/** The export centre (导出中心) and 消息: the contract between server and web. */
import { z } from 'zod';
import { defineRoutes, listOf, paging } from '../contract.ts';
import { STAFF } from '../org.ts';
import { taskState, type TaskState } from './tasks.ts';

/** An export is a task: its states are the task's. */
export const exportState = taskState;
export type ExportState = TaskState;

/** What a message tells: an export finished or failed, or a notice. */
export const MESSAGE_KINDS = ['export_done', 'export_failed', 'notice'] as const;
export const messageKind = z.enum(MESSAGE_KINDS);
export type MessageKind = z.infer<typeof messageKind>;

/** A message's link: a download while the file is kept, expired after, or none. */
export const LINK_STATES = ['download', 'expired', 'none'] as const;
export type LinkState = (typeof LINK_STATES)[number];

// ——— The options every document export asks (导出范围, 打印方式) ———

/** 导出范围: the ticked rows, or every row of the current query. */
export const EXPORT_SCOPES = ['ticked', 'query'] as const;
export const exportScope = z.enum(EXPORT_SCOPES, '请选择导出范围：勾选的学生，或当前查询的全部学生。');
export type ExportScope = z.infer<typeof exportScope>;
/** The ticked ids (scope ticked). */
export const exportIds = z.array(z.number().int().positive()).max(200_000).optional();
/** A ticked export needs ticks. */
export const tickedNeedsIds = (p: { scope: string; ids?: number[] }) => p.scope !== 'ticked' || (p.ids?.length ?? 0) > 0;

/** 打印方式 of a printed document (成绩单, 毕业生登记表). */
export const PRINT_MODES = ['zip', 'merged', 'duplex'] as const;
export const printMode = z.enum(PRINT_MODES, '打印方式为：每人一个 PDF、合并为一个 PDF 或 双面打印').default('zip');
export type PrintMode = (typeof PRINT_MODES)[number];
export const PRINT_MODE_NAMES: Record<PrintMode, string> = {
  zip: '每人一个 PDF（zip 压缩包）',
  merged: '合并为一个 PDF',
  duplex: '合并为一个 PDF（双面打印，每人从奇数页开始）',
};

// ——— Schemas ———

export const exportIdParam = z.object({ id: z.uuid('导出编号格式不正确') });
export const messageIdParam = z.object({ id: z.coerce.number().int().positive('消息编号格式不正确') });

/** POST /api/exports: the kind, and the kind's own fields (checked by the schema the kind registered). */
export const startBody = z.looseObject({ kind: z.string().min(1, '请指定导出类型').max(60) });
export const started = z.object({ task_id: z.string(), title: z.string() });
export type Started = z.infer<typeof started>;

export const exportFile = z.object({
  file_name: z.string(), size_bytes: z.number(), item_count: z.number(), expires_at: z.string(), expired: z.boolean(), download_url: z.string().nullable(),
});
export const exportStatus = z.object({
  id: z.string(), kind: z.string(), title: z.string(), state: exportState,
  progress: z.number(), total: z.number(),
  /** 预计剩余时间 at the rate so far; null before there is one. */
  eta_seconds: z.number().nullable(), error: z.string().nullable(),
  created_at: z.string(), started_at: z.string().nullable(), finished_at: z.string().nullable(),
  file: exportFile.nullable(),
});
export type ExportStatus = z.infer<typeof exportStatus>;

const trueFalse = z.enum(['true', 'false']).optional();
export const exportsQuery = z.object({ active: trueFalse, ...paging(100, 20) });
export const exportsPage = listOf(exportStatus);

export const messagesQuery = z.object({ unread: trueFalse, ...paging(100, 20) });
export const messageSchema = z.object({
  id: z.number(), kind: z.string(), title: z.string(), body: z.string(),
  /** The download link while the file is kept; null once it expired (link_state says so). */
  link: z.string().nullable(), link_state: z.enum(LINK_STATES),
  task_id: z.string().nullable(), created_at: z.string(), read_at: z.string().nullable(),
});
export type Message = z.infer<typeof messageSchema>;
export const messagesPage = z.object({ total: z.number(), unread: z.number(), rows: z.array(messageSchema) });
export type MessagesPage = z.infer<typeof messagesPage>;
export const unreadCount = z.object({ unread: z.number() });
export const ok = z.object({ ok: z.literal(true), updated: z.number() });

export const exportsApi = defineRoutes(['导出中心'], {
  start: { method: 'POST', path: '/api/exports', access: STAFF, summary: '发起导出（后台任务；完成后在“消息”中下载）', body: startBody, response: started },
  list: { method: 'GET', path: '/api/exports', access: 'any', summary: '我的导出：进度、预计剩余时间与文件', query: exportsQuery, response: exportsPage },
  status: { method: 'GET', path: '/api/exports/:id', access: 'any', summary: '一个导出的进度（含预计剩余秒数）与文件', params: exportIdParam, response: exportStatus },
  cancel: { method: 'POST', path: '/api/exports/:id/cancel', access: 'any', summary: '取消导出（发起人或其上级管理员）', params: exportIdParam, response: exportStatus },
  download: { method: 'GET', path: '/api/exports/:id/download', access: 'any', summary: '下载导出文件（发起人或其上级管理员；过期后 410）', params: exportIdParam },
});

export const messagesApi = defineRoutes(['消息'], {
  list: { method: 'GET', path: '/api/messages', access: 'any', summary: '我的消息（最新在前）', query: messagesQuery, response: messagesPage },
  unreadCount: { method: 'GET', path: '/api/messages/unread-count', access: 'any', summary: '未读消息数', response: unreadCount },
  read: { method: 'POST', path: '/api/messages/:id/read', access: 'any', summary: '标为已读', params: messageIdParam, response: ok },
  readAll: { method: 'POST', path: '/api/messages/read-all', access: 'any', summary: '全部标为已读', response: ok },
});
