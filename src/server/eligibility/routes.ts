import { z } from 'zod';
import type { App, AppContext } from '../platform/http.ts';
import { actorOf } from '../platform/http.ts';
import { batchCodeParam } from '../batches/schema.ts';
import { requestRecompute } from './service.ts';

export function eligibilityRoutes(app: App, { database, jobs }: AppContext) {
  app.post('/api/batches/:code/eligibility', {
    config: { access: ['hq_admin'] },
    schema: {
      tags: ['毕业批次'], summary: '重新计算整个批次的毕业资格（后台任务）', params: batchCodeParam,
      response: { 200: z.object({ task_id: z.string() }) },
    },
  }, async (req) => ({ task_id: await requestRecompute(database.db, jobs, actorOf(req), req.params.code) }));
}
