/**
 * The typed client of the platform's HTTP API. Every call sends the session cookie and JSON; a refused
 * call shows the server's Chinese `message` and throws an `ApiError`; an expired session goes to login.
 * The types mirror the server's zod schemas (the web may not import the server).
 */

import type { NodeKind, Role } from '../shared/org.ts';
export type { NodeKind, Role } from '../shared/org.ts';
export { KIND_NAMES, ROLE_FOR_KIND, ROLE_NAMES } from '../shared/org.ts';
export type { ActionResult, ConfirmStatus } from '../shared/contract/confirmation.ts';
import type { ActionResult } from '../shared/contract/confirmation.ts';

export interface Me {
  id: number;
  username: string;
  display_name: string;
  role: Role;
  role_name: string;
  node: { id: number; kind: NodeKind; code: string; name: string };
  student_id: number | null;
  must_change_password: boolean;
}

export interface BatchWindow {
  step: string;
  name: string;
  no: string;
  starts_on: string;
  ends_on: string;
  effective_ends_on?: string;
  open?: boolean;
  days_left?: number;
}

export interface Batch {
  code: string;
  name: string;
  issue_date: string;
  closing_date: string | null;
  exemption_deadline: string | null;
  is_current: boolean;
  windows: BatchWindow[];
}

export interface Home {
  today: string;
  batch: Batch | null;
  /** Graduates of the current batch in the caller's subtree without a 毕业证照片. */
  photos_missing: number | null;
}

export interface OrgNode {
  id: number;
  parent_id: number | null;
  kind: NodeKind;
  code: string;
  name: string;
  disabled: boolean;
  head_teacher_id: number | null;
}

export interface User {
  id: number;
  username: string;
  display_name: string;
  role: Role;
  node_id: number;
  node_code: string;
  node_name: string;
  disabled: boolean;
  locked: boolean;
}








export interface AuditEntry {
  id: number;
  at: string;
  actor_name: string;
  action: string;
  object_type: string;
  object_id: string;
  before: unknown;
  after: unknown;
}

export interface Task {
  id: string;
  kind: string;
  title: string;
  state: 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | string;
  progress: number;
  total: number;
  eta_seconds?: number | null;
  result: unknown;
  error: string | null;
  created_at: string;
  finished_at: string | null;
}

export type { Paged } from '../shared/contract.ts';
import type { Paged } from '../shared/contract.ts';

// 消息与导出
export type ExportState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
export interface ExportStatus {
  id: string;
  kind: string;
  title: string;
  state: ExportState;
  progress: number;
  total: number;
  /** 预计剩余时间 at the rate so far; null before there is one. */
  eta_seconds: number | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  file: { file_name: string; size_bytes: number; item_count: number; expires_at: string; expired: boolean; download_url: string | null } | null;
}
export interface Message {
  id: number;
  kind: 'export_done' | 'export_failed' | 'notice' | string;
  title: string;
  body: string;
  link: string | null;
  link_state: 'download' | 'expired' | 'none';
  task_id: string | null;
  created_at: string;
  read_at: string | null;
}
/** Told to the 消息 bell when an export starts or a message is read, so it counts again at once. */
import { messagesChanged } from './client.ts';

// 毕业审核
export type AuditRule = 'total' | 'category' | 'course' | 'practice' | 'study_time' | 'validity';
export const AUDIT_RULE_NAMES: Record<AuditRule, string> = {
  total: '总学分',
  category: '分类学分',
  course: '必修课程',
  practice: '综合实践环节',
  study_time: '最低学习年限',
  validity: '学籍有效期',
};
export type RoundKind = '常规' | '加急';
export type RoundStatus = '未开始' | '审核中' | '已审核' | '已取消';

export interface AuditRound {
  id: number;
  batch_code: string;
  name: string;
  kind: RoundKind;
  starts_on: string;
  ends_on: string;
  grades_from: string | null;
  grades_to: string | null;
  status: RoundStatus;
  cancel_reason: string | null;
  audited_at: string | null;
  audited_count: number;
  published_at: string | null;
  passed: number;
  failed: number;
}

export interface AuditRounds {
  batch: { code: string; closing_date: string | null; exemption_deadline: string | null; urgent_deadline: string | null; closed: boolean };
  rounds: AuditRound[];
  waiting: { reported: number; unreported: number; urgent: number };
}

export interface RoundInput {
  name: string;
  starts_on: string;
  ends_on: string;
  grades_from?: string | null;
  grades_to?: string | null;
}

export interface AuditResultFilter {
  branch_id?: number;
  tp_code?: string;
  major?: string;
  rule?: AuditRule;
  passed?: 'true' | 'false';
  q?: string;
}
export type AuditGroupBy = 'branch' | 'tp' | 'major' | 'rule';

export interface AuditGroup {
  key: string | number;
  code: string;
  name: string;
  total: number;
  passed: number;
  failed: number;
}

export interface AuditResult {
  graduate_id: number;
  student_id: number;
  seq: number;
  student_no: string;
  name: string;
  id_number_masked: string;
  level: string;
  major: string;
  tp_code: string;
  tp_name: string;
  branch_name: string;
  urgent: boolean;
  passed: boolean;
  failures: string[];
  credits_earned: number;
  audited_at: string;
}

export interface ReportResult {
  submission_id: number | null;
  graduates: number;
  submitted_at: string | null;
}

export type ExemptionStatus = '待分部审核' | '待总部审核' | '已批准' | '已驳回';
export interface Exemption {
  id: number;
  version: number;
  student_id: number;
  student_no: string;
  name: string;
  id_number_masked: string;
  tp_name: string;
  course_code: string;
  course_name: string;
  credits: number;
  applied_on: string;
  grounds: string;
  status: ExemptionStatus;
  branch_opinion: string | null;
  hq_opinion: string | null;
  counts_from: string | null;
}

export interface ReadinessItem {
  key: string;
  name: string;
  required: string;
  done: string;
  missing: string | null;
  ok: boolean;
  waived: boolean;
  /** Photo and 预毕业确认: steps of the batch, not conditions of the audit. */
  step: boolean;
}

export interface Readiness {
  student: { id: number; name: string; student_no: string; major: string; level: string; cohort: string };
  batch: { code: string; issue_date: string; exemption_deadline: string | null } | null;
  programme: { major: string; level: string; cohort: string };
  what_if: boolean;
  ok: boolean;
  failures: string[];
  items: ReadinessItem[];
  exemptions: { id: number; course_code: string; course_name: string; applied_on: string; status: string; counts: boolean; note: string | null }[];
}

export interface WhatIf {
  batch?: string;
  major?: string;
  level?: '专科' | '本科';
  cohort?: string;
}

export interface AuditException {
  id: number;
  kind: string;
  rule: string;
  rule_name: string;
  target: string | null;
  target_name: string | null;
  substitute_course: string | null;
  substitute_name: string | null;
  reason: string;
  created_by_name: string | null;
  created_at: string;
  revoked_at: string | null;
}

export interface ExceptionInput {
  kind: '替代' | '免除';
  rule: AuditRule;
  target?: string | null;
  substitute_course?: string | null;
  reason: string;
}

export interface StudentCard {
  id: number;
  student_no: string;
  name: string;
  gender: string;
  id_number: string;
  cohort: string;
  level: string;
  major: string;
  status: string;
  entry_date: string;
  valid_until: string;
  extension_until: string | null;
  tp_code: string;
  tp_name: string;
  grades: { course_code: string; course_name: string; category: string; credits: number; score: number | null; passed: boolean; term: string; source: string }[];
}

export const isAdmin = (role: Role) => role === 'hq_admin' || role === 'branch_admin';
export const isOffice = (role: Role) => role === 'hq_admin' || role === 'branch_admin' || role === 'tp_admin';
export const isStaff = (role: Role) => role !== 'student';

import { ApiError, apiHooks } from './client.ts';
export { ApiError, apiHooks, MESSAGES_CHANGED, messagesChanged } from './client.ts';

type Query = Record<string, string | number | boolean | null | undefined>;

export function queryString(q: Query | undefined): string {
  if (!q) return '';
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === '') continue;
    p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** A multipart body (a file upload) sent instead of JSON. */
  form?: FormData;
  /** Do not show the error (the caller handles it). */
  silent?: boolean;
}

/** One call of the API; also used by the clients kept beside their pages (api-imports.ts, photo-api.ts). */
export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/api${path}${queryString(opts.query)}`, {
      method,
      credentials: 'same-origin',
      headers: opts.body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: opts.form ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
    });
  } catch {
    const err = new ApiError(0, 'NETWORK', '无法连接服务器，请检查网络后重试。');
    if (!opts.silent) apiHooks.showError(err.message);
    throw err;
  }
  const text = await res.text();
  let data: any = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const err = new ApiError(
      res.status,
      typeof data?.error === 'string' ? data.error : 'HTTP_' + res.status,
      typeof data?.message === 'string' ? data.message : `服务器返回错误（${res.status}），请稍后重试。`,
      data?.details,
    );
    if (res.status === 401 && err.code === 'UNAUTHENTICATED') {
      apiHooks.onUnauthenticated();
      if (!opts.silent) apiHooks.showError(err.message);
      throw err;
    }
    if (!opts.silent) apiHooks.showError(err.message);
    throw err;
  }
  return data as T;
}

/** Uploads one file as the multipart field `file` (数据导入, 电子照片). */
export function uploadFile<T>(path: string, file: File, query?: Query): Promise<T> {
  const form = new FormData();
  form.append('file', file, file.name);
  return request<T>('POST', path, { query, form });
}

const get = <T>(path: string, query?: Query, silent?: boolean) => request<T>('GET', path, { query, silent });
const post = <T>(path: string, body: unknown = {}) => request<T>('POST', path, { body });
const put = <T>(path: string, body: unknown) => request<T>('PUT', path, { body });
const patch = <T>(path: string, body: unknown) => request<T>('PATCH', path, { body });

type Ok = { ok: true };

export const api = {
  // 登录
  login: (username: string, password: string) => post<Me>('/auth/login', { username, password }),
  logout: () => post<Ok>('/auth/logout'),
  /** Silent: at start-up, no session is not an error. */
  me: () => get<Me>('/me', undefined, true),
  changePassword: (old_password: string, new_password: string) => post<Ok>('/me/password', { old_password, new_password }),

  // 首页、毕业批次
  home: () => get<Home>('/home'),
  batches: () => get<Batch[]>('/batches'),
  batch: (code: string) => get<Batch>(`/batches/${encodeURIComponent(code)}`),
  createBatch: (body: {
    code: string;
    name?: string;
    issue_date: string;
    closing_date?: string | null;
    exemption_deadline?: string | null;
    is_current?: boolean;
    windows: { step: string; starts_on: string; ends_on: string }[];
  }) => post<Batch>('/batches', body),
  setWindows: (code: string, windows: { step: string; starts_on: string; ends_on: string }[]) =>
    put<Batch>(`/batches/${encodeURIComponent(code)}/windows`, { windows }),
  extendWindow: (code: string, body: { step: string; node_id: number; ends_on: string; reason: string }) =>
    post<Ok>(`/batches/${encodeURIComponent(code)}/extensions`, body),
  recomputeEligibility: (code: string) => post<{ task_id: string }>(`/batches/${encodeURIComponent(code)}/eligibility`),
  task: (id: string) => get<Task>(`/tasks/${encodeURIComponent(id)}`),

  majors: () => get<{ major: string; level: string }[]>('/programmes/majors'),
  auditActions: () => get<string[]>('/audit-log/actions'),

  // 组织机构
  nodes: (q: { kind?: NodeKind; parent_id?: number; q?: string } = {}) => get<OrgNode[]>('/org/nodes', q),
  createNode: (body: { parent_id: number; code: string; name: string }) => post<OrgNode>('/org/nodes', body),
  updateNode: (id: number, body: { name?: string; disabled?: boolean; head_teacher_id?: number | null }) =>
    patch<OrgNode>(`/org/nodes/${id}`, body),

  // 用户管理
  users: (q: { node_id?: number; role?: Role; q?: string; page?: number; page_size?: number }) => get<Paged<User>>('/users', q),
  createUser: (body: { username: string; display_name: string; role: Exclude<Role, 'student'>; node_id: number; password: string }) =>
    post<User>('/users', body),
  updateUser: (id: number, body: { display_name?: string; disabled?: boolean }) => patch<User>(`/users/${id}`, body),
  resetPassword: (id: number, password: string) => post<Ok>(`/users/${id}/reset-password`, { password }),

  // 操作日志
  auditLog: (q: { action?: string; actor?: string; from?: string; to?: string; page?: number; page_size?: number }) =>
    get<Paged<AuditEntry>>('/audit-log', q),

  // 预毕业确认

  // 毕业审核
  auditRounds: (batch: string) => get<AuditRounds>('/audit/rounds', { batch }),
  createRound: (body: RoundInput & { batch: string; kind: RoundKind }) => post<AuditRound>('/audit/rounds', body),
  updateRound: (id: number, body: RoundInput) => patch<AuditRound>(`/audit/rounds/${id}`, body),
  cancelRound: (id: number, reason: string) => post<AuditRound>(`/audit/rounds/${id}/cancel`, { reason }),
  runRound: (id: number) => post<{ task_id: string }>(`/audit/rounds/${id}/run`),
  publishRound: (id: number) => post<AuditRound>(`/audit/rounds/${id}/publish`),
  auditSummary: (id: number, by: AuditGroupBy, f: AuditResultFilter = {}) => get<{ groups: AuditGroup[] }>(`/audit/rounds/${id}/summary`, { ...f, by }),
  auditResults: (id: number, f: AuditResultFilter & { page: number; page_size: number }) => get<Paged<AuditResult>>(`/audit/rounds/${id}/results`, { ...f }),
  /** Same-origin links: the session cookie goes with a plain download. */
  auditResultsXlsxUrl: (id: number, f: AuditResultFilter) => `/api/audit/rounds/${id}/results.xlsx${queryString({ ...f })}`,
  urgentXlsxUrl: (batch: string) => `/api/audit/urgent.xlsx${queryString({ batch })}`,
  reportAuditData: (batch: string, urgent: boolean) => post<ReportResult>('/audit/report', { batch, urgent }),
  setUrgent: (batch: string, graduate_ids: number[], urgent: boolean) =>
    post<{ changed: number; refused: { id: number; reason: string }[] }>('/audit/urgent', { batch, graduate_ids, urgent }),
  setUrgentDeadline: (batch: string, body: { urgent_deadline: string | null; spring_enrollment_deadline?: string }) =>
    put<{ urgent_deadline: string | null }>(`/audit/batches/${encodeURIComponent(batch)}/urgent-deadline`, body),
  exemptions: (q: { status?: ExemptionStatus; q?: string; page: number; page_size: number }) => get<Paged<Exemption>>('/exemptions', q),
  applyExemption: (body: { student_no: string; course_code: string; grounds: string }) =>
    post<{ id: number; applied_on: string; note: string | null }>('/exemptions', body),
  decideExemption: (id: number, body: { version: number; approve: boolean; opinion: string }) =>
    post<{ id: number; status: ExemptionStatus; version: number }>(`/exemptions/${id}/decide`, body),
  readiness: (studentId: number, q: WhatIf = {}) => get<Readiness>(`/students/${studentId}/readiness`, { ...q }),
  studentCard: (studentId: number) => get<StudentCard>(`/students/${studentId}`),
  exceptions: (studentId: number) => get<AuditException[]>(`/students/${studentId}/exceptions`),
  addException: (studentId: number, body: ExceptionInput) => post<{ id: number }>(`/students/${studentId}/exceptions`, body),
  revokeException: (id: number) => post<{ id: number }>(`/audit/exceptions/${id}/revoke`),
  setExtension: (studentId: number, body: { extension_until: string | null; reason: string }) =>
    put<{ extension_until: string | null }>(`/students/${studentId}/extension`, body),

  // 消息与导出
  startExport: async (kind: string, fields: Record<string, unknown> = {}) => {
    const r = await post<{ task_id: string; title: string }>('/exports', { ...fields, kind });
    messagesChanged();
    return r;
  },
  exports: (q: { active?: boolean; page?: number; page_size?: number } = {}) =>
    get<Paged<ExportStatus>>('/exports', { ...q, active: q.active === undefined ? undefined : String(q.active) }),
  exportStatus: (id: string) => get<ExportStatus>(`/exports/${encodeURIComponent(id)}`),
  cancelExport: (id: string) => post<ExportStatus>(`/exports/${encodeURIComponent(id)}/cancel`),
  messages: (q: { unread?: boolean; page: number; page_size: number }) =>
    get<Paged<Message> & { unread: number }>('/messages', { ...q, unread: q.unread === undefined ? undefined : String(q.unread) }),
  /** Silent: the bell polls; a failed poll is not worth a toast. */
  unreadCount: () => get<{ unread: number }>('/messages/unread-count', undefined, true),
  readMessage: (id: number) => post<{ ok: true; updated: number }>(`/messages/${id}/read`),
  readAllMessages: () => post<{ ok: true; updated: number }>('/messages/read-all'),
};
