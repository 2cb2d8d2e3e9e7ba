import type { Kysely, Transaction } from 'kysely';
import type { Actor } from '../platform/auth.ts';
import { today } from '../platform/clock.ts';
import type { DB } from '../platform/tables.ts';
import type { Home } from '../../shared/contract/batches.ts';
import { currentBatch } from '../batches/service.ts';
import { missingCount } from '../photos/service.ts';

/**
 * 首页: today, the current batch's windows for the caller's node, and the graduates still without a photo.
 * It stands above the capabilities it gathers from (毕业批次, 电子照片管理), so that neither has to know the other.
 */
export async function home(db: Kysely<DB> | Transaction<DB>, actor: Actor): Promise<Home> {
  return {
    today: today(),
    batch: await currentBatch(db, actor.nodePath),
    photos_missing: (await missingCount(db, actor))?.missing ?? null,
  };
}
