/**
 * The client of 学籍 (/api/records, /api/me/enroll-form): 学籍卡查询, the student's 入学登记表 and 强制核对.
 * Calls go through api.ts (`request`), so errors are shown and thrown the same way.
 * The types mirror src/server/records/schema.ts.
 */
import { api, queryString, request, type Paged } from './api.ts';

export type StudentStatus = '在籍' | '毕业' | '退学' | '休学';
export const STUDENT_STATUSES: StudentStatus[] = ['在籍', '毕业', '退学', '休学'];
export type Level = '专科' | '本科';
export type UpdateStatus = '已更新' | '未更新';

/** 排序方式: one sorting standard for every document of a student (seed 000 step 五). */
export type SortKey = 'student_no' | 'id_number' | 'name' | 'major';
export const SORTS: Record<SortKey, string> = {
  student_no: '按学号',
  id_number: '按身份证号',
  name: '按姓名',
  major: '按专业、学号',
};

/** A row of 学籍卡查询 and of 强制核对进度查询; the 身份证号 is masked. */
export interface StudentRow {
  id: number;
  student_no: string;
  name: string;
  gender: string;
  id_number_masked: string;
  cohort: string;
  level: string;
  major: string;
  status: string;
  tp_code: string;
  tp_name: string;
  enroll_form_status: string;
  enroll_form_updated_at: string | null;
}

/** The filter of 学籍卡查询 without paging. */
export interface StudentFilter {
  /** 学籍批次: 4 digits (a year, e.g. 2021) or 6 (e.g. 202109). */
  cohort?: string;
  status?: StudentStatus;
  major?: string;
  level?: Level;
  tp_code?: string;
  /** 姓名, 学号 or 身份证号, matched exactly. */
  q?: string;
  /** 毕业批次 (6 digits): the graduates of that batch (学生学籍档案打印). */
  batch?: string;
  sort?: SortKey;
}

/** The 学籍卡 of one student: the record, the 入学登记表, photos, grades and graduations; the 身份证号 whole. */
export interface StudentRecordCard {
  student: {
    id: number;
    student_no: string;
    name: string;
    gender: string;
    id_number: string;
    birth_date: string | null;
    ethnicity: string;
    political_status: string;
    cohort: string;
    level: string;
    major: string;
    status: string;
    entry_date: string;
    valid_until: string;
    extension_until: string | null;
    phone: string | null;
    tp_code: string;
    tp_name: string;
    class_name: string | null;
    enroll_form_status: string;
    enroll_form_updated_at: string | null;
  };
  enroll_form: Partial<EnrollFormInput>;
  photos: { id: number; photo_type: string; uploaded_at: string; image_url: string }[];
  grades: { term: string; course_code: string; course_name: string; category: string; credits: number; score: number | null; passed: boolean; source: string }[];
  totals: { credits_earned: number; courses_passed: number; credits_required: number | null };
  graduations: { batch_code: string; confirm_status: string; audit_status: string }[];
}

/** A teaching point's 默认排序方式 (文档排序标准): what every document export follows unless told otherwise. */
export interface SortOrderRow {
  tp_code: string;
  tp_name: string;
  sort: SortKey;
  updated_at: string | null;
}

/** The documents exported a student at a time (seed 000 steps 五 and 六). */
export type DocumentKind = 'enroll-forms' | 'transcripts';
export const DOCUMENT_NAMES: Record<DocumentKind, string> = { 'enroll-forms': '入学报名登记表导出', transcripts: '成绩单打印导出' };
/** 导出范围: the ticked students or every student of the query. */
export type ExportScope = 'ticked' | 'query';
/** 打印方式 of 成绩单. */
export type PrintMode = 'zip' | 'merged' | 'duplex';
export const PRINT_MODES: Record<PrintMode, string> = {
  zip: '每人一个 PDF（zip 压缩包）',
  merged: '合并为一个 PDF',
  duplex: '合并为一个 PDF（双面打印，每人从奇数页开始）',
};
/** The query an export covers: the list's filter without paging and sorting. */
export type DocumentFilter = Omit<StudentFilter, 'sort'>;
export interface DocumentExportInput {
  kind: DocumentKind;
  scope: ExportScope;
  /** When scope is ticked. */
  ids?: number[];
  filter: DocumentFilter;
  /** null: each teaching point's 默认排序方式. */
  sort: SortKey | null;
  /** 成绩单 only. */
  print_mode?: PrintMode;
}

export interface HistoryRow {
  from: string;
  to: string;
  place: string;
  role: string;
}

export interface FamilyRow {
  relation: string;
  name: string;
  employer: string;
  phone: string;
}

/** What the student writes on the 入学登记表. */
export interface EnrollFormInput {
  address: string;
  postcode: string;
  phone: string;
  email: string;
  employer: string;
  occupation: string;
  education_before: string;
  history: HistoryRow[];
  family: FamilyRow[];
}

/** The 入学登记表 as read: identity fields (the office's, read-only), the written form, and its 更新状态. */
export interface EnrollFormView {
  identity: {
    student_no: string;
    name: string;
    gender: string;
    /** Whole: the student's own form. */
    id_number: string;
    ethnicity: string;
    political_status: string;
    cohort: string;
    level: string;
    major: string;
    tp_name: string;
    entry_date: string;
  };
  /** Pre-filled from the record (手机) until the student first submits. */
  form: Partial<EnrollFormInput> & Record<string, unknown>;
  status: UpdateStatus;
  updated_at: string | null;
}

/** The filter of 强制核对进度查询 without paging. */
export interface VerificationFilter {
  /** 年级: 4 digits. */
  grade: string;
  status?: UpdateStatus;
  tp_code?: string;
  major?: string;
}

export interface VerificationTp {
  tp_code: string;
  tp_name: string;
  total: number;
  updated: number;
  not_updated: number;
}

export interface VerificationPage extends Paged<StudentRow> {
  by_tp: VerificationTp[];
}

type Paging = { page: number; page_size: number };

export const recordsApi = {
  /** 学籍卡查询 (and 学生学籍档案打印 with `batch`). */
  students: (q: StudentFilter & Paging) => request<Paged<StudentRow>>('GET', '/records/students', { query: { ...q } }),
  /** One student's 学籍卡; 404 outside the caller's scope. */
  card: (id: number) => request<StudentRecordCard>('GET', `/records/students/${id}`),
  /** 文档排序标准 of the teaching points in scope. */
  sortOrders: () => request<{ rows: SortOrderRow[] }>('GET', '/records/sort-orders'),
  setSortOrder: (tpCode: string, sort: SortKey) => request<SortOrderRow>('PUT', `/records/sort-orders/${encodeURIComponent(tpCode)}`, { body: { sort } }),
  /** 下载报名登记表 / 成绩单打印: a job; the file comes in 消息. */
  exportDocuments: ({ kind, ...fields }: DocumentExportInput) => api.startExport(kind, { ...fields }),
  /** The signed-in student's 入学登记表. */
  myEnrollForm: () => request<EnrollFormView>('GET', '/me/enroll-form'),
  /** Submits the 入学登记表; the record becomes 已更新. */
  saveEnrollForm: (form: EnrollFormInput) => request<EnrollFormView>('PUT', '/me/enroll-form', { body: form }),
  /** 发起强制核对 (headquarters): the 年级's students in 在籍 go back to 未更新. */
  startVerification: (grade: string) => request<{ students: number }>('POST', '/records/verification', { body: { grade } }),
  /** 强制核对进度查询. */
  verification: (q: VerificationFilter & Paging) => request<VerificationPage>('GET', '/records/verification', { query: { ...q } }),
  /** 导出Excel of 强制核对进度查询 under the filter. */
  verificationXlsxUrl: (f: VerificationFilter) => `/api/records/verification.xlsx${queryString({ ...f })}`,
};
