import type { Kysely } from 'kysely';
import type { NodeKind } from '../../shared/org.ts';
import type { DB } from '../platform/tables.ts';
import { KIND_NAMES } from '../../shared/org.ts';
import type { Actor } from '../platform/auth.ts';
import { recordOperation } from '../platform/oplog.ts';
import { inScope, mustFind } from '../platform/scope.ts';
import type { CreateNode, NodesQuery, OrgNode, UpdateNode } from '../../shared/contract/org.ts';
import { orgErrors } from './errors.ts';

/** 总部 → 分部/学院 → 教学点 → 班级. */
const CHILD_KIND: Record<NodeKind, NodeKind | null> = { hq: 'branch', branch: 'tp', tp: 'class', class: null };
const columns = ['n.id', 'n.parent_id', 'n.kind', 'n.code', 'n.name', 'n.disabled', 'n.head_teacher_id'] as const;

export async function listNodes(db: Kysely<DB>, actor: Actor, f: NodesQuery): Promise<OrgNode[]> {
  let q = db.selectFrom('org_node as n').where(inScope(actor, 'n.path'));
  if (f.kind) q = q.where('n.kind', '=', f.kind);
  if (f.parent_id) q = q.where('n.parent_id', '=', f.parent_id);
  const term = f.q;
  if (term) q = q.where((eb) => eb.or([eb('n.code', '=', term), eb('n.name', 'ilike', `%${term}%`)]));
  return q.select([...columns]).orderBy('n.path').limit(5000).execute();
}

/** A node of the caller's subtree, or 404 (`what` names it in the message). */
export function findNode(db: Kysely<DB>, actor: Actor, id: number, what = '单位') {
  return mustFind(db.selectFrom('org_node as n').selectAll().where('n.id', '=', id).where(inScope(actor, 'n.path')).executeTakeFirst(), what);
}

const oneNode = (db: Kysely<DB>, id: number): Promise<OrgNode> =>
  db.selectFrom('org_node as n').select([...columns]).where('n.id', '=', id).executeTakeFirstOrThrow();

export async function createNode(db: Kysely<DB>, actor: Actor, input: CreateNode): Promise<OrgNode> {
  const parent = await findNode(db, actor, input.parent_id, '上级单位');
  const kind = CHILD_KIND[parent.kind];
  if (!kind) throw orgErrors.noChildOfClass();
  const id = await db.transaction().execute(async (trx) => {
    const taken = await trx.selectFrom('org_node').select('id').where('code', '=', input.code).executeTakeFirst();
    if (taken) throw orgErrors.codeTaken(input.code);
    const { id } = await trx.insertInto('org_node').values({ parent_id: parent.id, kind, code: input.code, name: input.name, path: `pending-${input.code}` })
      .returning('id').executeTakeFirstOrThrow();
    const path = `${parent.path}${id}/`;
    await trx.updateTable('org_node').set({ path }).where('id', '=', id).execute();
    await recordOperation(trx, actor, [{ action: `新建${KIND_NAMES[kind]}`, objectType: 'org_node', objectId: id, nodePath: path, after: { ...input, kind } }]);
    return id;
  });
  return oneNode(db, id);
}

export async function updateNode(db: Kysely<DB>, actor: Actor, id: number, input: UpdateNode): Promise<OrgNode> {
  const node = await findNode(db, actor, id);
  if (node.id === actor.nodeId && input.disabled) throw orgErrors.cannotDisableOwn();
  if (input.head_teacher_id != null) {
    const t = await db.selectFrom('app_user').select(['id', 'node_id', 'role']).where('id', '=', input.head_teacher_id).executeTakeFirst();
    if (!t || t.node_id !== node.id || t.role !== 'head_teacher') throw orgErrors.headTeacherNotOfClass();
  }
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('org_node').set(input).where('id', '=', id).execute();
    await recordOperation(trx, actor, [{ action: input.disabled ? '停用单位' : '修改单位', objectType: 'org_node', objectId: id, nodePath: node.path,
      before: { name: node.name, disabled: node.disabled, head_teacher_id: node.head_teacher_id }, after: input }]);
  });
  return oneNode(db, id);
}
