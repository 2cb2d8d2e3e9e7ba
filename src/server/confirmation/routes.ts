import { actorOf, serve, type App, type AppContext } from '../platform/http.ts';
import { confirmationApi as api } from '../../shared/contract/confirmation.ts';
import * as service from './service.ts';

export function confirmationRoutes(app: App, { database }: AppContext) {
  const db = database.db;
  serve(app, api.list, (req) => service.list(db, actorOf(req), req.query));
  serve(app, api.counts, (req) => service.counts(db, actorOf(req), req.query.batch));
  serve(app, api.agree, (req) => service.transition(db, actorOf(req), req.body.batch, req.body.selection, '同意毕业', null));
  serve(app, api.disagree, (req) => service.transition(db, actorOf(req), req.body.batch, req.body.selection, '不同意', req.body.reason));
  serve(app, api.undo, (req) => service.transition(db, actorOf(req), req.body.batch, req.body.selection, '待确认', null));
}
