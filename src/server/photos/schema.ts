import { z } from 'zod';

const photoTypeCode = z.string().trim().min(1, '请选择上传图片类型').max(40);

export const photoTypeSchema = z.object({
  code: z.string(),
  width: z.number(),
  height: z.number(),
  min_kb: z.number(),
  max_kb: z.number(),
  note: z.string(),
  enabled: z.boolean(),
  /** The 图片限制 as one sentence, for the page. */
  limits_text: z.string(),
});
export type PhotoType = z.infer<typeof photoTypeSchema>;

export const typeParam = z.object({ code: photoTypeCode });
export const updateTypeBody = z.object({
  width: z.number().int().min(50, '宽度至少 50 像素').max(4096, '宽度不超过 4096 像素'),
  height: z.number().int().min(50, '高度至少 50 像素').max(4096, '高度不超过 4096 像素'),
  min_kb: z.number().int().min(0).max(10_000),
  max_kb: z.number().int().min(1).max(10_000, '文件大小上限不超过 10000 KB'),
  note: z.string().max(200).default(''),
  enabled: z.boolean().default(true),
});

export const uploadQuery = z.object({ photo_type: photoTypeCode });
export const uploadStarted = z.object({ upload_id: z.string(), task_id: z.string() });

export const verdictSchema = z.enum(['新增', '替换', '无变化', '不通过']);

export const uploadIdParam = z.object({ id: z.uuid('上传编号格式不正确') });
export const entriesQuery = z.object({
  verdict: verdictSchema.optional(),
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(500).default(50),
});

export const uploadSchema = z.object({
  id: z.string(),
  photo_type: z.string(),
  file_name: z.string(),
  file_size: z.number(),
  state: z.enum(['checking', 'checked', 'failed', 'saved']),
  error: z.string().nullable(),
  task_id: z.string().nullable(),
  progress: z.number(),
  total: z.number(),
  accepted: z.number(),
  replacing: z.number(),
  unchanged: z.number(),
  rejected: z.number(),
  created_at: z.string(),
  saved_at: z.string().nullable(),
});

export const entrySchema = z.object({
  seq: z.number(),
  entry_name: z.string(),
  id_number: z.string().nullable(),
  student_no: z.string().nullable(),
  student_name: z.string().nullable(),
  verdict: verdictSchema,
  reason: z.string(),
  size_kb: z.number().nullable(),
  duplicate_note: z.string().nullable(),
});

export const uploadReport = z.object({
  upload: uploadSchema,
  total: z.number(),
  rows: z.array(entrySchema),
});

export const uploadsQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(100).default(10),
});
export const uploadsPage = z.object({ total: z.number(), rows: z.array(uploadSchema.extend({ owner_name: z.string().nullable() })) });

export const saveResult = z.object({ applied: z.number(), unchanged: z.number(), rejected: z.number(), flagged: z.number() });

export const studentParam = z.object({ id: z.coerce.number().int().positive() });
export const photoSchema = z.object({
  id: z.number(),
  photo_type: z.string(),
  is_current: z.boolean(),
  size_kb: z.number(),
  width: z.number(),
  height: z.number(),
  source: z.string(),
  uploaded_by: z.string().nullable(),
  uploaded_at: z.string(),
  replaced_at: z.string().nullable(),
});
export const studentPhotos = z.object({
  student: z.object({ id: z.number(), student_no: z.string(), name: z.string(), id_number_masked: z.string(), tp_name: z.string() }),
  types: z.array(z.object({ code: z.string(), limits_text: z.string(), current: photoSchema.nullable(), history: z.array(photoSchema) })),
});
export const singleUploadResult = z.object({ verdict: verdictSchema, reason: z.string(), photo_id: z.number().nullable() });

export const photoParam = z.object({ id: z.coerce.number().int().positive() });

export const missingQuery = z.object({
  batch: z.string().regex(/^\d{6}$/, '请选择毕业批次'),
  tp_code: z.string().max(40).optional(),
  q: z.string().max(40).optional(),
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(500).default(50),
});
export type MissingFilter = z.infer<typeof missingQuery>;
export const missingRow = z.object({
  student_id: z.number(),
  student_no: z.string(),
  name: z.string(),
  id_number_masked: z.string(),
  major: z.string(),
  level: z.string(),
  tp_code: z.string(),
  tp_name: z.string(),
  confirm_status: z.string(),
});
export const missingPage = z.object({ total: z.number(), rows: z.array(missingRow) });

export const flagsQuery = z.object({
  status: z.enum(['待核查', '已核查']).default('待核查'),
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(200).default(50),
});
/** A side outside the caller's subtree is shown without who it is: only that it exists. */
const flagSide = z.object({ photo_id: z.number(), student_id: z.number().nullable(), student_no: z.string().nullable(), name: z.string().nullable(), tp_name: z.string().nullable() });
export const flagRow = z.object({
  id: z.number(),
  kind: z.string(),
  distance: z.number(),
  status: z.string(),
  created_at: z.string(),
  photo: flagSide,
  other: flagSide,
});
export const flagsPage = z.object({ total: z.number(), rows: z.array(flagRow) });
export const flagParam = z.object({ id: z.coerce.number().int().positive() });
