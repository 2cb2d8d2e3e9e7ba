import { oplogApi as api } from '../../shared/contract/oplog.ts';
import { actorOf, serve, type App, type AppContext } from '../platform/http.ts';
import * as service from './service.ts';

/** 操作日志: who did what, when, before → after, within the caller's subtree. */
export function operationLogRoutes(app: App, { database }: AppContext) {
  const db = database.db;
  serve(app, api.list, (req) => service.list(db, actorOf(req), req.query));
  serve(app, api.actions, (req) => service.actions(db, actorOf(req)));
}
