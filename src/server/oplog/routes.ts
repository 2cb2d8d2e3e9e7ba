import { z } from 'zod';
import type { App, AppContext } from '../platform/http.ts';
import { actorOf } from '../platform/http.ts';
import { ADMINS, inScope } from '../platform/scope.ts';

const query = z.object({
  action: z.string().max(40).optional(),
  actor: z.string().max(64).optional(),
  object_type: z.string().max(40).optional(),
  object_id: z.string().max(40).optional(),
  from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(200).default(50),
});
const entry = z.object({
  id: z.number(), at: z.string(), actor_name: z.string(), action: z.string(), object_type: z.string(), object_id: z.string(),
  before: z.unknown(), after: z.unknown(),
});

/** 操作日志: who did what, when, before → after, within the caller's subtree. */
export function operationLogRoutes(app: App, { database }: AppContext) {
  app.get('/api/audit-log', {
    config: { access: ADMINS },
    schema: { tags: ['操作日志'], summary: '本单位及下级单位的操作日志', querystring: query, response: { 200: z.object({ total: z.number(), rows: z.array(entry) }) } },
  }, async (req) => {
    const f = req.query;
    let q = database.db.selectFrom('audit_log as a').where(inScope(actorOf(req), 'a.node_path'));
    if (f.action) q = q.where('a.action', '=', f.action);
    if (f.actor) q = q.where('a.actor_name', 'ilike', `%${f.actor}%`);
    if (f.object_type) q = q.where('a.object_type', '=', f.object_type);
    if (f.object_id) q = q.where('a.object_id', '=', f.object_id);
    if (f.from) q = q.where('a.at', '>=', new Date(`${f.from}T00:00:00+08:00`));
    if (f.to) q = q.where('a.at', '<', new Date(new Date(`${f.to}T00:00:00+08:00`).getTime() + 86_400_000));
    const [{ total }] = await q.select((eb) => eb.fn.countAll<number>().as('total')).execute();
    const rows = await q.select(['a.id', 'a.at', 'a.actor_name', 'a.action', 'a.object_type', 'a.object_id', 'a.before', 'a.after'])
      .orderBy('a.id', 'desc').limit(f.page_size).offset((f.page - 1) * f.page_size).execute();
    return { total: Number(total), rows: rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() })) };
  });

  app.get('/api/audit-log/actions', {
    config: { access: ADMINS },
    schema: { tags: ['操作日志'], summary: '本单位及下级单位日志中出现过的操作（供筛选）', response: { 200: z.array(z.string()) } },
  }, async (req) => {
    const rows = await database.db.selectFrom('audit_log as a').select('a.action').distinct()
      .where(inScope(actorOf(req), 'a.node_path')).orderBy('a.action').execute();
    return rows.map((r) => r.action);
  });
}
