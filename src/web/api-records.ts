/**
 * The client of 学籍 (/api/records, /api/me/enroll-form): 学籍卡查询, the student's 入学登记表 and 强制核对.
 * Calls go through api.ts (`request`), so errors are shown and thrown the same way.
 * The types mirror src/server/records/schema.ts.
 */
import { queryString, request, type Paged } from './api.ts';

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
  sort?: SortKey;
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
  /** 学籍卡查询. */
  students: (q: StudentFilter & Paging) => request<Paged<StudentRow>>('GET', '/records/students', { query: { ...q } }),
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
