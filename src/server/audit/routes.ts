import { z } from 'zod';
import type { App, AppContext } from '../platform/http.ts';
import { actorOf } from '../platform/http.ts';
import { recordOperation } from '../platform/oplog.ts';
import { OFFICES } from '../platform/scope.ts';
import { sendWorkbook } from '../platform/xlsx-export.ts';
import * as service from './service.ts';
import {
  cancelBody, exceptionBody, exceptionSchema, extensionBody, reportBody, reportResponse, resultFilter, resultsQuery, resultsResponse,
  roundBody, roundIdParam, roundPatch, roundSchema, roundsQuery, roundsResponse, summaryQuery, summaryResponse, urgentBody,
  urgentDeadlineBody, urgentResponse,
} from './schema.ts';

const tags = ['毕业审核'];
const HQ = ['hq_admin'] as const;
const idParam = z.object({ id: z.coerce.number().int().positive() });

export function auditRoutes(app: App, { database, jobs }: AppContext) {
  const db = database.db;

  app.get('/api/audit/rounds', {
    config: { access: OFFICES },
    schema: { tags, summary: '毕业批次的审核批次（分部、教学点只看到已发布的）', querystring: roundsQuery, response: { 200: roundsResponse } },
  }, (req) => service.listRounds(db, actorOf(req), req.query.batch));

  app.post('/api/audit/rounds', {
    config: { access: HQ },
    schema: { tags, summary: '新建审核批次（第一批、第二批、加急）', body: roundBody, response: { 200: roundSchema } },
  }, (req) => service.createRound(db, actorOf(req), req.body));

  app.get('/api/audit/rounds/:id', {
    config: { access: OFFICES },
    schema: { tags, summary: '一个审核批次（分部、教学点仅限已发布的）', params: roundIdParam, response: { 200: roundSchema } },
  }, (req) => service.getRound(db, actorOf(req), req.params.id));

  app.patch('/api/audit/rounds/:id', {
    config: { access: HQ },
    schema: { tags, summary: '修改审核批次的时间', params: roundIdParam, body: roundPatch, response: { 200: roundSchema } },
  }, (req) => service.updateRound(db, actorOf(req), req.params.id, req.body));

  app.post('/api/audit/rounds/:id/cancel', {
    config: { access: HQ },
    schema: { tags, summary: '取消审核批次', params: roundIdParam, body: cancelBody, response: { 200: roundSchema } },
  }, (req) => service.cancelRound(db, actorOf(req), req.params.id, req.body.reason));

  app.post('/api/audit/rounds/:id/run', {
    config: { access: HQ },
    schema: { tags, summary: '开始审核（后台任务，按上报先后顺序）', params: roundIdParam, response: { 200: z.object({ task_id: z.string() }) } },
  }, async (req) => ({ task_id: await service.requestRun(db, jobs, actorOf(req), req.params.id) }));

  app.post('/api/audit/rounds/:id/publish', {
    config: { access: HQ },
    schema: { tags, summary: '发布审核结果（分部、教学点可见）', params: roundIdParam, response: { 200: roundSchema } },
  }, (req) => service.publishRound(db, actorOf(req), req.params.id));

  app.get('/api/audit/rounds/:id/summary', {
    config: { access: OFFICES },
    schema: { tags, summary: '审核结果统计：按分部、教学点、专业或未通过的条件', params: roundIdParam, querystring: summaryQuery, response: { 200: summaryResponse } },
  }, (req) => service.summary(db, actorOf(req), req.params.id, req.query.by, req.query));

  app.get('/api/audit/rounds/:id/results', {
    config: { access: OFFICES },
    schema: { tags, summary: '审核结果明细', params: roundIdParam, querystring: resultsQuery, response: { 200: resultsResponse } },
  }, (req) => service.results(db, actorOf(req), req.params.id, req.query));

  app.get('/api/audit/rounds/:id/results.xlsx', {
    config: { access: OFFICES },
    schema: { tags, summary: '导出审核结果（Excel）', params: roundIdParam, querystring: resultFilter },
  }, async (req, reply) => {
    const actor = actorOf(req);
    const { round, pages } = await service.exportResults(db, actor, req.params.id, req.query);
    await recordOperation(db, actor, [{ action: '导出审核结果', objectType: 'audit_round', objectId: round.id, nodePath: actor.nodePath, after: req.query }]);
    type Row = Awaited<ReturnType<typeof pages.next>>['value'] extends (infer R)[] | void ? R : never;
    return sendWorkbook<Row>(reply, `毕业审核结果_${round.batch_code}_${round.name}.xlsx`, '审核结果', [
      { header: '审核顺序', width: 8, value: (r) => r.seq },
      { header: '学号', width: 16, value: (r) => r.student_no },
      { header: '姓名', width: 10, value: (r) => r.name },
      { header: '层次', width: 6, value: (r) => r.level },
      { header: '专业', width: 20, value: (r) => r.major },
      { header: '分部', width: 16, value: (r) => r.branch_name },
      { header: '教学点代码', width: 10, value: (r) => r.tp_code },
      { header: '教学点', width: 20, value: (r) => r.tp_name },
      { header: '加急', width: 6, value: (r) => (r.urgent ? '是' : '') },
      { header: '已获学分', width: 8, value: (r) => Number(r.credits_earned) },
      { header: '审核结果', width: 8, value: (r) => (r.passed ? '通过' : '不通过') },
      { header: '未通过原因', width: 60, value: (r) => r.failures.join('；') },
    ], pages);
  });

  app.post('/api/audit/report', {
    config: { access: ['branch_admin', 'tp_admin'] },
    schema: { tags, summary: '上报毕业审核数据（本单位已同意毕业且未上报的学生）', body: reportBody, response: { 200: reportResponse } },
  }, (req) => service.reportData(db, actorOf(req), req.body.batch, req.body.urgent));

  app.post('/api/audit/urgent', {
    config: { access: OFFICES },
    schema: { tags, summary: '标记 / 取消续读本科加急', body: urgentBody, response: { 200: urgentResponse } },
  }, (req) => service.setUrgent(db, actorOf(req), req.body.batch, req.body.graduate_ids, req.body.urgent));

  app.put('/api/audit/batches/:code/urgent-deadline', {
    config: { access: HQ },
    schema: {
      tags, summary: '设置加急审核数据上报截止日期（或由春季招生截止日期推算）', params: z.object({ code: z.string().regex(/^\d{6}$/) }),
      body: urgentDeadlineBody, response: { 200: z.object({ urgent_deadline: z.string().nullable() }) },
    },
  }, (req) => service.setUrgentDeadline(db, actorOf(req), req.params.code, req.body));

  app.get('/api/audit/urgent.xlsx', {
    config: { access: OFFICES },
    schema: { tags, summary: '导出加急（续读本科）毕业生审核数据', querystring: roundsQuery },
  }, async (req, reply) => {
    const actor = actorOf(req);
    await recordOperation(db, actor, [{ action: '导出加急审核数据', objectType: 'batch', objectId: req.query.batch, nodePath: actor.nodePath }]);
    const rows = service.urgentRows(db, actor, req.query.batch);
    async function* pages() {
      for (let offset = 0; ; offset += 5000) {
        const page = await rows.limit(5000).offset(offset).execute();
        if (page.length === 0) return;
        yield page;
      }
    }
    type Row = Awaited<ReturnType<typeof rows.execute>>[number];
    return sendWorkbook<Row>(reply, `加急审核数据_${req.query.batch}.xlsx`, '加急审核数据', [
      { header: '学号', width: 16, value: (r) => r.student_no },
      { header: '姓名', width: 10, value: (r) => r.name },
      { header: '性别', width: 6, value: (r) => r.gender },
      { header: '身份证号', width: 20, value: (r) => r.id_number },
      { header: '层次', width: 6, value: (r) => r.level },
      { header: '专业', width: 20, value: (r) => r.major },
      { header: '教学点代码', width: 10, value: (r) => r.tp_code },
      { header: '教学点', width: 20, value: (r) => r.tp_name },
      { header: '预毕业确认', width: 10, value: (r) => r.confirm_status },
      { header: '已获学分', width: 8, value: (r) => Number(r.credits_earned) },
      { header: '毕业条件', width: 40, value: (r) => (r.eligible ? '符合' : r.reasons.join('；')) },
      { header: '审核状态', width: 8, value: (r) => r.audit_status },
      { header: '上报时间', width: 20, value: (r) => (r.submitted_at ? new Date(r.submitted_at).toISOString().replace('T', ' ').slice(0, 19) : '未上报') },
    ], pages());
  });

  app.get('/api/students/:id/exceptions', {
    config: { access: OFFICES },
    schema: { tags, summary: '学生的审核例外（课程替代、免除要求）', params: idParam, response: { 200: z.array(exceptionSchema) } },
  }, (req) => service.listExceptions(db, actorOf(req), req.params.id));

  app.post('/api/students/:id/exceptions', {
    config: { access: HQ },
    schema: { tags, summary: '为学生添加课程替代或免除要求（须写理由）', params: idParam, body: exceptionBody, response: { 200: z.object({ id: z.number() }) } },
  }, (req) => service.addException(db, actorOf(req), req.params.id, req.body));

  app.post('/api/audit/exceptions/:id/revoke', {
    config: { access: HQ },
    schema: { tags, summary: '撤销审核例外', params: idParam, response: { 200: z.object({ id: z.number() }) } },
  }, (req) => service.revokeException(db, actorOf(req), req.params.id));

  app.put('/api/students/:id/extension', {
    config: { access: HQ },
    schema: { tags, summary: '批准学籍延期（最多一年）', params: idParam, body: extensionBody, response: { 200: z.object({ extension_until: z.string().nullable() }) } },
  }, (req) => service.setExtension(db, actorOf(req), req.params.id, req.body));
}
