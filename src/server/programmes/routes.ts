import { z } from 'zod';
import type { App, AppContext } from '../platform/http.ts';
import { STAFF } from '../platform/scope.ts';

/** 专业 and 层次 offered (教学计划): reference data for filters, the same for every unit. */
export function programmeRoutes(app: App, { database }: AppContext) {
  app.get('/api/programmes/majors', {
    config: { access: STAFF },
    schema: { tags: ['教学计划'], summary: '专业列表（含层次）', response: { 200: z.array(z.object({ major: z.string(), level: z.string() })) } },
  }, () => database.db.selectFrom('programme').select(['major', 'level']).distinct().orderBy('level').orderBy('major').execute());

  app.get('/api/courses', {
    config: { access: 'any' },
    schema: {
      tags: ['教学计划'], summary: '课程查询（代码或名称）', querystring: z.object({ q: z.string().trim().max(40).optional() }),
      response: { 200: z.array(z.object({ code: z.string(), name: z.string(), credits: z.number(), category: z.string() })) },
    },
  }, (req) => {
    let q = database.db.selectFrom('course').select(['code', 'name', 'credits', 'category']).orderBy('code').limit(50);
    const term = req.query.q;
    if (term) q = q.where((eb) => eb.or([eb('code', 'ilike', `${escapeLike(term)}%`), eb('name', 'like', `%${escapeLike(term)}%`)]));
    return q.execute();
  });

  app.get('/api/courses/categories', {
    config: { access: 'any' },
    schema: { tags: ['教学计划'], summary: '课程类别', response: { 200: z.array(z.string()) } },
  }, async () => (await database.db.selectFrom('course').select('category').distinct().orderBy('category').execute()).map((r) => r.category));
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
