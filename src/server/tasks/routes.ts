import { z } from 'zod';
import type { App, AppContext } from '../platform/http.ts';
import { actorOf } from '../platform/http.ts';
import { ADMINS, inScope, mustFind } from '../platform/scope.ts';
import { etaSeconds } from '../platform/jobs.ts';

const taskSchema = z.object({
  id: z.string(), kind: z.string(), title: z.string(), state: z.string(), progress: z.number(), total: z.number(), eta_seconds: z.number().nullable(),
  result: z.unknown(), error: z.string().nullable(), created_at: z.string(), finished_at: z.string().nullable(),
});

/** A background task: its owner sees it, and so do administrators above the owner's node. */
export function taskRoutes(app: App, { database }: AppContext) {
  app.get('/api/tasks/:id', {
    config: { access: 'any' },
    schema: { tags: ['消息'], summary: '后台任务的状态和进度', params: z.object({ id: z.uuid('任务编号格式不正确') }), response: { 200: taskSchema } },
  }, async (req) => {
    const actor = actorOf(req);
    const t = await mustFind(database.db.selectFrom('task as t').selectAll()
      .where('t.id', '=', req.params.id)
      .where((eb) => (ADMINS.includes(actor.role)
        ? eb.or([eb('t.owner_id', '=', actor.id), inScope(actor, 't.node_path')])
        : eb('t.owner_id', '=', actor.id)))
      .executeTakeFirst(), '任务');
    return {
      id: t.id, kind: t.kind, title: t.title, state: t.state, progress: t.progress, total: t.total, eta_seconds: etaSeconds(t), result: t.result, error: t.error,
      created_at: new Date(t.created_at).toISOString(), finished_at: t.finished_at ? new Date(t.finished_at).toISOString() : null,
    };
  });
}
