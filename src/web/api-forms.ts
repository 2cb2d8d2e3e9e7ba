/**
 * The client of 毕业生登记表 (/api/me/graduate-form, /api/graduate-forms): the student's own form (seed 000 二)
 * and 毕业管理 → 毕业生登记表管理 (seed 000 四). Calls go through api.ts (`request`), so errors are shown and
 * thrown the same way. The types mirror src/server/forms/schema.ts; states, boxes and limits come from
 * src/shared/graduate-form.ts, which the server checks against too.
 */
import { api, request, type ActionResult } from './api.ts';
import type { FormField, FormState, OpinionKind } from '../shared/graduate-form.ts';
import type { ExportScope, PrintMode, SortKey } from './api-records.ts';

export type { ActionResult } from './api.ts';
export type { FormField, FormState, OpinionKind } from '../shared/graduate-form.ts';
export { FORM_FIELDS, FORM_FIELD_KEYS, FORM_STATES, OPINION_KINDS, OPINION_MAX } from '../shared/graduate-form.ts';

export const STATE_COLORS: Record<FormState, string> = { 学生未填写: 'default', 函授站未填写: 'processing', 函授站已填写: 'warning', 总部已填写: 'success' };

/** What the student writes, one text per box of the printed form. */
export type FormTexts = Record<FormField, string>;

export interface Opinion {
  text: string;
  by: string | null;
  at: string | null;
}

/** One form as the page (or the printed form) shows it. `id` is the graduate's id: a form per graduate. */
export interface FormView {
  id: number;
  version: number;
  state: FormState;
  /** The form's own 毕业批次: null (“无”) until the school's opinion files it under the graduate's batch. */
  batch_code: string | null;
  graduate_batch: string;
  identity: {
    student_no: string;
    name: string;
    gender: string;
    /** Whole. */
    id_number: string;
    birth_date: string | null;
    ethnicity: string;
    political_status: string;
    cohort: string;
    level: string;
    major: string;
    tp_code: string;
    tp_name: string;
    class_code: string | null;
    class_name: string | null;
    entry_date: string;
    /** 学习起止时间: from entry to the batch's 发证日期. */
    study_from: string;
    study_to: string;
    photo_id: number | null;
    photo_url: string | null;
  };
  texts: FormTexts;
  opinions: { head_teacher: Opinion | null; tp: Opinion | null; school: Opinion | null };
  saved_at: string | null;
  submitted_at: string | null;
  return_reason: string | null;
  returned_at: string | null;
}

/** The student's own form, with the 填写毕业生登记表 window and whether it may be changed now. */
export interface MyForm extends FormView {
  window: { step: string; starts_on: string; ends_on: string; open: boolean } | null;
  can_edit: boolean;
}

/** What the student sends: the boxes, with the version the page showed (0 for a form never saved). */
export type DraftInput = Partial<FormTexts> & { version: number };

/** The filter of 毕业生登记表管理 without paging. */
export interface FormFilter {
  /** 毕业批次: a batch code, or 'none' for forms not yet filed under a batch (the seed's “无”). */
  batch?: string;
  tp_code?: string;
  state?: FormState;
  major?: string;
  class_code?: string;
  q?: string;
}

export interface FormRow {
  id: number;
  version: number;
  state: FormState;
  batch_code: string | null;
  graduate_batch: string;
  student_no: string;
  name: string;
  gender: string;
  id_number_masked: string;
  level: string;
  major: string;
  tp_code: string;
  tp_name: string;
  class_code: string | null;
  class_name: string | null;
  head_teacher_opinion: string | null;
  tp_opinion: string | null;
  school_opinion: string | null;
  submitted_at: string | null;
  return_reason: string | null;
}

export interface FormPage {
  total: number;
  page: number;
  page_size: number;
  rows: FormRow[];
  /** Forms per 登记表状态 under the same filter, without its state. */
  counts: Record<FormState, number>;
}

export interface OpinionItem {
  id: number;
  version: number;
  head_teacher_opinion?: string;
  tp_opinion?: string;
}

export interface Phrase {
  id: number;
  kind: OpinionKind;
  text: string;
  sort: number;
  node_name: string;
  /** Kept by the caller's own unit (it may delete it); otherwise inherited from a unit above. */
  mine: boolean;
}

/** 下载毕业生登记表: the export dialog's choices over the list's query. */
export interface FormsExportInput {
  scope: ExportScope;
  ids?: number[];
  filter: FormFilter;
  /** null: each teaching point's 默认排序方式. */
  sort: SortKey | null;
  print_mode: PrintMode;
}

type Paging = { page: number; page_size: number };
type Item = { id: number; version: number };

export const formsApi = {
  /** The signed-in student's 毕业生登记表. */
  mine: () => request<MyForm>('GET', '/me/graduate-form'),
  saveDraft: (body: DraftInput) => request<MyForm>('PUT', '/me/graduate-form/draft', { body }),
  /** Hands the form to the teaching point (函授站未填写); locked until it is returned. */
  submit: (body: DraftInput) => request<MyForm>('POST', '/me/graduate-form/submit', { body }),

  list: (q: FormFilter & Paging) => request<FormPage>('GET', '/graduate-forms', { query: { ...q } }),
  one: (id: number) => request<FormView>('GET', `/graduate-forms/${id}`),
  /** 填写意见: 班主任意见 and 函授站意见, each form its own text. */
  writeOpinions: (items: OpinionItem[]) => request<ActionResult>('POST', '/graduate-forms/opinions', { body: { items } }),
  /** 学校意见: the forms become 总部已填写. */
  approve: (items: (Item & { school_opinion: string })[]) => request<ActionResult>('POST', '/graduate-forms/approve', { body: { items } }),
  /** 退回 to the student with the reason. */
  sendBack: (items: Item[], reason: string) => request<ActionResult>('POST', '/graduate-forms/return', { body: { items, reason } }),

  phrases: () => request<{ rows: Phrase[] }>('GET', '/graduate-forms/phrases'),
  addPhrase: (body: { kind: OpinionKind; text: string; sort?: number }) => request<Phrase>('POST', '/graduate-forms/phrases', { body }),
  deletePhrase: (id: number) => request<{ deleted: number }>('DELETE', `/graduate-forms/phrases/${id}`),

  /** 下载毕业生登记表: a job; the file comes in 消息. */
  exportForms: (input: FormsExportInput) => api.startExport('graduate-forms', { ...input }),
};
