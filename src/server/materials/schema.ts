import { z } from 'zod';

/** 到校提交毕业审核材料 (seed 000 step 七.1–3): the four papers of each graduate. */
export const MATERIAL_ITEMS = ['信息采集照片', '成绩单', '入学登记表', '毕业生登记表'] as const;
export const materialItem = z.enum(MATERIAL_ITEMS, '材料为 信息采集照片、成绩单、入学登记表 或 毕业生登记表');

const batch = z.string().regex(/^\d{6}$/, '请选择毕业批次（6 位数字，如 202301）');

export const listQuery = z.object({
  batch,
  tp_code: z.string().max(40).optional(),
  major: z.string().max(60).optional(),
  q: z.string().trim().max(40).optional(),
  /** 未备齐: some paper not prepared; 待接收: prepared, not all received; 已接收: all four received. */
  state: z.enum(['未备齐', '待接收', '已接收']).optional(),
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(500).default(50),
});
export type ListQuery = z.infer<typeof listQuery>;

const itemState = z.object({ prepared_at: z.string().nullable(), received_at: z.string().nullable() });
export const materialRow = z.object({
  graduate_id: z.number(), student_id: z.number(), student_no: z.string(), name: z.string(), major: z.string(), level: z.string(),
  tp_code: z.string(), tp_name: z.string(), class_name: z.string().nullable(),
  items: z.object({ 信息采集照片: itemState, 成绩单: itemState, 入学登记表: itemState, 毕业生登记表: itemState }),
  /** What the system knows, beside the ticks: a current 毕业证照片 is stored; the form's state. */
  has_photo: z.boolean(),
  form_state: z.string(),
});
export const listResponse = z.object({ total: z.number(), rows: z.array(materialRow) });

export const markBody = z.object({
  /** prepare: the teaching point has it ready; receive: the school has it in hand. */
  action: z.enum(['prepare', 'receive'], '操作为 prepare（教学点已备齐）或 receive（学校已接收）'),
  /** true ticks, false unticks. */
  done: z.boolean(),
  batch,
  items: z.array(z.object({ graduate_id: z.number().int().positive(), item: materialItem })).min(1, '请先勾选材料。').max(20_000),
});
export const markResult = z.object({
  updated: z.number(),
  refused: z.array(z.object({ graduate_id: z.number(), item: z.string(), reason: z.string() })),
});

export const summaryQuery = z.object({ batch });
export const summaryRow = z.object({
  tp_code: z.string(), tp_name: z.string(), graduates: z.number(),
  prepared: z.object({ 信息采集照片: z.number(), 成绩单: z.number(), 入学登记表: z.number(), 毕业生登记表: z.number() }),
  received: z.object({ 信息采集照片: z.number(), 成绩单: z.number(), 入学登记表: z.number(), 毕业生登记表: z.number() }),
  /** Graduates with all four prepared / all four received. */
  all_prepared: z.number(),
  all_received: z.number(),
});
export const summaryResponse = z.object({ rows: z.array(summaryRow) });

/** 未办理毕业学生统计表 (seed 000 step 七.4). */
export const notGraduatingQuery = z.object({
  batch,
  tp_code: z.string().max(40).optional(),
  /** 学籍批次: 4 digits (a year) or 6. */
  cohort: z.string().regex(/^\d{4}(\d{2})?$/, '学籍批次为 4 位年份（如 2021）或 6 位（如 202109）').optional(),
});
export const notGraduatingRow = z.object({
  student_no: z.string(), name: z.string(), major: z.string(), level: z.string(), cohort: z.string(),
  tp_code: z.string(), tp_name: z.string(), reason: z.string(),
});
export const notGraduatingResponse = z.object({ total: z.number(), rows: z.array(notGraduatingRow) });
