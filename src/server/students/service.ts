import type { Kysely } from 'kysely';
import type { DB } from '../platform/tables.ts';
import type { Actor } from '../platform/auth.ts';
import { inScope, mustFind } from '../platform/scope.ts';
import type { StudentCard } from '../../shared/contract/students.ts';

/** The student card (学籍卡): the whole 身份证号 is shown here, where the step needs it. */
export async function card(db: Kysely<DB>, actor: Actor, id: number): Promise<StudentCard> {
  const s = await mustFind(db.selectFrom('student as s').innerJoin('org_node as tp', 'tp.id', 's.tp_id')
    .select(['s.id', 's.student_no', 's.name', 's.gender', 's.id_number', 's.ethnicity', 's.political_status', 's.cohort', 's.level', 's.major',
      's.status', 's.entry_date', 's.valid_until', 's.extension_until', 'tp.code as tp_code', 'tp.name as tp_name'])
    .where('s.id', '=', id).where(inScope(actor, 's.node_path', 's.id')).executeTakeFirst(), '学生');
  const grades = await db.selectFrom('grade as g').innerJoin('course as c', 'c.code', 'g.course_code')
    .select(['g.course_code', 'c.name as course_name', 'c.category', 'c.credits', 'g.score', 'g.passed', 'g.term', 'g.source'])
    .where('g.student_id', '=', s.id).orderBy('g.term').orderBy('g.course_code').execute();
  const graduations = await db.selectFrom('graduate').select(['batch_code', 'confirm_status', 'eligible', 'reasons'])
    .where('student_id', '=', s.id).orderBy('batch_code', 'desc').execute();
  return { ...s, grades, graduations };
}
