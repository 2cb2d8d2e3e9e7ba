/**
 * The client of 到校提交毕业审核材料 (/api/materials, seed 000 step 七): the checklist of each graduate's
 * papers, the counts per teaching point, and the 未办理毕业学生统计表. Types mirror src/server/materials/schema.ts.
 */
import { queryString, request, type Paged } from './api.ts';

export const MATERIAL_ITEMS = ['信息采集照片', '成绩单', '入学登记表', '毕业生登记表'] as const;
export type MaterialItem = (typeof MATERIAL_ITEMS)[number];
export type MaterialState = '未备齐' | '待接收' | '已接收';

export interface ItemState {
  prepared_at: string | null;
  received_at: string | null;
}

export interface MaterialRow {
  graduate_id: number;
  student_id: number;
  student_no: string;
  name: string;
  major: string;
  level: string;
  tp_code: string;
  tp_name: string;
  class_name: string | null;
  items: Record<MaterialItem, ItemState>;
  has_photo: boolean;
  form_state: string;
}

export interface MaterialFilter {
  batch: string;
  tp_code?: string;
  major?: string;
  q?: string;
  state?: MaterialState;
}

export interface MarkResult {
  updated: number;
  refused: { graduate_id: number; item: string; reason: string }[];
}

type Counts = Record<MaterialItem, number>;
export interface SummaryRow {
  tp_code: string;
  tp_name: string;
  graduates: number;
  prepared: Counts;
  received: Counts;
  all_prepared: number;
  all_received: number;
}

export interface NotGraduatingFilter {
  batch: string;
  tp_code?: string;
  cohort?: string;
}

export interface NotGraduatingRow {
  student_no: string;
  name: string;
  major: string;
  level: string;
  cohort: string;
  tp_code: string;
  tp_name: string;
  reason: string;
}

export const materialsApi = {
  list: (f: MaterialFilter & { page: number; page_size: number }) => request<Paged<MaterialRow>>('GET', '/materials', { query: { ...f } }),
  mark: (body: { action: 'prepare' | 'receive'; done: boolean; batch: string; items: { graduate_id: number; item: MaterialItem }[] }) =>
    request<MarkResult>('POST', '/materials/mark', { body }),
  summary: (batch: string) => request<{ rows: SummaryRow[] }>('GET', '/materials/summary', { query: { batch } }),
  notGraduating: (f: NotGraduatingFilter) => request<{ total: number; rows: NotGraduatingRow[] }>('GET', '/materials/not-graduating', { query: { ...f } }),
  notGraduatingXlsxUrl: (f: NotGraduatingFilter) => `/api/materials/not-graduating.xlsx${queryString({ ...f })}`,
  notGraduatingPdfUrl: (f: NotGraduatingFilter) => `/api/materials/not-graduating.pdf${queryString({ ...f })}`,
};
