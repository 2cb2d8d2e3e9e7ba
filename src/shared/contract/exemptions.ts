/** 免修免考 (seed 003 三.3): the contract between server and web. */
import { z } from 'zod';
import { defineRoutes, listOf, paging } from '../contract.ts';

/** Through the teaching point, then the branch (初审), then headquarters (终审). */
export const EXEMPTION_STATUSES = ['待分部审核', '待总部审核', '已批准', '已驳回'] as const;
export const exemptionStatus = z.enum(EXEMPTION_STATUSES);
export type ExemptionStatus = z.infer<typeof exemptionStatus>;

export const applyBody = z.object({
  student_no: z.string().trim().min(1, '请填写学号').max(30),
  course_code: z.string().trim().min(1, '请选择申请免修免考的课程').max(40),
  grounds: z.string().trim().min(4, '请填写申请理由（如已获同类课程学分、职业资格证书名称）').max(300),
});
export type ApplyInput = z.infer<typeof applyBody>;

export const decideBody = z.object({
  version: z.number().int(),
  approve: z.boolean(),
  opinion: z.string().trim().max(200).default(''),
}).refine((d) => d.approve || d.opinion.length >= 2, { message: '驳回须填写理由', path: ['opinion'] });
export type DecideInput = z.infer<typeof decideBody>;

export const listQuery = z.object({
  status: exemptionStatus.optional(),
  q: z.string().max(40).optional(),
  ...paging(200, 50),
});
export type ExemptionFilter = z.infer<typeof listQuery>;

export const exemptionRow = z.object({
  id: z.number(), version: z.number(), student_id: z.number(), student_no: z.string(), name: z.string(), id_number_masked: z.string(),
  tp_name: z.string(), course_code: z.string(), course_name: z.string(), credits: z.number(), applied_on: z.string(), grounds: z.string(),
  status: exemptionStatus, branch_opinion: z.string().nullable(), hq_opinion: z.string().nullable(),
  /** The batch it counts for, or 下一毕业批次 when applied after the current batch's deadline. */
  counts_from: z.string().nullable(),
});
export type Exemption = z.infer<typeof exemptionRow>;

const idParam = z.object({ id: z.coerce.number().int().positive() });
const applied = z.object({ id: z.number(), applied_on: z.string(), note: z.string().nullable() });
const decided = z.object({ id: z.number(), status: exemptionStatus, version: z.number() });

export const exemptionsApi = defineRoutes(['免修免考'], {
  list: { method: 'GET', path: '/api/exemptions', access: ['hq_admin', 'branch_admin', 'tp_admin', 'student'],
    summary: '免修免考申请列表', query: listQuery, response: listOf(exemptionRow) },
  apply: { method: 'POST', path: '/api/exemptions', access: ['tp_admin', 'branch_admin', 'hq_admin'],
    summary: '提交免修免考申请（经教学点）', body: applyBody, response: applied },
  decide: { method: 'POST', path: '/api/exemptions/:id/decide', access: ['branch_admin', 'hq_admin'],
    summary: '审核免修免考申请（分部初审，总部终审）', params: idParam, body: decideBody, response: decided },
});
