import { actorOf, serve, type App, type AppContext } from '../platform/http.ts';
import { formsApi as api } from '../../shared/contract/forms.ts';
import * as service from './service.ts';

export function formRoutes(app: App, { database }: AppContext) {
  const db = database.db;
  // ——— The student (seed 000 二) ———
  serve(app, api.mine, (req) => service.myForm(db, actorOf(req)));
  serve(app, api.saveDraft, (req) => service.saveMyForm(db, actorOf(req), req.body, false));
  serve(app, api.submit, (req) => service.saveMyForm(db, actorOf(req), req.body, true));
  // ——— 毕业 → 毕业管理 → 毕业生登记表管理 (seed 000 四) ———
  serve(app, api.list, (req) => service.list(db, actorOf(req), req.query));
  serve(app, api.phrases, (req) => service.phrases(db, actorOf(req)));
  serve(app, api.addPhrase, (req) => service.addPhrase(db, actorOf(req), req.body));
  serve(app, api.deletePhrase, (req) => service.deletePhrase(db, actorOf(req), req.params.id));
  serve(app, api.one, (req) => service.one(db, actorOf(req), req.params.id));
  serve(app, api.writeOpinions, (req) => service.writeOpinions(db, actorOf(req), req.body.items));
  serve(app, api.approve, (req) => service.approve(db, actorOf(req), req.body.items));
  serve(app, api.sendBack, (req) => service.sendBack(db, actorOf(req), req.body.items, req.body.reason));
}
