import type { Kysely, Transaction } from 'kysely';
import type { Jobs } from './jobs.ts';
import type { DB } from './tables.ts';

/** Who acted: an `Actor` (auth.ts, which itself writes here: named by shape to keep the import one-way). */
export interface Actor {
  id: number;
  username: string;
  displayName: string;
}

export interface OperationEntry {
  action: string;
  objectType: string;
  objectId: string | number;
  nodePath: string;
  before?: unknown;
  after?: unknown;
  /** Who, when there is no signed-in actor (a failed sign-in names the user name tried). */
  actorName?: string;
}

/** Every change of state, with who, when, before and after. Written in the same transaction as the change. */
export async function recordOperation(trx: Kysely<DB> | Transaction<DB>, actor: Actor | null, entries: OperationEntry[]): Promise<void> {
  if (entries.length === 0) return;
  for (let i = 0; i < entries.length; i += 5000) {
    await trx.insertInto('operation_log').values(entries.slice(i, i + 5000).map((e) => ({
      actor_id: actor?.id ?? null,
      actor_name: actor ? `${actor.displayName}（${actor.username}）` : e.actorName ?? '系统',
      node_path: e.nodePath,
      action: e.action,
      object_type: e.objectType,
      object_id: String(e.objectId),
      before: e.before === undefined ? null : JSON.stringify(e.before),
      after: e.after === undefined ? null : JSON.stringify(e.after),
    }))).execute();
  }
}

/**
 * An event that changes nothing but must be on record (等保 2.0 audit): a failed sign-in, a denied access, a view
 * of a full 身份证号, an export started. Written on its own; a failure to write it is told on the console and
 * never fails the request that caused it.
 */
export async function recordEvent(db: Kysely<DB>, actor: Actor | null, entry: OperationEntry): Promise<void> {
  try {
    await recordOperation(db, actor, [entry]);
  } catch (e) {
    console.error('[oplog]', entry.action, (e as Error).message);
  }
}

/** The root of the org tree: where events with no object of their own (an unknown user name) are filed, for 总部. */
export async function rootPath(db: Kysely<DB>): Promise<string> {
  const root = await db.selectFrom('org_node').select('path').where('parent_id', 'is', null).orderBy('id').executeTakeFirst();
  return root?.path ?? '';
}

/** OPLOG_RETENTION_DAYS: how long the operation log is kept; at least 180 days (网络安全法 Art. 21: six months). */
export function oplogRetentionDays(): number {
  const days = Number(process.env.OPLOG_RETENTION_DAYS || 180);
  return Number.isFinite(days) ? Math.max(180, Math.floor(days)) : 180;
}

/** Deletes only the entries older than the retention; answers how many went. */
export async function purgeOperationLog(db: Kysely<DB>, days = oplogRetentionDays(), now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - Math.max(180, days) * 86_400_000);
  const res = await db.deleteFrom('operation_log').where('at', '<', before).executeTakeFirst();
  return Number(res.numDeletedRows);
}

export const OPLOG_PURGE = 'oplog-purge';

/** The daily purge, on pg-boss's cron like the other chores. */
export function registerOplogJobs(jobs: Jobs): void {
  jobs.schedule(OPLOG_PURGE, '17 3 * * *', async (db) => { await purgeOperationLog(db); });
}
