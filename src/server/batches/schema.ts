import { z } from 'zod';
import { STEP_KEYS } from '../../shared/steps.ts';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');

export const stepKey = z.enum(STEP_KEYS);

export const windowSchema = z.object({
  step: stepKey,
  name: z.string(),
  no: z.string(),
  starts_on: day,
  ends_on: day,
  /** With an extension for the caller's node or above, the later end. */
  effective_ends_on: day.optional(),
  open: z.boolean().optional(),
  days_left: z.number().int().optional(),
});

export const batchSchema = z.object({
  code: z.string(),
  name: z.string(),
  issue_date: day,
  closing_date: day.nullable(),
  exemption_deadline: day.nullable(),
  is_current: z.boolean(),
  windows: z.array(windowSchema),
});

export const batchCodeParam = z.object({ code: z.string().regex(/^\d{6}$/, '毕业批次代码为 6 位数字（年月），如 202301') });

export const createBatchBody = z.object({
  code: z.string().regex(/^\d{4}(0[1-9]|1[0-2])$/, '毕业批次代码为年月 YYYYMM，如 202301'),
  name: z.string().min(1).max(50).optional(),
  issue_date: day,
  closing_date: day.nullable().optional(),
  exemption_deadline: day.nullable().optional(),
  is_current: z.boolean().optional(),
  windows: z.array(z.object({ step: stepKey, starts_on: day, ends_on: day })).default([]),
});

export const setWindowsBody = z.object({
  windows: z.array(z.object({ step: stepKey, starts_on: day, ends_on: day })).min(1),
});

export const extendBody = z.object({
  step: stepKey,
  node_id: z.number().int().positive(),
  ends_on: day,
  reason: z.string().trim().min(2, '请填写延期原因').max(200),
});

export const homeSchema = z.object({
  today: day,
  batch: batchSchema.nullable(),
  /** Graduates of the current batch in the caller's subtree without a 毕业证照片 (电子照片管理). */
  photos_missing: z.number().nullable(),
});
export type Batch = z.infer<typeof batchSchema>;
export type Window = z.infer<typeof windowSchema>;
