import { actorOf, serve, type App, type AppContext } from '../platform/http.ts';
import { calendarApi as api } from '../../shared/contract/calendar.ts';
import * as service from './service.ts';

/** 工作日历: every staff member reads it; headquarters enters it. */
export function calendarRoutes(app: App, { database }: AppContext) {
  const db = database.db;
  serve(app, api.year, (req) => service.yearView(db, req.params.year));
  serve(app, api.addDays, (req) => service.addDays(db, actorOf(req), req.body));
  serve(app, api.removeDay, (req) => service.removeDay(db, actorOf(req), req.params.day));
  serve(app, api.markEntered, (req) => service.markEntered(db, actorOf(req), req.params.year, req.body.note));
}
