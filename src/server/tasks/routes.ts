import { actorOf, serve, type App, type AppContext } from '../platform/http.ts';
import { tasksApi as api } from '../../shared/contract/tasks.ts';
import * as service from './service.ts';

/** A background task: its owner sees it, and so do administrators above the owner's node. */
export function taskRoutes(app: App, { database }: AppContext) {
  serve(app, api.get, (req) => service.getTask(database.db, actorOf(req), req.params.id));
}
