import type { PermissionRows } from '../testing/permissions.ts';

export const rows: PermissionRows = {
  'GET /api/students/:id': { access: 'any', check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/students/${p.studentId}` }) },
  // The probe student is 在籍: headquarters reaches it and is told it is not 毕业 (graduation.test.ts revokes a real one).
  'POST /api/students/:id/revoke-graduation': { access: ['hq_admin'], check: { kind: 'object' }, ok: [409],
    request: (p) => ({ method: 'POST', url: `/api/students/${p.studentId}/revoke-graduation`, body: { reason: '权限测试用例' } }) },
};
