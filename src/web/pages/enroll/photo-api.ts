/**
 * The client of 电子照片管理 (/api/photos), kept with its pages. Calls go through api.ts (`request`, and
 * `uploadFile` for the multipart uploads), so errors are shown and thrown the same way.
 */
import { request, queryString, uploadFile, type Paged } from '../../api.ts';

export type PhotoVerdict = '新增' | '替换' | '无变化' | '不通过';
export type UploadState = 'checking' | 'checked' | 'failed' | 'saved';

export interface PhotoType {
  code: string;
  width: number;
  height: number;
  min_kb: number;
  max_kb: number;
  note: string;
  enabled: boolean;
  limits_text: string;
}

export interface PhotoUpload {
  id: string;
  photo_type: string;
  file_name: string;
  file_size: number;
  state: UploadState;
  error: string | null;
  task_id: string | null;
  progress: number;
  total: number;
  accepted: number;
  replacing: number;
  unchanged: number;
  rejected: number;
  created_at: string;
  saved_at: string | null;
}

export interface UploadEntry {
  seq: number;
  entry_name: string;
  id_number: string | null;
  student_no: string | null;
  student_name: string | null;
  verdict: PhotoVerdict;
  reason: string;
  size_kb: number | null;
  duplicate_note: string | null;
}

export interface SaveResult {
  applied: number;
  unchanged: number;
  rejected: number;
  flagged: number;
}

export interface StudentPhoto {
  id: number;
  photo_type: string;
  is_current: boolean;
  size_kb: number;
  width: number;
  height: number;
  source: string;
  uploaded_by: string | null;
  uploaded_at: string;
  replaced_at: string | null;
}

export interface StudentPhotos {
  student: { id: number; student_no: string; name: string; id_number_masked: string; tp_name: string };
  types: { code: string; limits_text: string; current: StudentPhoto | null; history: StudentPhoto[] }[];
}

export interface MissingRow {
  student_id: number;
  student_no: string;
  name: string;
  id_number_masked: string;
  major: string;
  level: string;
  tp_code: string;
  tp_name: string;
  confirm_status: string;
}

export interface FlagSide {
  photo_id: number;
  student_id: number | null;
  student_no: string | null;
  name: string | null;
  tp_name: string | null;
}

export interface PhotoFlag {
  id: number;
  kind: string;
  distance: number;
  status: string;
  created_at: string;
  photo: FlagSide;
  other: FlagSide;
}

export const photosApi = {
  types: () => request<PhotoType[]>('GET', '/photos/types'),
  updateType: (code: string, body: Omit<PhotoType, 'code' | 'limits_text'>) => request<PhotoType>('PUT', `/photos/types/${encodeURIComponent(code)}`, { body }),
  upload: (photoType: string, file: File) =>
    uploadFile<{ upload_id: string; task_id: string }>('/photos/uploads', file, { photo_type: photoType }),
  uploads: (q: { page: number; page_size: number }) => request<Paged<PhotoUpload & { owner_name: string | null }>>('GET', '/photos/uploads', { query: q }),
  report: (id: string, q: { verdict?: PhotoVerdict; page: number; page_size: number }) =>
    request<{ upload: PhotoUpload; total: number; rows: UploadEntry[] }>('GET', `/photos/uploads/${encodeURIComponent(id)}`, { query: q }),
  reportUrl: (id: string) => `/api/photos/uploads/${encodeURIComponent(id)}/report.xlsx`,
  save: (id: string) => request<SaveResult>('POST', `/photos/uploads/${encodeURIComponent(id)}/save`),
  student: (id: number) => request<StudentPhotos>('GET', `/photos/students/${id}`),
  uploadOne: (studentId: number, photoType: string, file: File) =>
    uploadFile<{ verdict: PhotoVerdict; reason: string; photo_id: number | null }>(`/photos/students/${studentId}`, file, { photo_type: photoType }),
  imageUrl: (photoId: number) => `/api/photos/${photoId}/image`,
  thumbUrl: (photoId: number) => `/api/photos/${photoId}/thumb`,
  missing: (q: { batch: string; tp_code?: string; q?: string; page: number; page_size: number }) => request<Paged<MissingRow>>('GET', '/photos/missing', { query: q }),
  missingUrl: (q: { batch: string; tp_code?: string; q?: string }) => `/api/photos/missing.xlsx${queryString(q)}`,
  flags: (q: { status: '待核查' | '已核查'; page: number; page_size: number }) => request<Paged<PhotoFlag>>('GET', '/photos/flags', { query: q }),
  reviewFlag: (id: number) => request<{ ok: true }>('POST', `/photos/flags/${id}/review`),
};
