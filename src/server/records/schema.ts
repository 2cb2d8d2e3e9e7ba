import { z } from 'zod';

export const studentStatus = z.enum(['在籍', '毕业', '退学', '休学']);
export const SORTS = {
  student_no: '按学号',
  id_number: '按身份证号',
  name: '按姓名',
  major: '按专业、学号',
} as const;
export type SortKey = keyof typeof SORTS;

/** 学籍 → 查询统计 → 学籍卡查询: 学籍批次, 学籍状态, 专业, 层次, teaching point, a search. */
export const listQuery = z.object({
  cohort: z.string().regex(/^\d{4}(\d{2})?$/, '学籍批次为 4 位年份（如 2021）或 6 位（如 202109）').optional(),
  status: studentStatus.optional(),
  major: z.string().max(60).optional(),
  level: z.enum(['专科', '本科']).optional(),
  tp_code: z.string().max(40).optional(),
  q: z.string().trim().max(40).optional(),
  sort: z.enum(['student_no', 'id_number', 'name', 'major']).default('student_no'),
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(500).default(50),
});
export type ListFilter = z.infer<typeof listQuery>;

export const studentRow = z.object({
  id: z.number(), student_no: z.string(), name: z.string(), gender: z.string(), id_number_masked: z.string(), cohort: z.string(),
  level: z.string(), major: z.string(), status: z.string(), tp_code: z.string(), tp_name: z.string(),
  enroll_form_status: z.string(), enroll_form_updated_at: z.string().nullable(),
});
export const listResponse = z.object({ total: z.number(), rows: z.array(studentRow) });

const text = (max: number) => z.string().trim().max(max, `不超过 ${max} 字`);
/** The 入学登记表 fields a student writes; identity (姓名, 身份证号, …) is the office's and read-only here. */
export const enrollForm = z.object({
  address: text(120).min(4, '请填写通讯地址'),
  postcode: z.string().trim().regex(/^\d{6}$/, '邮编为 6 位数字').or(z.literal('')).default(''),
  phone: z.string().trim().regex(/^1\d{10}$/, '手机号为 11 位数字'),
  email: z.string().trim().max(80).email('邮箱格式不正确').or(z.literal('')).default(''),
  employer: text(80).default(''),
  occupation: text(40).default(''),
  education_before: text(40).default(''),
  history: z.array(z.object({ from: text(10), to: text(10), place: text(60), role: text(30) })).max(10).default([]),
  family: z.array(z.object({ relation: text(10), name: text(20), employer: text(60), phone: text(20) })).max(8).default([]),
});
export type EnrollForm = z.infer<typeof enrollForm>;

export const enrollFormResponse = z.object({
  identity: z.object({
    student_no: z.string(), name: z.string(), gender: z.string(), id_number: z.string(), ethnicity: z.string(), political_status: z.string(),
    cohort: z.string(), level: z.string(), major: z.string(), tp_name: z.string(), entry_date: z.string(),
  }),
  form: z.record(z.string(), z.unknown()),
  status: z.enum(['已更新', '未更新']),
  updated_at: z.string().nullable(),
});

export const campaignBody = z.object({ grade: z.string().regex(/^\d{4}$/, '年级为 4 位年份，如 2021') });
export const verificationQuery = z.object({
  grade: z.string().regex(/^\d{4}$/, '请选择年级'),
  status: z.enum(['已更新', '未更新']).optional(),
  tp_code: z.string().max(40).optional(),
  major: z.string().max(60).optional(),
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(500).default(50),
});
export const verificationResponse = z.object({
  total: z.number(),
  rows: z.array(studentRow),
  by_tp: z.array(z.object({ tp_code: z.string(), tp_name: z.string(), total: z.number(), updated: z.number(), not_updated: z.number() })),
});
