import type { PermissionRows } from '../testing/permissions.ts';

export const rows: PermissionRows = {
  'GET /api/health': { access: 'public', check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/health' }) },
  'GET /api/openapi.json': { access: 'public', check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/openapi.json' }) },
};
