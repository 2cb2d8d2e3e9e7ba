import type { Kysely } from 'kysely';
import type { DB } from '../platform/tables.ts';
import type { Actor } from '../platform/auth.ts';
import { z } from 'zod';
import type { Jobs } from '../platform/jobs.ts';
import { recordOperation } from '../platform/oplog.ts';
import { getBatch } from '../batches/service.ts';
import { recomputeEligibility } from './queries.ts';

// What other capabilities use of the rule engine: the reason column of 预毕业确认 and its recomputation.
export { recomputeCurrentBatch, recomputeEligibility, type StudentSet, type Verdict } from './queries.ts';
export { ruleCtes, RULE_NAMES, type RuleKey } from './rules.ts';
export { readiness } from './readiness.ts';

/** 预毕业确认 checks eligibility again, against the latest grades, before 同意毕业. */
export { recheckEligibility } from './queries.ts';

export const RECOMPUTE_JOB = 'eligibility.recompute';

/** Students per statement of a batch-wide recompute: progress every few seconds at a million students. */
const RANGE = 50_000;

export function registerEligibilityJobs(jobs: Jobs): void {
  jobs.register(RECOMPUTE_JOB, z.object({ batch: z.string() }), async (ctx) => {
    const { batch } = ctx.payload;
    // Range by range of student ids; each range is its own upsert, so the whole is idempotent and a
    // retried job simply recomputes what it had done.
    const ids = await ctx.db.selectFrom('student').select((eb) => [eb.fn.min('id').as('lo'), eb.fn.max('id').as('hi')]).executeTakeFirstOrThrow();
    const lo = Number(ids.lo ?? 1);
    const hi = Number(ids.hi ?? 0);
    const total = Math.max(0, hi - lo + 1);
    let rows = 0;
    await ctx.progress(0, total);
    for (let from = lo; from <= hi; from += RANGE) {
      const to = Math.min(hi, from + RANGE - 1);
      rows += await recomputeEligibility(ctx.db, batch, { from, to });
      if (!(await ctx.progress(to - lo + 1, total))) break;
    }
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
    await recordOperation(trx, actor, [{ action: '重新计算毕业资格', objectType: 'batch', objectId: batch, nodePath: actor.nodePath, after: { task: id } }]);
    return id;
  });
}
