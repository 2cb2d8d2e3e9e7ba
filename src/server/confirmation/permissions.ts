import { confirmationApi } from '../../shared/contract/confirmation.ts';
import { listed, OFFICES, refusedAs, type PermissionRows } from '../testing/permissions.ts';

export const rows: PermissionRows = {
  'GET /api/confirmation': { access: OFFICES, check: listed(confirmationApi.list, (j, p) => j.rows.some((r) => r.student_no === p.studentNo)), request: (p) => ({ method: 'GET', url: `/api/confirmation?batch=202701&q=${p.studentNo}` }) },
  'GET /api/confirmation/counts': { access: OFFICES, check: listed(confirmationApi.counts, (j, p) => j.some((r) => r.tp_code === p.tpCode)), request: () => ({ method: 'GET', url: '/api/confirmation/counts?batch=202701' }) },
  'POST /api/confirmation/agree': { access: OFFICES, check: refusedAs(), request: (p) => ({ method: 'POST', url: '/api/confirmation/agree', body: { batch: '202701', selection: { items: [p.graduate] } } }) },
  'POST /api/confirmation/disagree': { access: OFFICES, check: refusedAs(), request: (p) => ({ method: 'POST', url: '/api/confirmation/disagree', body: { batch: '202701', selection: { items: [p.graduate] }, reason: '权限测试' } }) },
  'POST /api/confirmation/undo': { access: OFFICES, check: refusedAs(), request: (p) => ({ method: 'POST', url: '/api/confirmation/undo', body: { batch: '202701', selection: { items: [p.graduate] } } }) },
};
