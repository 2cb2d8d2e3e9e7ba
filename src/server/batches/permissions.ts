import type { PermissionRows } from '../testing/permissions.ts';

/** A new batch per call: 203101, 203102 … */
const batchBody = (n: number) => ({ code: `20${31 + Math.floor(n / 12)}${String((n % 12) + 1).padStart(2, '0')}`, issue_date: '2031-01-20', windows: [] });

export const rows: PermissionRows = {
  'GET /api/batches': { access: 'any', check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/batches' }) },
  'GET /api/batches/:code': { access: 'any', check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/batches/202701' }) },
  'POST /api/batches': { access: ['hq_admin'], check: { kind: 'global' }, request: (_p, n) => ({ method: 'POST', url: '/api/batches', body: batchBody(n) }) },
  'PUT /api/batches/:code/windows': { access: ['hq_admin'], check: { kind: 'global' }, request: () => ({ method: 'PUT', url: '/api/batches/202701/windows', body: { windows: [{ step: 'paste', starts_on: '2026-12-11', ends_on: '2026-12-20' }] } }) },
  'POST /api/batches/:code/extensions': { access: ['hq_admin'], check: { kind: 'object' }, request: (p) => ({ method: 'POST', url: '/api/batches/202701/extensions', body: { step: 'paste', node_id: p.classNodeId, ends_on: '2027-03-01', reason: '权限测试' } }) },
};
