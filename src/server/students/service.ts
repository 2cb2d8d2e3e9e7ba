import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../platform/tables.ts';
import type { Actor } from '../platform/auth.ts';
import { inScope, mustFind, requireRole } from '../platform/scope.ts';
import { recordEvent, recordOperation } from '../platform/oplog.ts';
import type { GraduationState, StudentCard } from '../../shared/contract/students.ts';
import { studentErrors } from './errors.ts';

/** The student card (学籍卡): the whole 身份证号 is shown here, where the step needs it. */
export async function card(db: Kysely<DB>, actor: Actor, id: number): Promise<StudentCard> {
  const { node_path: nodePath, ...s } = await mustFind(db.selectFrom('student as s').innerJoin('org_node as tp', 'tp.id', 's.tp_id')
    .select(['s.node_path', 's.id', 's.student_no', 's.name', 's.gender', 's.id_number', 's.ethnicity', 's.political_status', 's.cohort', 's.level', 's.major',
      's.status', 's.entry_date', 's.valid_until', 's.extension_until', 'tp.code as tp_code', 'tp.name as tp_name'])
    .where('s.id', '=', id).where(inScope(actor, 's.node_path', 's.id')).executeTakeFirst(), '学生');
  await recordEvent(db, actor, { action: '查看身份证号', objectType: 'student', objectId: s.id, nodePath, after: { view: '学籍卡', student_no: s.student_no } });
  const grades = await db.selectFrom('grade as g').innerJoin('course as c', 'c.code', 'g.course_code')
    .select(['g.course_code', 'c.name as course_name', 'c.category', 'c.credits', 'g.score', 'g.passed', 'g.term', 'g.source'])
    .where('g.student_id', '=', s.id).orderBy('g.term').orderBy('g.course_code').execute();
  const graduations = await db.selectFrom('graduate').select(['batch_code', 'confirm_status', 'eligible', 'reasons'])
    .where('student_id', '=', s.id).orderBy('batch_code', 'desc').execute();
  return { ...s, grades, graduations };
}

// ——— 毕业: a published audit round's passed graduates; 撤销毕业 by headquarters ———

/**
 * The passed graduates of an audit round become 学籍状态 毕业 (毕业日期 = the batch's 发证日期, 毕结业结论 毕业).
 * Called by 毕业审核 when headquarters publishes the round, inside that transaction: publication and graduation
 * stand or fall together. One set-based statement whatever the round's size.
 *
 * Only 在籍 students graduate: a 退学 or 休学 student (cleared or suspended after being reported) keeps that
 * status, and one already 毕业 (an earlier batch) keeps the graduation it has. Those are counted as `skipped`.
 */
export async function graduateRound(trx: Transaction<DB>, round: number): Promise<{ graduated: number; skipped: number }> {
  const res = await sql<{ graduated: number; passed: number }>`
    with passed as (
      select g.student_id, g.batch_code
      from audit_result r join graduate g on g.id = r.graduate_id
      where r.round_id = ${round}::int and r.passed
    ),
    moved as (
      update student s set status = '毕业', graduation_batch = p.batch_code, graduation_round_id = ${round}::int,
        graduation_date = b.issue_date, graduation_conclusion = '毕业'
      from passed p join batch b on b.code = p.batch_code
      where s.id = p.student_id and s.status = '在籍'
      returning s.id
    )
    select (select count(*) from moved)::int as graduated, (select count(*) from passed)::int as passed
  `.execute(trx);
  const { graduated, passed } = res.rows[0];
  return { graduated, skipped: passed - graduated };
}

/** 撤销毕业: headquarters, with a reason. Back to 在籍; the graduation is kept in student_graduation_revocation and the log. */
export async function revokeGraduation(db: Kysely<DB>, actor: Actor, id: number, reason: string): Promise<GraduationState> {
  requireRole(actor, ['hq_admin'], '撤销毕业');
  return db.transaction().execute(async (trx) => {
    const s = await mustFind(trx.selectFrom('student')
      .select(['id', 'name', 'node_path', 'status', 'graduation_batch', 'graduation_round_id', 'graduation_date', 'graduation_conclusion'])
      .where('id', '=', id).where(inScope(actor, 'node_path', 'id')).forUpdate().executeTakeFirst(), '学生');
    if (s.status !== '毕业') throw studentErrors.notGraduated(s.name, s.status);
    if (!s.graduation_batch || !s.graduation_date) throw studentErrors.noGraduationBatch(s.name);
    const why = reason.trim();
    await trx.insertInto('student_graduation_revocation').values({
      student_id: s.id, batch_code: s.graduation_batch, round_id: s.graduation_round_id, graduation_date: s.graduation_date,
      reason: why, revoked_by: actor.id,
    }).execute();
    const after = { status: '在籍' as const, graduation_batch: null, graduation_round_id: null, graduation_date: null, graduation_conclusion: null };
    await trx.updateTable('student').set(after).where('id', '=', s.id).execute();
    const { id: _id, name: _name, node_path: _path, ...before } = s;
    await recordOperation(trx, actor, [{ action: '撤销毕业', objectType: 'student', objectId: s.id, nodePath: s.node_path,
      before, after: { ...after, reason: why } }]);
    return { id: s.id, status: after.status, graduation_batch: null, graduation_date: null, graduation_conclusion: null };
  });
}
