/**
 * The client of 数据导入 (/api/imports): Excel templates, uploads, check reports and apply.
 * Calls go through api.ts (`request`, and `uploadFile` for the multipart upload), so errors are shown and thrown the same way.
 */
import { request, uploadFile, type Paged, type Role } from './api.ts';

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

export const importsApi = {
  templateUrl: (kind: ImportKind) => `/api/imports/templates/${kind}`,
  reportUrl: (id: string) => `/api/imports/${encodeURIComponent(id)}/report`,
  upload: (kind: ImportKind, batch: string | undefined, file: File) => uploadFile<ImportFile>('/imports', file, { kind, batch }),
  list: (q: { kind?: ImportKind; page: number; page_size: number }) => request<Paged<ImportFile>>('GET', '/imports', { query: q }),
  get: (id: string) => request<ImportFile>('GET', `/imports/${encodeURIComponent(id)}`),
  rows: (id: string, q: { errors_only?: 'true'; page: number; page_size: number }) =>
    request<Paged<ImportRowView>>('GET', `/imports/${encodeURIComponent(id)}/rows`, { query: q }),
  apply: (id: string, mode: 'all' | 'valid') => request<{ task_id: string; import: ImportFile }>('POST', `/imports/${encodeURIComponent(id)}/apply`, { body: { mode } }),
  windows: (batch: string) => request<GradeWindows>('GET', '/imports/windows', { query: { batch } }),
};
