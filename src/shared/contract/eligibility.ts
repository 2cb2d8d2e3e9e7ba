/** 毕业条件 (the rule engine) and 毕业准备情况: the contract between server and web. */
import { z } from 'zod';
import { defineRoutes } from '../contract.ts';
import { HQ } from '../org.ts';
import { level } from './records.ts';

export { LEVELS } from './records.ts';

/**
 * The graduation rules by key, written once: the rule engine's `failed_rules`, the results pages'
 * 按未通过条件, and the exceptions form all name them so.
 */
export const RULE_KEYS = ['total', 'category', 'course', 'practice', 'study_time', 'validity'] as const;
export const ruleKey = z.enum(RULE_KEYS);
export type RuleKey = z.infer<typeof ruleKey>;
export const RULE_NAMES: Record<RuleKey, string> = {
  total: '总学分',
  category: '分类学分',
  course: '必修课程',
  practice: '综合实践环节',
  study_time: '最低学习年限',
  validity: '学籍有效期',
};

export const readinessItem = z.object({
  key: z.string(),
  name: z.string(),
  required: z.string(),
  done: z.string(),
  missing: z.string().nullable(),
  ok: z.boolean(),
  waived: z.boolean(),
  /** Photo and 预毕业确认 are steps of the batch, not conditions of the audit. */
  step: z.boolean(),
});
export type ReadinessItem = z.infer<typeof readinessItem>;

export const readinessResponse = z.object({
  student: z.object({ id: z.number(), name: z.string(), student_no: z.string(), major: z.string(), level: z.string(), cohort: z.string() }),
  batch: z.object({ code: z.string(), issue_date: z.string(), exemption_deadline: z.string().nullable() }).nullable(),
  programme: z.object({ major: z.string(), level: z.string(), cohort: z.string() }),
  what_if: z.boolean(),
  ok: z.boolean(),
  failures: z.array(z.string()),
  items: z.array(readinessItem),
  exemptions: z.array(z.object({
    id: z.number(), course_code: z.string(), course_name: z.string(), applied_on: z.string(), status: z.string(), counts: z.boolean(), note: z.string().nullable(),
  })),
});
export type Readiness = z.infer<typeof readinessResponse>;

/** Against the current batch by default; major, level or cohort ask "what if" (nothing is written). */
export const readinessQuery = z.object({
  batch: z.string().regex(/^\d{6}$/).optional(),
  major: z.string().max(60).optional(),
  level: level.optional(),
  cohort: z.string().regex(/^\d{4}$/, '入学批次为 4 位年份，如 2021').optional(),
});
export type WhatIf = z.input<typeof readinessQuery>;

export const batchCodeParam = z.object({ code: z.string().regex(/^\d{6}$/, '毕业批次代码为 6 位数字（年月），如 202301') });
export const studentIdParam = z.object({ id: z.coerce.number().int().positive() });
export const taskStarted = z.object({ task_id: z.string() });

export const eligibilityApi = defineRoutes(['毕业审核'], {
  recompute: { method: 'POST', path: '/api/batches/:code/eligibility', access: HQ, tags: ['毕业批次'],
    summary: '重新计算整个批次的毕业资格（后台任务）', params: batchCodeParam, response: taskStarted },
  readiness: { method: 'GET', path: '/api/students/:id/readiness', access: 'any',
    summary: '毕业准备情况：每项毕业条件的要求、已完成与欠缺；可按其他专业或入学批次比对（不修改任何记录）', params: studentIdParam, query: readinessQuery, response: readinessResponse },
});
