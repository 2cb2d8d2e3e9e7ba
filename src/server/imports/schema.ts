import { z } from 'zod';

export const importKind = z.enum(['students', 'programmes', 'grades_exam', 'grades_practice'], '导入类型应为 students、programmes、grades_exam 或 grades_practice');
const batchCode = z.string().regex(/^\d{6}$/, '毕业批次代码为 6 位数字（年月），如 202301');

/** kind and batch may come in the query string or as multipart fields before the file. */
export const uploadQuery = z.object({ kind: importKind.optional(), batch: batchCode.optional() });

export const importParams = z.object({ id: z.uuid('导入编号格式不正确') });
export const kindParams = z.object({ kind: importKind });

export const importSchema = z.object({
  id: z.string(),
  kind: importKind,
  kind_name: z.string(),
  file_name: z.string(),
  batch_code: z.string().nullable(),
  /** checking → checked | invalid → applying → applied | failed */
  state: z.enum(['checking', 'checked', 'invalid', 'applying', 'applied', 'failed']),
  file_error: z.string().nullable(),
  /** Why the last apply failed (the apply task's message). */
  apply_error: z.string().nullable(),
  total_rows: z.number(),
  error_rows: z.number(),
  applied_rows: z.number().nullable(),
  owner_name: z.string(),
  node_name: z.string(),
  check_task: z.string().nullable(),
  apply_task: z.string().nullable(),
  submission_id: z.number().nullable(),
  created_at: z.string(),
  applied_at: z.string().nullable(),
});
export type ImportView = z.infer<typeof importSchema>;

export const listQuery = z.object({
  kind: importKind.optional(),
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(200).default(20),
});
export const listResponse = z.object({ total: z.number(), rows: z.array(importSchema) });

export const cellError = z.object({ column: z.string(), value: z.string(), message: z.string() });

export const rowsQuery = z.object({
  errors_only: z.enum(['true', 'false']).optional(),
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(500).default(50),
});
export const rowsResponse = z.object({
  total: z.number(),
  rows: z.array(z.object({ row_no: z.number(), data: z.record(z.string(), z.unknown()), errors: z.array(cellError) })),
});

export const applyBody = z.object({
  /** all: the whole file, refused while any row has an error; valid: only the rows without errors. */
  mode: z.enum(['all', 'valid'], '请选择导入方式：all（全部导入）或 valid（仅导入正确的行）'),
});
export const applyResponse = z.object({ task_id: z.string(), import: importSchema });

export const windowsQuery = z.object({ batch: batchCode });
export const windowsResponse = z.object({
  batch: z.string(),
  today: z.string(),
  open: z.boolean(),
  windows: z.array(z.object({ round: z.string(), grades_from: z.string(), grades_to: z.string(), open: z.boolean() })),
});
