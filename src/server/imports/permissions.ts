import { importsApi } from '../../shared/contract/imports.ts';
import { ADMINS, listed, type PermissionRows } from '../testing/permissions.ts';

export const rows: PermissionRows = {
  'POST /api/imports': { access: ADMINS, check: { kind: 'global' }, ok: [400], request: () => ({ method: 'POST', url: '/api/imports?kind=students', body: {} }) }, // no file: multipart is exercised in imports.test.ts
  'GET /api/imports': { access: ADMINS, check: listed(importsApi.list, (j, p) => j.rows.some((r) => r.id === p.importId)), request: () => ({ method: 'GET', url: '/api/imports?page_size=200' }) },
  'GET /api/imports/templates/:kind': { access: ADMINS, check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/imports/templates/grades_practice' }) },
  'GET /api/imports/windows': { access: ADMINS, check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/imports/windows?batch=202701' }) },
  'GET /api/imports/:id': { access: ADMINS, check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/imports/${p.importId}` }) },
  'GET /api/imports/:id/rows': { access: ADMINS, check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/imports/${p.importId}/rows` }) },
  'GET /api/imports/:id/report': { access: ADMINS, check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/imports/${p.importId}/report` }) },
  'POST /api/imports/:id/apply': { access: ADMINS, check: { kind: 'object' }, ok: [409], request: (p) => ({ method: 'POST', url: `/api/imports/${p.importId}/apply`, body: { mode: 'all' } }) }, // the probe file is invalid: the owner is told why
};
