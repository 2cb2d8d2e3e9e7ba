import type { PermissionRows } from '../testing/permissions.ts';

export const rows: PermissionRows = {
  'GET /api/students/:id': { access: 'any', check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/students/${p.studentId}` }) },
};
