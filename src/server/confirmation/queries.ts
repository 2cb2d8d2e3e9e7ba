import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../platform/tables.ts';
import type { Actor } from '../platform/auth.ts';
import { inScope } from '../platform/scope.ts';
import type { ListFilter } from '../../shared/contract/confirmation.ts';

type Db = Kysely<DB> | Transaction<DB>;

/** The graduates of a batch the actor may see, narrowed by the filters on graduate itself. */
function scoped(db: Db, actor: Actor, f: Omit<ListFilter, 'page' | 'page_size'>) {
  let q = db.selectFrom('graduate as g')
    .where('g.batch_code', '=', f.batch)
    .where(inScope(actor, 'g.node_path', 'g.student_id', 'g.tp_id'));
  if (f.tp_code) q = q.where('g.tp_id', '=', sql<number>`(select id from org_node where code = ${f.tp_code} and kind = 'tp')`);
  if (f.status) q = q.where('g.confirm_status', '=', f.status);
  if (f.eligible) q = q.where('g.eligible', '=', f.eligible === 'true');
  return q;
}

/** The candidates of a batch the actor may see, narrowed by the page's filters. */
export function candidates(db: Db, actor: Actor, f: Omit<ListFilter, 'page' | 'page_size'>) {
  let q = scoped(db, actor, f)
    .innerJoin('student as s', 's.id', 'g.student_id')
    .innerJoin('org_node as tp', 'tp.id', 'g.tp_id');
  if (f.major) q = q.where('s.major', '=', f.major);
  if (f.level) q = q.where('s.level', '=', f.level);
  if (f.q) {
    const term = f.q.trim();
    q = q.where((eb) => eb.or([eb('s.name', '=', term), eb('s.student_no', '=', term), eb('s.id_number', '=', term.toUpperCase())]));
  }
  return q;
}

export async function listPage(db: Db, actor: Actor, f: ListFilter) {
  // The total needs student only for its filters; without them it is counted on graduate alone.
  const counted = (f.major || f.level || f.q ? candidates(db, actor, f) : scoped(db, actor, f))
    .select((eb) => eb.fn.countAll<number>().as('total'));
  // The total rides along with the page: one round trip instead of two.
  const page = candidates(db, actor, f).select((eb) => [eb.selectFrom(counted.as('c')).select('c.total').as('total')]).select(['g.id', 'g.version', 'g.student_id', 'g.student_no', 's.name', 's.gender', 's.id_number', 's.cohort', 's.level', 's.major',
    'tp.code as tp_code', 'tp.name as tp_name', 'g.eligible', 'g.credits_earned', 'g.credits_required', 'g.reasons',
    'g.confirm_status', 'g.confirm_reason', 'g.confirmed_at', 'g.urgent']);
  const rows = await page.orderBy('g.student_no').limit(f.page_size).offset((f.page - 1) * f.page_size).execute();
  // Past the last page there is no row to carry the total.
  const total = rows.length ? rows[0].total : f.page === 1 ? 0 : (await counted.executeTakeFirstOrThrow()).total;
  return { total: Number(total), rows: rows.map(({ total: _t, ...r }) => r) };
}

export interface Target {
  id: number;
  version: number;
  student_id: number;
  student_no: string;
  name: string;
  confirm_status: string;
  confirm_reason: string | null;
  eligible: boolean;
  reasons: string[];
  node_path: string;
  tp_path: string;
}

/** The rows an action applies to, locked for the rest of the transaction. */
export async function lockTargets(trx: Transaction<DB>, actor: Actor, batch: string,
  sel: { ids: number[] } | { filter: Omit<ListFilter, 'page' | 'page_size'> }): Promise<Target[]> {
  let q = 'ids' in sel
    ? candidates(trx, actor, { batch }).where('g.id', '=', sql<number>`any(${sel.ids}::int[])`)
    : candidates(trx, actor, sel.filter);
  q = q.orderBy('g.id');
  return q.select(['g.id', 'g.version', 'g.student_id', 's.student_no', 's.name', 'g.confirm_status', 'g.confirm_reason',
    'g.eligible', 'g.reasons', 'g.node_path', 'tp.path as tp_path'])
    .forUpdate('g')
    .execute() as Promise<Target[]>;
}

/** Candidates per teaching point within the actor's subtree. */
export async function countsByTeachingPoint(db: Db, actor: Actor, batch: string) {
  // Count on graduate alone, per tp_id, and name the 2,000 groups afterwards: grouping 200,000 joined
  // rows by four text columns sorted them on disk.
  const per = db.selectFrom('graduate as g')
    .where('g.batch_code', '=', batch)
    .where(inScope(actor, 'g.node_path', 'g.student_id', 'g.tp_id'))
    .groupBy('g.tp_id')
    .select((eb) => [
      'g.tp_id',
      eb.fn.countAll<number>().as('candidates'),
      sql<number>`count(*) filter (where g.eligible)`.as('eligible'),
      sql<number>`count(*) filter (where g.confirm_status = '同意毕业')`.as('agreed'),
      sql<number>`count(*) filter (where g.confirm_status = '不同意')`.as('refused'),
      sql<number>`count(*) filter (where g.confirm_status = '待确认')`.as('pending'),
    ]);
  return db.selectFrom(per.as('c'))
    .innerJoin('org_node as tp', 'tp.id', 'c.tp_id')
    .innerJoin('org_node as br', 'br.id', 'tp.parent_id')
    .select(['c.tp_id', 'tp.code as tp_code', 'tp.name as tp_name', 'br.name as branch_name',
      'c.candidates', 'c.eligible', 'c.agreed', 'c.refused', 'c.pending'])
    .orderBy('tp.code')
    .execute();
}

export async function setStatus(trx: Transaction<DB>, actor: Actor, ids: number[], status: string, reason: string | null) {
  if (ids.length === 0) return;
  await sql`
    update graduate set confirm_status = ${status}, confirm_reason = ${reason},
      confirmed_at = ${status === '待确认' ? null : new Date()}, confirmed_by = ${status === '待确认' ? null : actor.id},
      version = version + 1
    where id = any(${ids}::int[])`.execute(trx);
}
