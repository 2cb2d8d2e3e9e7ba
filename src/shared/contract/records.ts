/** 学籍 (seed 000 step 五): 学籍卡查询, the 入学登记表, 强制核对, 文档排序标准 and the documents of a student. */
import { z } from 'zod';
import { defineRoutes, listOf, paging } from '../contract.ts';
import { studentListed } from './common.ts';
import { HQ, OFFICES, STAFF, STUDENTS } from '../org.ts';
import { exportIds, exportScope, printMode, tickedNeedsIds } from './exports.ts';
import { formFilter } from './forms.ts';

/** 学籍状态, written once. */
export const STUDENT_STATUSES = ['在籍', '毕业', '退学', '休学'] as const;
export const studentStatus = z.enum(STUDENT_STATUSES);
export type StudentStatus = z.infer<typeof studentStatus>;

export const LEVELS = ['专科', '本科'] as const;
export const level = z.enum(LEVELS);
export type Level = z.infer<typeof level>;

/** 更新状态 of the 入学登记表 (强制核对 sets it back to 未更新). */
export const UPDATE_STATUSES = ['已更新', '未更新'] as const;
export const updateStatus = z.enum(UPDATE_STATUSES);
export type UpdateStatus = z.infer<typeof updateStatus>;

/** 排序方式: one sorting standard for every document of a student (seed 000 step 五). */
export const SORT_KEYS = ['student_no', 'id_number', 'name', 'major'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export const SORTS: Record<SortKey, string> = {
  student_no: '按学号',
  id_number: '按身份证号',
  name: '按姓名',
  major: '按专业、学号',
};
export const sortKey = z.enum(SORT_KEYS, '排序方式为 按学号、按身份证号、按姓名 或 按专业、学号');

/** The filter of 学籍卡查询 without paging and sort: also the students a document export covers. */
export const docFilter = z.object({
  cohort: z.string().regex(/^\d{4}(\d{2})?$/, '学籍批次为 4 位年份（如 2021）或 6 位（如 202109）').optional(),
  status: studentStatus.optional(),
  major: z.string().max(60).optional(),
  level: level.optional(),
  tp_code: z.string().max(40).optional(),
  q: z.string().trim().max(40).optional(),
  /** 毕业批次 (学生学籍档案打印): the graduates of that batch. */
  batch: z.string().regex(/^\d{6}$/, '毕业批次为 6 位数字，如 202301').optional(),
});
export type DocFilter = z.infer<typeof docFilter>;

/** 学籍 → 查询统计 → 学籍卡查询: 学籍批次, 学籍状态, 专业, 层次, teaching point, a search. */
export const listQuery = docFilter.extend({ sort: sortKey.default('student_no'), ...paging(500, 50) });
export type ListFilter = z.infer<typeof listQuery>;
/** What the web sends: the filter and the sort, before paging. */
export type StudentFilter = DocFilter & { sort?: SortKey };

/** A row of 学籍卡查询 and of 强制核对进度查询; the 身份证号 is masked. */
export const studentRow = z.object({
  id: z.number(), ...studentListed, gender: z.string(), id_number_masked: z.string(), cohort: z.string(), status: z.string(),
  enroll_form_status: z.string(), enroll_form_updated_at: z.string().nullable(),
});
export type StudentRow = z.infer<typeof studentRow>;
export const listResponse = listOf(studentRow);

const text = (max: number) => z.string().trim().max(max, `不超过 ${max} 字`);
export const historyRow = z.object({ from: text(10), to: text(10), place: text(60), role: text(30) });
export type HistoryRow = z.infer<typeof historyRow>;
export const familyRow = z.object({ relation: text(10), name: text(20), employer: text(60), phone: text(20) });
export type FamilyRow = z.infer<typeof familyRow>;

/** The 入学登记表 fields a student writes; identity (姓名, 身份证号, …) is the office's and read-only here. */
export const enrollForm = z.object({
  address: text(120).min(4, '请填写通讯地址'),
  postcode: z.string().trim().regex(/^\d{6}$/, '邮编为 6 位数字').or(z.literal('')).default(''),
  phone: z.string().trim().regex(/^1\d{10}$/, '手机号为 11 位数字'),
  email: z.string().trim().max(80).email('邮箱格式不正确').or(z.literal('')).default(''),
  employer: text(80).default(''),
  occupation: text(40).default(''),
  education_before: text(40).default(''),
  history: z.array(historyRow).max(10).default([]),
  family: z.array(familyRow).max(8).default([]),
});
export type EnrollForm = z.infer<typeof enrollForm>;
/** What the student writes on the 入学登记表 (as the page holds it). */
export type EnrollFormInput = z.infer<typeof enrollForm>;
/** A form as stored: what the student wrote, perhaps not all of it. */
type StoredForm = Partial<EnrollFormInput> & Record<string, unknown>;
const storedForm = z.record(z.string(), z.unknown()) as unknown as z.ZodType<StoredForm>;

export const enrollFormResponse = z.object({
  identity: z.object({
    student_no: z.string(), name: z.string(), gender: z.string(), id_number: z.string(), ethnicity: z.string(), political_status: z.string(),
    cohort: z.string(), level: z.string(), major: z.string(), tp_name: z.string(), entry_date: z.string(),
  }),
  /** Pre-filled from the record (手机) until the student first submits. */
  form: storedForm,
  status: updateStatus,
  updated_at: z.string().nullable(),
});
export type EnrollFormView = z.infer<typeof enrollFormResponse>;

export const campaignBody = z.object({ grade: z.string().regex(/^\d{4}$/, '年级为 4 位年份，如 2021') });
/** The filter of 强制核对进度查询 without paging. */
export const verificationFilter = z.object({
  grade: z.string().regex(/^\d{4}$/, '请选择年级'),
  status: updateStatus.optional(),
  tp_code: z.string().max(40).optional(),
  major: z.string().max(60).optional(),
});
export type VerificationFilter = z.infer<typeof verificationFilter>;
export const verificationQuery = verificationFilter.extend(paging(500, 50));
export const verificationTp = z.object({ tp_code: z.string(), tp_name: z.string(), total: z.number(), updated: z.number(), not_updated: z.number() });
export type VerificationTp = z.infer<typeof verificationTp>;
export const verificationResponse = listOf(studentRow).extend({ by_tp: z.array(verificationTp) });
export type VerificationPage = z.infer<typeof verificationResponse>;

/** 学籍卡: every field of the record and of the 入学登记表, photos, grades. The 身份证号 is whole here. */
export const studentIdParam = z.object({ id: z.coerce.number().int().positive('学生编号格式不正确') });
export const studentCard = z.object({
  student: z.object({
    id: z.number(), student_no: z.string(), name: z.string(), gender: z.string(), id_number: z.string(), birth_date: z.string().nullable(),
    ethnicity: z.string(), political_status: z.string(), cohort: z.string(), level: z.string(), major: z.string(), status: z.string(),
    entry_date: z.string(), valid_until: z.string(), extension_until: z.string().nullable(), phone: z.string().nullable(),
    tp_code: z.string(), tp_name: z.string(), class_name: z.string().nullable(),
    enroll_form_status: z.string(), enroll_form_updated_at: z.string().nullable(),
    /** 毕业批次, 毕业日期 (the batch's 发证日期) and 毕结业结论: set when headquarters publishes the audit round. */
    graduation_batch: z.string().nullable(), graduation_date: z.string().nullable(), graduation_conclusion: z.string().nullable(),
  }),
  enroll_form: storedForm,
  photos: z.array(z.object({ id: z.number(), photo_type: z.string(), uploaded_at: z.string(), image_url: z.string() })),
  grades: z.array(z.object({
    term: z.string(), course_code: z.string(), course_name: z.string(), category: z.string(), credits: z.number(),
    score: z.number().nullable(), passed: z.boolean(), source: z.string(),
  })),
  totals: z.object({ credits_earned: z.number(), courses_passed: z.number(), credits_required: z.number().nullable() }),
  graduations: z.array(z.object({ batch_code: z.string(), confirm_status: z.string(), audit_status: z.string() })),
});
export type StudentRecordCard = z.infer<typeof studentCard>;

/** 文档排序标准: a teaching point's default 排序方式 for every document export. */
export const sortOrderRow = z.object({ tp_code: z.string(), tp_name: z.string(), sort: sortKey, updated_at: z.string().nullable() });
export type SortOrderRow = z.infer<typeof sortOrderRow>;
export const sortOrders = z.object({ rows: z.array(sortOrderRow) });
export const tpCodeParam = z.object({ tp_code: z.string().min(1).max(40) });
export const sortOrderBody = z.object({ sort: sortKey });

// ——— The exports of 学籍 (POST /api/exports with these kinds; the file comes in 消息) ———

export const STUDENTS_XLSX = 'students.xlsx';
export const ENROLL_FORMS = 'enroll-forms';
export const TRANSCRIPTS = 'transcripts';
export const GRADUATE_FORMS = 'graduate-forms';
/** The documents exported a student at a time (seed 000 steps 五 and 六). */
export type DocumentKind = typeof ENROLL_FORMS | typeof TRANSCRIPTS;
export const DOCUMENT_NAMES: Record<DocumentKind, string> = { 'enroll-forms': '入学报名登记表导出', transcripts: '成绩单打印导出' };

/** 学生名单导出: the list of 学籍卡查询 in its 排序方式. */
export const studentsExportPayload = z.object({ filter: docFilter.default({}), sort: sortKey.default('student_no') });
export type StudentsExportPayload = z.infer<typeof studentsExportPayload>;

/** 排序方式 of a document export; null: the teaching points' 文档排序标准. */
export const docSort = sortKey.nullable().default(null);

const studentScope = { scope: exportScope, ids: exportIds, filter: docFilter.default({}), sort: docSort };
const tickedStudents = { message: '导出范围为“勾选的学生”，但没有勾选学生。请先勾选，或选择“当前查询的全部学生”。' };

export const enrollFormsPayload = z.object(studentScope).refine(tickedNeedsIds, tickedStudents);
export type EnrollFormsPayload = z.infer<typeof enrollFormsPayload>;
export const transcriptsPayload = z.object({ ...studentScope, print_mode: printMode }).refine(tickedNeedsIds, tickedStudents);
export type TranscriptsPayload = z.infer<typeof transcriptsPayload>;

/** 下载毕业生登记表 (毕业生登记表管理, seed 000 四.5): the ticked forms (graduate ids) or every form of the query;
 *  排序方式 and 打印方式 as for 成绩单. */
export const graduateFormsPayload = z.object({
  scope: exportScope,
  ids: exportIds,
  filter: formFilter.default({}),
  sort: docSort,
  print_mode: printMode,
}).refine(tickedNeedsIds, { message: '导出范围为“勾选的登记表”，但没有勾选。请先勾选，或选择“当前查询的全部登记表”。' });
export type GraduateFormsPayload = z.infer<typeof graduateFormsPayload>;

export const recordsApi = defineRoutes(['学籍'], {
  students: { method: 'GET', path: '/api/records/students', access: STAFF,
    summary: '学籍卡查询：学籍批次、学籍状态、专业、层次、教学点、姓名/学号/身份证号', query: listQuery, response: listResponse },
  card: { method: 'GET', path: '/api/records/students/:id', access: STAFF,
    summary: '学籍卡：入学登记表的全部信息、照片和成绩（身份证号完整显示）', params: studentIdParam, response: studentCard },
  sortOrders: { method: 'GET', path: '/api/records/sort-orders', access: OFFICES, summary: '文档排序标准：各教学点导出入学登记表、毕业生登记表、成绩单、档案袋的默认排序方式', response: sortOrders },
  setSortOrder: { method: 'PUT', path: '/api/records/sort-orders/:tp_code', access: OFFICES,
    summary: '设置教学点的默认排序方式', params: tpCodeParam, body: sortOrderBody, response: sortOrderRow },
  myEnrollForm: { method: 'GET', path: '/api/me/enroll-form', access: STUDENTS, summary: '我的入学登记表（身份信息只读）', response: enrollFormResponse },
  saveEnrollForm: { method: 'PUT', path: '/api/me/enroll-form', access: STUDENTS,
    summary: '填写并提交入学登记表（提交后为“已更新”）', body: enrollForm, response: enrollFormResponse },
  startVerification: { method: 'POST', path: '/api/records/verification', access: HQ,
    summary: '发起强制核对：该年级在籍学生的入学登记表重置为“未更新”', body: campaignBody, response: z.object({ students: z.number() }) },
  verification: { method: 'GET', path: '/api/records/verification', access: OFFICES,
    summary: '强制核对进度查询：按年级、更新状态、教学点、专业', query: verificationQuery, response: verificationResponse },
  verificationXlsx: { method: 'GET', path: '/api/records/verification.xlsx', access: OFFICES, summary: '导出强制核对进度（Excel）', query: verificationFilter },
});
