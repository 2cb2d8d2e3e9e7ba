import { actorOf, serve, type App, type AppContext } from '../platform/http.ts';
import { sendWorkbook } from '../platform/xlsx-export.ts';
import { recordsApi as api } from '../../shared/contract/records.ts';
import * as service from './service.ts';

export function recordRoutes(app: App, { database }: AppContext) {
  const db = database.db;
  serve(app, api.students, (req) => service.list(db, actorOf(req), req.query));
  serve(app, api.card, (req) => service.card(db, actorOf(req), req.params.id));
  serve(app, api.sortOrders, (req) => service.sortOrders(db, actorOf(req)));
  serve(app, api.setSortOrder, (req) => service.setSortOrder(db, actorOf(req), req.params.tp_code, req.body.sort));
  serve(app, api.myEnrollForm, (req) => service.myEnrollForm(db, actorOf(req)));
  serve(app, api.saveEnrollForm, (req) => service.saveEnrollForm(db, actorOf(req), req.body));
  serve(app, api.startVerification, (req) => service.startCampaign(db, actorOf(req), req.body.grade));
  serve(app, api.verification, (req) => service.verification(db, actorOf(req), req.query));
  serve(app, api.verificationXlsx, async (req, reply) => {
    const { fileName, sheet, columns, rows } = await service.verificationWorkbook(db, actorOf(req), req.query);
    return sendWorkbook(reply, fileName, sheet, columns, rows);
  });
}
