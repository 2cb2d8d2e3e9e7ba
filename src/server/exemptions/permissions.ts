import { exemptionsApi } from '../../shared/contract/exemptions.ts';
import { today } from '../platform/clock.ts';
import { listed, perProbe, type PermissionRows, type ProbeSetup } from '../testing/permissions.ts';

// Per probe, a refused application of the probe student.
const exemptions = perProbe<number>();

export async function setup({ t, probes }: ProbeSetup): Promise<void> {
  for (const p of probes) {
    const st = await t.db.selectFrom('student').select('node_path').where('id', '=', p.studentId).executeTakeFirstOrThrow();
    const ex = await t.db.insertInto('exemption').values({ student_id: p.studentId, course_code: 'C3', node_path: st.node_path, applied_on: today(), grounds: `探针 ${p.label}`, status: '已驳回' })
      .returning('id').executeTakeFirstOrThrow();
    exemptions.set(p, ex.id);
  }
}

export const rows: PermissionRows = {
  'GET /api/exemptions': { access: ['hq_admin', 'branch_admin', 'tp_admin', 'student'], check: listed(exemptionsApi.list, (j, p) => j.rows.some((r) => r.id === exemptions.of(p))), request: () => ({ method: 'GET', url: '/api/exemptions?page_size=200' }) },
  'POST /api/exemptions': { access: ['tp_admin', 'branch_admin', 'hq_admin'], check: { kind: 'object' }, ok: [409], request: (p) => ({ method: 'POST', url: '/api/exemptions', body: { student_no: p.studentNo, course_code: 'C2', grounds: '权限测试用例' } }) }, // the student passed C2: found, and told so
  'POST /api/exemptions/:id/decide': { access: ['branch_admin', 'hq_admin'], check: { kind: 'object' }, ok: [409], request: (p) => ({ method: 'POST', url: `/api/exemptions/${exemptions.of(p)}/decide`, body: { version: 99, approve: false, opinion: '权限测试' } }) }, // a stale version: found, and told to refresh
};
