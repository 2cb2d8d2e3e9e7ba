/** 组织机构 (总部 → 分部/学院 → 教学点 → 班级) and 教学计划 reference data: the contract between server and web. */
import { z } from 'zod';
import { defineRoutes } from '../contract.ts';
import { ADMINS, KIND_NAMES, STAFF, type NodeKind } from '../org.ts';

/** The kinds of node, in the order of the tree (from `KIND_NAMES`, written once in shared/org.ts). */
export const NODE_KINDS = Object.keys(KIND_NAMES) as [NodeKind, ...NodeKind[]];
export const nodeKind = z.enum(NODE_KINDS);

export const nodeSchema = z.object({
  id: z.number(), parent_id: z.number().nullable(), kind: nodeKind, code: z.string(), name: z.string(), disabled: z.boolean(),
  head_teacher_id: z.number().nullable(),
});
export type OrgNode = z.infer<typeof nodeSchema>;

export const nodesQuery = z.object({
  kind: nodeKind.optional(),
  parent_id: z.coerce.number().int().optional(),
  q: z.string().max(60).optional(),
});
export type NodesQuery = z.infer<typeof nodesQuery>;
export type NodesFilter = z.input<typeof nodesQuery>;

export const createNodeBody = z.object({
  parent_id: z.number().int(),
  code: z.string().trim().regex(/^[A-Za-z0-9_-]{1,20}$/, '单位代码为 1–20 位字母或数字'),
  name: z.string().trim().min(1, '请填写单位名称').max(80),
});
export type CreateNode = z.infer<typeof createNodeBody>;

export const updateNodeBody = z.object({
  name: z.string().trim().min(1).max(80).optional(),
  disabled: z.boolean().optional(),
  head_teacher_id: z.number().int().nullable().optional(),
});
export type UpdateNode = z.infer<typeof updateNodeBody>;

const idParam = z.object({ id: z.coerce.number().int().positive() });

export const orgApi = defineRoutes(['组织机构'], {
  nodes: { method: 'GET', path: '/api/org/nodes', access: STAFF, summary: '本单位及下级单位（总部、分部、教学点、班级）', query: nodesQuery, response: z.array(nodeSchema) },
  createNode: { method: 'POST', path: '/api/org/nodes', access: ADMINS, summary: '新建下级单位', body: createNodeBody, response: nodeSchema },
  updateNode: { method: 'PATCH', path: '/api/org/nodes/:id', access: ADMINS, summary: '修改或停用单位', params: idParam, body: updateNodeBody, response: nodeSchema },
});
