import type { App, AppContext } from '../platform/http.ts';
import { actorOf, sendCookie } from '../platform/http.ts';
import * as auth from '../platform/auth.ts';
import { recordOperation } from '../platform/oplog.ts';
import { ADMINS } from '../platform/scope.ts';
import { SESSION_COOKIE } from '../platform/auth.ts';
import * as service from './service.ts';
import { createUserBody, idParam, loginBody, meSchema, ok, passwordBody, resetPasswordBody, updateUserBody, userSchema, usersQuery } from './schema.ts';
import { z } from 'zod';

export function accountRoutes(app: App, { database }: AppContext) {
  const db = database.db;

  app.post('/api/auth/login', {
    config: { access: 'public' },
    schema: { tags: ['登录'], summary: '登录：成功后设置会话 Cookie', body: loginBody, response: { 200: meSchema } },
  }, async (req, reply) => {
    // A new session id at every login: a cookie planted before login is worth nothing after it.
    const { token } = await auth.login(db, req.body.username, req.body.password);
    const old = req.cookies[SESSION_COOKIE];
    if (old) await auth.logout(db, old);
    const actor = (await auth.resolveSession(db, token))!;
    await recordOperation(db, actor, [{ action: '登录', objectType: 'user', objectId: actor.id, nodePath: actor.nodePath }]);
    sendCookie(reply, token);
    return service.me(db, actor);
  });

  app.post('/api/auth/logout', {
    config: { access: 'public' },
    schema: { tags: ['登录'], summary: '退出登录', response: { 200: ok } },
  }, async (req, reply) => {
    const token = req.cookies[SESSION_COOKIE];
    if (token) await auth.logout(db, token);
    sendCookie(reply, null);
    return { ok: true as const };
  });

  app.get('/api/me', {
    config: { access: 'any' },
    schema: { tags: ['登录'], summary: '当前用户、角色和所属单位', response: { 200: meSchema } },
  }, (req) => service.me(db, actorOf(req)));

  app.post('/api/me/password', {
    config: { access: 'any' },
    schema: { tags: ['登录'], summary: '修改自己的密码', body: passwordBody, response: { 200: ok } },
  }, async (req) => {
    const actor = actorOf(req);
    await auth.changePassword(db, actor.id, req.body.old_password, req.body.new_password);
    await recordOperation(db, actor, [{ action: '修改密码', objectType: 'user', objectId: actor.id, nodePath: actor.nodePath }]);
    return { ok: true as const };
  });

  const tags = ['用户管理'];
  app.get('/api/users', {
    config: { access: ADMINS },
    schema: { tags, summary: '本单位及下级单位的账号', querystring: usersQuery, response: { 200: z.object({ total: z.number(), rows: z.array(userSchema) }) } },
  }, (req) => service.listUsers(db, actorOf(req), req.query));

  app.post('/api/users', {
    config: { access: ADMINS },
    schema: { tags, summary: '在本单位或下级单位创建账号', body: createUserBody, response: { 200: userSchema } },
  }, (req) => service.createUser(db, actorOf(req), req.body));

  app.patch('/api/users/:id', {
    config: { access: ADMINS },
    schema: { tags, summary: '修改、停用或启用账号', params: idParam, body: updateUserBody, response: { 200: userSchema } },
  }, (req) => service.updateUser(db, actorOf(req), req.params.id, req.body));

  app.post('/api/users/:id/reset-password', {
    config: { access: ADMINS },
    schema: { tags, summary: '重置密码（下次登录须修改）', params: idParam, body: resetPasswordBody, response: { 200: ok } },
  }, async (req) => {
    await service.resetPassword(db, actorOf(req), req.params.id, req.body.password);
    return { ok: true as const };
  });
}
