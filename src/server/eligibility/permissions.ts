import type { PermissionRows } from '../testing/permissions.ts';

export const rows: PermissionRows = {
  'POST /api/batches/:code/eligibility': { access: ['hq_admin'], check: { kind: 'global' }, request: () => ({ method: 'POST', url: '/api/batches/202701/eligibility' }) },
  'GET /api/students/:id/readiness': { access: 'any', check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/students/${p.studentId}/readiness` }) },
};
