/**
 * The words of the permission table (src/server/permissions.test.ts): every route × every role × own /
 * sibling / foreign object. Each capability lists its own routes in `src/server/<capability>/permissions.ts`
 * (`export const rows: PermissionRows`), and, when its rows need objects of their own, builds them per probe
 * in an optional `setup` hook; the table finds those files by itself.
 */
import type { BulkResult } from '../../shared/bulk.ts';
import type { ResponseOf, RouteContract } from '../../shared/contract.ts';
import type { Access, Role } from '../../shared/org.ts';
import type { World } from './factories.ts';
import type { TestApp } from './harness.ts';

/**
 * Per actor:
 *   own     — an object inside the actor's subtree
 *   sibling — an object under a sibling node (same parent as the actor's node)
 *   foreign — an object under another branch
 * Headquarters has no sibling or foreign objects: everything is its own.
 */
export type Subject = 'own' | 'sibling' | 'foreign';

export type Kind =
  | { kind: 'global' } // not about one object: only the role decides
  | { kind: 'object' } // own → 2xx, others → 404
  | { kind: 'list'; contains: (json: unknown, probe: Probe) => boolean } // own listed, others not
  | { kind: 'action'; refusedAsMissing: (json: unknown) => boolean }; // bulk action: others refused as not found

/** What one actor's subject holds: a student and the objects the table builds around it. */
export interface Probe {
  username: string;
  subject: Subject;
  /** `probe-<username>-<subject>`: written into the objects made for this probe, and the key of a capability's own ones. */
  label: string;
  studentId: number;
  studentNo: string;
  graduate: { id: number; version: number };
  classNodeId: number;
  tpNodeId: number;
  tpCode: string;
  /** An account under the subject's class (the actor's victim for the user routes). */
  userId: number;
  taskId: string;
  importId: string;
}

export interface Row {
  access: Access;
  check: Kind;
  request: (p: Probe, n: number) => { method: string; url: string; body?: unknown };
  /** Statuses that count as success for an allowed caller on its own object (default any 2xx). */
  ok?: number[];
}

/** One capability's rows, keyed `METHOD /path` as Fastify registers the route. */
export type PermissionRows = Record<string, Row>;

/** What a capability's setup hook gets: the running app, the world, and every probe (built before it runs). */
export interface ProbeSetup {
  t: TestApp;
  w: World;
  probes: readonly Probe[];
}

/** What `src/server/<capability>/permissions.ts` exports. */
export interface PermissionModule {
  rows: PermissionRows;
  setup?: (s: ProbeSetup) => Promise<void>;
}

// The table's own statement of who may call, compared with what each route declares.
export const ADMINS: Role[] = ['hq_admin', 'branch_admin'];
export const OFFICES: Role[] = ['hq_admin', 'branch_admin', 'tp_admin'];
export const STAFF: Role[] = ['hq_admin', 'branch_admin', 'tp_admin', 'head_teacher'];

/** A list row: the own probe is listed, the others are not. The answer is read as the contract's response. */
export function listed<C extends RouteContract>(_route: C, contains: (json: ResponseOf<C>, p: Probe) => boolean): Kind {
  return { kind: 'list', contains: (json, p) => contains(json as ResponseOf<C>, p) };
}

/** A bulk-action row: the own probe is not refused as missing, the others are, with this message. */
export function refusedAs(message = /不存在，或不在您的管理范围内/): Kind {
  return {
    kind: 'action',
    refusedAsMissing: (json) => {
      const refused = (json as Partial<BulkResult>).refused;
      return refused?.length === 1 && message.test(refused[0].message);
    },
  };
}

/** A capability's own objects, one set per probe, built by its setup hook. */
export function perProbe<T>(): { set(p: Probe, v: T): void; of(p: Probe): T } {
  const made = new Map<string, T>();
  return {
    set: (p, v) => void made.set(p.label, v),
    of: (p) => {
      const v = made.get(p.label);
      if (v === undefined) throw new Error(`no objects for ${p.label}: did the capability's setup run?`);
      return v;
    },
  };
}
