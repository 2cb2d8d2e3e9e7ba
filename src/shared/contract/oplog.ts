/** 操作日志: who did what, when, before → after — the contract between server and web. */
import { z } from 'zod';
import { defineRoutes, paged, paging } from '../contract.ts';
import { ADMINS } from '../org.ts';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** The filter of the log without paging. */
export const oplogFilter = z.object({
  action: z.string().max(40).optional(),
  actor: z.string().max(64).optional(),
  object_type: z.string().max(40).optional(),
  object_id: z.string().max(40).optional(),
  from: day.optional(),
  to: day.optional(),
});
export type OplogFilter = z.infer<typeof oplogFilter>;

export const oplogQuery = oplogFilter.extend(paging(200, 50));
export type OplogQuery = z.infer<typeof oplogQuery>;

export const operationEntry = z.object({
  id: z.number(), at: z.string(), actor_name: z.string(), action: z.string(), object_type: z.string(), object_id: z.string(),
  before: z.unknown(), after: z.unknown(),
});
export type OperationLogEntry = z.infer<typeof operationEntry>;

export const oplogApi = defineRoutes(['操作日志'], {
  list: { method: 'GET', path: '/api/operation-log', access: ADMINS, summary: '本单位及下级单位的操作日志', query: oplogQuery, response: paged(operationEntry) },
  actions: { method: 'GET', path: '/api/operation-log/actions', access: ADMINS, summary: '本单位及下级单位日志中出现过的操作（供筛选）', response: z.array(z.string()) },
});
