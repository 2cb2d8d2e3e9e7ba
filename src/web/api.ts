/**
 * The typed client of the platform's HTTP API. Every call sends the session cookie and JSON; a refused
 * call shows the server's Chinese `message` and throws an `ApiError`; an expired session goes to login.
 * The types mirror the server's zod schemas (the web may not import the server).
 */

import type { NodeKind, Role } from '../shared/org.ts';
export type { NodeKind, Role } from '../shared/org.ts';
export { KIND_NAMES, ROLE_FOR_KIND, ROLE_NAMES } from '../shared/org.ts';
export type ConfirmStatus = '待确认' | '同意毕业' | '不同意';

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

export interface Candidate {
  id: number;
  version: number;
  student_id: number;
  student_no: string;
  name: string;
  gender: string;
  id_number_masked: string;
  cohort: string;
  level: string;
  major: string;
  tp_code: string;
  tp_name: string;
  eligible: boolean;
  credits_earned: number;
  credits_required: number;
  reasons: string[];
  confirm_status: ConfirmStatus;
  confirm_reason: string | null;
  confirmed_at: string | null;
}

export interface ConfirmWindow {
  starts_on: string;
  ends_on: string;
  open: boolean;
  days_left: number | null;
}

export interface CandidatePage {
  total: number;
  page: number;
  page_size: number;
  rows: Candidate[];
  window: ConfirmWindow | null;
}

/** The filter of 预毕业确认 without paging: also what "当前查询的全部学生" sends. */
export interface ConfirmFilter {
  batch: string;
  tp_code?: string;
  major?: string;
  level?: '专科' | '本科';
  status?: ConfirmStatus;
  eligible?: 'true' | 'false';
  q?: string;
}

export type Selection = { items: { id: number; version: number }[] } | { all: true; filter: ConfirmFilter };

export interface ActionResult {
  changed: number;
  unchanged: number;
  refused: { id: number; student_no: string; name: string; reason: string }[];
}

export interface TpCount {
  tp_id: number;
  tp_code: string;
  tp_name: string;
  branch_name: string;
  candidates: number;
  eligible: number;
  agreed: number;
  refused: number;
  pending: number;
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
  result: unknown;
  error: string | null;
  created_at: string;
  finished_at: string | null;
}

export interface Paged<T> {
  total: number;
  rows: T[];
}

export const isAdmin = (role: Role) => role === 'hq_admin' || role === 'branch_admin';
export const isOffice = (role: Role) => role === 'hq_admin' || role === 'branch_admin' || role === 'tp_admin';
export const isStaff = (role: Role) => role !== 'student';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** Set by the app shell: how to show an error, and what to do when the session is gone. */
export const apiHooks: {
  showError: (text: string) => void;
  onUnauthenticated: () => void;
} = {
  showError: (text) => console.error(text),
  onUnauthenticated: () => {
    if (window.location.pathname !== '/login') window.location.assign('/login');
  },
};

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
  /** Do not show the error (the caller handles it). */
  silent?: boolean;
}

async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/api${path}${queryString(opts.query)}`, {
      method,
      credentials: 'same-origin',
      headers: opts.body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
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
  candidates: (f: ConfirmFilter & { page: number; page_size: number }) => get<CandidatePage>('/confirmation', { ...f }),
  confirmCounts: (batch: string) => get<TpCount[]>('/confirmation/counts', { batch }),
  agree: (batch: string, selection: Selection) => post<ActionResult>('/confirmation/agree', { batch, selection }),
  disagree: (batch: string, selection: Selection, reason: string) => post<ActionResult>('/confirmation/disagree', { batch, selection, reason }),
  undo: (batch: string, selection: Selection) => post<ActionResult>('/confirmation/undo', { batch, selection }),
};
