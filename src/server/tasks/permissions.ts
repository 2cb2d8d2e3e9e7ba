import type { PermissionRows } from '../testing/permissions.ts';

export const rows: PermissionRows = {
  'GET /api/tasks/:id': { access: 'any', check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/tasks/${p.taskId}` }) },
};
