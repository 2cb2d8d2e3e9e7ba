/**
 * The client of 数据导入 (/api/imports): Excel templates, uploads, check reports and apply.
 * Kept beside api.ts because an upload is multipart, not JSON; errors are shown and thrown the same way.
 */
import { ApiError, apiHooks, queryString, type Paged, type Role } from './api.ts';

export type ImportKind = 'students' | 'programmes' | 'grades_exam' | 'grades_practice';
export type ImportState = 'checking' | 'checked' | 'invalid' | 'applying' | 'applied' | 'failed';

export const IMPORT_KINDS: { kind: ImportKind; name: string; roles: Role[]; needsBatch: boolean }[] = [
  { kind: 'students', name: '学籍数据', roles: ['hq_admin', 'branch_admin'], needsBatch: false },
  { kind: 'programmes', name: '教学计划', roles: ['hq_admin'], needsBatch: false },
  { kind: 'grades_exam', name: '期末考试成绩', roles: ['hq_admin'], needsBatch: true },
  { kind: 'grades_practice', name: '综合实践环节成绩', roles: ['hq_admin', 'branch_admin'], needsBatch: true },
];

export interface ImportFile {
  id: string;
  kind: ImportKind;
  kind_name: string;
  file_name: string;
  batch_code: string | null;
  state: ImportState;
  file_error: string | null;
  apply_error: string | null;
  total_rows: number;
  error_rows: number;
  applied_rows: number | null;
  owner_name: string;
  node_name: string;
  check_task: string | null;
  apply_task: string | null;
  submission_id: number | null;
  created_at: string;
  applied_at: string | null;
}

export interface CellError {
  column: string;
  value: string;
  message: string;
}

export interface ImportRowView {
  row_no: number;
  data: Record<string, unknown>;
  errors: CellError[];
}

export interface GradeWindows {
  batch: string;
  today: string;
  open: boolean;
  windows: { round: string; grades_from: string; grades_to: string; open: boolean }[];
}

async function call<T>(method: string, path: string, opts: { query?: Record<string, string | number | undefined>; body?: unknown; form?: FormData } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/api${path}${queryString(opts.query)}`, {
      method,
      credentials: 'same-origin',
      headers: opts.body !== undefined ? { accept: 'application/json', 'content-type': 'application/json' } : { accept: 'application/json' },
      body: opts.form ?? (opts.body !== undefined ? JSON.stringify(opts.body) : undefined),
    });
  } catch {
    const err = new ApiError(0, 'NETWORK', '无法连接服务器，请检查网络后重试。');
    apiHooks.showError(err.message);
    throw err;
  }
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const err = new ApiError(res.status, data?.error ?? `HTTP_${res.status}`, data?.message ?? `服务器返回错误（${res.status}），请稍后重试。`, data?.details);
    if (res.status === 401 && err.code === 'UNAUTHENTICATED') apiHooks.onUnauthenticated();
    apiHooks.showError(err.message);
    throw err;
  }
  return data as T;
}

export const importsApi = {
  templateUrl: (kind: ImportKind) => `/api/imports/templates/${kind}`,
  reportUrl: (id: string) => `/api/imports/${encodeURIComponent(id)}/report`,
  upload: (kind: ImportKind, batch: string | undefined, file: File) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return call<ImportFile>('POST', '/imports', { query: { kind, batch }, form });
  },
  list: (q: { kind?: ImportKind; page: number; page_size: number }) => call<Paged<ImportFile>>('GET', '/imports', { query: q }),
  get: (id: string) => call<ImportFile>('GET', `/imports/${encodeURIComponent(id)}`),
  rows: (id: string, q: { errors_only?: 'true'; page: number; page_size: number }) =>
    call<Paged<ImportRowView>>('GET', `/imports/${encodeURIComponent(id)}/rows`, { query: q }),
  apply: (id: string, mode: 'all' | 'valid') => call<{ task_id: string; import: ImportFile }>('POST', `/imports/${encodeURIComponent(id)}/apply`, { body: { mode } }),
  windows: (batch: string) => call<GradeWindows>('GET', '/imports/windows', { query: { batch } }),
};
