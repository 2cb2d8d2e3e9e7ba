import type { Kysely } from 'kysely';
import type { DB } from '../platform/tables.ts';
import type { Actor } from '../platform/auth.ts';
import { ADMINS, inScope, mustFind } from '../platform/scope.ts';
import { etaSeconds } from '../platform/jobs.ts';
import type { Task } from '../../shared/contract/tasks.ts';

/** A background task: its owner sees it, and so do administrators above the owner's node. */
export async function getTask(db: Kysely<DB>, actor: Actor, id: string): Promise<Task> {
  const t = await mustFind(db.selectFrom('task as t').selectAll()
    .where('t.id', '=', id)
    .where((eb) => (ADMINS.includes(actor.role)
      ? eb.or([eb('t.owner_id', '=', actor.id), inScope(actor, 't.node_path')])
      : eb('t.owner_id', '=', actor.id)))
    .executeTakeFirst(), '任务');
  return {
    id: t.id, kind: t.kind, title: t.title, state: t.state, progress: t.progress, total: t.total, eta_seconds: etaSeconds(t), result: t.result, error: t.error,
    created_at: new Date(t.created_at).toISOString(), finished_at: t.finished_at ? new Date(t.finished_at).toISOString() : null,
  };
}
