import { z } from 'zod';
import type { App, AppContext } from '../platform/http.ts';
import { actorOf } from '../platform/http.ts';
import * as service from './service.ts';

const tags = ['免修免考'];

export function exemptionRoutes(app: App, { database }: AppContext) {
  const db = database.db;

  app.get('/api/exemptions', {
    config: { access: ['hq_admin', 'branch_admin', 'tp_admin', 'student'] },
    schema: { tags, summary: '免修免考申请列表', querystring: service.listQuery, response: { 200: z.object({ total: z.number(), rows: z.array(service.exemptionRow) }) } },
  }, (req) => service.list(db, actorOf(req), req.query));

  app.post('/api/exemptions', {
    config: { access: ['tp_admin', 'branch_admin', 'hq_admin'] },
    schema: {
      tags, summary: '提交免修免考申请（经教学点）', body: service.applyBody,
      response: { 200: z.object({ id: z.number(), applied_on: z.string(), note: z.string().nullable() }) },
    },
  }, (req) => service.apply(db, actorOf(req), req.body));

  app.post('/api/exemptions/:id/decide', {
    config: { access: ['branch_admin', 'hq_admin'] },
    schema: {
      tags, summary: '审核免修免考申请（分部初审，总部终审）', params: z.object({ id: z.coerce.number().int().positive() }), body: service.decideBody,
      response: { 200: z.object({ id: z.number(), status: service.exemptionStatus, version: z.number() }) },
    },
  }, (req) => service.decide(db, actorOf(req), req.params.id, req.body));
}
