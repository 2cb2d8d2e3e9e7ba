/** 毕业批次 and their step windows (办理时间), and 首页: the contract between server and web. */
import { z } from 'zod';
import { defineRoutes } from '../contract.ts';
import { HQ } from '../org.ts';
import { STEP_KEYS } from '../steps.ts';
import { windowStatus } from '../window.ts';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');

export const stepKey = z.enum(STEP_KEYS);

/** One step's window. For the caller's node (a single batch, 首页) it also says how it stands today, as
 *  the server judges it: the web shows `open`, `phase` and the day counts as they are. */
export const windowSchema = z.object({
  step: stepKey,
  name: z.string(),
  no: z.string(),
  starts_on: day,
  ends_on: day,
  /** With an extension for the caller's node or above, the later end. */
  effective_ends_on: day.optional(),
  open: z.boolean().optional(),
  phase: windowStatus.shape.phase.optional(),
  /** Calendar days to the last day, while open. */
  days_left: z.number().int().optional(),
  /** Calendar days to the first day, before it. */
  starts_in: z.number().int().optional(),
});
export type BatchWindow = z.infer<typeof windowSchema>;

export const batchSchema = z.object({
  code: z.string(),
  name: z.string(),
  issue_date: day,
  closing_date: day.nullable(),
  exemption_deadline: day.nullable(),
  is_current: z.boolean(),
  windows: z.array(windowSchema),
});
export type Batch = z.infer<typeof batchSchema>;

export const batchCodeParam = z.object({ code: z.string().regex(/^\d{6}$/, '毕业批次代码为 6 位数字（年月），如 202301') });

const windowDates = z.object({ step: stepKey, starts_on: day, ends_on: day });
export type WindowDates = z.infer<typeof windowDates>;

export const createBatchBody = z.object({
  code: z.string().regex(/^\d{4}(0[1-9]|1[0-2])$/, '毕业批次代码为年月 YYYYMM，如 202301'),
  name: z.string().min(1).max(50).optional(),
  issue_date: day,
  closing_date: day.nullable().optional(),
  exemption_deadline: day.nullable().optional(),
  is_current: z.boolean().optional(),
  windows: z.array(windowDates).default([]),
});
export type CreateBatch = z.infer<typeof createBatchBody>;

export const setWindowsBody = z.object({ windows: z.array(windowDates).min(1) });

export const extendBody = z.object({
  step: stepKey,
  node_id: z.number().int().positive(),
  ends_on: day,
  reason: z.string().trim().min(2, '请填写延期原因').max(200),
});
export type Extend = z.infer<typeof extendBody>;

export const homeSchema = z.object({
  today: day,
  batch: batchSchema.nullable(),
  /** Graduates of the current batch in the caller's subtree without a 毕业证照片 (电子照片管理). */
  photos_missing: z.number().nullable(),
});
export type Home = z.infer<typeof homeSchema>;

export const batchesApi = defineRoutes(['毕业批次'], {
  list: { method: 'GET', path: '/api/batches', access: 'any', summary: '毕业批次列表', response: z.array(batchSchema) },
  get: { method: 'GET', path: '/api/batches/:code', access: 'any', summary: '毕业批次及各环节办理时间（含本单位的延期）', params: batchCodeParam, response: batchSchema },
  create: { method: 'POST', path: '/api/batches', access: HQ, summary: '创建毕业批次（总部）', body: createBatchBody, response: batchSchema },
  setWindows: { method: 'PUT', path: '/api/batches/:code/windows', access: HQ,
    summary: '设置各环节办理时间（总部）', params: batchCodeParam, body: setWindowsBody, response: batchSchema },
  extend: { method: 'POST', path: '/api/batches/:code/extensions', access: HQ,
    summary: '为某单位延长某环节办理时间（总部）', params: batchCodeParam, body: extendBody, response: z.object({ ok: z.literal(true) }) },
  home: { method: 'GET', path: '/api/home', access: 'any', tags: ['首页'], summary: '当前毕业批次及本单位各环节的办理时间', response: homeSchema },
});
