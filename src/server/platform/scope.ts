import { sql, type RawBuilder } from 'kysely';
import type { Actor } from './auth.ts';
import { errors } from './errors.ts';
import type { Role } from '../../shared/org.ts';

/**
 * The one scoping mechanism. Every scoped table carries `node_path`, the materialised path of the
 * org node it belongs to; an actor sees a row when that path lies in the actor's subtree. A student
 * sees only rows about themself. Queries call `inScope`; single objects are fetched through
 * `mustFind`, which answers 404 — the same answer as for an object that does not exist.
 */
export function inScope(actor: Actor, pathColumn: string, studentColumn?: string, tpColumn?: string): RawBuilder<boolean> {
  if (actor.role === 'student') {
    if (!studentColumn || actor.studentId == null) return sql<boolean>`false`;
    return sql<boolean>`${sql.ref(studentColumn)} = ${actor.studentId}`;
  }
  // A teaching point's subtree is exactly the rows of its tp_id. Said as an equality the planner
  // estimates it right and pages straight off a (batch, tp, …) index (20 ms → 0.7 ms at 200,000).
  if (tpColumn && actor.nodeKind === 'tp') return sql<boolean>`${sql.ref(tpColumn)} = ${actor.nodeId}`;
  return sql<boolean>`${sql.ref(pathColumn)} like ${likePrefix(actor.nodePath)}`;
}

/** 'a/b/' → 'a/b/%', with LIKE's wildcards escaped (paths hold digits and slashes, but be exact). */
export function likePrefix(path: string): string {
  return path.replace(/[\\%_]/g, (c) => `\\${c}`) + '%';
}

export async function mustFind<T>(row: Promise<T | undefined>, what?: string): Promise<T> {
  const found = await row;
  if (!found) throw errors.notFound(what);
  return found;
}

export function requireRole(actor: Actor, roles: readonly Role[], what?: string): void {
  if (!roles.includes(actor.role)) throw errors.forbidden(what);
}

/** The role sets live in `src/shared/org.ts` (routes, pages and menus name the same ones). */
export { ADMINS, HQ, OFFICES, STAFF, STUDENTS } from '../../shared/org.ts';
