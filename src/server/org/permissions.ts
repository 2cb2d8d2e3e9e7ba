import { orgApi } from '../../shared/contract/org.ts';
import { ADMINS, listed, STAFF, type PermissionRows } from '../testing/permissions.ts';

export const rows: PermissionRows = {
  'GET /api/org/nodes': { access: STAFF, check: listed(orgApi.nodes, (j, p) => j.some((n) => n.id === p.classNodeId)), request: () => ({ method: 'GET', url: '/api/org/nodes?kind=class' }) },
  'POST /api/org/nodes': { access: ADMINS, check: { kind: 'object' }, request: (p, n) => ({ method: 'POST', url: '/api/org/nodes', body: { parent_id: p.tpNodeId, code: `PC${n}`, name: `权限测试班${n}` } }) },
  'PATCH /api/org/nodes/:id': { access: ADMINS, check: { kind: 'object' }, request: (p) => ({ method: 'PATCH', url: `/api/org/nodes/${p.classNodeId}`, body: { disabled: false } }) },
};
