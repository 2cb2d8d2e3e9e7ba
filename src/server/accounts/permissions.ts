import { accountsApi } from '../../shared/contract/accounts.ts';
import { ADMINS, listed, type PermissionRows } from '../testing/permissions.ts';

export const rows: PermissionRows = {
  // Many failures from one address: past the address's free ones the answer is a wait (429), as for anyone.
  'POST /api/auth/login': { access: 'public', check: { kind: 'global' }, ok: [401, 429], request: (_p, n) => ({ method: 'POST', url: '/api/auth/login', body: { username: `nobody${n}`, password: 'x' } }) },
  'POST /api/auth/logout': { access: 'public', check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/health' }) }, // logging out would end the session under test; exercised in accounts tests
  'GET /api/me': { access: 'any', check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/me' }) },
  'POST /api/me/password': { access: 'any', check: { kind: 'global' }, ok: [400], request: () => ({ method: 'POST', url: '/api/me/password', body: { old_password: 'wrong-old-1', new_password: 'Another@2026' } }) },
  'GET /api/users': { access: ADMINS, check: listed(accountsApi.users, (j, p) => j.rows.some((u) => u.id === p.userId)), request: (p) => ({ method: 'GET', url: `/api/users?node_id=${p.classNodeId}` }) },
  'POST /api/users': { access: ADMINS, check: { kind: 'object' }, request: (p, n) => ({ method: 'POST', url: '/api/users', body: { username: `perm${n}`, display_name: '测试', role: 'head_teacher', node_id: p.classNodeId, password: 'Perm@2026x' } }) },
  'PATCH /api/users/:id': { access: ADMINS, check: { kind: 'object' }, request: (p) => ({ method: 'PATCH', url: `/api/users/${p.userId}`, body: { display_name: '受测账号' } }) },
  'POST /api/users/:id/reset-password': { access: ADMINS, check: { kind: 'object' }, request: (p) => ({ method: 'POST', url: `/api/users/${p.userId}/reset-password`, body: { password: 'Reset@2026x' } }) },
};
