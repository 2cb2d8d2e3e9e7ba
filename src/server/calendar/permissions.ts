import { STAFF, type PermissionRows, type ProbeSetup } from '../testing/permissions.ts';

/** The date headquarters' probe removes: entered here, so that its DELETE finds it (the others are refused first). */
const ENTERED = '2031-02-03';

export async function setup({ t, w }: ProbeSetup): Promise<void> {
  await t.db.insertInto('calendar_day').values({ day: ENTERED, kind: 'holiday', name: '权限测试', created_by: w.users.hq }).execute();
}

/** Each call enters a different date of 2031 as 放假 (a holiday needs no make-up check). */
const dayOf = (n: number) => `2031-03-${String((n % 28) + 1).padStart(2, '0')}`;

export const rows: PermissionRows = {
  'GET /api/calendar/years/:year': { access: STAFF, check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/calendar/years/2020' }) },
  'POST /api/calendar/days': { access: ['hq_admin'], check: { kind: 'global' }, request: (_p, n) => ({ method: 'POST', url: '/api/calendar/days', body: { day: dayOf(n), kind: 'holiday', name: '权限测试' } }) },
  'DELETE /api/calendar/days/:day': { access: ['hq_admin'], check: { kind: 'global' }, request: () => ({ method: 'DELETE', url: `/api/calendar/days/${ENTERED}` }) },
  'PUT /api/calendar/years/:year/entered': { access: ['hq_admin'], check: { kind: 'global' }, request: () => ({ method: 'PUT', url: '/api/calendar/years/2026/entered', body: { note: '权限测试' } }) },
};
