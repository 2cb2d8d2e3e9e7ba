/**
 * 毕业审核 (seed 003): rounds, results, 加急, headquarters' exceptions and 学籍延期 — the contract between
 * server and web.
 */
import { z } from 'zod';
import { defineRoutes, listOf, paging } from '../contract.ts';
import { studentListed } from './common.ts';
import { bulkResult } from '../bulk.ts';
import { HQ, OFFICES } from '../org.ts';
import { windowStatus } from '../window.ts';
import { ruleKey } from './eligibility.ts';

export const ROUND_KINDS = ['常规', '加急'] as const;
export const roundKind = z.enum(ROUND_KINDS);
export type RoundKind = z.infer<typeof roundKind>;

export const ROUND_STATUSES = ['未开始', '审核中', '已审核', '已取消'] as const;
export const roundStatus = z.enum(ROUND_STATUSES);
export type RoundStatus = z.infer<typeof roundStatus>;

/** 替代: a passed course stands in for a required one; 免除: the requirement is waived. */
export const EXCEPTION_KINDS = ['替代', '免除'] as const;
export const exceptionKind = z.enum(EXCEPTION_KINDS);
export type ExceptionKind = z.infer<typeof exceptionKind>;

/** How the results are counted: by branch, teaching point, major or failed rule. */
export const GROUP_BYS = ['branch', 'tp', 'major', 'rule'] as const;
export const groupBy = z.enum(GROUP_BYS);
export type GroupBy = z.infer<typeof groupBy>;

const batchCode = z.string().regex(/^\d{6}$/, '请选择毕业批次');
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');

export const roundSchema = z.object({
  id: z.number(),
  batch_code: z.string(),
  name: z.string(),
  kind: roundKind,
  starts_on: z.string(),
  ends_on: z.string(),
  grades_from: z.string().nullable(),
  grades_to: z.string().nullable(),
  status: roundStatus,
  cancel_reason: z.string().nullable(),
  audited_at: z.string().nullable(),
  audited_count: z.number(),
  task_id: z.string().nullable(),
  published_at: z.string().nullable(),
  passed: z.number(),
  failed: z.number(),
});
export type AuditRound = z.infer<typeof roundSchema>;

export const roundsQuery = z.object({ batch: batchCode });
export const roundsResponse = z.object({
  batch: z.object({
    code: z.string(),
    closing_date: z.string().nullable(),
    exemption_deadline: z.string().nullable(),
    urgent_deadline: z.string().nullable(),
    /** The batch's audit closed (its closing date passed): as the server judges it. */
    closed: z.boolean(),
    /** 加急 marking and reporting, open up to the urgent deadline. */
    urgent_window: windowStatus,
  }),
  rounds: z.array(roundSchema),
  waiting: z.object({ reported: z.number(), unreported: z.number(), urgent: z.number() }),
});
export type AuditRounds = z.infer<typeof roundsResponse>;

const roundFields = z.object({
  batch: batchCode,
  name: z.string().trim().min(2, '请填写审核批次名称，如“第一批”').max(20),
  kind: roundKind.default('常规'),
  starts_on: date,
  ends_on: date,
  grades_from: date.nullable().optional(),
  grades_to: date.nullable().optional(),
});
type RoundDates = { starts_on: string; ends_on: string; grades_from?: string | null; grades_to?: string | null };
const datesInOrder = <T extends z.ZodType<RoundDates>>(s: T) => s
  .refine((r) => r.ends_on >= r.starts_on, { message: '结束日期不能早于开始日期', path: ['ends_on'] })
  .refine((r) => (r.grades_from == null) === (r.grades_to == null) && (r.grades_to == null || (r.grades_from != null && r.grades_from <= r.grades_to)),
    { message: '成绩接收时间须同时填写开始和结束日期，且结束不早于开始', path: ['grades_to'] });
export const roundBody = datesInOrder(roundFields);
export type RoundCreate = z.infer<typeof roundBody>;
export const roundPatch = datesInOrder(roundFields.omit({ batch: true, kind: true }));
export type RoundInput = z.infer<typeof roundPatch>;
export const roundIdParam = z.object({ id: z.coerce.number().int().positive() });
export const cancelBody = z.object({ reason: z.string().trim().min(2, '请填写取消原因').max(200) });

export const resultFilter = z.object({
  branch_id: z.coerce.number().int().positive().optional(),
  tp_code: z.string().max(40).optional(),
  major: z.string().max(60).optional(),
  rule: ruleKey.optional(),
  passed: z.enum(['true', 'false']).optional(),
  q: z.string().max(40).optional(),
});
export type ResultFilter = z.infer<typeof resultFilter>;
export const summaryQuery = resultFilter.extend({ by: groupBy.default('branch') });
export const auditGroup = z.object({
  key: z.union([z.string(), z.number()]), code: z.string(), name: z.string(), total: z.number(), passed: z.number(), failed: z.number(),
});
export type AuditGroup = z.infer<typeof auditGroup>;
export const summaryResponse = z.object({ groups: z.array(auditGroup) });
export const resultsQuery = resultFilter.extend(paging(500, 50));
export const resultRow = z.object({
  graduate_id: z.number(), student_id: z.number(), seq: z.number(), ...studentListed, id_number_masked: z.string(), branch_name: z.string(),
  urgent: z.boolean(), passed: z.boolean(), failures: z.array(z.string()), credits_earned: z.number(), audited_at: z.string(),
});
export type AuditResult = z.infer<typeof resultRow>;
export const resultsResponse = listOf(resultRow);

export const reportBody = z.object({ batch: batchCode, urgent: z.boolean().default(false) });
export const reportResponse = z.object({ submission_id: z.number().nullable(), graduates: z.number(), submitted_at: z.string().nullable() });
export type ReportResult = z.infer<typeof reportResponse>;

export const urgentBody = z.object({
  batch: batchCode,
  graduate_ids: z.array(z.number().int()).min(1, '请先勾选学生').max(50_000),
  urgent: z.boolean(),
});

export const urgentDeadlineBody = z.object({ urgent_deadline: date.nullable(), spring_enrollment_deadline: date.optional() });
export type UrgentDeadlineInput = z.infer<typeof urgentDeadlineBody>;

export const exceptionBody = z.object({
  kind: exceptionKind,
  rule: ruleKey,
  target: z.string().trim().max(40).nullable().optional(),
  substitute_course: z.string().trim().max(40).nullable().optional(),
  reason: z.string().trim().min(4, '请填写理由（不少于 4 个字）').max(300),
});
export type ExceptionInput = z.infer<typeof exceptionBody>;
export const exceptionSchema = z.object({
  id: z.number(), kind: z.string(), rule: z.string(), rule_name: z.string(), target: z.string().nullable(), target_name: z.string().nullable(),
  substitute_course: z.string().nullable(), substitute_name: z.string().nullable(), reason: z.string(), created_by_name: z.string().nullable(),
  created_at: z.string(), revoked_at: z.string().nullable(),
});
export type AuditException = z.infer<typeof exceptionSchema>;
export const extensionBody = z.object({
  extension_until: date.nullable(),
  reason: z.string().trim().min(4, '请填写延期依据（如书面申请与总部批准文号）').max(300),
});
export type ExtensionInput = z.infer<typeof extensionBody>;

const idParam = z.object({ id: z.coerce.number().int().positive() });
const idOnly = z.object({ id: z.number() });

export const auditApi = defineRoutes(['毕业审核'], {
  rounds: { method: 'GET', path: '/api/audit/rounds', access: OFFICES, summary: '毕业批次的审核批次（分部、教学点只看到已发布的）', query: roundsQuery, response: roundsResponse },
  createRound: { method: 'POST', path: '/api/audit/rounds', access: HQ, summary: '新建审核批次（第一批、第二批、加急）', body: roundBody, response: roundSchema },
  round: { method: 'GET', path: '/api/audit/rounds/:id', access: OFFICES, summary: '一个审核批次（分部、教学点仅限已发布的）', params: roundIdParam, response: roundSchema },
  updateRound: { method: 'PATCH', path: '/api/audit/rounds/:id', access: HQ,
    summary: '修改审核批次的时间', params: roundIdParam, body: roundPatch, response: roundSchema },
  cancelRound: { method: 'POST', path: '/api/audit/rounds/:id/cancel', access: HQ,
    summary: '取消审核批次', params: roundIdParam, body: cancelBody, response: roundSchema },
  runRound: { method: 'POST', path: '/api/audit/rounds/:id/run', access: HQ,
    summary: '开始审核（后台任务，按上报先后顺序）', params: roundIdParam, response: z.object({ task_id: z.string() }) },
  publishRound: { method: 'POST', path: '/api/audit/rounds/:id/publish', access: HQ, summary: '发布审核结果（分部、教学点可见）', params: roundIdParam, response: roundSchema },
  summary: { method: 'GET', path: '/api/audit/rounds/:id/summary', access: OFFICES,
    summary: '审核结果统计：按分部、教学点、专业或未通过的条件', params: roundIdParam, query: summaryQuery, response: summaryResponse },
  results: { method: 'GET', path: '/api/audit/rounds/:id/results', access: OFFICES,
    summary: '审核结果明细', params: roundIdParam, query: resultsQuery, response: resultsResponse },
  resultsXlsx: { method: 'GET', path: '/api/audit/rounds/:id/results.xlsx', access: OFFICES,
    summary: '导出审核结果（Excel）', params: roundIdParam, query: resultFilter },
  report: { method: 'POST', path: '/api/audit/report', access: ['branch_admin', 'tp_admin'],
    summary: '上报毕业审核数据（本单位已同意毕业且未上报的学生）', body: reportBody, response: reportResponse },
  urgent: { method: 'POST', path: '/api/audit/urgent', access: OFFICES, summary: '标记 / 取消续读本科加急', body: urgentBody, response: bulkResult },
  urgentDeadline: { method: 'PUT', path: '/api/audit/batches/:code/urgent-deadline', access: HQ, summary: '设置加急审核数据上报截止日期（或由春季招生截止日期推算）',
    params: z.object({ code: z.string().regex(/^\d{6}$/) }), body: urgentDeadlineBody, response: z.object({ urgent_deadline: z.string().nullable() }) },
  urgentXlsx: { method: 'GET', path: '/api/audit/urgent.xlsx', access: OFFICES, summary: '导出加急（续读本科）毕业生审核数据', query: roundsQuery },
  exceptions: { method: 'GET', path: '/api/students/:id/exceptions', access: OFFICES,
    summary: '学生的审核例外（课程替代、免除要求）', params: idParam, response: z.array(exceptionSchema) },
  addException: { method: 'POST', path: '/api/students/:id/exceptions', access: HQ,
    summary: '为学生添加课程替代或免除要求（须写理由）', params: idParam, body: exceptionBody, response: idOnly },
  revokeException: { method: 'POST', path: '/api/audit/exceptions/:id/revoke', access: HQ, summary: '撤销审核例外', params: idParam, response: idOnly },
  extension: { method: 'PUT', path: '/api/students/:id/extension', access: HQ,
    summary: '批准学籍延期（最多一年）', params: idParam, body: extensionBody, response: z.object({ extension_until: z.string().nullable() }) },
});
