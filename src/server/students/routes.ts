import { actorOf, serve, type App, type AppContext } from '../platform/http.ts';
import { studentsApi as api } from '../../shared/contract/students.ts';
import * as service from './service.ts';

export function studentRoutes(app: App, { database }: AppContext) {
  serve(app, api.card, (req) => service.card(database.db, actorOf(req), req.params.id));
  serve(app, api.revokeGraduation, (req) => service.revokeGraduation(database.db, actorOf(req), req.params.id, req.body.reason));
}
