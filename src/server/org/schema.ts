import { z } from 'zod';

export const nodeKind = z.enum(['hq', 'branch', 'tp', 'class']);
export const nodeSchema = z.object({
  id: z.number(),
  parent_id: z.number().nullable(),
  kind: nodeKind,
  code: z.string(),
  name: z.string(),
  disabled: z.boolean(),
  head_teacher_id: z.number().nullable(),
});
export const nodesQuery = z.object({
  kind: nodeKind.optional(),
  parent_id: z.coerce.number().int().optional(),
  q: z.string().max(60).optional(),
});
export const createNodeBody = z.object({
  parent_id: z.number().int(),
  code: z.string().trim().regex(/^[A-Za-z0-9_-]{1,20}$/, '单位代码为 1–20 位字母或数字'),
  name: z.string().trim().min(1, '请填写单位名称').max(80),
});
export const updateNodeBody = z.object({
  name: z.string().trim().min(1).max(80).optional(),
  disabled: z.boolean().optional(),
  head_teacher_id: z.number().int().nullable().optional(),
});
export const idParam = z.object({ id: z.coerce.number().int().positive() });
