import { z } from 'zod';
import type { App } from '../platform/http.ts';
import { actorOf } from '../platform/http.ts';
import { errors } from '../platform/errors.ts';
import { inScope } from '../platform/scope.ts';
import { today } from '../platform/clock.ts';
import * as service from './service.ts';
import { batchCodeParam, batchSchema, createBatchBody, extendBody, homeSchema, setWindowsBody } from './schema.ts';
import type { AppContext } from '../platform/http.ts';
import { missingCount } from '../photos/queries.ts';

export function batchRoutes(app: App, { database }: AppContext) {
  const db = database.db;

  app.get('/api/batches', {
    config: { access: 'any' },
    schema: { tags: ['毕业批次'], summary: '毕业批次列表', response: { 200: z.array(batchSchema) } },
  }, () => service.listBatches(db));

  app.get('/api/batches/:code', {
    config: { access: 'any' },
    schema: { tags: ['毕业批次'], summary: '毕业批次及各环节办理时间（含本单位的延期）', params: batchCodeParam, response: { 200: batchSchema } },
  }, (req) => service.getBatch(db, req.params.code, actorOf(req).nodePath));

  app.post('/api/batches', {
    config: { access: ['hq_admin'] },
    schema: { tags: ['毕业批次'], summary: '创建毕业批次（总部）', body: createBatchBody, response: { 200: batchSchema } },
  }, (req) => service.createBatch(db, actorOf(req), req.body));

  app.put('/api/batches/:code/windows', {
    config: { access: ['hq_admin'] },
    schema: { tags: ['毕业批次'], summary: '设置各环节办理时间（总部）', params: batchCodeParam, body: setWindowsBody, response: { 200: batchSchema } },
  }, (req) => service.setWindows(db, actorOf(req), req.params.code, req.body.windows));

  app.post('/api/batches/:code/extensions', {
    config: { access: ['hq_admin'] },
    schema: { tags: ['毕业批次'], summary: '为某单位延长某环节办理时间（总部）', params: batchCodeParam, body: extendBody, response: { 200: z.object({ ok: z.literal(true) }) } },
  }, async (req) => {
    const actor = actorOf(req);
    const node = await db.selectFrom('org_node').select(['id', 'path']).where('id', '=', req.body.node_id)
      .where(inScope(actor, 'path')).executeTakeFirst();
    if (!node) throw errors.notFound('单位');
    await service.extendWindow(db, actor, req.params.code, req.body, node.path);
    return { ok: true as const };
  });

  app.get('/api/home', {
    config: { access: 'any' },
    schema: { tags: ['首页'], summary: '当前毕业批次及本单位各环节的办理时间', response: { 200: homeSchema } },
  }, async (req) => ({
    today: today(),
    batch: await service.currentBatch(db, actorOf(req).nodePath),
    photos_missing: (await missingCount(db, actorOf(req)))?.missing ?? null,
  }));
}
