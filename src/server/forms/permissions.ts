import { formsApi } from '../../shared/contract/forms.ts';
import { ADMINS, listed, OFFICES, perProbe, refusedAs, STAFF, type PermissionRows, type ProbeSetup } from '../testing/permissions.ts';

// Per probe, a common phrase (常用意见) kept by the actor's own node when own, and by the probe student's
// teaching point otherwise.
const phrases = perProbe<number>();

export async function setup({ t, probes }: ProbeSetup): Promise<void> {
  for (const p of probes) {
    const node = p.subject === 'own'
      ? await t.db.selectFrom('app_user as u').innerJoin('org_node as n', 'n.id', 'u.node_id').select(['n.id', 'n.path']).where('u.username', '=', p.username).executeTakeFirstOrThrow()
      : await t.db.selectFrom('org_node').select(['id', 'path']).where('id', '=', p.tpNodeId).executeTakeFirstOrThrow();
    const phrase = await t.db.insertInto('opinion_phrase').values({ node_id: node.id, node_path: node.path, kind: '函授站意见', text: `探针 ${p.label}` })
      .returning('id').executeTakeFirstOrThrow();
    phrases.set(p, phrase.id);
  }
}

// The student's draft and submit carry the page's version: the first call of the three (own, sibling,
// foreign: the student's own form each time) saves, the later ones are told the page is stale or the form
// is already submitted.
export const rows: PermissionRows = {
  'GET /api/me/graduate-form': { access: ['student'], check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/me/graduate-form' }) },
  'PUT /api/me/graduate-form/draft': { access: ['student'], check: { kind: 'global' }, ok: [200, 409], request: () => ({ method: 'PUT', url: '/api/me/graduate-form/draft', body: { version: 0, self_assessment: '权限测试草稿' } }) },
  'POST /api/me/graduate-form/submit': { access: ['student'], check: { kind: 'global' }, ok: [200, 409], request: () => ({ method: 'POST', url: '/api/me/graduate-form/submit', body: { version: 1, self_assessment: '权限测试：本人在校学习期间遵守校规校纪，认真学习各门课程，按时完成作业和考试，顺利修完教学计划规定的全部课程。' } }) },
  'GET /api/graduate-forms': { access: STAFF, check: listed(formsApi.list, (j, p) => j.rows.some((r) => r.student_no === p.studentNo)), request: (p) => ({ method: 'GET', url: `/api/graduate-forms?q=${p.studentNo}` }) },
  'GET /api/graduate-forms/:id': { access: 'any', check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/graduate-forms/${p.graduate.id}` }) },
  'POST /api/graduate-forms/opinions': { access: ['tp_admin', 'head_teacher'], check: refusedAs(), request: (p) => ({ method: 'POST', url: '/api/graduate-forms/opinions', body: { items: [{ ...p.graduate, head_teacher_opinion: '权限测试意见' }] } }) },
  'POST /api/graduate-forms/approve': { access: ADMINS, check: refusedAs(), request: (p) => ({ method: 'POST', url: '/api/graduate-forms/approve', body: { items: [{ ...p.graduate, school_opinion: '权限测试意见' }] } }) },
  'POST /api/graduate-forms/return': { access: OFFICES, check: refusedAs(), request: (p) => ({ method: 'POST', url: '/api/graduate-forms/return', body: { items: [p.graduate], reason: '权限测试' } }) },
  'GET /api/graduate-forms/phrases': { access: STAFF, check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/graduate-forms/phrases' }) },
  'POST /api/graduate-forms/phrases': { access: OFFICES, check: { kind: 'global' }, request: () => ({ method: 'POST', url: '/api/graduate-forms/phrases', body: { kind: '函授站意见', text: '权限测试意见' } }) },
  'DELETE /api/graduate-forms/phrases/:id': { access: OFFICES, check: { kind: 'object' }, request: (p) => ({ method: 'DELETE', url: `/api/graduate-forms/phrases/${phrases.of(p)}` }) },
};
