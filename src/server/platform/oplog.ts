import type { Kysely, Transaction } from 'kysely';
import type { Actor } from './auth.ts';
import type { DB } from './tables.ts';

export interface OperationEntry {
  action: string;
  objectType: string;
  objectId: string | number;
  nodePath: string;
  before?: unknown;
  after?: unknown;
}

/** Every change of state, with who, when, before and after. Written in the same transaction as the change. */
export async function recordOperation(trx: Kysely<DB> | Transaction<DB>, actor: Actor | null, entries: OperationEntry[]): Promise<void> {
  if (entries.length === 0) return;
  for (let i = 0; i < entries.length; i += 5000) {
    await trx.insertInto('operation_log').values(entries.slice(i, i + 5000).map((e) => ({
      actor_id: actor?.id ?? null,
      actor_name: actor ? `${actor.displayName}（${actor.username}）` : '系统',
      node_path: e.nodePath,
      action: e.action,
      object_type: e.objectType,
      object_id: String(e.objectId),
      before: e.before === undefined ? null : JSON.stringify(e.before),
      after: e.after === undefined ? null : JSON.stringify(e.after),
    }))).execute();
  }
}
