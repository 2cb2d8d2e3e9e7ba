import { z } from 'zod';
import type { App, AppContext } from '../platform/http.ts';
import { actorOf } from '../platform/http.ts';
import { ADMINS, STAFF } from '../platform/scope.ts';
import * as service from './service.ts';
import { createNodeBody, idParam, nodeSchema, nodesQuery, updateNodeBody } from './schema.ts';

const tags = ['组织机构'];

export function orgRoutes(app: App, { database }: AppContext) {
  const db = database.db;
  app.get('/api/org/nodes', {
    config: { access: STAFF },
    schema: { tags, summary: '本单位及下级单位（总部、分部、教学点、班级）', querystring: nodesQuery, response: { 200: z.array(nodeSchema) } },
  }, (req) => service.listNodes(db, actorOf(req), req.query));

  app.post('/api/org/nodes', {
    config: { access: ADMINS },
    schema: { tags, summary: '新建下级单位', body: createNodeBody, response: { 200: nodeSchema } },
  }, (req) => service.createNode(db, actorOf(req), req.body));

  app.patch('/api/org/nodes/:id', {
    config: { access: ADMINS },
    schema: { tags, summary: '修改或停用单位', params: idParam, body: updateNodeBody, response: { 200: nodeSchema } },
  }, (req) => service.updateNode(db, actorOf(req), req.params.id, req.body));
}
