import PgBoss from 'pg-boss';
import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import type { z } from 'zod';
import type { Database } from './db.ts';
import type { DB } from './tables.ts';

export interface TaskContext<P = unknown> {
  taskId: string;
  /** The task's payload, parsed by the schema its kind was registered with. */
  payload: P;
  db: Kysely<DB>;
  /** Report progress; returns false once the user has cancelled the task. */
  progress(done: number, total?: number): Promise<boolean>;
}
export type TaskHandler<P = unknown> = (ctx: TaskContext<P>) => Promise<unknown>;

/** A stored payload its kind's schema rejects: retrying cannot help, so the task fails at once. */
class BadPayload extends Error {}

/** Seconds left at the rate so far (time since started ÷ items done), or null before there is a rate. */
export function etaSeconds(t: { state: string; progress: number; total: number; started_at: Date | string | null }, now = Date.now()): number | null {
  if (t.state !== 'running' || !t.started_at || t.progress <= 0 || t.total <= t.progress) return null;
  const elapsed = (now - new Date(t.started_at).getTime()) / 1000;
  return Math.max(0, Math.round((elapsed / t.progress) * (t.total - t.progress)));
}

export interface NewTask {
  kind: string;
  title: string;
  ownerId: number | null;
  nodePath: string;
  payload: Record<string, unknown>;
}

/** Persisted jobs on pg-boss, in the same PostgreSQL as the data (PGlite or a server).
 *  A task row is inserted in the caller's transaction together with the pg-boss job, so a job
 *  exists exactly when the change that asked for it committed. Handlers must be idempotent:
 *  pg-boss delivers at least once. */
export class Jobs {
  readonly boss: PgBoss;
  readonly #handlers = new Map<string, (ctx: TaskContext) => Promise<unknown>>();
  readonly #chores: { name: string; cron: string; run: (db: Kysely<DB>) => Promise<void> }[] = [];
  #started = false;
  #bossStatements = 0;

  constructor(private readonly database: Database) {
    // pg-boss's own statements are counted: it completes a job without awaiting the statement, so stopping
    // waits for them before the database is closed under them.
    const bossDb: PgBoss.Db = {
      executeSql: async (text: string, values?: unknown[]) => {
        this.#bossStatements++;
        try {
          return await (database.sql as PgBoss.Db).executeSql(text, values as unknown[]);
        } finally {
          this.#bossStatements--;
        }
      },
    };
    this.boss = new PgBoss({
      db: bossDb,
      schema: 'pgboss',
      // Maintenance is cheap; keep it but not chatty.
      maintenanceIntervalSeconds: 120,
    });
    this.boss.on('error', (e) => console.error('[jobs]', e.message));
  }

  /** One job kind: its payload schema and its handler, which gets the parsed payload. */
  register<S extends z.ZodType>(kind: string, payload: S, handler: TaskHandler<z.output<S>>): void {
    this.#handlers.set(kind, (ctx) => {
      const parsed = payload.safeParse(ctx.payload);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '（整体）'}：${i.message}`).join('；');
        throw new BadPayload(`任务参数无效（${kind}）：${issues}。该任务不会重试，请重新发起。`);
      }
      return handler({ ...ctx, payload: parsed.data });
    });
  }

  /** A recurring chore without a task row (retention, say) on pg-boss's cron: one run per tick,
   *  whichever worker takes it. The chore must be idempotent like any handler. */
  schedule(name: string, cron: string, run: (db: Kysely<DB>) => Promise<void>): void {
    this.#chores.push({ name, cron, run });
  }

  /** Creates the schema and queues; with work=true also consumes them in this process. */
  async start(opts: { work: boolean }): Promise<void> {
    await this.boss.start();
    for (const kind of this.#handlers.keys()) await this.boss.createQueue(kind);
    for (const c of this.#chores) {
      await this.boss.createQueue(c.name);
      await this.boss.schedule(c.name, c.cron);
    }
    if (opts.work) {
      for (const kind of this.#handlers.keys()) {
        await this.boss.work(kind, { pollingIntervalSeconds: 0.5, batchSize: 1 }, async ([job]) => {
          await this.#track(this.#run(kind, (job.data as { taskId: string }).taskId));
        });
      }
      for (const c of this.#chores) {
        await this.boss.work(c.name, { pollingIntervalSeconds: 30, batchSize: 1 }, async () => this.#track(c.run(this.database.db)));
      }
    }
    this.#started = true;
  }

  async stop(): Promise<void> {
    if (this.#started) await this.boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    // pg-boss gives up waiting after its timeout; the database is closed after this, so the work still under
    // way in this process finishes first (a slow export on a busy machine must not meet a closed pool).
    await Promise.allSettled([...this.#inflight]);
    // …and so does pg-boss's bookkeeping of that work (its `complete` is not awaited by pg-boss itself).
    for (const giveUp = Date.now() + 10_000; Date.now() < giveUp;) {
      await new Promise((r) => setImmediate(r));
      if (this.#bossStatements === 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    this.#started = false;
  }

  readonly #inflight = new Set<Promise<unknown>>();

  async #track<T>(work: Promise<T>): Promise<T> {
    this.#inflight.add(work);
    try {
      return await work;
    } finally {
      this.#inflight.delete(work);
    }
  }

  /** Inserts the task and its job in `trx` (or on its own). */
  async enqueue(t: NewTask, trx?: Transaction<DB>): Promise<string> {
    const run = async (tx: Transaction<DB>) => {
      const row = await tx.insertInto('task')
        .values({ kind: t.kind, title: t.title, owner_id: t.ownerId, node_path: t.nodePath, payload: JSON.stringify(t.payload) })
        .returning('id').executeTakeFirstOrThrow();
      await this.boss.send(t.kind, { taskId: row.id }, {
        retryLimit: 3, retryBackoff: true, expireInMinutes: 60,
        db: { executeSql: async (text: string, values: unknown[]) => tx.executeQuery(CompiledQuery.raw(text, values)) },
      });
      return row.id;
    };
    return trx ? run(trx) : this.database.db.transaction().execute(run);
  }

  async #run(kind: string, taskId: string): Promise<void> {
    const handler = this.#handlers.get(kind);
    const db = this.database.db;
    const task = await db.selectFrom('task').selectAll().where('id', '=', taskId).executeTakeFirst();
    if (!handler || !task || task.state === 'done' || task.state === 'cancelled') return;
    await db.updateTable('task').set({ state: 'running', started_at: new Date(), error: null })
      .where('id', '=', taskId).execute();
    const ctx: TaskContext = {
      taskId,
      payload: task.payload,
      db,
      async progress(done, total) {
        const row = await db.updateTable('task')
          .set(total == null ? { progress: done } : { progress: done, total })
          .where('id', '=', taskId).returning('state').executeTakeFirst();
        return row?.state !== 'cancelled';
      },
    };
    try {
      const result = await handler(ctx);
      await db.updateTable('task')
        .set({ state: 'done', result: JSON.stringify(result ?? null), finished_at: new Date() })
        .where('id', '=', taskId).where('state', '!=', 'cancelled').execute();
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      await db.updateTable('task').set({ state: 'failed', error: message, finished_at: new Date() })
        .where('id', '=', taskId).where('state', '!=', 'cancelled').execute();
      if (e instanceof BadPayload) return; // failed for good: the same payload would fail again
      throw e; // pg-boss retries with backoff
    }
  }
}
