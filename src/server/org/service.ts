import type { Kysely } from 'kysely';
import type { DB, NodeKind } from '../platform/tables.ts';
import { KIND_NAMES } from '../../shared/org.ts';
import type { Actor } from '../platform/auth.ts';
import { recordOperation } from '../platform/oplog.ts';
import { errors } from '../platform/errors.ts';
import { inScope, mustFind } from '../platform/scope.ts';
import type { z } from 'zod';
import type { createNodeBody, nodesQuery, updateNodeBody } from './schema.ts';

/** 总部 → 分部/学院 → 教学点 → 班级. */
const CHILD_KIND: Record<NodeKind, NodeKind | null> = { hq: 'branch', branch: 'tp', tp: 'class', class: null };
const columns = ['n.id', 'n.parent_id', 'n.kind', 'n.code', 'n.name', 'n.disabled', 'n.head_teacher_id'] as const;

export async function listNodes(db: Kysely<DB>, actor: Actor, f: z.infer<typeof nodesQuery>) {
  let q = db.selectFrom('org_node as n').where(inScope(actor, 'n.path'));
  if (f.kind) q = q.where('n.kind', '=', f.kind);
  if (f.parent_id) q = q.where('n.parent_id', '=', f.parent_id);
  if (f.q) q = q.where((eb) => eb.or([eb('n.code', '=', f.q!), eb('n.name', 'ilike', `%${f.q}%`)]));
  return q.select([...columns]).orderBy('n.path').limit(5000).execute();
}

export async function createNode(db: Kysely<DB>, actor: Actor, input: z.infer<typeof createNodeBody>) {
  const parent = await mustFind(db.selectFrom('org_node as n').selectAll().where('n.id', '=', input.parent_id).where(inScope(actor, 'n.path')).executeTakeFirst(), '上级单位');
  const kind = CHILD_KIND[parent.kind];
  if (!kind) throw errors.validation('班级下不能再建下级单位。');
  return db.transaction().execute(async (trx) => {
    const taken = await trx.selectFrom('org_node').select('id').where('code', '=', input.code).executeTakeFirst();
    if (taken) throw errors.conflict(`单位代码“${input.code}”已被使用，请换一个。`);
    const { id } = await trx.insertInto('org_node').values({ parent_id: parent.id, kind, code: input.code, name: input.name, path: `pending-${input.code}` })
      .returning('id').executeTakeFirstOrThrow();
    const path = `${parent.path}${id}/`;
    await trx.updateTable('org_node').set({ path }).where('id', '=', id).execute();
    await recordOperation(trx, actor, [{ action: `新建${KIND_NAMES[kind]}`, objectType: 'org_node', objectId: id, nodePath: path, after: { ...input, kind } }]);
    return trx.selectFrom('org_node as n').select([...columns]).where('n.id', '=', id).executeTakeFirstOrThrow();
  });
}

export async function updateNode(db: Kysely<DB>, actor: Actor, id: number, input: z.infer<typeof updateNodeBody>) {
  const node = await mustFind(db.selectFrom('org_node as n').selectAll().where('n.id', '=', id).where(inScope(actor, 'n.path')).executeTakeFirst(), '单位');
  if (node.id === actor.nodeId && input.disabled) throw errors.validation('不能停用自己所在的单位。');
  if (input.head_teacher_id != null) {
    const t = await db.selectFrom('app_user').select(['id', 'node_id', 'role']).where('id', '=', input.head_teacher_id).executeTakeFirst();
    if (!t || t.node_id !== node.id || t.role !== 'head_teacher') throw errors.validation('班主任须是本班级的班主任账号。');
  }
  return db.transaction().execute(async (trx) => {
    await trx.updateTable('org_node').set(input).where('id', '=', id).execute();
    await recordOperation(trx, actor, [{ action: input.disabled ? '停用单位' : '修改单位', objectType: 'org_node', objectId: id, nodePath: node.path,
      before: { name: node.name, disabled: node.disabled, head_teacher_id: node.head_teacher_id }, after: input }]);
    return trx.selectFrom('org_node as n').select([...columns]).where('n.id', '=', id).executeTakeFirstOrThrow();
  });
}
