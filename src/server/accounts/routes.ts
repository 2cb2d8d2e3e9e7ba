import { actorOf, sendCookie, serve, type App, type AppContext } from '../platform/http.ts';
import { SESSION_COOKIE } from '../platform/auth.ts';
import { accountsApi as api } from '../../shared/contract/accounts.ts';
import * as service from './service.ts';

export function accountRoutes(app: App, { database }: AppContext) {
  const db = database.db;
  const ok = { ok: true as const };

  serve(app, api.login, async (req, reply) => {
    const { token, me } = await service.login(db, req.body.username, req.body.password, req.cookies[SESSION_COOKIE], req.ip);
    sendCookie(reply, token);
    return me;
  });
  serve(app, api.logout, async (req, reply) => {
    await service.logout(db, req.cookies[SESSION_COOKIE]);
    sendCookie(reply, null);
    return ok;
  });
  serve(app, api.me, (req) => service.me(db, actorOf(req)));
  serve(app, api.changePassword, async (req) => {
    await service.changePassword(db, actorOf(req), req.body.old_password, req.body.new_password, req.cookies[SESSION_COOKIE]);
    return ok;
  });

  serve(app, api.users, (req) => service.listUsers(db, actorOf(req), req.query));
  serve(app, api.createUser, (req) => service.createUser(db, actorOf(req), req.body));
  serve(app, api.updateUser, (req) => service.updateUser(db, actorOf(req), req.params.id, req.body));
  serve(app, api.resetPassword, async (req) => {
    await service.resetPassword(db, actorOf(req), req.params.id, req.body.password);
    return ok;
  });
}
