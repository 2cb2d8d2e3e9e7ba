import { z } from 'zod';
import type { App, AppContext } from '../platform/http.ts';
import { actorOf } from '../platform/http.ts';
import { recordOperation } from '../platform/oplog.ts';
import { OFFICES, STAFF } from '../platform/scope.ts';
import { sendWorkbook } from '../platform/xlsx-export.ts';
import * as service from './service.ts';
import {
  campaignBody, enrollForm, enrollFormResponse, listQuery, listResponse, sortOrderBody, sortOrderRow, sortOrders, studentCard, studentIdParam, tpCodeParam,
  verificationQuery, verificationResponse,
} from './schema.ts';

const tags = ['学籍'];

export function recordRoutes(app: App, { database }: AppContext) {
  const db = database.db;

  app.get('/api/records/students', {
    config: { access: STAFF },
    schema: { tags, summary: '学籍卡查询：学籍批次、学籍状态、专业、层次、教学点、姓名/学号/身份证号', querystring: listQuery, response: { 200: listResponse } },
  }, (req) => service.list(db, actorOf(req), req.query));

  app.get('/api/records/students/:id', {
    config: { access: STAFF },
    schema: { tags, summary: '学籍卡：入学登记表的全部信息、照片和成绩（身份证号完整显示）', params: studentIdParam, response: { 200: studentCard } },
  }, (req) => service.card(db, actorOf(req), req.params.id));

  app.get('/api/records/sort-orders', {
    config: { access: OFFICES },
    schema: { tags, summary: '文档排序标准：各教学点导出入学登记表、毕业生登记表、成绩单、档案袋的默认排序方式', response: { 200: sortOrders } },
  }, (req) => service.sortOrders(db, actorOf(req)));

  app.put('/api/records/sort-orders/:tp_code', {
    config: { access: OFFICES },
    schema: { tags, summary: '设置教学点的默认排序方式', params: tpCodeParam, body: sortOrderBody, response: { 200: sortOrderRow } },
  }, (req) => service.setSortOrder(db, actorOf(req), req.params.tp_code, req.body.sort));

  app.get('/api/me/enroll-form', {
    config: { access: ['student'] },
    schema: { tags, summary: '我的入学登记表（身份信息只读）', response: { 200: enrollFormResponse } },
  }, (req) => service.myEnrollForm(db, actorOf(req)));

  app.put('/api/me/enroll-form', {
    config: { access: ['student'] },
    schema: { tags, summary: '填写并提交入学登记表（提交后为“已更新”）', body: enrollForm, response: { 200: enrollFormResponse } },
  }, (req) => service.saveEnrollForm(db, actorOf(req), req.body));

  app.post('/api/records/verification', {
    config: { access: ['hq_admin'] },
    schema: { tags, summary: '发起强制核对：该年级在籍学生的入学登记表重置为“未更新”', body: campaignBody, response: { 200: z.object({ students: z.number() }) } },
  }, (req) => service.startCampaign(db, actorOf(req), req.body.grade));

  app.get('/api/records/verification', {
    config: { access: OFFICES },
    schema: { tags, summary: '强制核对进度查询：按年级、更新状态、教学点、专业', querystring: verificationQuery, response: { 200: verificationResponse } },
  }, (req) => service.verification(db, actorOf(req), req.query));

  app.get('/api/records/verification.xlsx', {
    config: { access: OFFICES },
    schema: { tags, summary: '导出强制核对进度（Excel）', querystring: verificationQuery.omit({ page: true, page_size: true }) },
  }, async (req, reply) => {
    const actor = actorOf(req);
    await recordOperation(db, actor, [{ action: '导出强制核对进度', objectType: 'grade', objectId: req.query.grade, nodePath: actor.nodePath, after: req.query }]);
    type Row = ReturnType<typeof service.verificationPages> extends AsyncGenerator<(infer R)[]> ? R : never;
    return sendWorkbook<Row>(reply, `强制核对进度_${req.query.grade}.xlsx`, '强制核对进度', [
      { header: '教学点代码', width: 10, value: (r) => r.tp_code },
      { header: '教学点', width: 20, value: (r) => r.tp_name },
      { header: '学号', width: 16, value: (r) => r.student_no },
      { header: '姓名', width: 10, value: (r) => r.name },
      { header: '身份证号', width: 20, value: (r) => r.id_number_masked },
      { header: '学籍批次', width: 8, value: (r) => r.cohort },
      { header: '层次', width: 6, value: (r) => r.level },
      { header: '专业', width: 20, value: (r) => r.major },
      { header: '更新状态', width: 8, value: (r) => r.enroll_form_status },
      { header: '更新时间', width: 20, value: (r) => (r.enroll_form_updated_at ? r.enroll_form_updated_at.replace('T', ' ').slice(0, 19) : '') },
    ], service.verificationPages(db, actor, req.query));
  });
}
