import { actorOf, serve, type App, type AppContext } from '../platform/http.ts';
import { batchesApi as api } from '../../shared/contract/batches.ts';
import * as service from './service.ts';

export function batchRoutes(app: App, { database }: AppContext) {
  const db = database.db;
  serve(app, api.list, () => service.listBatches(db));
  serve(app, api.get, (req) => service.getBatch(db, req.params.code, actorOf(req).nodePath));
  serve(app, api.create, (req) => service.createBatch(db, actorOf(req), req.body));
  serve(app, api.setWindows, (req) => service.setWindows(db, actorOf(req), req.params.code, req.body.windows));
  serve(app, api.extend, async (req) => {
    await service.extendWindow(db, actorOf(req), req.params.code, req.body);
    return { ok: true as const };
  });
}
