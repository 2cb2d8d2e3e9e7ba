import { cleanupApi } from '../../shared/contract/cleanup.ts';
import { buildStudent } from '../testing/factories.ts';
import { fileStore } from '../platform/files.ts';
import { listed, OFFICES, refusedAs, type PermissionRows, type ProbeSetup } from '../testing/permissions.ts';

/**
 * Three campaigns: OPEN (list open until 2035, nothing run: the world's own students and a twin of each probe
 * student — cohort 199903, expired, 休学 so that no eligibility run makes it a graduate, in the same class — are its
 * candidates and its preview), DONE (already run:
 * a 退学 twin of each probe student in the same class is its withdrawal list) and EMPTY (a cohort without students,
 * past its date: headquarters' run clears nobody). Twins, not the probe students themselves: other capabilities'
 * rows change the probe students (graduation, say), and no row of this table may turn them into 退学.
 */
const campaigns = { open: 0, done: 0, empty: 0 };
const twins = new Map<number, { enrolled: number; withdrawn: number; extension: number }>();
let hqApplication = 0;
const twinOf = (studentId: number) => {
  const tw = twins.get(studentId);
  if (!tw) throw new Error(`no twin for student ${studentId}: did the cleanup setup run?`);
  return tw;
};

const OPEN_BODY = { name: '权限测试学籍清理', cohorts: ['199903', '202103'], list_deadline: '2035-05-15', cleanup_on: '2035-06-15', doc_no: '权限〔2035〕1号' };

export async function setup({ t, w, probes }: ProbeSetup): Promise<void> {
  const add = async (v: { name: string; cohorts: string[]; list_deadline: string; cleanup_on: string; doc_no: string }, ran = false) =>
    (await t.db.insertInto('cleanup_campaign').values({ ...v, created_by: w.users.hq, ...(ran ? { ran_at: new Date(), cleared: 0, run_on: '2020-06-15', ran_by: w.users.hq } : {}) })
      .returning('id').executeTakeFirstOrThrow()).id;
  campaigns.open = await add(OPEN_BODY);
  campaigns.done = await add({ name: '权限测试已清理', cohorts: ['199909'], list_deadline: '2020-05-15', cleanup_on: '2020-06-15', doc_no: '权限〔2020〕2号' }, true);
  campaigns.empty = await add({ name: '权限测试无学生', cohorts: ['199001'], list_deadline: '2020-01-15', cleanup_on: '2020-02-15', doc_no: '权限〔2020〕3号' });
  hqApplication = (await t.db.insertInto('cleanup_application').values({
    campaign_id: campaigns.open, sha256: await fileStore().put(Buffer.from('%PDF-1.4 权限测试')), file_name: '权限测试.pdf', content_type: 'application/pdf', size: 1, node_path: w.nodes.hq.path, uploaded_by: w.users.hq,
  }).returning('id').executeTakeFirstOrThrow()).id;
  for (const p of probes) {
    if (twins.has(p.studentId)) continue;
    const make = async (cohort: string) => {
      const id = await buildStudent(t.db, { nodeId: p.classNodeId, programmeId: w.programmeId, name: `孪生${p.studentId}`, cohort, entry: '1999-03-01', passed: [] });
      return { id, row: await t.db.updateTable('student').set({ valid_until: '2007-02-28' }).where('id', '=', id).returning(['node_path']).executeTakeFirstOrThrow() };
    };
    const enrolled = await make('199903');
    await t.db.updateTable('student').set({ status: '休学' }).where('id', '=', enrolled.id).execute();
    const withdrawn = await make('199909');
    await t.db.updateTable('student').set({ status: '退学', withdrawal_date: '2020-06-15', withdrawal_doc_no: '权限〔2020〕2号', withdrawal_campaign_id: campaigns.done })
      .where('id', '=', withdrawn.id).execute();
    const extension = (await t.db.insertInto('cleanup_extension').values({
      campaign_id: campaigns.open, student_id: enrolled.id, node_path: enrolled.row.node_path, reason: '权限测试', application_id: hqApplication,
      extended_until: '2008-02-28', submitted_by: w.users.hq,
    }).returning('id').executeTakeFirstOrThrow()).id;
    twins.set(p.studentId, { enrolled: enrolled.id, withdrawn: withdrawn.id, extension });
  }
}

const HQ = ['hq_admin'] as const;
const ADMINS = ['hq_admin', 'branch_admin'] as const;
const base = '/api/cleanup/campaigns';

export const rows: PermissionRows = {
  'GET /api/cleanup/campaigns': { access: OFFICES, check: { kind: 'global' }, request: () => ({ method: 'GET', url: base }) },
  // Campaigns are headquarters' and global; what is in them is scoped (the rows below).
  'GET /api/cleanup/campaigns/:id': { access: OFFICES, check: { kind: 'global' }, request: () => ({ method: 'GET', url: `${base}/${campaigns.open}` }) },
  'POST /api/cleanup/campaigns': { access: [...HQ], check: { kind: 'global' }, request: (_p, n) => ({ method: 'POST', url: base, body: { ...OPEN_BODY, name: `权限测试${n}`, cohorts: ['199001'] } }) },
  'PUT /api/cleanup/campaigns/:id': { access: [...HQ], check: { kind: 'global' }, request: () => ({ method: 'PUT', url: `${base}/${campaigns.open}`, body: OPEN_BODY }) },
  'GET /api/cleanup/campaigns/:id/candidates': { access: OFFICES,
    check: listed(cleanupApi.candidates, (j, p) => j.rows.some((r) => r.student_id === twinOf(p.studentId).enrolled)),
    request: () => ({ method: 'GET', url: `${base}/${campaigns.open}/candidates?cohort=199903&page_size=500` }) },
  // Without a multipart body an allowed caller is told to choose a file (cleanup.test.ts uploads real ones).
  'POST /api/cleanup/campaigns/:id/applications': { access: [...ADMINS], check: { kind: 'global' }, ok: [400], request: () => ({ method: 'POST', url: `${base}/${campaigns.open}/applications`, body: {} }) },
  'POST /api/cleanup/campaigns/:id/extensions': { access: [...ADMINS], check: refusedAs(),
    request: (p) => ({ method: 'POST', url: `${base}/${campaigns.open}/extensions`, body: { items: [{ student_id: twinOf(p.studentId).enrolled, application_id: hqApplication, reason: '权限测试', extended_until: '2008-02-28' }] } }) },
  'GET /api/cleanup/extensions/:id/application': { access: OFFICES, check: { kind: 'object' },
    request: (p) => ({ method: 'GET', url: `/api/cleanup/extensions/${twinOf(p.studentId).extension}/application` }) },
  'POST /api/cleanup/campaigns/:id/decisions': { access: [...HQ], check: refusedAs(/不存在/),
    request: (p) => ({ method: 'POST', url: `${base}/${campaigns.open}/decisions`, body: { ids: [twinOf(p.studentId).extension], decision: '已驳回', reason: '权限测试' } }) },
  'GET /api/cleanup/campaigns/:id/preview/summary': { access: OFFICES, check: { kind: 'global' }, request: () => ({ method: 'GET', url: `${base}/${campaigns.open}/preview/summary` }) },
  'GET /api/cleanup/campaigns/:id/preview': { access: OFFICES,
    check: listed(cleanupApi.preview, (j, p) => j.rows.some((r) => r.student_id === twinOf(p.studentId).enrolled)),
    request: () => ({ method: 'GET', url: `${base}/${campaigns.open}/preview?list=clear&page_size=500` }) },
  'POST /api/cleanup/campaigns/:id/run': { access: [...HQ], check: { kind: 'global' }, request: () => ({ method: 'POST', url: `${base}/${campaigns.empty}/run` }) },
  'GET /api/cleanup/campaigns/:id/withdrawals': { access: OFFICES,
    check: listed(cleanupApi.withdrawals, (j, p) => j.rows.some((r) => r.student_id === twinOf(p.studentId).withdrawn)),
    request: () => ({ method: 'GET', url: `${base}/${campaigns.done}/withdrawals?page_size=500` }) },
  'GET /api/cleanup/campaigns/:id/withdrawals.dbf': { access: [...HQ], check: { kind: 'global' }, request: () => ({ method: 'GET', url: `${base}/${campaigns.done}/withdrawals.dbf` }) },
  'GET /api/cleanup/campaigns/:id/withdrawals.xlsx': { access: [...HQ], check: { kind: 'global' }, request: () => ({ method: 'GET', url: `${base}/${campaigns.done}/withdrawals.xlsx` }) },
};
