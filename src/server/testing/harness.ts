import type { OutgoingHttpHeaders } from 'node:http';
import type { InjectOptions } from 'fastify';
import pg from 'pg';
import { buildApp, type Running } from '../app.ts';
import type { Kysely } from 'kysely';
import type { DB } from '../platform/tables.ts';
import { pathOf, type CallInput, type ResponseOf, type RouteContract } from '../../shared/contract.ts';
import { tasksApi, type Task } from '../../shared/contract/tasks.ts';

type Scalar = string | number | boolean | null | undefined;

/**
 * One application per test file, on a fresh database: PGlite in memory by default, or — when
 * DATABASE_URL is set — a new database created on that PostgreSQL server and dropped afterwards.
 */
export interface TestApp {
  running: Running;
  db: Kysely<DB>;
  kind: 'pglite' | 'postgres';
  close(): Promise<void>;
  /** Logs in and returns the cookie header for later requests. */
  login(username: string, password?: string): Promise<string>;
  /** Any request, raw: the body is `unknown` unless the caller names what it expects (`call<ErrorBody>(…)`). */
  call<T = unknown>(method: string, url: string, opts?: { cookie?: string; body?: unknown }): Promise<TestResponse<T>>;
  /** Calls one route of a contract, like the web's `call()`: the address is built from the contract's
   *  path, `params` and `query`, and the answer is typed as the contract's response. Check `status` first:
   *  a refused call answers an `ErrorBody` (read it with `errorOf(res)`). */
  api<C extends RouteContract>(contract: C, input?: CallInput<C> & { cookie?: string }): Promise<TestResponse<ResponseOf<C>>>;
}

/** What `call` returns: the body parsed as JSON (or the raw text when it is not JSON). */
export interface TestResponse<T = unknown> {
  status: number;
  json: T;
  headers: OutgoingHttpHeaders;
}

/** What a refused request answers (platform/http.ts's error handler). */
export interface ErrorBody {
  error: string;
  message: string;
  details?: unknown;
}

/** The error body of a refused response, whatever the route answers when it succeeds. */
export function errorOf(res: { json: unknown }): ErrorBody {
  return res.json as ErrorBody;
}

let counter = 0;

/** With DATABASE_URL: a new, empty database on that server, and how to drop it. */
export async function freshDatabase(): Promise<{ databaseUrl?: string; drop(): Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (!url) return { databaseUrl: undefined, drop: async () => {} };
  const dbName = `gm_test_${process.pid}_${Date.now() % 100000}_${counter++}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${dbName}`);
  await admin.end();
  const u = new URL(url);
  u.pathname = `/${dbName}`;
  return {
    databaseUrl: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop database if exists ${dbName} with (force)`);
      await c.end();
    },
  };
}

export async function startTestApp(): Promise<TestApp> {
  const fresh = await freshDatabase();
  const running = await buildApp({ databaseUrl: fresh.databaseUrl, work: true });
  const t: TestApp = {
    running,
    db: running.database.db,
    kind: running.database.kind,
    async close() {
      await running.close();
      await fresh.drop();
    },
    async login(username, password = TEST_PASSWORD) {
      const res = await running.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
      if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
      const c = res.cookies.find((x) => x.name === 'gm_session');
      return `gm_session=${c!.value}`;
    },
    async call<T>(method: string, url: string, opts: { cookie?: string; body?: unknown } = {}): Promise<TestResponse<T>> {
      const res = await running.app.inject({
        method: method as InjectOptions['method'],
        url,
        headers: opts.cookie ? { cookie: opts.cookie } : {},
        ...(opts.body !== undefined ? { payload: opts.body as InjectOptions['payload'] } : {}),
      });
      let json: unknown = null;
      try { json = res.json(); } catch { json = res.body; }
      return { status: res.statusCode, json: json as T, headers: res.headers };
    },
    async api(contract, input) {
      const i = (input ?? {}) as { cookie?: string; params?: Record<string, Scalar>; query?: Record<string, Scalar | Scalar[]>; body?: unknown };
      return t.call<ResponseOf<typeof contract>>(contract.method, pathOf(contract.path, i.params, i.query), { cookie: i.cookie, body: i.body });
    },
  };
  return t;
}

export const TEST_PASSWORD = 'Test@2026pass';

/** Polls `fn` every `every` ms until it returns something other than `undefined`; throws after `ms`. */
export async function waitFor<T>(fn: () => Promise<T | undefined>, ms = 30_000, every = 50): Promise<T> {
  for (const until = Date.now() + ms; ;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, every));
  }
}

/** Waits until the background task has finished (done or failed) and returns it, as its starter sees it. */
export function finishedTask(t: TestApp, cookie: string, id: string, ms = 20_000): Promise<Task> {
  return waitFor(async () => {
    const r = await t.api(tasksApi.get, { cookie, params: { id } });
    return r.json.state === 'done' || r.json.state === 'failed' ? r.json : undefined;
  }, ms);
}
