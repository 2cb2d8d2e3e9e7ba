/**
 * 学籍清理 (学籍 → 学籍清理; seed 003 四.8): headquarters opens a campaign for the cohorts concerned, branches
 * submit the 学籍延期名单 (each student with a scanned written application) by the deadline, headquarters approves
 * or rejects each, and on the clean-up date a job turns the expired students without an approved extension who
 * have not graduated into 退学. The contract between server and web.
 */
import { z } from 'zod';
import { defineRoutes, paged, paging } from '../contract.ts';
import { studentListed } from './common.ts';
import { bulkResult } from '../bulk.ts';
import { ADMINS, HQ, OFFICES } from '../org.ts';
import { windowStatus } from '../window.ts';

/** A branch's extension request: 待审批 until headquarters decides. */
export const EXTENSION_STATES = ['待审批', '已批准', '已驳回'] as const;
export const extensionState = z.enum(EXTENSION_STATES);
export type ExtensionState = z.infer<typeof extensionState>;

/** Why a student of the preview will be cleared. */
export const CLEAR_REASONS = ['超过学籍有效期且未申请延期', '延期申请被驳回', '延期申请待审批', '学籍延期已到期'] as const;
export type ClearReason = (typeof CLEAR_REASONS)[number];

/** 学信网 注销类型 (ZXLX) written for a 退学 of the clean-up: 2 = 退学 (1 would be 死亡/other 注销). */
export const ZXLX_WITHDRAWAL = '2';

/** The fields of the 学信网 退学 file, in order. */
export const WITHDRAWAL_FIELDS = ['KSH', 'XH', 'XM', 'SFZH', 'ZXLX', 'PZRQ', 'WH'] as const;

/**
 * 最晚毕业批次: the last graduation batch (January or July) a student of `cohort` (学籍批次 YYYYMM, e.g. 201203 =
 * 2012 spring) may still graduate in. 学籍有效期 is 8 years from entry (9 with the one approved extension), and the
 * batch must fall before the month the validity ends: 201203 → 202001, with an extension → 202101 (seed 003 四.8);
 * 201209 → 202007 / 202107. Written once: server and web both call it.
 */
export function lastGraduationBatch(cohort: string, extended: boolean): string | null {
  const m = /^(\d{4})(\d{2})$/.exec(cohort);
  if (!m) return null;
  const month = Number(m[2]);
  if (month < 1 || month > 12) return null;
  const endYear = Number(m[1]) + 8 + (extended ? 1 : 0);
  // The validity ends the month before the entry month of endYear: the latest 01/07 batch strictly before it.
  if (month > 7) return `${endYear}07`;
  if (month > 1) return `${endYear}01`;
  return `${endYear - 1}07`;
}

/** The latest 延期至 headquarters may approve: one year after 学籍有效期 (a 29 February ends on 28 February). */
export function maxExtensionUntil(validUntil: string): string {
  const y = Number(validUntil.slice(0, 4)) + 1;
  const md = validUntil.slice(5);
  return md === '02-29' ? `${y}-02-28` : `${y}-${md}`;
}

const date = z.string('请填写日期，格式为 YYYY-MM-DD').regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD，如 2020-06-15')
  .refine((d) => !Number.isNaN(Date.parse(d)) && new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) === d, '日期无效，请填写实际存在的日期，如 2020-06-15');
const cohort = z.string().regex(/^\d{4}(0[1-9]|1[0-2])$/, '学籍批次为 6 位数字，如 201203（2012 年春季）');
const reason = (what: string) => z.string(`请填写${what}`).trim().min(2, `请填写${what}（至少 2 个字）`).max(200, `${what}最多 200 个字`);

export const idParam = z.object({ id: z.coerce.number().int().positive() });

export const campaignSchema = z.object({
  id: z.number(),
  name: z.string(),
  cohorts: z.array(z.string()),
  /** 学籍延期名单截止日期 (branches). */
  list_deadline: z.string(),
  /** 清理日期: the clean-up may start on or after it. */
  cleanup_on: z.string(),
  /** 文号 of the 退学. */
  doc_no: z.string(),
  created_by: z.string().nullable(),
  created_at: z.string(),
  ran_at: z.string().nullable(),
  ran_by: z.string().nullable(),
  /** The clean-up job's task (后台任务), for its progress. */
  task_id: z.string().nullable(),
  /** Students turned 退学 by the clean-up (null before it ran). */
  cleared: z.number().nullable(),
  /** Branches' submission window, as the server judges it (ends on list_deadline). */
  list_window: windowStatus,
  /** Whether headquarters may start the clean-up today (on or after cleanup_on, not yet run). */
  can_run: z.boolean(),
  /** Why it may not, in words (null when it may). */
  run_blocked: z.string().nullable(),
  /** Counts within the caller's subtree. */
  counts: z.object({ pending: z.number(), approved: z.number(), rejected: z.number() }),
});
export type Campaign = z.infer<typeof campaignSchema>;

export const campaignBody = z.object({
  name: z.string('请填写名称').trim().min(2, '请填写名称，如“2020 年学籍清理（2012 年春季入学）”').max(60, '名称最多 60 个字'),
  cohorts: z.array(cohort).min(1, '请至少选择一个学籍批次，如 201203').max(20, '一次最多 20 个学籍批次'),
  list_deadline: date,
  cleanup_on: date,
  doc_no: z.string('请填写文号').trim().min(2, '请填写退学文号，如“国开学〔2020〕12号”').max(40, '文号最多 40 个字'),
}).refine((b) => b.cleanup_on > b.list_deadline, { message: '清理日期应晚于延期名单截止日期', path: ['cleanup_on'] });
export type CampaignBody = z.infer<typeof campaignBody>;

/** A student of the campaign's cohorts whose 学籍 expires by the clean-up date (在籍 or 休学), with his extension request. */
export const candidateRow = z.object({
  student_id: z.number(), ...studentListed,
  branch_code: z.string(), branch_name: z.string(),
  class_name: z.string().nullable(),
  cohort: z.string(),
  status: z.string(),
  valid_until: z.string(),
  extension_until: z.string().nullable(),
  /** The latest 延期至 that may be asked (one year after valid_until). */
  max_extension_until: z.string(),
  /** 最晚毕业批次 as things stand (with an approved extension: the extended one). */
  last_batch: z.string().nullable(),
  /** 最晚毕业批次 if an extension is approved. */
  last_batch_extended: z.string().nullable(),
  extension: z.object({
    id: z.number(), state: extensionState, reason: z.string(), extended_until: z.string(),
    file_name: z.string(), decision_reason: z.string().nullable(),
    submitted_by: z.string().nullable(), submitted_at: z.string(), decided_by: z.string().nullable(), decided_at: z.string().nullable(),
  }).nullable(),
});
export type CandidateRow = z.infer<typeof candidateRow>;

export const candidatesQuery = z.object({
  branch_code: z.string().max(40).optional(),
  tp_code: z.string().max(40).optional(),
  cohort: cohort.optional(),
  /** 学号, 姓名 or 身份证号. */
  q: z.string().trim().max(40).optional(),
  /** 'none': no extension request yet; otherwise the request's state. */
  extension: z.enum(['none', ...EXTENSION_STATES]).optional(),
  ...paging(500, 50),
});
export type CandidatesQuery = z.infer<typeof candidatesQuery>;

/** An uploaded written application (PDF or JPEG, checked by its content), before it is attached to a request. */
export const applicationUploaded = z.object({
  application_id: z.number(), file_name: z.string(), content_type: z.enum(['application/pdf', 'image/jpeg']), size: z.number(),
});
export type ApplicationUploaded = z.infer<typeof applicationUploaded>;

export const submitBody = z.object({
  items: z.array(z.object({
    student_id: z.number().int().positive(),
    /** From uploadApplication. */
    application_id: z.number().int().positive('请先上传书面申请（PDF 或 JPG）'),
    reason: reason('延期理由'),
    /** 延期至: at most one year after 学籍有效期; absent = the full year. */
    extended_until: date.optional(),
  })).min(1, '请先选择学生').max(2000, '一次最多提交 2000 名学生'),
});
export type SubmitBody = z.infer<typeof submitBody>;

export const decideBody = z.object({
  /** Extension request ids. */
  ids: z.array(z.number().int().positive()).min(1, '请先勾选延期申请').max(20_000),
  decision: z.enum(['已批准', '已驳回'], '审批结果为 已批准 或 已驳回'),
  reason: reason('审批意见'),
});
export type DecideBody = z.infer<typeof decideBody>;

/** The preview: 'clear' = who will be cleared; 'decide' = 待决定 (in a batch whose audit is still open). */
export const PREVIEW_LISTS = ['clear', 'decide'] as const;
export const previewQuery = z.object({
  list: z.enum(PREVIEW_LISTS).default('clear'),
  branch_code: z.string().max(40).optional(),
  tp_code: z.string().max(40).optional(),
  q: z.string().trim().max(40).optional(),
  ...paging(500, 50),
});
export type PreviewQuery = z.infer<typeof previewQuery>;
export const previewRow = z.object({
  student_id: z.number(), ...studentListed,
  branch_code: z.string(), branch_name: z.string(),
  cohort: z.string(), status: z.string(), valid_until: z.string(), extension_until: z.string().nullable(),
  /** list 'clear': one of CLEAR_REASONS; list 'decide': the open batch and why it is open. */
  reason: z.string(),
  /** list 'decide': the batch whose audit is still open. */
  open_batch: z.string().nullable(),
});
export type PreviewRow = z.infer<typeof previewRow>;
export const previewResponse = paged(previewRow);

/** Per branch: how many will be cleared (by reason) and how many wait for a decision, as of `on`. */
export const previewSummary = z.object({
  /** The day the preview judges by: the clean-up date, or today if that has passed. */
  on: z.string(),
  rows: z.array(z.object({
    branch_code: z.string(), branch_name: z.string(),
    to_clear: z.number(), to_decide: z.number(),
    by_reason: z.record(z.string(), z.number()),
  })),
});
export type PreviewSummary = z.infer<typeof previewSummary>;

export const runResponse = z.object({ task_id: z.string() });

/** A student the clean-up turned 退学. */
export const withdrawalRow = z.object({
  student_id: z.number(), ...studentListed,
  branch_code: z.string(), branch_name: z.string(),
  cohort: z.string(), id_number: z.string(),
  withdrawal_date: z.string(), withdrawal_doc_no: z.string(), reason: z.string(),
});
export type WithdrawalRow = z.infer<typeof withdrawalRow>;
export const withdrawalsQuery = z.object({
  branch_code: z.string().max(40).optional(),
  tp_code: z.string().max(40).optional(),
  q: z.string().trim().max(40).optional(),
  ...paging(500, 50),
});
export const withdrawalsResponse = paged(withdrawalRow);

export const cleanupApi = defineRoutes(['学籍清理'], {
  campaigns: { method: 'GET', path: '/api/cleanup/campaigns', access: OFFICES,
    summary: '学籍清理列表（最新在前）', response: z.object({ rows: z.array(campaignSchema) }) },
  campaign: { method: 'GET', path: '/api/cleanup/campaigns/:id', access: OFFICES,
    summary: '一次学籍清理：学籍批次、延期名单截止日期、清理日期、文号、进度', params: idParam, response: campaignSchema },
  createCampaign: { method: 'POST', path: '/api/cleanup/campaigns', access: HQ,
    summary: '开始学籍清理（总部）：涉及的学籍批次、延期名单截止日期、清理日期、退学文号', body: campaignBody, response: campaignSchema },
  updateCampaign: { method: 'PUT', path: '/api/cleanup/campaigns/:id', access: HQ,
    summary: '修改学籍清理（总部；清理完成后不可修改）', params: idParam, body: campaignBody, response: campaignSchema },
  candidates: { method: 'GET', path: '/api/cleanup/campaigns/:id/candidates', access: OFFICES,
    summary: '学籍到期学生（本单位范围）：学籍有效期、最晚毕业批次、延期申请及审批结果', params: idParam, query: candidatesQuery, response: paged(candidateRow) },
  uploadApplication: { method: 'POST', path: '/api/cleanup/campaigns/:id/applications', access: ADMINS, upload: true,
    summary: '上传学生的书面延期申请（PDF 或 JPG 扫描件，按文件内容检查）', params: idParam, response: applicationUploaded },
  submit: { method: 'POST', path: '/api/cleanup/campaigns/:id/extensions', access: ADMINS,
    summary: '上报学籍延期名单（分部；本单位学生，截止日期前；待审批或被驳回的可重新上报）', params: idParam, body: submitBody, response: bulkResult },
  application: { method: 'GET', path: '/api/cleanup/extensions/:id/application', access: OFFICES,
    summary: '查看延期申请的书面申请文件', params: idParam },
  decide: { method: 'POST', path: '/api/cleanup/campaigns/:id/decisions', access: HQ,
    summary: '审批学籍延期（总部）：批准或驳回勾选的申请，须写意见；批准即延长学籍有效期', params: idParam, body: decideBody, response: bulkResult },
  previewSummary: { method: 'GET', path: '/api/cleanup/campaigns/:id/preview/summary', access: OFFICES,
    summary: '清理预览：各分部将被清理的人数（按原因）和待决定人数', params: idParam, response: previewSummary },
  preview: { method: 'GET', path: '/api/cleanup/campaigns/:id/preview', access: OFFICES,
    summary: '清理预览名单：将被清理的学生及原因；待决定（所在批次毕业审核尚未结束）的学生', params: idParam, query: previewQuery, response: previewResponse },
  run: { method: 'POST', path: '/api/cleanup/campaigns/:id/run', access: HQ,
    summary: '执行学籍清理（总部；清理日期当天或之后，只能执行一次）：超期未延期且未毕业的学生转为退学', params: idParam, response: runResponse },
  withdrawals: { method: 'GET', path: '/api/cleanup/campaigns/:id/withdrawals', access: OFFICES,
    summary: '本次清理退学的学生（本单位范围）', params: idParam, query: withdrawalsQuery, response: withdrawalsResponse },
  withdrawalsDbf: { method: 'GET', path: '/api/cleanup/campaigns/:id/withdrawals.dbf', access: HQ,
    summary: '学信网退学数据（DBF，GBK）：KSH、XH、XM、SFZH、ZXLX、PZRQ、WH', params: idParam },
  withdrawalsXlsx: { method: 'GET', path: '/api/cleanup/campaigns/:id/withdrawals.xlsx', access: HQ,
    summary: '学信网退学数据（Excel）：KSH、XH、XM、SFZH、ZXLX、PZRQ、WH', params: idParam },
});
