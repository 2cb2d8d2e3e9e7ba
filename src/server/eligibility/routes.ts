import { z } from 'zod';
import type { App, AppContext } from '../platform/http.ts';
import { actorOf } from '../platform/http.ts';
import { batchCodeParam } from '../batches/schema.ts';
import { requestRecompute } from './service.ts';
import { readiness } from './readiness.ts';

const item = z.object({
  key: z.string(), name: z.string(), required: z.string(), done: z.string(), missing: z.string().nullable(),
  ok: z.boolean(), waived: z.boolean(), step: z.boolean(),
});
const readinessResponse = z.object({
  student: z.object({ id: z.number(), name: z.string(), student_no: z.string(), major: z.string(), level: z.string(), cohort: z.string() }),
  batch: z.object({ code: z.string(), issue_date: z.string(), exemption_deadline: z.string().nullable() }).nullable(),
  programme: z.object({ major: z.string(), level: z.string(), cohort: z.string() }),
  what_if: z.boolean(),
  ok: z.boolean(),
  failures: z.array(z.string()),
  items: z.array(item),
  exemptions: z.array(z.object({ id: z.number(), course_code: z.string(), course_name: z.string(), applied_on: z.string(), status: z.string(), counts: z.boolean(), note: z.string().nullable() })),
});
const readinessQuery = z.object({
  batch: z.string().regex(/^\d{6}$/).optional(),
  major: z.string().max(60).optional(),
  level: z.enum(['专科', '本科']).optional(),
  cohort: z.string().regex(/^\d{4}$/, '入学批次为 4 位年份，如 2021').optional(),
});

export function eligibilityRoutes(app: App, { database, jobs }: AppContext) {
  app.post('/api/batches/:code/eligibility', {
    config: { access: ['hq_admin'] },
    schema: {
      tags: ['毕业批次'], summary: '重新计算整个批次的毕业资格（后台任务）', params: batchCodeParam,
      response: { 200: z.object({ task_id: z.string() }) },
    },
  }, async (req) => ({ task_id: await requestRecompute(database.db, jobs, actorOf(req), req.params.code) }));

  app.get('/api/students/:id/readiness', {
    config: { access: 'any' },
    schema: {
      tags: ['毕业审核'], summary: '毕业准备情况：每项毕业条件的要求、已完成与欠缺；可按其他专业或入学批次比对（不修改任何记录）',
      params: z.object({ id: z.coerce.number().int().positive() }), querystring: readinessQuery, response: { 200: readinessResponse },
    },
  }, (req) => readiness(database.db, actorOf(req), req.params.id, req.query));
}
