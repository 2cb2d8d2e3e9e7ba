import { sql, type Kysely } from 'kysely';
import type { DB } from '../platform/tables.ts';
import type { Actor } from '../platform/auth.ts';
import { inScope, mustFind } from '../platform/scope.ts';
import { recordOperation } from '../platform/oplog.ts';
import { today } from '../platform/clock.ts';
import { deadlineStatus } from '../platform/window.ts';
import { maskIdCard } from '../../shared/idcard.ts';
import type { ApplyInput, DecideInput, Exemption, ExemptionFilter, ExemptionStatus } from '../../shared/contract/exemptions.ts';
import { recomputeCurrentBatch } from '../eligibility/service.ts';
import { exemptionErrors } from './errors.ts';

/** Applied for on or before the batch's 免修免考 deadline: the one window rule. */
const inTime = (deadline: string | null | undefined, appliedOn: string) => deadlineStatus(deadline, appliedOn).open;

/**
 * 免修免考 (seed 003 三.3): applied for through the teaching point, approved by the branch and then
 * headquarters. It counts for a batch only when applied for by that batch's exemption deadline; one
 * applied later counts from the next batch, and the applicant is told so when applying.
 */
async function deadlineNote(db: Kysely<DB>, appliedOn: string): Promise<{ batch: string | null; note: string | null }> {
  const b = await db.selectFrom('batch').select(['code', 'exemption_deadline']).where('is_current', '=', true).executeTakeFirst();
  if (!b?.exemption_deadline || inTime(b.exemption_deadline, appliedOn)) return { batch: b?.code ?? null, note: null };
  return {
    batch: b.code,
    note: `已超过 ${b.code} 批次免修免考申请截止日期 ${b.exemption_deadline}：批准后从下一毕业批次起计入，该生应按下一毕业批次申请毕业。`,
  };
}

export async function apply(db: Kysely<DB>, actor: Actor, input: ApplyInput) {
  const s = await mustFind(db.selectFrom('student').select(['id', 'name', 'node_path', 'programme_id'])
    .where('student_no', '=', input.student_no).where(inScope(actor, 'node_path', 'id')).executeTakeFirst(), '学号对应的学生');
  const c = await db.selectFrom('course').select(['code', 'name']).where('code', '=', input.course_code).executeTakeFirst();
  if (!c) throw exemptionErrors.courseUnknown(input.course_code);
  const inPlan = await db.selectFrom('programme_course').select('course_code').where('programme_id', '=', s.programme_id)
    .where('course_code', '=', c.code).executeTakeFirst();
  if (!inPlan) throw exemptionErrors.notInPlan(c.name);
  const passed = await db.selectFrom('grade').select('id').where('student_id', '=', s.id).where('course_code', '=', c.code)
    .where('passed', '=', true).executeTakeFirst();
  if (passed) throw exemptionErrors.alreadyPassed(s.name, c.name);
  const appliedOn = today();
  const { note } = await deadlineNote(db, appliedOn);
  return db.transaction().execute(async (trx) => {
    const open = await trx.selectFrom('exemption').select(['id', 'status']).where('student_id', '=', s.id)
      .where('course_code', '=', c.code).where('status', '<>', '已驳回').executeTakeFirst();
    if (open) throw exemptionErrors.duplicate(s.name, c.name, open.status);
    const row = await trx.insertInto('exemption').values({
      student_id: s.id, course_code: c.code, node_path: s.node_path, applied_on: appliedOn, grounds: input.grounds, created_by: actor.id,
    }).returning('id').executeTakeFirstOrThrow();
    await recordOperation(trx, actor, [{ action: '提交免修免考申请', objectType: 'exemption', objectId: row.id, nodePath: s.node_path,
      after: { student: s.id, course: c.code, applied_on: appliedOn } }]);
    return { id: row.id, applied_on: appliedOn, note };
  });
}

export async function list(db: Kysely<DB>, actor: Actor, f: ExemptionFilter): Promise<{ total: number; rows: Exemption[] }> {
  const current = await db.selectFrom('batch').select(['code', 'exemption_deadline']).where('is_current', '=', true).executeTakeFirst();
  let q = db.selectFrom('exemption as e').innerJoin('student as s', 's.id', 'e.student_id')
    .innerJoin('org_node as tp', 'tp.id', 's.tp_id').innerJoin('course as c', 'c.code', 'e.course_code')
    .where(inScope(actor, 'e.node_path', 'e.student_id'));
  if (f.status) q = q.where('e.status', '=', f.status);
  if (f.q) {
    const term = f.q.trim();
    q = q.where((eb) => eb.or([eb('s.name', '=', term), eb('s.student_no', '=', term)]));
  }
  const total = Number((await q.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n);
  const rows = await q.select(['e.id', 'e.version', 'e.student_id', 's.student_no', 's.name', 's.id_number', 'tp.name as tp_name', 'e.course_code',
    'c.name as course_name', 'c.credits', 'e.applied_on', 'e.grounds', 'e.status', 'e.branch_opinion', 'e.hq_opinion'])
    .orderBy('e.id', 'desc').limit(f.page_size).offset((f.page - 1) * f.page_size).execute();
  return {
    total,
    rows: rows.map(({ id_number, ...r }) => ({
      ...r, id_number_masked: maskIdCard(id_number),
      counts_from: current && !inTime(current.exemption_deadline, r.applied_on) ? '下一毕业批次' : current ? current.code : null,
    })),
  };
}

/** The branch decides first (待分部审核), then headquarters (待总部审核). The version stops a double click. */
export async function decide(db: Kysely<DB>, actor: Actor, id: number, d: DecideInput) {
  return db.transaction().execute(async (trx) => {
    const e = await mustFind(trx.selectFrom('exemption').selectAll().where('id', '=', id)
      .where(inScope(actor, 'node_path', 'student_id')).forUpdate().executeTakeFirst(), '免修免考申请');
    if (e.version !== d.version) throw exemptionErrors.stale();
    let next: ExemptionStatus;
    const now = new Date();
    if (e.status === '待分部审核' && actor.role === 'branch_admin') {
      next = d.approve ? '待总部审核' : '已驳回';
      await trx.updateTable('exemption').set({ status: next, branch_opinion: d.opinion || '同意', branch_by: actor.id, branch_at: now, version: e.version + 1 })
        .where('id', '=', id).execute();
    } else if (e.status === '待总部审核' && actor.role === 'hq_admin') {
      next = d.approve ? '已批准' : '已驳回';
      await trx.updateTable('exemption').set({ status: next, hq_opinion: d.opinion || '同意', hq_by: actor.id, hq_at: now, version: e.version + 1 })
        .where('id', '=', id).execute();
    } else {
      const who = e.status === '待分部审核' ? '分部' : e.status === '待总部审核' ? '总部' : null;
      throw who ? exemptionErrors.notYourTurn(e.status, who) : exemptionErrors.decided(e.status);
    }
    await recordOperation(trx, actor, [{ action: d.approve ? '同意免修免考' : '驳回免修免考', objectType: 'exemption', objectId: id, nodePath: e.node_path,
      before: { status: e.status }, after: { status: next, opinion: d.opinion } }]);
    if (next === '已批准') await recomputeCurrentBatch(trx, [e.student_id]);
    return { id, status: next, version: e.version + 1 };
  });
}
