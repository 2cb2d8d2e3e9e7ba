import type { Kysely } from 'kysely';
import type { Actor } from '../platform/auth.ts';
import type { DB } from '../platform/tables.ts';
import { ADMINS, inScope } from '../platform/scope.ts';

/** An export task the actor may see: their own, or, for administrators, one asked for under their node. */
export function visibleExportTask(db: Kysely<DB>, actor: Actor, taskId: string, kinds: string[]) {
  return db.selectFrom('task as t')
    .leftJoin('export_file as f', 'f.task_id', 't.id')
    .select(['t.id', 't.kind', 't.title', 't.state', 't.progress', 't.total', 't.error', 't.created_at', 't.started_at', 't.finished_at', 't.owner_id', 't.node_path',
      'f.file_name', 'f.size_bytes', 'f.content_type', 'f.item_count', 'f.expires_at', 'f.expired_at'])
    .where('t.id', '=', taskId)
    .where('t.kind', 'in', kinds.length ? kinds : ['-'])
    .where((eb) => (ADMINS.includes(actor.role)
      ? eb.or([eb('t.owner_id', '=', actor.id), inScope(actor, 't.node_path')])
      : eb('t.owner_id', '=', actor.id)));
}

/** The actor's own export tasks, newest first. */
export function myExportTasks(db: Kysely<DB>, actor: Actor, kinds: string[], active: boolean) {
  let q = db.selectFrom('task as t')
    .leftJoin('export_file as f', 'f.task_id', 't.id')
    .where('t.owner_id', '=', actor.id)
    .where('t.kind', 'in', kinds.length ? kinds : ['-']);
  if (active) q = q.where('t.state', 'in', ['queued', 'running']);
  return q;
}

export function myMessages(db: Kysely<DB>, actor: Actor) {
  return db.selectFrom('message as m')
    .leftJoin('export_file as f', 'f.task_id', 'm.task_id')
    .where('m.recipient_id', '=', actor.id);
}
