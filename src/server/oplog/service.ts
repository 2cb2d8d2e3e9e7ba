import type { Kysely } from 'kysely';
import type { OplogQuery } from '../../shared/contract/oplog.ts';
import type { Actor } from '../platform/auth.ts';
import { inScope } from '../platform/scope.ts';
import type { DB } from '../platform/tables.ts';

const DAY_MS = 86_400_000;
/** A calendar day of the filter starts at midnight Beijing time. */
const dayStart = (d: string) => new Date(`${d}T00:00:00+08:00`);

/** 操作日志 within the caller's subtree, newest first, one page. */
export async function list(db: Kysely<DB>, actor: Actor, f: OplogQuery) {
  let q = db.selectFrom('operation_log as a').where(inScope(actor, 'a.node_path'));
  if (f.action) q = q.where('a.action', '=', f.action);
  if (f.actor) q = q.where('a.actor_name', 'ilike', `%${f.actor}%`);
  if (f.object_type) q = q.where('a.object_type', '=', f.object_type);
  if (f.object_id) q = q.where('a.object_id', '=', f.object_id);
  if (f.from) q = q.where('a.at', '>=', dayStart(f.from));
  if (f.to) q = q.where('a.at', '<', new Date(dayStart(f.to).getTime() + DAY_MS));
  const [{ total }] = await q.select((eb) => eb.fn.countAll<number>().as('total')).execute();
  const rows = await q.select(['a.id', 'a.at', 'a.actor_name', 'a.action', 'a.object_type', 'a.object_id', 'a.before', 'a.after'])
    .orderBy('a.id', 'desc').limit(f.page_size).offset((f.page - 1) * f.page_size).execute();
  return {
    total: Number(total), page: f.page, page_size: f.page_size,
    rows: rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() })),
  };
}

/** The actions that occur in the caller's subtree (for the filter). */
export async function actions(db: Kysely<DB>, actor: Actor): Promise<string[]> {
  const rows = await db.selectFrom('operation_log as a').select('a.action').distinct()
    .where(inScope(actor, 'a.node_path')).orderBy('a.action').execute();
  return rows.map((r) => r.action);
}
