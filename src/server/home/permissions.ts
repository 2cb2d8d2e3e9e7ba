import type { PermissionRows } from '../testing/permissions.ts';

export const rows: PermissionRows = {
  'GET /api/home': { access: 'any', check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/home' }) },
};
