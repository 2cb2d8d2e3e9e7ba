import type { Kysely } from 'kysely';
import type { DB } from '../platform/tables.ts';
import type { Actor } from '../platform/auth.ts';
import { runBulk, type BulkResult } from '../platform/bulk.ts';
import { daysBetween, today } from '../platform/clock.ts';
import { maskIdCard } from '../../shared/idcard.ts';
import { getBatch, windowState, windowsFor, windowClosedError } from '../batches/service.ts';
import { recheckEligibility } from '../eligibility/service.ts';
import { confirmationErrors } from './errors.ts';
import * as q from './queries.ts';
import type { ConfirmStatus as Status, ListFilter, Selection } from '../../shared/contract/confirmation.ts';

export async function list(db: Kysely<DB>, actor: Actor, f: ListFilter) {
  // The window as it stands for the caller's own node (an extension above it counts); also proves the batch exists.
  const state = await windowState(db, f.batch, 'confirm', [actor.nodePath]);
  const v = state.verdicts.get(actor.nodePath);
  const { total, rows } = await q.listPage(db, actor, f);
  return {
    total,
    page: f.page,
    page_size: f.page_size,
    window: v ? { ...v, days_left: v.open ? daysBetween(today(), v.ends_on) : null } : null,
    rows: rows.map(({ id_number, confirmed_at, ...r }) => ({
      ...r,
      id_number_masked: maskIdCard(id_number),
      confirmed_at: confirmed_at ? new Date(confirmed_at).toISOString() : null,
    })),
  };
}

export async function counts(db: Kysely<DB>, actor: Actor, batch: string) {
  await getBatch(db, batch);
  return q.countsByTeachingPoint(db, actor, batch);
}

const ACTION_NAMES: Record<Status, string> = { 同意毕业: '同意毕业', 不同意: '不同意毕业', 待确认: '撤销预毕业确认' };

/**
 * The one state transition of 预毕业确认: move the selected graduates to `target`, through the bulk-action
 * frame (platform/bulk.ts): out of the caller's subtree or batch is not found; already in the target state
 * is unchanged; each teaching point's window (with its extensions) must be open; a row changed since the page
 * showed it is refused; 同意毕业 needs the student to meet the conditions, checked again now against the
 * latest grades. Everything that passes is changed in one statement, with its operation-log entries.
 */
export async function transition(db: Kysely<DB>, actor: Actor, batch: string, sel: Selection, target: Status, reason: string | null): Promise<BulkResult> {
  return db.transaction().execute(async (trx) => {
    const spec = 'items' in sel ? { ids: sel.items.map((i) => i.id) } : { filter: { ...sel.filter, batch } };
    const targets = await q.lockTargets(trx, actor, batch, spec);
    // Also proves the batch exists (404 otherwise) and that the step has a window.
    const windows = await windowsFor(trx, batch, 'confirm', targets.map((t) => t.tp_path));
    if (target === '同意毕业') {
      const fresh = await recheckEligibility(trx, batch, targets.map((t) => t.student_id));
      for (const t of targets) Object.assign(t, fresh.get(t.student_id));
    }
    if ('all' in sel && targets.length === 0) throw confirmationErrors.emptyQuery();
    const newReason = target === '不同意' ? reason : null;
    return runBulk(trx, actor, {
      asked: 'items' in sel ? sel.items : null,
      rows: targets,
      who: (t) => ({ student_no: t.student_no, name: t.name }),
      unchanged: (t) => t.confirm_status === target && (target !== '不同意' || t.confirm_reason === reason),
      window: (t) => {
        const v = windows.get(t.tp_path)!;
        return { status: v, refuse: { code: 'WINDOW_CLOSED', message: windowClosedError('confirm', v).message } };
      },
      version: (t) => t.version,
      stale: (t) => ({ code: 'STALE', message: `该学生的确认状态已被他人修改（现为“${t.confirm_status}”），请刷新页面后重试` }),
      check: (t) => (target === '同意毕业' && !t.eligible
        ? { code: 'NOT_ELIGIBLE', message: `不符合毕业条件：${t.reasons.join('；') || '尚未核查'}` }
        : null),
      apply: (rows) => q.setStatus(trx, actor, rows.map((t) => t.id), target, newReason),
      log: (t) => ({
        action: ACTION_NAMES[target],
        objectType: 'graduate',
        objectId: t.id,
        nodePath: t.node_path,
        before: { student_no: t.student_no, name: t.name, confirm_status: t.confirm_status, confirm_reason: t.confirm_reason },
        after: { student_no: t.student_no, name: t.name, confirm_status: target, confirm_reason: newReason },
      }),
    });
  });
}
