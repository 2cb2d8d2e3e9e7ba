import { sql, type Kysely } from 'kysely';
import { z } from 'zod';
import type { DB } from '../platform/tables.ts';
import type { ExemptionStatus } from '../platform/tables-audit.ts';
import type { Actor } from '../platform/auth.ts';
import { errors } from '../platform/errors.ts';
import { inScope, mustFind } from '../platform/scope.ts';
import { recordOperation } from '../platform/oplog.ts';
import { today } from '../platform/clock.ts';
import { maskIdCard } from '../../shared/idcard.ts';
import { recomputeCurrentBatch } from '../eligibility/queries.ts';

export const exemptionStatus = z.enum(['待分部审核', '待总部审核', '已批准', '已驳回']);
export const applyBody = z.object({
  student_no: z.string().trim().min(1, '请填写学号').max(30),
  course_code: z.string().trim().min(1, '请选择申请免修免考的课程').max(40),
  grounds: z.string().trim().min(4, '请填写申请理由（如已获同类课程学分、职业资格证书名称）').max(300),
});
export const decideBody = z.object({
  version: z.number().int(),
  approve: z.boolean(),
  opinion: z.string().trim().max(200).default(''),
}).refine((d) => d.approve || d.opinion.length >= 2, { message: '驳回须填写理由', path: ['opinion'] });
export const listQuery = z.object({
  status: exemptionStatus.optional(),
  q: z.string().max(40).optional(),
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(200).default(50),
});
export const exemptionRow = z.object({
  id: z.number(), version: z.number(), student_id: z.number(), student_no: z.string(), name: z.string(), id_number_masked: z.string(),
  tp_name: z.string(), course_code: z.string(), course_name: z.string(), credits: z.number(), applied_on: z.string(), grounds: z.string(),
  status: exemptionStatus, branch_opinion: z.string().nullable(), hq_opinion: z.string().nullable(),
  counts_from: z.string().nullable(),
});

/**
 * 免修免考 (seed 003 三.3): applied for through the teaching point, approved by the branch and then
 * headquarters. It counts for a batch only when applied for by that batch's exemption deadline; one
 * applied later counts from the next batch, and the applicant is told so when applying.
 */
async function deadlineNote(db: Kysely<DB>, appliedOn: string): Promise<{ batch: string | null; note: string | null }> {
  const b = await db.selectFrom('batch').select(['code', 'exemption_deadline']).where('is_current', '=', true).executeTakeFirst();
  if (!b?.exemption_deadline || appliedOn <= b.exemption_deadline) return { batch: b?.code ?? null, note: null };
  return {
    batch: b.code,
    note: `已超过 ${b.code} 批次免修免考申请截止日期 ${b.exemption_deadline}：批准后从下一毕业批次起计入，该生应按下一毕业批次申请毕业。`,
  };
}

export async function apply(db: Kysely<DB>, actor: Actor, input: z.infer<typeof applyBody>) {
  const s = await mustFind(db.selectFrom('student').select(['id', 'name', 'node_path', 'programme_id'])
    .where('student_no', '=', input.student_no).where(inScope(actor, 'node_path', 'id')).executeTakeFirst(), '学号对应的学生');
  const c = await db.selectFrom('course').select(['code', 'name']).where('code', '=', input.course_code).executeTakeFirst();
  if (!c) throw errors.validation(`课程代码 ${input.course_code} 不存在，请从课程列表中选择。`);
  const inPlan = await db.selectFrom('programme_course').select('course_code').where('programme_id', '=', s.programme_id)
    .where('course_code', '=', c.code).executeTakeFirst();
  if (!inPlan) throw errors.validation(`课程“${c.name}”不在该生的教学计划内，无需申请免修免考。`);
  const passed = await db.selectFrom('grade').select('id').where('student_id', '=', s.id).where('course_code', '=', c.code)
    .where('passed', '=', true).executeTakeFirst();
  if (passed) throw errors.conflict(`${s.name} 的“${c.name}”已经合格，无需申请免修免考。`);
  const appliedOn = today();
  const { note } = await deadlineNote(db, appliedOn);
  return db.transaction().execute(async (trx) => {
    const open = await trx.selectFrom('exemption').select(['id', 'status']).where('student_id', '=', s.id)
      .where('course_code', '=', c.code).where('status', '<>', '已驳回').executeTakeFirst();
    if (open) throw errors.conflict(`${s.name} 的“${c.name}”已有免修免考申请（${open.status}），请勿重复提交。`);
    const row = await trx.insertInto('exemption').values({
      student_id: s.id, course_code: c.code, node_path: s.node_path, applied_on: appliedOn, grounds: input.grounds, created_by: actor.id,
    }).returning('id').executeTakeFirstOrThrow();
    await recordOperation(trx, actor, [{ action: '提交免修免考申请', objectType: 'exemption', objectId: row.id, nodePath: s.node_path,
      after: { student: s.id, course: c.code, applied_on: appliedOn } }]);
    return { id: row.id, applied_on: appliedOn, note };
  });
}

export async function list(db: Kysely<DB>, actor: Actor, f: z.infer<typeof listQuery>) {
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
      counts_from: current?.exemption_deadline && r.applied_on > current.exemption_deadline ? '下一毕业批次' : current ? current.code : null,
    })),
  };
}

/** The branch decides first (待分部审核), then headquarters (待总部审核). The version stops a double click. */
export async function decide(db: Kysely<DB>, actor: Actor, id: number, d: z.infer<typeof decideBody>) {
  return db.transaction().execute(async (trx) => {
    const e = await mustFind(trx.selectFrom('exemption').selectAll().where('id', '=', id)
      .where(inScope(actor, 'node_path', 'student_id')).forUpdate().executeTakeFirst(), '免修免考申请');
    if (e.version !== d.version) throw errors.conflict('该申请已被他人处理，请刷新后查看。');
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
      throw errors.conflict(who ? `该申请${e.status}，应由${who}审核。` : `该申请已${e.status}，不能再审核。`);
    }
    await recordOperation(trx, actor, [{ action: d.approve ? '同意免修免考' : '驳回免修免考', objectType: 'exemption', objectId: id, nodePath: e.node_path,
      before: { status: e.status }, after: { status: next, opinion: d.opinion } }]);
    if (next === '已批准') await recomputeCurrentBatch(trx, [e.student_id]);
    return { id, status: next, version: e.version + 1 };
  });
}
