import { sql, type Kysely } from 'kysely';
import type { DB } from '../platform/tables.ts';
import type { FormState } from '../../shared/graduate-form.ts';

const ESSAYS = [
  '本人在开放大学学习期间，遵守学校各项规章制度，按时参加面授辅导和网上学习，认真完成形成性考核作业，各门课程均顺利通过考试。'
    + '\n通过系统学习，掌握了本专业的基本理论和方法，能够把所学知识运用到实际工作中，分析问题和解决问题的能力明显提高。今后将继续学习，不断充实自己。',
  '在几年的业余学习中，我克服工作和家庭的困难，合理安排时间，坚持按教学计划学习，没有缺考。'
    + '\n学习中积极参加小组讨论，与同学互相帮助；毕业作业选题结合本职工作，得到指导教师的肯定。不足之处是个别课程学得不够深入，今后还需加强。',
];

const opinions = {
  班主任意见: ['该生学习态度端正，能按时完成各项学习任务，遵守学校纪律，同意毕业。', '该生学习认真，团结同学，表现良好，同意毕业。'],
  函授站意见: ['该生已修完教学计划规定的全部课程，成绩合格，符合毕业条件，同意毕业。', '情况属实，同意毕业，请学校审核。'],
  学校意见: ['经审核，该生符合毕业条件，同意毕业。', '经审核，同意毕业。'],
} as const;

/**
 * 毕业生登记表 for the demo: 202301 as it ended (every form 总部已填写, filed under the batch); at 沈阳市开放大学
 * a few 202701 graduates agreed in 预毕业确认 with forms in each state; and the common phrases of the
 * teaching point and the branch. The graduates agreed are the last eligible ones by 学号, so that the
 * first page of 预毕业确认 still has students to agree.
 */
export async function seedDemoForms(db: Kysely<DB>, passwordHash: string): Promise<number> {
  const user = (username: string) => db.selectFrom('app_user as u').innerJoin('org_node as n', 'n.id', 'u.node_id')
    .select(['u.id', 'u.node_id', 'n.path']).where('u.username', '=', username).executeTakeFirstOrThrow();
  const [teacher, tp, branch] = [await user('teacher'), await user('tp1'), await user('branch')];
  const at = (s: string) => new Date(`${s}+08:00`);

  await sql`
    insert into graduate_form (graduate_id, student_id, tp_id, class_id, node_path, batch_code, state,
      self_assessment, study_summary, practice_summary, rewards, punishments, saved_at, submitted_at,
      head_teacher_opinion, head_teacher_by, head_teacher_at, tp_opinion, tp_by, tp_at, school_opinion, school_by, school_at, version)
    select g.id, g.student_id, g.tp_id, s.class_id, g.node_path, g.batch_code, '总部已填写',
      case when g.id % 2 = 0 then ${ESSAYS[0]} else ${ESSAYS[1]} end, '按教学计划修完全部课程，成绩合格。', '完成毕业作业，成绩合格。', '无', '无',
      ${at('2022-10-08T20:00:00')}::timestamptz, ${at('2022-10-08T20:05:00')}::timestamptz,
      ${opinions.班主任意见[0]}, ${teacher.id}::int, ${at('2022-10-14T09:00:00')}::timestamptz,
      ${opinions.函授站意见[0]}, ${tp.id}::int, ${at('2022-10-17T10:00:00')}::timestamptz,
      ${opinions.学校意见[0]}, ${branch.id}::int, ${at('2022-10-21T15:00:00')}::timestamptz, 4
    from graduate g join student s on s.id = g.student_id
    where g.batch_code = '202301' and g.confirm_status = '同意毕业'`.execute(db);

  const picked = await db.selectFrom('graduate as g').innerJoin('student as s', 's.id', 'g.student_id')
    .select(['g.id', 'g.student_id', 'g.tp_id', 's.class_id', 'g.node_path'])
    .where('g.batch_code', '=', '202701').where('g.tp_id', '=', tp.node_id).where('g.eligible', '=', true)
    .orderBy('g.student_no', 'desc').limit(20).execute();
  await db.updateTable('graduate').set((eb) => ({ confirm_status: '同意毕业', confirmed_at: new Date(), confirmed_by: tp.id, version: eb('version', '+', 1) }))
    .where('id', 'in', picked.map((p) => p.id).concat(-1)).execute();
  // One never saved (no row: the demo account `graduate` writes it), then a draft, a returned one, twelve
  // submitted (填写意见 for ten at once, as seed 000 四.3), and two of each later state.
  const plan: (FormState | 'draft' | 'returned')[] = ['draft', 'returned', ...Array.from({ length: 12 }, () => '函授站未填写' as const),
    '函授站已填写', '函授站已填写', '总部已填写', '总部已填写'];
  const now = new Date();
  const rows = picked.slice(1, plan.length + 1).map((g, i) => {
    const p = plan[i];
    const state: FormState = p === 'draft' || p === 'returned' ? '学生未填写' : p;
    const past = ['函授站已填写', '总部已填写'].includes(state);
    return {
      graduate_id: g.id, student_id: g.student_id, tp_id: g.tp_id, class_id: g.class_id, node_path: g.node_path, state,
      batch_code: state === '总部已填写' ? '202701' : null,
      self_assessment: p === 'draft' ? ESSAYS[i % 2].slice(0, 40) : ESSAYS[i % 2],
      study_summary: '按教学计划修完全部课程。', practice_summary: p === 'draft' ? '' : '完成毕业作业。', rewards: '无', punishments: '无',
      saved_at: now, submitted_at: p === 'draft' ? null : now,
      head_teacher_opinion: past ? opinions.班主任意见[i % 2] : null, head_teacher_by: past ? teacher.id : null, head_teacher_at: past ? now : null,
      tp_opinion: past ? opinions.函授站意见[i % 2] : null, tp_by: past ? tp.id : null, tp_at: past ? now : null,
      school_opinion: state === '总部已填写' ? opinions.学校意见[i % 2] : null, school_by: state === '总部已填写' ? branch.id : null,
      school_at: state === '总部已填写' ? now : null,
      return_reason: p === 'returned' ? '自我鉴定过于简单，请补充在校学习的收获和不足后重新提交。' : null,
      returned_by: p === 'returned' ? tp.id : null, returned_at: p === 'returned' ? now : null,
      version: 1 + (p === 'draft' ? 0 : 1) + (past ? 2 : 0) + (state === '总部已填写' ? 1 : 0) + (p === 'returned' ? 1 : 0),
    };
  });
  if (rows.length) await db.insertInto('graduate_form').values(rows).execute();
  // The demo account of a 202701 graduate who has not written the form yet (seed 000 二).
  const first = await db.selectFrom('student').select(['id', 'name']).where('id', '=', picked[0].student_id).executeTakeFirstOrThrow();
  await db.insertInto('app_user').values({
    username: 'graduate', password_hash: passwordHash, role: 'student', node_id: picked[0].class_id ?? picked[0].tp_id, display_name: first.name, student_id: first.id,
  }).execute();

  await db.insertInto('opinion_phrase').values([
    ...opinions.班主任意见.map((text, sort) => ({ node_id: tp.node_id, node_path: tp.path, kind: '班主任意见' as const, text, sort })),
    ...opinions.函授站意见.map((text, sort) => ({ node_id: tp.node_id, node_path: tp.path, kind: '函授站意见' as const, text, sort })),
    ...opinions.学校意见.map((text, sort) => ({ node_id: branch.node_id, node_path: branch.path, kind: '学校意见' as const, text, sort })),
  ]).execute();
  return rows.length;
}
