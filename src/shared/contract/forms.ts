/** 毕业生登记表 (seed 000 二, 四): the contract between server and web. States, boxes and limits: ../graduate-form.ts. */
import { z } from 'zod';
import { defineRoutes, paged, paging } from '../contract.ts';
import { studentListed } from './common.ts';
import { bulkResult } from '../bulk.ts';
import { ADMINS, OFFICES, STAFF, STUDENTS } from '../org.ts';
import { FORM_STATES, OPINION_KINDS, OPINION_LINES, OPINION_MAX } from '../graduate-form.ts';

export { FORM_FIELDS, FORM_FIELD_KEYS, FORM_STATES, OPINION_KINDS, OPINION_LINES, OPINION_MAX } from '../graduate-form.ts';
export type { FormField, FormState, OpinionKind } from '../graduate-form.ts';

export const formState = z.enum(FORM_STATES, `登记表状态为 ${FORM_STATES.join('、')} 之一`);
export const opinionKind = z.enum(OPINION_KINDS, `意见类别为 ${OPINION_KINDS.join('、')} 之一`);

// ——— The student's form ———

// The limits of each box are checked in the service (characters, line breaks, printable glyphs), where the
// message can name the box and the count; here only a bound against nonsense.
const part = z.string().max(10_000, '内容过长，请删减后再保存').optional();

/** What the student writes (a box left out keeps what was saved), with the version the page showed (0 for a form never saved). */
export const draftBody = z.object({
  version: z.number().int().min(0, '版本号格式不正确'),
  self_assessment: part,
  study_summary: part,
  practice_summary: part,
  rewards: part,
  punishments: part,
});
export type DraftBody = z.infer<typeof draftBody>;

const texts = z.object({
  self_assessment: z.string(), study_summary: z.string(), practice_summary: z.string(), rewards: z.string(), punishments: z.string(),
});
/** What the student writes, one text per box of the printed form. */
export type FormTexts = z.infer<typeof texts>;

const opinion = z.object({ text: z.string(), by: z.string().nullable(), at: z.string().nullable() });
export type Opinion = z.infer<typeof opinion>;

/** One form as a reader (the page, or a renderer of the printed form) needs it. */
export const formView = z.object({
  id: z.number().describe('毕业生编号（graduate.id）：登记表以毕业生为键'),
  version: z.number(),
  state: formState,
  /** The form's own 毕业批次: null (“无”) until the school's opinion files it under the graduate's batch. */
  batch_code: z.string().nullable(),
  graduate_batch: z.string(),
  identity: z.object({
    student_no: z.string(), name: z.string(), gender: z.string(), id_number: z.string(), birth_date: z.string().nullable(),
    ethnicity: z.string(), political_status: z.string(), cohort: z.string(), level: z.string(), major: z.string(),
    tp_code: z.string(), tp_name: z.string(), class_code: z.string().nullable(), class_name: z.string().nullable(),
    entry_date: z.string(),
    /** 学习起止时间: from entry to the batch's 发证日期. */
    study_from: z.string(), study_to: z.string(),
    photo_id: z.number().nullable(), photo_url: z.string().nullable(),
  }),
  texts,
  opinions: z.object({ head_teacher: opinion.nullable(), tp: opinion.nullable(), school: opinion.nullable() }),
  saved_at: z.string().nullable(),
  submitted_at: z.string().nullable(),
  return_reason: z.string().nullable(),
  returned_at: z.string().nullable(),
});
export type FormView = z.infer<typeof formView>;

const windowView = z.object({ step: z.string(), starts_on: z.string(), ends_on: z.string(), open: z.boolean() }).nullable();
/** The student's own form, with the 填写毕业生登记表 window and whether it may be changed now. */
export const myFormResponse = formView.extend({
  /** 填写毕业生登记表 (seed 000 二): when the student may submit. */
  window: windowView,
  can_edit: z.boolean(),
});
export type MyForm = z.infer<typeof myFormResponse>;

// ——— 毕业生登记表管理 ———

/** The filter of 毕业生登记表管理 without paging: also what 下载毕业生登记表 prints. */
export const formFilter = z.object({
  /** 毕业批次: a batch code, or “none” for forms not yet filed under a batch (the seed's “无”). */
  batch: z.string().regex(/^(\d{6}|none)$/, '毕业批次为 6 位数字（如 202301），或“无”（none）').optional(),
  tp_code: z.string().max(40).optional(),
  state: formState.optional(),
  major: z.string().max(60).optional(),
  class_code: z.string().max(40).optional(),
  q: z.string().trim().max(40).optional(),
});
export type FormFilter = z.infer<typeof formFilter>;

export const listQuery = formFilter.extend(paging(500, 50));
export type ListFilter = z.infer<typeof listQuery>;

export const formRow = z.object({
  id: z.number(), version: z.number(), state: formState, batch_code: z.string().nullable(), graduate_batch: z.string(),
  ...studentListed, gender: z.string(), id_number_masked: z.string(), class_code: z.string().nullable(), class_name: z.string().nullable(),
  head_teacher_opinion: z.string().nullable(), tp_opinion: z.string().nullable(), school_opinion: z.string().nullable(),
  submitted_at: z.string().nullable(), return_reason: z.string().nullable(),
});
export type FormRow = z.infer<typeof formRow>;

export const listResponse = paged(formRow).extend({
  /** Forms per 登记表状态 under the same filters (without the state filter). */
  counts: z.record(formState, z.number()),
});
export type FormPage = z.infer<typeof listResponse>;

export const formIdParam = z.object({ id: z.coerce.number().int().positive('登记表编号格式不正确') });

const opinionText = (label: string) => z.string().trim().min(2, `请填写${label}（至少 2 个字）`).max(OPINION_MAX, `${label}不超过 ${OPINION_MAX} 字`)
  // The printed box holds about five lines: more line breaks would not fit on paper.
  .refine((t) => t.split('\n').length <= OPINION_LINES, `${label}最多 ${OPINION_LINES} 行，请合并几行后再提交`);
const item = { id: z.number().int(), version: z.number().int() };
const items = <T extends z.ZodRawShape>(shape: T) => z.array(z.object({ ...item, ...shape })).min(1, '请先勾选学生').max(5000, '一次最多处理 5000 名学生');

/** 填写意见 for the ticked forms: each with its own text (the page starts every row from a common phrase). */
export const opinionsBody = z.object({
  items: items({ head_teacher_opinion: opinionText('班主任意见').optional(), tp_opinion: opinionText('函授站意见').optional() }),
});
export type OpinionItem = z.infer<typeof opinionsBody>['items'][number];
export const approveBody = z.object({ items: items({ school_opinion: opinionText('学校意见') }) });
export type ApproveItem = z.infer<typeof approveBody>['items'][number];
export const returnBody = z.object({
  items: items({}),
  reason: z.string().trim().min(2, '请填写退回原因，告诉学生需要修改什么').max(200, '退回原因不超过 200 字'),
});

// ——— 常用意见 ———

export const phraseBody = z.object({
  kind: opinionKind,
  text: z.string().trim().min(2, '常用意见至少 2 个字').max(OPINION_MAX, `常用意见不超过 ${OPINION_MAX} 字`),
  sort: z.number().int().min(0).max(9999).default(0),
});
export type PhraseBody = z.infer<typeof phraseBody>;
export const phraseRow = z.object({
  id: z.number(), kind: opinionKind, text: z.string(), sort: z.number(), node_name: z.string(),
  /** Kept by the caller's own node (it may delete it); otherwise inherited from a node above. */
  mine: z.boolean(),
});
export type Phrase = z.infer<typeof phraseRow>;
export const phraseList = z.object({ rows: z.array(phraseRow) });
export const phraseIdParam = z.object({ id: z.coerce.number().int().positive('常用意见编号格式不正确') });

export const formsApi = defineRoutes(['毕业生登记表'], {
  // ——— The student (seed 000 二) ———
  mine: { method: 'GET', path: '/api/me/graduate-form', access: STUDENTS, summary: '我的毕业生登记表（身份、专业、学习时间、照片取自学籍）', response: myFormResponse },
  saveDraft: { method: 'PUT', path: '/api/me/graduate-form/draft', access: STUDENTS, summary: '保存草稿（学生未填写或被退回时）', body: draftBody, response: myFormResponse },
  submit: { method: 'POST', path: '/api/me/graduate-form/submit', access: STUDENTS,
    summary: '提交登记表（填写时间内；提交后锁定，教学点退回后可再修改）', body: draftBody, response: myFormResponse },
  // ——— 毕业 → 毕业管理 → 毕业生登记表管理 (seed 000 四) ———
  list: { method: 'GET', path: '/api/graduate-forms', access: STAFF, summary: '查询：毕业批次（含“无”）、函授站代码、登记表状态、专业、班级', query: listQuery, response: listResponse },
  phrases: { method: 'GET', path: '/api/graduate-forms/phrases', access: STAFF, summary: '常用意见（本单位及上级单位的）', response: phraseList },
  addPhrase: { method: 'POST', path: '/api/graduate-forms/phrases', access: OFFICES, summary: '新增常用意见', body: phraseBody, response: phraseRow },
  deletePhrase: { method: 'DELETE', path: '/api/graduate-forms/phrases/:id', access: OFFICES,
    summary: '删除常用意见（本单位及下级单位的）', params: phraseIdParam, response: z.object({ deleted: z.number() }) },
  one: { method: 'GET', path: '/api/graduate-forms/:id', access: 'any', summary: '一名毕业生的登记表（身份证号完整显示；学生只能看到自己的）', params: formIdParam, response: formView },
  writeOpinions: { method: 'POST', path: '/api/graduate-forms/opinions', access: ['tp_admin', 'head_teacher'],
    summary: '填写意见：班主任意见、函授站意见（批量，每人可不同；班主任只能填写本班的班主任意见）', body: opinionsBody, response: bulkResult },
  approve: { method: 'POST', path: '/api/graduate-forms/approve', access: ADMINS,
    summary: '填写学校意见（批量）：登记表状态改为“总部已填写”，归入毕业批次', body: approveBody, response: bulkResult },
  sendBack: { method: 'POST', path: '/api/graduate-forms/return', access: OFFICES, summary: '退回学生修改（须填写原因）', body: returnBody, response: bulkResult },
});
