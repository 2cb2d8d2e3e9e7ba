import { serve, type App, type AppContext } from '../platform/http.ts';
import { programmesApi as api } from '../../shared/contract/programmes.ts';
import * as service from './service.ts';

/** 专业 and 层次 offered (教学计划): reference data for filters, the same for every unit. */
export function programmeRoutes(app: App, { database }: AppContext) {
  const db = database.db;
  serve(app, api.majors, () => service.majors(db));
  serve(app, api.courses, (req) => service.courses(db, req.query.q));
  serve(app, api.categories, () => service.categories(db));
}
