import { z } from 'zod';
import type { App, AppContext } from '../platform/http.ts';
import { STAFF } from '../platform/scope.ts';

/** 专业 and 层次 offered (教学计划): reference data for filters, the same for every unit. */
export function programmeRoutes(app: App, { database }: AppContext) {
  app.get('/api/programmes/majors', {
    config: { access: STAFF },
    schema: { tags: ['教学计划'], summary: '专业列表（含层次）', response: { 200: z.array(z.object({ major: z.string(), level: z.string() })) } },
  }, () => database.db.selectFrom('programme').select(['major', 'level']).distinct().orderBy('level').orderBy('major').execute());
}
