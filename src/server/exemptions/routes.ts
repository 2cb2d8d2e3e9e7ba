import { actorOf, serve, type App, type AppContext } from '../platform/http.ts';
import { exemptionsApi as api } from '../../shared/contract/exemptions.ts';
import * as service from './service.ts';

export function exemptionRoutes(app: App, { database }: AppContext) {
  const db = database.db;
  serve(app, api.list, (req) => service.list(db, actorOf(req), req.query));
  serve(app, api.apply, (req) => service.apply(db, actorOf(req), req.body));
  serve(app, api.decide, (req) => service.decide(db, actorOf(req), req.params.id, req.body));
}
