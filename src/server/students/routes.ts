import { z } from 'zod';
import type { App, AppContext } from '../platform/http.ts';
import { actorOf } from '../platform/http.ts';
import { inScope, mustFind } from '../platform/scope.ts';

const card = z.object({
  id: z.number(), student_no: z.string(), name: z.string(), gender: z.string(), id_number: z.string(), ethnicity: z.string(),
  political_status: z.string(), cohort: z.string(), level: z.string(), major: z.string(), status: z.string(),
  entry_date: z.string(), valid_until: z.string(), extension_until: z.string().nullable(), tp_code: z.string(), tp_name: z.string(),
  grades: z.array(z.object({ course_code: z.string(), course_name: z.string(), category: z.string(), credits: z.number(), score: z.number().nullable(), passed: z.boolean(), term: z.string(), source: z.string() })),
  graduations: z.array(z.object({ batch_code: z.string(), confirm_status: z.string(), eligible: z.boolean(), reasons: z.array(z.string()) })),
});

/** The student card (学籍卡): the whole 身份证号 is shown here, where the step needs it. */
export function studentRoutes(app: App, { database }: AppContext) {
  const db = database.db;
  app.get('/api/students/:id', {
    config: { access: 'any' },
    schema: { tags: ['学籍'], summary: '学籍卡', params: z.object({ id: z.coerce.number().int().positive() }), response: { 200: card } },
  }, async (req) => {
    const actor = actorOf(req);
    const s = await mustFind(db.selectFrom('student as s').innerJoin('org_node as tp', 'tp.id', 's.tp_id')
      .select(['s.id', 's.student_no', 's.name', 's.gender', 's.id_number', 's.ethnicity', 's.political_status', 's.cohort', 's.level', 's.major',
        's.status', 's.entry_date', 's.valid_until', 's.extension_until', 'tp.code as tp_code', 'tp.name as tp_name'])
      .where('s.id', '=', req.params.id).where(inScope(actor, 's.node_path', 's.id')).executeTakeFirst(), '学生');
    const grades = await db.selectFrom('grade as g').innerJoin('course as c', 'c.code', 'g.course_code')
      .select(['g.course_code', 'c.name as course_name', 'c.category', 'c.credits', 'g.score', 'g.passed', 'g.term', 'g.source'])
      .where('g.student_id', '=', s.id).orderBy('g.term').orderBy('g.course_code').execute();
    const graduations = await db.selectFrom('graduate').select(['batch_code', 'confirm_status', 'eligible', 'reasons'])
      .where('student_id', '=', s.id).orderBy('batch_code', 'desc').execute();
    return { ...s, grades, graduations };
  });
}
