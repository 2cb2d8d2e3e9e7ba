import { actorOf, serve, type App, type AppContext } from '../platform/http.ts';
import { orgApi as api } from '../../shared/contract/org.ts';
import * as service from './service.ts';

export function orgRoutes(app: App, { database }: AppContext) {
  const db = database.db;
  serve(app, api.nodes, (req) => service.listNodes(db, actorOf(req), req.query));
  serve(app, api.createNode, (req) => service.createNode(db, actorOf(req), req.body));
  serve(app, api.updateNode, (req) => service.updateNode(db, actorOf(req), req.params.id, req.body));
}
