import { oplogApi } from '../../shared/contract/oplog.ts';
import { ADMINS, listed, type PermissionRows } from '../testing/permissions.ts';

export const rows: PermissionRows = {
  'GET /api/operation-log/actions': { access: ADMINS, check: listed(oplogApi.actions, (j, p) => j.includes(`探针 ${p.label}`)), request: () => ({ method: 'GET', url: '/api/operation-log/actions' }) },
  'GET /api/operation-log': { access: ADMINS, check: listed(oplogApi.list, (j) => j.total === 1), request: (p) => ({ method: 'GET', url: `/api/operation-log?object_id=${p.label}` }) },
};
