import { z } from 'zod';

export const confirmStatus = z.enum(['待确认', '同意毕业', '不同意']);

export const listQuery = z.object({
  batch: z.string().regex(/^\d{6}$/, '请选择毕业批次'),
  tp_code: z.string().max(40).optional(),
  major: z.string().max(60).optional(),
  level: z.enum(['专科', '本科']).optional(),
  status: confirmStatus.optional(),
  eligible: z.enum(['true', 'false']).optional(),
  q: z.string().max(40).optional(),
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(500).default(50),
});
export type ListFilter = z.infer<typeof listQuery>;

export const candidateSchema = z.object({
  id: z.number(),
  version: z.number(),
  student_id: z.number(),
  student_no: z.string(),
  name: z.string(),
  gender: z.string(),
  id_number_masked: z.string(),
  cohort: z.string(),
  level: z.string(),
  major: z.string(),
  tp_code: z.string(),
  tp_name: z.string(),
  eligible: z.boolean(),
  credits_earned: z.number(),
  credits_required: z.number(),
  reasons: z.array(z.string()),
  confirm_status: confirmStatus,
  confirm_reason: z.string().nullable(),
  confirmed_at: z.string().nullable(),
  urgent: z.boolean(),
});

export const listResponse = z.object({
  total: z.number(),
  page: z.number(),
  page_size: z.number(),
  rows: z.array(candidateSchema),
  window: z.object({ starts_on: z.string(), ends_on: z.string(), open: z.boolean(), days_left: z.number().nullable() }).nullable(),
});

/** Either the ticked rows (each with the version the page showed) or every row of the current query. */
export const selection = z.union([
  z.object({ items: z.array(z.object({ id: z.number().int(), version: z.number().int() })).min(1, '请先勾选学生').max(50_000) }),
  z.object({ all: z.literal(true), filter: listQuery.omit({ page: true, page_size: true }) }),
]);

export const agreeBody = z.object({ batch: z.string().regex(/^\d{6}$/), selection });
export const disagreeBody = z.object({
  batch: z.string().regex(/^\d{6}$/),
  selection,
  reason: z.string().trim().min(2, '请填写不同意的原因').max(200, '原因不超过 200 字'),
});
export const undoBody = agreeBody;

export const actionResult = z.object({
  changed: z.number(),
  unchanged: z.number(),
  refused: z.array(z.object({ id: z.number(), student_no: z.string(), name: z.string(), reason: z.string() })),
});
export type ActionResult = z.infer<typeof actionResult>;

export const countsQuery = z.object({ batch: z.string().regex(/^\d{6}$/, '请选择毕业批次') });
export const countsResponse = z.array(z.object({
  tp_id: z.number(),
  tp_code: z.string(),
  tp_name: z.string(),
  branch_name: z.string(),
  candidates: z.number(),
  eligible: z.number(),
  agreed: z.number(),
  refused: z.number(),
  pending: z.number(),
}));
