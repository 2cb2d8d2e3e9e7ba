/**
 * The one bulk-action frame (预毕业确认, 加急, 填写意见, 学校意见, 退回, 材料). The caller locks the rows it
 * may touch (in scope, `for update`) inside a transaction and hands them here with what was asked; the frame
 * decides each row in the same order everywhere, then changes what passed in one statement and logs it:
 *   1. asked for but not among the rows → NOT_FOUND (outside the subtree is the same as missing);
 *   2. already in the target state → unchanged (a double click changes nothing);
 *   3. its window closed (per node, extensions counting) → WINDOW_CLOSED;
 *   4. changed by someone since the page showed it (version) → STALE;
 *   5. the capability's own checks (state, eligibility …) → their code and message.
 */
import type { Kysely, Transaction } from 'kysely';
import type { BulkResult, Refusal } from '../../shared/bulk.ts';
import type { Actor } from './auth.ts';
import { recordOperation, type OperationEntry } from './oplog.ts';
import type { DB } from './tables.ts';
import type { WindowStatus } from './window.ts';

export type { BulkResult, Refusal } from '../../shared/bulk.ts';

export const NOT_FOUND_MESSAGE = '记录不存在，或不在您的管理范围内';

export interface Refuse {
  code: string;
  message: string;
}

export type BulkSpec<R extends { id: number }> = BulkRules<R> & BulkLog<R>;

interface BulkRules<R extends { id: number }> {
  /** What the page asked for, with the version it showed; null for "every row of the current query". */
  asked: { id: number; version?: number }[] | null;
  /** The message for a row asked for but not found (the capability names its object); NOT_FOUND_MESSAGE unless told. */
  notFound?: string;
  /** The rows found and locked in the caller's scope. */
  rows: R[];
  /** Who the row is, for the refusals table. */
  who?: (row: R) => { student_no: string; name: string };
  /** Already as the action would leave it. */
  unchanged: (row: R) => boolean;
  /** The window that governs the row (per teaching point), if the action has one. */
  window?: (row: R) => { status: Pick<WindowStatus, 'open'>; refuse: Refuse } | null;
  version?: (row: R) => number;
  /** The message when the row changed since the page showed it. */
  stale?: (row: R) => Refuse;
  /** The capability's own refusals, after the common ones. */
  check?: (row: R) => Refuse | null;
  /** Changes every row that passed, in one statement. */
  apply: (rows: R[]) => Promise<void>;
}

/** The operation log of what changed: an entry per changed row, or (`logAll`) the entries of the whole action
 *  (材料: one entry per tick of many papers). */
type BulkLog<R> =
  | { log: (row: R) => OperationEntry; logAll?: never }
  | { logAll: (rows: R[]) => OperationEntry[]; log?: never };

export async function runBulk<R extends { id: number }>(trx: Kysely<DB> | Transaction<DB>, actor: Actor, spec: BulkSpec<R>): Promise<BulkResult> {
  const result: BulkResult = { changed: 0, unchanged: 0, refused: [] };
  // A row the caller may see is named in the refusals; one asked for but not found is not (it does not exist for them).
  const refuse = (row: R, r: Refuse) => {
    result.refused.push({ id: row.id, code: r.code, message: r.message, ...spec.who?.(row) } satisfies Refusal);
  };
  if (spec.asked) {
    const found = new Set(spec.rows.map((r) => r.id));
    const missing: Refuse = { code: 'NOT_FOUND', message: spec.notFound ?? NOT_FOUND_MESSAGE };
    for (const a of spec.asked) if (!found.has(a.id)) result.refused.push({ id: a.id, ...missing });
  }
  const shown = new Map((spec.asked ?? []).filter((a) => a.version !== undefined).map((a) => [a.id, a.version!]));
  const pass: R[] = [];
  for (const row of spec.rows) {
    if (spec.unchanged(row)) { result.unchanged++; continue; }
    const w = spec.window?.(row);
    if (w && !w.status.open) { refuse(row, w.refuse); continue; }
    const seen = shown.get(row.id);
    if (spec.version && seen !== undefined && seen !== spec.version(row)) {
      refuse(row, spec.stale?.(row) ?? { code: 'STALE', message: '该记录已被他人修改，请刷新页面后重试' });
      continue;
    }
    const own = spec.check?.(row);
    if (own) { refuse(row, own); continue; }
    pass.push(row);
  }
  if (pass.length > 0) {
    await spec.apply(pass);
    await recordOperation(trx, actor, spec.log ? pass.map(spec.log) : spec.logAll(pass));
  }
  result.changed = pass.length;
  return result;
}
