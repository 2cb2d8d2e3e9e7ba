import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import fastifyStatic from '@fastify/static';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Database } from './db.ts';
import type { Jobs } from './jobs.ts';
import { AppError, errors } from './errors.ts';
import { resolveSession, SESSION_COOKIE, type Actor } from './auth.ts';
import { recordEvent, rootPath } from './oplog.ts';
import type { Access } from '../../shared/org.ts';
import type { HandlerResult, Parsed, RouteContract } from '../../shared/contract.ts';
import { accountsApi } from '../../shared/contract/accounts.ts';

/** Who may call a route. Every route declares it (in its contract); the permission test table reads it. */
export type { Access } from '../../shared/org.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyInstance {
    /** Every route with its declared access: the permission test table is checked against it. */
    routeList: { method: string; url: string; access: Access | undefined }[];
  }
}

export interface AppContext {
  database: Database;
  jobs: Jobs;
}

export type App = FastifyInstance<Server, IncomingMessage, ServerResponse, FastifyBaseLogger, ZodTypeProvider>;

/** A request of a contract's route: its parameters, query and body as the schemas parsed them. */
export type RouteRequest<C extends RouteContract> = FastifyRequest & {
  params: Parsed<C, 'params'>;
  query: Parsed<C, 'query'>;
  body: Parsed<C, 'body'>;
};

/** Registers one route of a capability's contract (`src/shared/contract/`): access, validation and the
 *  OpenAPI entry all come from it. A handler that sends a file itself returns the reply. */
export function serve<C extends RouteContract>(
  app: App,
  contract: C,
  handler: (req: RouteRequest<C>, reply: FastifyReply) => Promise<HandlerResult<C> | FastifyReply> | HandlerResult<C> | FastifyReply,
): void {
  app.route({
    method: contract.method,
    url: contract.path,
    config: { access: contract.access },
    schema: {
      tags: contract.tags ? [...contract.tags] : undefined,
      summary: contract.summary,
      hide: contract.hide,
      params: contract.params,
      querystring: contract.query,
      body: contract.upload ? undefined : contract.body,
      response: contract.response ? { 200: contract.response } : undefined,
    },
    handler: handler as (req: FastifyRequest, reply: FastifyReply) => unknown,
  });
}

/** The signed-in actor; the auth hook has already refused anonymous calls to non-public routes. */
export function actorOf(req: FastifyRequest): Actor {
  if (!req.actor) throw errors.unauthenticated();
  return req.actor;
}

/** The routes an account that must change its password may still call: 修改密码, who am I (login and logout are public). */
const BEFORE_PASSWORD_CHANGE = new Set<string>([accountsApi.me.path, accountsApi.changePassword.path]);

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * A state-changing request must come from our own pages (ASVS 3.5.1): an `Origin` other than this server's
 * (or `null`), or a browser's `Sec-Fetch-Site` other than same-origin / none (typed or bookmarked), is refused.
 * A request without either is not a browser's cross-site request (curl, the tests, a script) and passes.
 * Behind a proxy that rewrites Host, name the public origins in ALLOWED_ORIGINS (comma-separated).
 */
function crossOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (origin !== undefined) {
    if (ALLOWED_ORIGINS.includes(origin)) return false;
    try {
      const from = new URL(origin);
      // Through URL both ways, so a default port (`:80`) written on one side only does not matter.
      return from.host !== new URL(`${from.protocol}//${req.host}`).host;
    } catch {
      return true; // `null` (a sandboxed frame, a file) or garbage
    }
  }
  const site = req.headers['sec-fetch-site'];
  return site !== undefined && site !== 'same-origin' && site !== 'none';
}
const ALLOWED_ORIGINS = (process.env.ALLOWED_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean);

// C0 controls but tab, line feed and carriage return; DEL; C1 controls. PostgreSQL refuses NUL in text outright.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/** The path (`body.name`, `query.q`) of the first string holding a control character, within a parsed input. */
function controlCharacterAt(value: unknown, where: string, depth = 0): string | undefined {
  if (typeof value === 'string') return CONTROL.test(value) ? where : undefined;
  if (depth > 32 || value === null || typeof value !== 'object') return undefined;
  for (const [k, v] of Object.entries(value)) {
    const inner = Array.isArray(value) ? `${where}[${k}]` : `${where}.${k}`;
    if (CONTROL.test(k)) return inner;
    const found = controlCharacterAt(v, inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** TRUST_PROXY: behind a reverse proxy, whose X-Forwarded-For then names the client whose sign-ins are counted
 *  (`true`, or the proxies' addresses / subnets, comma-separated). Off by default: the header is anyone's to forge. */
function trustProxy(): boolean | string {
  const v = process.env.TRUST_PROXY?.trim();
  if (!v || v === 'false') return false;
  return v === 'true' ? true : v;
}

export async function buildHttp(ctx: AppContext, opts: { webDir?: string; logger?: boolean } = {}): Promise<App> {
  const options: FastifyServerOptions = { logger: opts.logger ?? false, bodyLimit: 5 * 1024 * 1024, trustProxy: trustProxy() };
  const app = Fastify(options).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // antd (CSS-in-JS) injects <style> elements and style attributes at run time.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // Served over plain HTTP on a school's network too: no HSTS or upgrade unless the cookie is secure (HTTPS).
    strictTransportSecurity: process.env.COOKIE_SECURE === 'true',
    referrerPolicy: { policy: 'same-origin' },
  });
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      info: { title: '毕业管理平台 API', version: '1.0.0', description: '开放大学毕业管理平台的全部接口。登录：POST /api/auth/login，其后以会话 Cookie 调用。' },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE } } },
      security: [{ session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  app.decorateRequest('actor', null);
  app.decorate('routeList', []);
  app.addHook('onRoute', (r) => {
    if (!r.url.startsWith('/api/') || r.url.startsWith('/api/docs')) return;
    for (const method of [r.method].flat()) {
      if (method !== 'HEAD') app.routeList.push({ method, url: r.url, access: r.config?.access });
    }
  });
  app.addHook('onRequest', async (req) => {
    if (STATE_CHANGING.has(req.method) && crossOrigin(req)) throw errors.crossOrigin();
    const access = req.routeOptions.config?.access;
    if (!req.url.startsWith('/api/') || access === undefined) return;
    const token = req.cookies[SESSION_COOKIE];
    const session = token ? await resolveSession(ctx.database.db, token) : null;
    req.actor = session;
    if (access === 'public') return;
    if (!session) throw errors.unauthenticated();
    if (access !== 'any' && !access.includes(session.role)) throw errors.forbidden();
    // Enforced here, not by the web alone: until then only 修改密码, /api/me and logout answer.
    if (session.mustChangePassword && !BEFORE_PASSWORD_CHANGE.has(req.routeOptions.url ?? '')) throw errors.mustChangePassword();
  });
  // 操作日志 of denied access, after the answer is sent: every 403, and every 404 of a signed-in caller on an object's
  // route (an object outside the caller's subtree answers 404 like a missing one; both are logged, not told apart).
  // The sign-in's own refusals are logged as 登录失败 by auth.ts. Logging never fails or holds up the request.
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? '';
    const denied = reply.statusCode === 403 || (reply.statusCode === 404 && req.actor !== null && route.includes('/:'));
    if (!denied || route === accountsApi.login.path) return;
    const url = req.url.split('?')[0].slice(0, 500);
    await recordEvent(ctx.database.db, req.actor, {
      action: '拒绝访问', objectType: 'request', objectId: `${req.method} ${url}`,
      nodePath: req.actor?.nodePath ?? (await rootPath(ctx.database.db).catch(() => '')),
      after: { method: req.method, route, url, status: reply.statusCode, address: req.ip },
    });
  });
  // One guard for every route: a control character (NUL …) in a query, a parameter or a JSON field is refused
  // before any schema or SQL sees it (PostgreSQL cannot store NUL, which answered 500).
  app.addHook('preValidation', async (req) => {
    const where = controlCharacterAt(req.query, 'query') ?? controlCharacterAt(req.params, 'params') ?? controlCharacterAt(req.body, 'body');
    if (where) throw errors.controlCharacters(where.replace(/^(query|params|body)\.?/, ''));
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof AppError) {
      return reply.status(err.status).send({ error: err.code, message: err.message, details: err.details });
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const issues = err.validation.map((v) => ({ path: v.instancePath || '', message: v.message }));
      const where = issues.map((i) => i.path.replace(/^\//, '')).filter(Boolean).join('、');
      // Our schemas carry Chinese messages that name the field and the fix; zod's own are English.
      const chinese = (m: string | undefined) => /[\u4e00-\u9fff]/.test(m ?? '');
      const told = [...new Set(issues.map((i) => i.message ?? ''))];
      return reply.status(400).send({
        error: 'VALIDATION',
        message: issues.length > 0 && issues.every((i) => chinese(i.message))
          ? `${told.join('；')}。`.replace(/。。$/, '。')
          : `提交的数据格式不正确${where ? `（${where}）` : ''}，请检查后重新提交。`,
        details: issues,
      });
    }
    if (err.code === '23505') {
      // A unique key hit by a race (two clicks, two tabs): the first one won, nothing half-written.
      return reply.status(409).send({ error: 'CONFLICT', message: '该记录已存在（可能是重复提交），未做更改。请刷新页面查看结果。' });
    }
    if (err.statusCode === 415 || err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.status(415).send({ error: 'UNSUPPORTED_MEDIA_TYPE', message: '请求格式不受支持，请以 JSON 提交。' });
    }
    if (err.statusCode && err.statusCode < 500) {
      return reply.status(err.statusCode).send({ error: 'BAD_REQUEST', message: '请求无法解析，请检查提交的内容后重试。' });
    }
    req.log.error(err);
    console.error(err);
    return reply.status(500).send({ error: 'INTERNAL', message: '服务器处理出错，未保存任何更改。请稍后重试；如仍出错，请联系系统管理员。' });
  });

  const web = opts.webDir && fs.existsSync(path.join(opts.webDir, 'index.html')) ? path.resolve(opts.webDir) : undefined;
  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api/') || req.url.startsWith('/assets/')) {
      return reply.status(404).send({ error: 'NOT_FOUND', message: '请求的地址不存在。' });
    }
    if (!web) {
      return reply.status(503).type('text/plain; charset=utf-8').send('网页尚未构建：请先运行 npm run build:web（npm start 会自动构建）。');
    }
    // Client-side routes of the single-page app.
    return reply.type('text/html').sendFile('index.html');
  });
  if (web) {
    // wildcard: a rebuilt bundle's new files are served without a restart.
    await app.register(fastifyStatic, { root: web, wildcard: true });
  }
  return app;
}

export function sendCookie(reply: FastifyReply, token: string | null): void {
  if (token === null) {
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return;
  }
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: process.env.COOKIE_SECURE === 'true',
  });
}
