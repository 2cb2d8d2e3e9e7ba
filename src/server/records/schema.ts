import { z } from 'zod';

export const studentStatus = z.enum(['在籍', '毕业', '退学', '休学']);
export const SORTS = {
  student_no: '按学号',
  id_number: '按身份证号',
  name: '按姓名',
  major: '按专业、学号',
} as const;
export type SortKey = keyof typeof SORTS;
export const sortKey = z.enum(['student_no', 'id_number', 'name', 'major'], '排序方式为 按学号、按身份证号、按姓名 或 按专业、学号');

/** 学籍 → 查询统计 → 学籍卡查询: 学籍批次, 学籍状态, 专业, 层次, teaching point, a search. */
export const listQuery = z.object({
  cohort: z.string().regex(/^\d{4}(\d{2})?$/, '学籍批次为 4 位年份（如 2021）或 6 位（如 202109）').optional(),
  status: studentStatus.optional(),
  major: z.string().max(60).optional(),
  level: z.enum(['专科', '本科']).optional(),
  tp_code: z.string().max(40).optional(),
  q: z.string().trim().max(40).optional(),
  /** 毕业批次 (学生学籍档案打印): the graduates of that batch. */
  batch: z.string().regex(/^\d{6}$/, '毕业批次为 6 位数字，如 202301').optional(),
  sort: sortKey.default('student_no'),
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

/** The students a document export covers: the filter of the list (without paging and sort). */
export const docFilter = listQuery.pick({ cohort: true, status: true, major: true, level: true, tp_code: true, q: true, batch: true });
export type DocFilter = z.infer<typeof docFilter>;

/** 学籍卡: every field of the record and of the 入学登记表, photos, grades. The 身份证号 is whole here. */
export const studentIdParam = z.object({ id: z.coerce.number().int().positive('学生编号格式不正确') });
export const studentCard = z.object({
  student: z.object({
    id: z.number(), student_no: z.string(), name: z.string(), gender: z.string(), id_number: z.string(), birth_date: z.string().nullable(),
    ethnicity: z.string(), political_status: z.string(), cohort: z.string(), level: z.string(), major: z.string(), status: z.string(),
    entry_date: z.string(), valid_until: z.string(), extension_until: z.string().nullable(), phone: z.string().nullable(),
    tp_code: z.string(), tp_name: z.string(), class_name: z.string().nullable(),
    enroll_form_status: z.string(), enroll_form_updated_at: z.string().nullable(),
  }),
  enroll_form: z.record(z.string(), z.unknown()),
  photos: z.array(z.object({ id: z.number(), photo_type: z.string(), uploaded_at: z.string(), image_url: z.string() })),
  grades: z.array(z.object({
    term: z.string(), course_code: z.string(), course_name: z.string(), category: z.string(), credits: z.number(),
    score: z.number().nullable(), passed: z.boolean(), source: z.string(),
  })),
  totals: z.object({ credits_earned: z.number(), courses_passed: z.number(), credits_required: z.number().nullable() }),
  graduations: z.array(z.object({ batch_code: z.string(), confirm_status: z.string(), audit_status: z.string() })),
});

/** 文档排序标准: a teaching point's default 排序方式 for every document export. */
export const sortOrderRow = z.object({ tp_code: z.string(), tp_name: z.string(), sort: sortKey, updated_at: z.string().nullable() });
export const sortOrders = z.object({ rows: z.array(sortOrderRow) });
export const tpCodeParam = z.object({ tp_code: z.string().min(1).max(40) });
export const sortOrderBody = z.object({ sort: sortKey });
