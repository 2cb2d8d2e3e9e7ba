import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { DB } from '../platform/tables.ts';
import type { Batch as BatchRow } from './tables.ts';
import type { Actor } from '../platform/auth.ts';
import { errors } from '../platform/errors.ts';
import { recordOperation } from '../platform/oplog.ts';
import { daysBetween, today } from '../platform/clock.ts';
import { windowStatus } from '../platform/window.ts';
import { STEPS, stepName, type StepKey } from '../../shared/steps.ts';
import type { Batch, BatchWindow, CreateBatch, Extend, WindowDates } from '../../shared/contract/batches.ts';
import { findNode } from '../org/service.ts';
import { batchErrors } from './errors.ts';

type Db = Kysely<DB> | Transaction<DB>;

export async function listBatches(db: Db): Promise<Batch[]> {
  const batches = await db.selectFrom('batch').selectAll().orderBy('code', 'desc').execute();
  const windows = await db.selectFrom('batch_window').selectAll().execute();
  return batches.map((b) => present(b, windows.filter((w) => w.batch_code === b.code)));
}

export async function getBatch(db: Db, code: string, forPath?: string): Promise<Batch> {
  const b = await db.selectFrom('batch').selectAll().where('code', '=', code).executeTakeFirst();
  if (!b) throw errors.unknownBatch(code);
  const windows = await db.selectFrom('batch_window').selectAll().where('batch_code', '=', code).execute();
  const batch = present(b, windows);
  if (forPath) {
    const ext = await extensionsFor(db, code, [forPath]);
    const on = today();
    // How each window stands today for the caller's node, as the one window rule says: the web shows it as it is.
    for (const w of batch.windows) {
      const s = windowStatus({ starts_on: w.starts_on, ends_on: w.ends_on, extended_to: ext.get(`${w.step}|${forPath}`) }, on);
      w.effective_ends_on = s.ends_on ?? w.ends_on;
      w.open = s.open;
      w.phase = s.phase;
      w.days_left = s.days_left ?? undefined;
      w.starts_in = s.phase === 'before' ? daysBetween(on, w.starts_on) : undefined;
    }
  }
  return batch;
}

export async function currentBatch(db: Db, forPath: string): Promise<Batch | null> {
  const b = await db.selectFrom('batch').select('code').where('is_current', '=', true).executeTakeFirst();
  return b ? getBatch(db, b.code, forPath) : null;
}

function present(b: Selectable<BatchRow>, windows: { step: string; starts_on: string; ends_on: string }[]): Batch {
  const order = STEPS.map((s) => s.key as string);
  return {
    code: b.code,
    name: b.name,
    issue_date: b.issue_date,
    closing_date: b.closing_date,
    exemption_deadline: b.exemption_deadline,
    is_current: b.is_current,
    windows: windows
      .sort((x, y) => order.indexOf(x.step) - order.indexOf(y.step))
      .map((w): BatchWindow => {
        const s = STEPS.find((st) => st.key === w.step);
        return { step: w.step as StepKey, name: s?.name ?? w.step, no: s?.no ?? '', starts_on: w.starts_on, ends_on: w.ends_on };
      }),
  };
}

/** Open from the first day to the last (or an extension's last day), both inclusive, in China's calendar. */
function verdict(starts: string, ends: string, extendedTo: string | undefined): WindowVerdict {
  const v = windowStatus({ starts_on: starts, ends_on: ends, extended_to: extendedTo });
  return { open: v.open, starts_on: starts, ends_on: v.ends_on ?? ends };
}

/** Latest extension end per `${step}|${path}`: an extension for a node covers its whole subtree. */
async function extensionsFor(db: Db, batchCode: string, paths: string[], step?: StepKey): Promise<Map<string, string>> {
  const { rows } = await sql<{ step: string; path: string; ends_on: string }>`
    select e.step, p.path, max(e.ends_on) as ends_on
    from window_extension e
    join org_node n on n.id = e.node_id
    join unnest(${paths}::text[]) as p(path) on starts_with(p.path, n.path)
    where e.batch_code = ${batchCode} ${step ? sql`and e.step = ${step}` : sql``}
    group by e.step, p.path`.execute(db);
  return new Map(rows.map((r) => [`${r.step}|${r.path}`, r.ends_on]));
}

export interface WindowVerdict {
  open: boolean;
  starts_on: string;
  ends_on: string;
}

/**
 * The one window rule: a step's action on an object under `path` is allowed from the window's first day
 * to its last (or an extension's last day for a node above the object), in China's calendar.
 * It answers for many paths at once, so a bulk action can refuse the rows of a closed teaching
 * point only. Throws for an unknown batch; `window` is null while the batch has no window for the step.
 */
export async function windowState(db: Db, batchCode: string, step: StepKey, paths: string[]):
  Promise<{ window: { starts_on: string; ends_on: string } | null; verdicts: Map<string, WindowVerdict> }> {
  const batch = await db.selectFrom('batch as b')
    .leftJoin('batch_window as w', (j) => j.onRef('w.batch_code', '=', 'b.code').on('w.step', '=', step))
    .select(['b.code', 'w.starts_on', 'w.ends_on'])
    // Most batches have no extension for a step: then one query answers.
    .select(sql<boolean>`exists (select 1 from window_extension e where e.batch_code = b.code and e.step = ${step})`.as('extended'))
    .where('b.code', '=', batchCode).executeTakeFirst();
  if (!batch) throw errors.unknownBatch(batchCode);
  if (!batch.starts_on || !batch.ends_on) return { window: null, verdicts: new Map() };
  const distinct = [...new Set(paths)];
  const ext = batch.extended ? await extensionsFor(db, batchCode, distinct, step) : new Map<string, string>();
  const verdicts = new Map(distinct.map((p) => [p, verdict(batch.starts_on!, batch.ends_on!, ext.get(`${step}|${p}`))]));
  return { window: { starts_on: batch.starts_on, ends_on: batch.ends_on }, verdicts };
}

/** For actions: the verdict per path; a step without a window cannot be done at all. */
export async function windowsFor(db: Db, batchCode: string, step: StepKey, paths: string[]): Promise<Map<string, WindowVerdict>> {
  const state = await windowState(db, batchCode, step, paths);
  if (!state.window) throw errors.noWindow(stepName(step), batchCode);
  return state.verdicts;
}

export function windowClosedError(step: StepKey, v: WindowVerdict) {
  return errors.windowClosed(stepName(step), v.starts_on, v.ends_on);
}

function checkDates(windows: WindowDates[]): void {
  for (const w of windows) {
    if (w.ends_on < w.starts_on) throw batchErrors.windowEndsBeforeStart(stepName(w.step));
  }
}

export async function createBatch(db: Kysely<DB>, actor: Actor, input: CreateBatch): Promise<Batch> {
  checkDates(input.windows);
  await db.transaction().execute(async (trx) => {
    const exists = await trx.selectFrom('batch').select('code').where('code', '=', input.code).executeTakeFirst();
    if (exists) throw batchErrors.batchExists(input.code);
    if (input.is_current) await trx.updateTable('batch').set({ is_current: false }).where('is_current', '=', true).execute();
    await trx.insertInto('batch').values({
      code: input.code,
      name: input.name ?? `${input.code.slice(0, 4)}年${Number(input.code.slice(4))}月毕业批次`,
      issue_date: input.issue_date,
      closing_date: input.closing_date ?? null,
      exemption_deadline: input.exemption_deadline ?? null,
      is_current: input.is_current ?? false,
    }).execute();
    if (input.windows.length) {
      await trx.insertInto('batch_window').values(input.windows.map((w) => ({ batch_code: input.code, ...w }))).execute();
    }
    await recordOperation(trx, actor, [{ action: '创建毕业批次', objectType: 'batch', objectId: input.code, nodePath: actor.nodePath, after: input }]);
  });
  return getBatch(db, input.code);
}

export async function setWindows(db: Kysely<DB>, actor: Actor, code: string, windows: WindowDates[]): Promise<Batch> {
  checkDates(windows);
  const before = await getBatch(db, code);
  await db.transaction().execute(async (trx) => {
    for (const w of windows) {
      await trx.insertInto('batch_window').values({ batch_code: code, ...w })
        .onConflict((oc) => oc.columns(['batch_code', 'step']).doUpdateSet({ starts_on: w.starts_on, ends_on: w.ends_on })).execute();
    }
    await recordOperation(trx, actor, [{ action: '设置办理时间', objectType: 'batch', objectId: code, nodePath: actor.nodePath, before: before.windows, after: windows }]);
  });
  return getBatch(db, code);
}

/** Extends a step's window for a node of the caller's subtree (and everything under it). */
export async function extendWindow(db: Kysely<DB>, actor: Actor, code: string, input: Extend): Promise<void> {
  const { path: nodePath } = await findNode(db, actor, input.node_id);
  await getBatch(db, code);
  await db.transaction().execute(async (trx) => {
    const w = await trx.selectFrom('batch_window').selectAll().where('batch_code', '=', code).where('step', '=', input.step).executeTakeFirst();
    if (!w) throw errors.noWindow(stepName(input.step), code);
    if (input.ends_on <= w.ends_on) throw batchErrors.extensionNotLater(w.ends_on);
    await trx.insertInto('window_extension').values({
      batch_code: code, step: input.step, node_id: input.node_id, ends_on: input.ends_on, reason: input.reason, created_by: actor.id,
    }).onConflict((oc) => oc.columns(['batch_code', 'step', 'node_id']).doUpdateSet({ ends_on: input.ends_on, reason: input.reason, created_by: actor.id }))
      .execute();
    await recordOperation(trx, actor, [{ action: '延长办理时间', objectType: 'batch', objectId: code, nodePath, after: input }]);
  });
}
