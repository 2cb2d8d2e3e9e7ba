import { z } from 'zod';

export const exportIdParam = z.object({ id: z.uuid('导出编号格式不正确') });
export const messageIdParam = z.object({ id: z.coerce.number().int().positive('消息编号格式不正确') });

/** POST /api/exports: the kind, and the kind's own fields (checked by the schema the kind registered). */
export const startBody = z.looseObject({ kind: z.string().min(1, '请指定导出类型').max(60) });
export const started = z.object({ task_id: z.string(), title: z.string() });

export const exportFile = z.object({
  file_name: z.string(), size_bytes: z.number(), item_count: z.number(), expires_at: z.string(), expired: z.boolean(), download_url: z.string().nullable(),
});
export const exportStatus = z.object({
  id: z.string(), kind: z.string(), title: z.string(), state: z.enum(['queued', 'running', 'done', 'failed', 'cancelled']),
  progress: z.number(), total: z.number(), eta_seconds: z.number().nullable(), error: z.string().nullable(),
  created_at: z.string(), started_at: z.string().nullable(), finished_at: z.string().nullable(),
  file: exportFile.nullable(),
});
export const exportsQuery = z.object({
  active: z.enum(['true', 'false']).optional(),
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(100).default(20),
});
export const exportsPage = z.object({ total: z.number(), rows: z.array(exportStatus) });

export const messagesQuery = z.object({
  unread: z.enum(['true', 'false']).optional(),
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(100).default(20),
});
export const messageSchema = z.object({
  id: z.number(), kind: z.string(), title: z.string(), body: z.string(),
  /** The download link while the file is kept; null once it expired (link_state says so). */
  link: z.string().nullable(), link_state: z.enum(['download', 'expired', 'none']),
  task_id: z.string().nullable(), created_at: z.string(), read_at: z.string().nullable(),
});
export const messagesPage = z.object({ total: z.number(), unread: z.number(), rows: z.array(messageSchema) });
export const unreadCount = z.object({ unread: z.number() });
export const ok = z.object({ ok: z.literal(true), updated: z.number() });
