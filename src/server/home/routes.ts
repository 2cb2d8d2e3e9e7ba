import { actorOf, serve, type App, type AppContext } from '../platform/http.ts';
import { batchesApi } from '../../shared/contract/batches.ts';
import { home } from './service.ts';

export function homeRoutes(app: App, { database }: AppContext) {
  serve(app, batchesApi.home, (req) => home(database.db, actorOf(req)));
}
