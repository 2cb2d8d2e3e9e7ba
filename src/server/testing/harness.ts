import type { OutgoingHttpHeaders } from 'node:http';
import type { InjectOptions } from 'fastify';
import pg from 'pg';
import { buildApp, type Running } from '../app.ts';
import type { Kysely } from 'kysely';
import type { DB } from '../platform/tables.ts';

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
  call(method: string, url: string, opts?: { cookie?: string; body?: unknown }): Promise<{ status: number; json: any; headers: OutgoingHttpHeaders }>;
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
    async call(method, url, opts = {}) {
      const res = await running.app.inject({
        method: method as InjectOptions['method'],
        url,
        headers: opts.cookie ? { cookie: opts.cookie } : {},
        ...(opts.body !== undefined ? { payload: opts.body as InjectOptions['payload'] } : {}),
      });
      let json: any = null;
      try { json = res.json(); } catch { json = res.body; }
      return { status: res.statusCode, json, headers: res.headers };
    },
  };
  return t;
}

export const TEST_PASSWORD = 'Test@2026pass';
