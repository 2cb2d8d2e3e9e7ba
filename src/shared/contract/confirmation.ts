/** 预毕业确认 (seed 000 step 一): the contract between server and web. */
import { z } from 'zod';
import { defineRoutes, paged, paging } from '../contract.ts';
import { studentListed } from './common.ts';
import { bulkResult } from '../bulk.ts';
import { OFFICES } from '../org.ts';

/** The statuses of 预毕业确认, written once. */
export const CONFIRM_STATUSES = ['待确认', '同意毕业', '不同意'] as const;
export const confirmStatus = z.enum(CONFIRM_STATUSES);
export type ConfirmStatus = z.infer<typeof confirmStatus>;

const batchCode = z.string().regex(/^\d{6}$/, '请选择毕业批次');

/** The filter of 预毕业确认 without paging: also what "当前查询的全部学生" sends. */
export const confirmFilter = z.object({
  batch: batchCode,
  tp_code: z.string().max(40).optional(),
  major: z.string().max(60).optional(),
  level: z.enum(['专科', '本科']).optional(),
  status: confirmStatus.optional(),
  eligible: z.enum(['true', 'false']).optional(),
  q: z.string().max(40).optional(),
});
export type ConfirmFilter = z.infer<typeof confirmFilter>;

export const listQuery = confirmFilter.extend(paging(500, 50));
export type ListFilter = z.infer<typeof listQuery>;

export const candidateSchema = z.object({
  id: z.number(), version: z.number(), student_id: z.number(), ...studentListed, gender: z.string(), id_number_masked: z.string(), cohort: z.string(),
  eligible: z.boolean(), credits_earned: z.number(), credits_required: z.number(), reasons: z.array(z.string()),
  confirm_status: confirmStatus, confirm_reason: z.string().nullable(), confirmed_at: z.string().nullable(),
  /** 专科 graduate continuing to 本科: audited early (加急, seed 003 二.3). */
  urgent: z.boolean(),
});
export type Candidate = z.infer<typeof candidateSchema>;

export const confirmWindow = z.object({ starts_on: z.string(), ends_on: z.string(), open: z.boolean(), days_left: z.number().nullable() });
export type ConfirmWindow = z.infer<typeof confirmWindow>;

export const listResponse = paged(candidateSchema).extend({ window: confirmWindow.nullable() });
export type CandidatePage = z.infer<typeof listResponse>;

/** Either the ticked rows (each with the version the page showed) or every row of the current query. */
export const selection = z.union([
  z.object({ items: z.array(z.object({ id: z.number().int(), version: z.number().int() })).min(1, '请先勾选学生').max(50_000) }),
  z.object({ all: z.literal(true), filter: confirmFilter }),
]);
export type Selection = z.infer<typeof selection>;

export const agreeBody = z.object({ batch: z.string().regex(/^\d{6}$/), selection });
export const disagreeBody = z.object({
  batch: z.string().regex(/^\d{6}$/),
  selection,
  reason: z.string().trim().min(2, '请填写不同意的原因').max(200, '原因不超过 200 字'),
});


export const countsQuery = z.object({ batch: batchCode });
export const tpCount = z.object({
  tp_id: z.number(), tp_code: z.string(), tp_name: z.string(), branch_name: z.string(),
  candidates: z.number(), eligible: z.number(), agreed: z.number(), refused: z.number(), pending: z.number(),
});
export type TpCount = z.infer<typeof tpCount>;

export const confirmationApi = defineRoutes(['预毕业确认'], {
  list: { method: 'GET', path: '/api/confirmation', access: OFFICES, summary: '查询：本批次候选学生及是否符合毕业条件', query: listQuery, response: listResponse },
  counts: { method: 'GET', path: '/api/confirmation/counts', access: OFFICES, summary: '各教学点预毕业确认人数', query: countsQuery, response: z.array(tpCount) },
  agree: { method: 'POST', path: '/api/confirmation/agree', access: OFFICES, summary: '同意毕业（勾选的学生，或当前查询的全部学生）', body: agreeBody, response: bulkResult },
  disagree: { method: 'POST', path: '/api/confirmation/disagree', access: OFFICES, summary: '不同意毕业（须填写原因）', body: disagreeBody, response: bulkResult },
  undo: { method: 'POST', path: '/api/confirmation/undo', access: OFFICES, summary: '撤销确认（办理时间内）', body: agreeBody, response: bulkResult },
});
