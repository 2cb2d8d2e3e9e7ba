import { recordsApi } from '../../shared/contract/records.ts';
import { listed, OFFICES, STAFF, type PermissionRows } from '../testing/permissions.ts';

export const rows: PermissionRows = {
  'GET /api/records/students': { access: STAFF, check: listed(recordsApi.students, (j, p) => j.rows.some((r) => r.student_no === p.studentNo)), request: (p) => ({ method: 'GET', url: `/api/records/students?q=${p.studentNo}` }) },
  'GET /api/me/enroll-form': { access: ['student'], check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/me/enroll-form' }) },
  'PUT /api/me/enroll-form': { access: ['student'], check: { kind: 'global' }, request: () => ({ method: 'PUT', url: '/api/me/enroll-form', body: { address: '辽宁省沈阳市和平区', phone: '13800000009' } }) },
  'GET /api/records/students/:id': { access: STAFF, check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/records/students/${p.studentId}` }) },
  'GET /api/records/sort-orders': { access: OFFICES, check: listed(recordsApi.sortOrders, (j, p) => j.rows.some((r) => r.tp_code === p.tpCode)), request: () => ({ method: 'GET', url: '/api/records/sort-orders' }) },
  'PUT /api/records/sort-orders/:tp_code': { access: OFFICES, check: { kind: 'object' }, request: (p) => ({ method: 'PUT', url: `/api/records/sort-orders/${p.tpCode}`, body: { sort: 'student_no' } }) },
  'POST /api/records/verification': { access: ['hq_admin'], check: { kind: 'global' }, request: () => ({ method: 'POST', url: '/api/records/verification', body: { grade: '2030' } }) },
  'GET /api/records/verification': { access: OFFICES, check: listed(recordsApi.verification, (j, p) => j.rows.some((r) => r.student_no === p.studentNo)), request: () => ({ method: 'GET', url: '/api/records/verification?grade=2021&page_size=500' }) },
  'GET /api/records/verification.xlsx': { access: OFFICES, check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/records/verification.xlsx?grade=2021' }) }, // its rows are the list's (records.test.ts reads the file)
};
