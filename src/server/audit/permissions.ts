import { auditApi } from '../../shared/contract/audit.ts';
import { addDays, today } from '../platform/clock.ts';
import { listed, OFFICES, perProbe, refusedAs, type PermissionRows, type ProbeSetup } from '../testing/permissions.ts';
import { runRound } from './service.ts';

// A published round with every world graduate's result, a spare round to edit and cancel, and per probe an
// exception of the probe student.
const rounds = { published: 0, spare: 0 };
const exceptions = perProbe<number>();

export async function setup({ t, w, probes }: ProbeSetup): Promise<void> {
  const round = await t.db.insertInto('audit_round').values({ batch_code: w.batch, name: '权限第一批', starts_on: addDays(today(), -1), ends_on: addDays(today(), 10) }).returning('id').executeTakeFirstOrThrow();
  await runRound(t.db, round.id);
  await t.db.updateTable('audit_round').set({ published_at: new Date() }).where('id', '=', round.id).execute();
  rounds.published = round.id;
  rounds.spare = (await t.db.insertInto('audit_round').values({ batch_code: w.batch, name: '权限备用批', starts_on: '2026-12-01', ends_on: '2026-12-31' }).returning('id').executeTakeFirstOrThrow()).id;
  for (const p of probes) {
    const st = await t.db.selectFrom('student').select('node_path').where('id', '=', p.studentId).executeTakeFirstOrThrow();
    const exc = await t.db.insertInto('audit_exception').values({ student_id: p.studentId, kind: '免除', rule: 'validity', reason: '权限测试', node_path: st.node_path })
      .returning('id').executeTakeFirstOrThrow();
    exceptions.set(p, exc.id);
  }
}

export const rows: PermissionRows = {
  'GET /api/audit/rounds': { access: OFFICES, check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/audit/rounds?batch=202701' }) },
  'POST /api/audit/rounds': { access: ['hq_admin'], check: { kind: 'global' }, request: (_p, n) => ({ method: 'POST', url: '/api/audit/rounds', body: { batch: '202701', name: `权限${n}`, starts_on: '2026-12-01', ends_on: '2026-12-31' } }) },
  'GET /api/audit/rounds/:id': { access: OFFICES, check: { kind: 'global' }, request: () => ({ method: 'GET', url: `/api/audit/rounds/${rounds.published}` }) },
  'PATCH /api/audit/rounds/:id': { access: ['hq_admin'], check: { kind: 'global' }, request: () => ({ method: 'PATCH', url: `/api/audit/rounds/${rounds.spare}`, body: { name: '权限备用批', starts_on: '2026-12-01', ends_on: '2026-12-30' } }) },
  'POST /api/audit/rounds/:id/cancel': { access: ['hq_admin'], check: { kind: 'global' }, request: () => ({ method: 'POST', url: `/api/audit/rounds/${rounds.spare}/cancel`, body: { reason: '权限测试' } }) },
  'POST /api/audit/rounds/:id/run': { access: ['hq_admin'], check: { kind: 'global' }, ok: [409], request: () => ({ method: 'POST', url: `/api/audit/rounds/${rounds.published}/run` }) }, // published: headquarters is told it cannot run again
  'POST /api/audit/rounds/:id/publish': { access: ['hq_admin'], check: { kind: 'global' }, ok: [409], request: () => ({ method: 'POST', url: `/api/audit/rounds/${rounds.published}/publish` }) },
  'GET /api/audit/rounds/:id/summary': { access: OFFICES, check: listed(auditApi.summary, (j, p) => j.groups.some((g) => g.code === p.tpCode)), request: () => ({ method: 'GET', url: `/api/audit/rounds/${rounds.published}/summary?by=tp` }) },
  'GET /api/audit/rounds/:id/results': { access: OFFICES, check: listed(auditApi.results, (j, p) => j.rows.some((r) => r.student_no === p.studentNo)), request: (p) => ({ method: 'GET', url: `/api/audit/rounds/${rounds.published}/results?q=${p.studentNo}` }) },
  'GET /api/audit/rounds/:id/results.xlsx': { access: OFFICES, check: { kind: 'global' }, request: () => ({ method: 'GET', url: `/api/audit/rounds/${rounds.published}/results.xlsx` }) }, // its rows are the list's (audit.test.ts reads the file)
  'POST /api/audit/report': { access: ['branch_admin', 'tp_admin'], check: { kind: 'global' }, request: () => ({ method: 'POST', url: '/api/audit/report', body: { batch: '202701' } }) },
  'POST /api/audit/urgent': { access: OFFICES, check: refusedAs(), request: (p) => ({ method: 'POST', url: '/api/audit/urgent', body: { batch: '202701', graduate_ids: [p.graduate.id], urgent: false } }) },
  'PUT /api/audit/batches/:code/urgent-deadline': { access: ['hq_admin'], check: { kind: 'global' }, request: () => ({ method: 'PUT', url: '/api/audit/batches/202701/urgent-deadline', body: { urgent_deadline: null } }) },
  'GET /api/audit/urgent.xlsx': { access: OFFICES, check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/audit/urgent.xlsx?batch=202701' }) },
  'GET /api/students/:id/exceptions': { access: OFFICES, check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/students/${p.studentId}/exceptions` }) },
  'POST /api/students/:id/exceptions': { access: ['hq_admin'], check: { kind: 'object' }, request: (p) => ({ method: 'POST', url: `/api/students/${p.studentId}/exceptions`, body: { kind: '免除', rule: 'total', reason: '权限测试用例' } }) },
  'POST /api/audit/exceptions/:id/revoke': { access: ['hq_admin'], check: { kind: 'object' }, request: (p) => ({ method: 'POST', url: `/api/audit/exceptions/${exceptions.of(p)}/revoke` }) },
  'PUT /api/students/:id/extension': { access: ['hq_admin'], check: { kind: 'object' }, request: (p) => ({ method: 'PUT', url: `/api/students/${p.studentId}/extension`, body: { extension_until: null, reason: '权限测试用例' } }) },
};
