import type { App, AppContext } from '../platform/http.ts';
import { actorOf } from '../platform/http.ts';
import { OFFICES } from '../platform/scope.ts';
import * as service from './service.ts';
import { actionResult, agreeBody, countsQuery, countsResponse, disagreeBody, listQuery, listResponse, undoBody } from './schema.ts';

const tags = ['预毕业确认'];

export function confirmationRoutes(app: App, { database }: AppContext) {
  const db = database.db;

  app.get('/api/confirmation', {
    config: { access: OFFICES },
    schema: { tags, summary: '查询：本批次候选学生及是否符合毕业条件', querystring: listQuery, response: { 200: listResponse } },
  }, (req) => service.list(db, actorOf(req), req.query));

  app.get('/api/confirmation/counts', {
    config: { access: OFFICES },
    schema: { tags, summary: '各教学点预毕业确认人数', querystring: countsQuery, response: { 200: countsResponse } },
  }, (req) => service.counts(db, actorOf(req), req.query.batch));

  app.post('/api/confirmation/agree', {
    config: { access: OFFICES },
    schema: { tags, summary: '同意毕业（勾选的学生，或当前查询的全部学生）', body: agreeBody, response: { 200: actionResult } },
  }, (req) => service.transition(db, actorOf(req), req.body.batch, req.body.selection, '同意毕业', null));

  app.post('/api/confirmation/disagree', {
    config: { access: OFFICES },
    schema: { tags, summary: '不同意毕业（须填写原因）', body: disagreeBody, response: { 200: actionResult } },
  }, (req) => service.transition(db, actorOf(req), req.body.batch, req.body.selection, '不同意', req.body.reason));

  app.post('/api/confirmation/undo', {
    config: { access: OFFICES },
    schema: { tags, summary: '撤销确认（办理时间内）', body: undoBody, response: { 200: actionResult } },
  }, (req) => service.transition(db, actorOf(req), req.body.batch, req.body.selection, '待确认', null));
}
