import { STAFF, type PermissionRows } from '../testing/permissions.ts';

export const rows: PermissionRows = {
  'GET /api/programmes/majors': { access: STAFF, check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/programmes/majors' }) },
  'GET /api/courses': { access: 'any', check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/courses?q=C' }) },
  'GET /api/courses/categories': { access: 'any', check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/courses/categories' }) },
};
