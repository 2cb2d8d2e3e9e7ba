import type { Kysely } from 'kysely';
import type { DB } from '../platform/tables.ts';
import type { Actor } from '../platform/auth.ts';
import type { Jobs, TaskContext } from '../platform/jobs.ts';
import { recordAudit } from '../platform/audit.ts';
import { getBatch } from '../batches/service.ts';
import { recomputeEligibility } from './queries.ts';

export const RECOMPUTE_JOB = 'eligibility.recompute';

export function registerEligibilityJobs(jobs: Jobs): void {
  jobs.register(RECOMPUTE_JOB, async (ctx: TaskContext) => {
    const { batch } = ctx.payload as { batch: string };
    await ctx.progress(0, 1);
    // Idempotent: recomputing twice gives the same rows.
    const rows = await recomputeEligibility(ctx.db, batch);
    await ctx.progress(1, 1);
    return { batch, graduates: rows };
  });
}

/** Headquarters asks for a batch-wide recomputation; it runs as a persisted job. */
export async function requestRecompute(db: Kysely<DB>, jobs: Jobs, actor: Actor, batch: string): Promise<string> {
  await getBatch(db, batch);
  return db.transaction().execute(async (trx) => {
    const id = await jobs.enqueue({
      kind: RECOMPUTE_JOB, title: `重新计算毕业批次 ${batch} 的毕业资格`, ownerId: actor.id, nodePath: actor.nodePath, payload: { batch },
    }, trx);
    await recordAudit(trx, actor, [{ action: '重新计算毕业资格', objectType: 'batch', objectId: batch, nodePath: actor.nodePath, after: { task: id } }]);
    return id;
  });
}
