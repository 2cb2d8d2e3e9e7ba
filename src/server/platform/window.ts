/**
 * The one window rule. Every date check of the product — a step's 办理时间 (with extensions), an audit
 * round's dates, 综合实践环节成绩接收时间, the 免修免考 deadline, the 加急 deadline, a batch's closing date —
 * asks this: is `on` (today, in China) within [starts_on, ends_on], both inclusive? A bound that is null is
 * open on that side. The answer goes to the web as it is (`WindowStatus`), so pages never judge by the
 * browser's clock.
 */
import type { WindowStatus } from '../../shared/window.ts';
import { daysBetween, today } from './clock.ts';

export type { WindowStatus } from '../../shared/window.ts';

export interface WindowBounds {
  starts_on?: string | null;
  ends_on?: string | null;
  /** An extension's last day for the node (it only ever lengthens the window). */
  extended_to?: string | null;
}

export function windowStatus(w: WindowBounds, on: string = today()): WindowStatus {
  const starts = w.starts_on ?? null;
  const ends = w.extended_to && (w.ends_on == null || w.extended_to > w.ends_on) ? w.extended_to : (w.ends_on ?? null);
  const phase = starts != null && on < starts ? 'before' : ends != null && on > ends ? 'after' : 'open';
  return {
    starts_on: starts,
    ends_on: ends,
    open: phase === 'open',
    phase,
    days_left: phase === 'open' && ends != null ? daysBetween(on, ends) : null,
  };
}

/** A deadline: open up to and including its day. */
export const deadlineStatus = (deadline: string | null | undefined, on?: string) => windowStatus({ ends_on: deadline ?? null }, on);
