/** 到校提交毕业审核材料 (seed 000 step 七): the contract between server and web. */
import { z } from 'zod';
import { defineRoutes, listOf, paging } from '../contract.ts';
import { studentListed } from './common.ts';
import { bulkResult } from '../bulk.ts';
import { OFFICES } from '../org.ts';

/** The four papers of each graduate (seed 000 七.1–3), written once. */
export const MATERIAL_ITEMS = ['信息采集照片', '成绩单', '入学登记表', '毕业生登记表'] as const;
export const materialItem = z.enum(MATERIAL_ITEMS, '材料为 信息采集照片、成绩单、入学登记表 或 毕业生登记表');
export type MaterialItem = z.infer<typeof materialItem>;

/** 未备齐: some paper not prepared; 待接收: prepared, not all received; 已接收: all four received. */
export const MATERIAL_STATES = ['未备齐', '待接收', '已接收'] as const;
export const materialState = z.enum(MATERIAL_STATES);
export type MaterialState = z.infer<typeof materialState>;

/** prepare: the teaching point has it ready; receive: the school has it in hand. */
export const MARK_ACTIONS = ['prepare', 'receive'] as const;
export type MarkAction = (typeof MARK_ACTIONS)[number];

const batch = z.string().regex(/^\d{6}$/, '请选择毕业批次（6 位数字，如 202301）');

/** The filter of the checklist without paging. */
export const materialFilter = z.object({
  batch,
  tp_code: z.string().max(40).optional(),
  major: z.string().max(60).optional(),
  q: z.string().trim().max(40).optional(),
  state: materialState.optional(),
});
export type MaterialFilter = z.infer<typeof materialFilter>;
export const listQuery = materialFilter.extend(paging(500, 50));
export type ListQuery = z.infer<typeof listQuery>;

const perItem = <T extends z.ZodType>(t: T) => z.object({ 信息采集照片: t, 成绩单: t, 入学登记表: t, 毕业生登记表: t });
const itemState = z.object({ prepared_at: z.string().nullable(), received_at: z.string().nullable() });
export type ItemState = z.infer<typeof itemState>;
export const materialRow = z.object({
  graduate_id: z.number(), student_id: z.number(), ...studentListed, class_name: z.string().nullable(),
  items: perItem(itemState),
  /** What the system knows, beside the ticks: a current 毕业证照片 is stored; the form's state. */
  has_photo: z.boolean(),
  form_state: z.string(),
});
export type MaterialRow = z.infer<typeof materialRow>;
export const listResponse = listOf(materialRow);

export const markBody = z.object({
  action: z.enum(MARK_ACTIONS, '操作为 prepare（教学点已备齐）或 receive（学校已接收）'),
  /** true ticks, false unticks. */
  done: z.boolean(),
  batch,
  items: z.array(z.object({ graduate_id: z.number().int().positive(), item: materialItem })).min(1, '请先勾选材料。').max(20_000),
});
export type MarkBody = z.infer<typeof markBody>;

export const summaryQuery = z.object({ batch });
export const summaryRow = z.object({
  tp_code: z.string(), tp_name: z.string(), graduates: z.number(),
  prepared: perItem(z.number()),
  received: perItem(z.number()),
  /** Graduates with all four prepared / all four received. */
  all_prepared: z.number(),
  all_received: z.number(),
});
export type SummaryRow = z.infer<typeof summaryRow>;
export const summaryResponse = z.object({ rows: z.array(summaryRow) });

/** 未办理毕业学生统计表 (seed 000 step 七.4). */
export const notGraduatingQuery = z.object({
  batch,
  tp_code: z.string().max(40).optional(),
  /** 学籍批次: 4 digits (a year) or 6. */
  cohort: z.string().regex(/^\d{4}(\d{2})?$/, '学籍批次为 4 位年份（如 2021）或 6 位（如 202109）').optional(),
});
export type NotGraduatingFilter = z.infer<typeof notGraduatingQuery>;
export const notGraduatingRow = z.object({ ...studentListed, cohort: z.string(), reason: z.string() });
export type NotGraduatingRow = z.infer<typeof notGraduatingRow>;
export const notGraduatingResponse = listOf(notGraduatingRow);

export const materialsApi = defineRoutes(['到校提交毕业审核材料'], {
  list: { method: 'GET', path: '/api/materials', access: OFFICES, summary: '毕业材料清单：每名毕业生的信息采集照片、成绩单、入学登记表、毕业生登记表', query: listQuery, response: listResponse },
  mark: { method: 'POST', path: '/api/materials/mark', access: OFFICES, summary: '教学点标记“已备齐”；学校（分部、总部）标记“已接收”', body: markBody, response: bulkResult },
  summary: { method: 'GET', path: '/api/materials/summary', access: OFFICES, summary: '各教学点毕业材料备齐、接收人数', query: summaryQuery, response: summaryResponse },
  notGraduating: { method: 'GET', path: '/api/materials/not-graduating', access: OFFICES,
    summary: '未办理毕业学生统计表：本批次未办理毕业的学生及原因', query: notGraduatingQuery, response: notGraduatingResponse },
  notGraduatingXlsx: { method: 'GET', path: '/api/materials/not-graduating.xlsx', access: OFFICES,
    summary: '未办理毕业学生统计表（Excel 电子版）', query: notGraduatingQuery },
  notGraduatingPdf: { method: 'GET', path: '/api/materials/not-graduating.pdf', access: OFFICES,
    summary: '未办理毕业学生统计表（打印版，一个教学点，留盖章处）', query: notGraduatingQuery },
});
