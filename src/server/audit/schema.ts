import { z } from 'zod';

const batchCode = z.string().regex(/^\d{6}$/, '请选择毕业批次');
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');

export const roundSchema = z.object({
  id: z.number(),
  batch_code: z.string(),
  name: z.string(),
  kind: z.enum(['常规', '加急']),
  starts_on: z.string(),
  ends_on: z.string(),
  grades_from: z.string().nullable(),
  grades_to: z.string().nullable(),
  status: z.enum(['未开始', '审核中', '已审核', '已取消']),
  cancel_reason: z.string().nullable(),
  audited_at: z.string().nullable(),
  audited_count: z.number(),
  task_id: z.string().nullable(),
  published_at: z.string().nullable(),
  passed: z.number(),
  failed: z.number(),
});
export type Round = z.infer<typeof roundSchema>;

export const roundsQuery = z.object({ batch: batchCode });
export const roundsResponse = z.object({
  batch: z.object({ code: z.string(), closing_date: z.string().nullable(), exemption_deadline: z.string().nullable(), urgent_deadline: z.string().nullable(), closed: z.boolean() }),
  rounds: z.array(roundSchema),
  waiting: z.object({ reported: z.number(), unreported: z.number(), urgent: z.number() }),
});

const roundFields = z.object({
  batch: batchCode,
  name: z.string().trim().min(2, '请填写审核批次名称，如“第一批”').max(20),
  kind: z.enum(['常规', '加急']).default('常规'),
  starts_on: date,
  ends_on: date,
  grades_from: date.nullable().optional(),
  grades_to: date.nullable().optional(),
});
type RoundDates = { starts_on: string; ends_on: string; grades_from?: string | null; grades_to?: string | null };
const datesInOrder = <T extends z.ZodType<RoundDates>>(s: T) => s
  .refine((r) => r.ends_on >= r.starts_on, { message: '结束日期不能早于开始日期', path: ['ends_on'] })
  .refine((r) => (r.grades_from == null) === (r.grades_to == null) && (r.grades_to == null || r.grades_from! <= r.grades_to),
    { message: '成绩接收时间须同时填写开始和结束日期，且结束不早于开始', path: ['grades_to'] });
export const roundBody = datesInOrder(roundFields);
export const roundPatch = datesInOrder(roundFields.omit({ batch: true, kind: true }));
export const roundIdParam = z.object({ id: z.coerce.number().int().positive() });
export const cancelBody = z.object({ reason: z.string().trim().min(2, '请填写取消原因').max(200) });

export const resultFilter = z.object({
  branch_id: z.coerce.number().int().positive().optional(),
  tp_code: z.string().max(40).optional(),
  major: z.string().max(60).optional(),
  rule: z.enum(['total', 'category', 'course', 'practice', 'study_time', 'validity']).optional(),
  passed: z.enum(['true', 'false']).optional(),
  q: z.string().max(40).optional(),
});
export const summaryQuery = resultFilter.extend({ by: z.enum(['branch', 'tp', 'major', 'rule']).default('branch') });
export const summaryResponse = z.object({
  groups: z.array(z.object({ key: z.union([z.string(), z.number()]), code: z.string(), name: z.string(), total: z.number(), passed: z.number(), failed: z.number() })),
});
export const resultsQuery = resultFilter.extend({
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(500).default(50),
});
export const resultRow = z.object({
  graduate_id: z.number(), student_id: z.number(), seq: z.number(), student_no: z.string(), name: z.string(), id_number_masked: z.string(),
  level: z.string(), major: z.string(), tp_code: z.string(), tp_name: z.string(), branch_name: z.string(), urgent: z.boolean(),
  passed: z.boolean(), failures: z.array(z.string()), credits_earned: z.number(), audited_at: z.string(),
});
export const resultsResponse = z.object({ total: z.number(), rows: z.array(resultRow) });

export const reportBody = z.object({ batch: batchCode, urgent: z.boolean().default(false) });
export const reportResponse = z.object({ submission_id: z.number().nullable(), graduates: z.number(), submitted_at: z.string().nullable() });

export const urgentBody = z.object({
  batch: batchCode,
  graduate_ids: z.array(z.number().int()).min(1, '请先勾选学生').max(50_000),
  urgent: z.boolean(),
});
export const urgentResponse = z.object({ changed: z.number(), refused: z.array(z.object({ id: z.number(), reason: z.string() })) });

export const urgentDeadlineBody = z.object({ urgent_deadline: date.nullable(), spring_enrollment_deadline: date.optional() });

export const exceptionBody = z.object({
  kind: z.enum(['替代', '免除']),
  rule: z.enum(['course', 'category', 'total', 'practice', 'study_time', 'validity']),
  target: z.string().trim().max(40).nullable().optional(),
  substitute_course: z.string().trim().max(40).nullable().optional(),
  reason: z.string().trim().min(4, '请填写理由（不少于 4 个字）').max(300),
});
export const exceptionSchema = z.object({
  id: z.number(), kind: z.string(), rule: z.string(), rule_name: z.string(), target: z.string().nullable(), target_name: z.string().nullable(),
  substitute_course: z.string().nullable(), substitute_name: z.string().nullable(), reason: z.string(), created_by_name: z.string().nullable(),
  created_at: z.string(), revoked_at: z.string().nullable(),
});
export const extensionBody = z.object({
  extension_until: date.nullable(),
  reason: z.string().trim().min(4, '请填写延期依据（如书面申请与总部批准文号）').max(300),
});
