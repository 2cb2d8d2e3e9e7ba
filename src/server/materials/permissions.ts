import { materialsApi } from '../../shared/contract/materials.ts';
import { listed, OFFICES, refusedAs, type PermissionRows } from '../testing/permissions.ts';

export const rows: PermissionRows = {
  'GET /api/materials': { access: OFFICES, check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/materials?batch=202701' }) }, // only agreed graduates are listed: materials.test.ts checks the scope
  'POST /api/materials/mark': { access: OFFICES, check: refusedAs(/不在您的管理范围内/), request: (p) => ({ method: 'POST', url: '/api/materials/mark', body: { action: 'prepare', done: true, batch: '202701', items: [{ graduate_id: p.graduate.id, item: '成绩单' }] } }) },
  'GET /api/materials/summary': { access: OFFICES, check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/materials/summary?batch=202701' }) },
  'GET /api/materials/not-graduating': { access: OFFICES, check: listed(materialsApi.notGraduating, (j, p) => j.rows.some((r) => r.student_no === p.studentNo)), request: () => ({ method: 'GET', url: '/api/materials/not-graduating?batch=202701' }) },
  'GET /api/materials/not-graduating.xlsx': { access: OFFICES, check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/materials/not-graduating.xlsx?batch=202701' }) },
  'GET /api/materials/not-graduating.pdf': { access: OFFICES, check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/materials/not-graduating.pdf?batch=202701&tp_code=${p.tpCode}` }) },
};
