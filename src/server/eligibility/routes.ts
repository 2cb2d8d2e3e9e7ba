import { actorOf, serve, type App, type AppContext } from '../platform/http.ts';
import { eligibilityApi as api } from '../../shared/contract/eligibility.ts';
import { readiness, requestRecompute } from './service.ts';

export function eligibilityRoutes(app: App, { database, jobs }: AppContext) {
  const db = database.db;
  serve(app, api.recompute, async (req) => ({ task_id: await requestRecompute(db, jobs, actorOf(req), req.params.code) }));
  serve(app, api.readiness, (req) => readiness(db, actorOf(req), req.params.id, req.query));
}
