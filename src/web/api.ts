/**
 * The typed client of the platform's HTTP API. Every call sends the session cookie and JSON; a refused
 * call shows the server's Chinese `message` and throws an `ApiError`; an expired session goes to login.
 * The types mirror the server's zod schemas (the web may not import the server).
 */

import type { Role } from '../shared/org.ts';
export type { NodeKind, Role } from '../shared/org.ts';
export { KIND_NAMES, ROLE_FOR_KIND, ROLE_NAMES } from '../shared/org.ts';
export type { ConfirmStatus } from '../shared/contract/confirmation.ts';

export type { Me } from '../shared/contract/accounts.ts';
export type { User } from '../shared/contract/accounts.ts';
export type { Batch, BatchWindow, Home } from '../shared/contract/batches.ts';
export type { OrgNode } from '../shared/contract/org.ts';
export type { Task } from '../shared/contract/tasks.ts';
export type { StudentCard } from '../shared/contract/students.ts';
import { batchesApi } from '../shared/contract/batches.ts';
import { orgApi, type NodesFilter } from '../shared/contract/org.ts';
import { programmesApi } from '../shared/contract/programmes.ts';
import { studentsApi } from '../shared/contract/students.ts';
import { tasksApi } from '../shared/contract/tasks.ts';
import { call } from './client.ts';

export type { Paged } from '../shared/contract.ts';
import type { Paged } from '../shared/contract.ts';

// 消息与导出
export type { ExportState, ExportStatus, Message } from '../shared/contract/exports.ts';

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

/** One call of the API; also used by the clients kept beside their pages (api-imports.ts). */
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

export const api = {
  // 毕业批次
  batches: () => call(batchesApi.list),
  batch: (code: string) => call(batchesApi.get, { params: { code } }),
  task: (id: string) => call(tasksApi.get, { params: { id } }),

  majors: () => call(programmesApi.majors),

  // 组织机构
  nodes: (query: NodesFilter = {}) => call(orgApi.nodes, { query }),

  // 预毕业确认

  studentCard: (id: number) => call(studentsApi.card, { params: { id } }),

};
