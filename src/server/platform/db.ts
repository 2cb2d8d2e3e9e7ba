import fs from 'node:fs';
import path from 'node:path';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import {
  CompiledQuery,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  PostgresDialect,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
} from 'kysely';
import pg from 'pg';
import type { DB } from './tables.ts';

export type DbKind = 'pglite' | 'postgres';

/** What pg-boss needs from a database: one function. */
export interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

export interface Database {
  kind: DbKind;
  db: Kysely<DB>;
  /** Runs raw SQL outside Kysely (migrations, pg-boss). */
  sql: SqlExecutor;
  close(): Promise<void>;
}

// Both drivers return the same JS values: counts as numbers, dates as 'YYYY-MM-DD' strings.
const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;
pg.types.setTypeParser(INT8, (v) => Number(v));
pg.types.setTypeParser(NUMERIC, (v) => Number(v));
pg.types.setTypeParser(DATE, (v) => v);

/** A tiny FIFO lock: PGlite is one session, so one caller (a query or a whole transaction) at a time. */
class Mutex {
  #tail: Promise<void> = Promise.resolve();
  lock(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((r) => (release = r));
    const prev = this.#tail;
    this.#tail = prev.then(() => next);
    return prev.then(() => release);
  }
}

class PGliteConnection implements DatabaseConnection {
  constructor(private readonly pglite: PGlite) {}
  async executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    const res = await this.pglite.query<R>(q.sql, q.parameters as unknown[]);
    return {
      rows: res.rows,
      numAffectedRows: res.affectedRows != null ? BigInt(res.affectedRows) : undefined,
    };
  }
  async *streamQuery<R>(q: CompiledQuery, chunkSize = 1000): AsyncIterableIterator<QueryResult<R>> {
    // PGlite has no cursor over the wire; it is in-process, so page through the result instead.
    const res = await this.pglite.query<R>(q.sql, q.parameters as unknown[]);
    for (let i = 0; i < res.rows.length; i += chunkSize) yield { rows: res.rows.slice(i, i + chunkSize) };
  }
}

class PGliteDriver implements Driver {
  readonly #conn: PGliteConnection;
  #release: (() => void) | undefined;
  constructor(private readonly pglite: PGlite, private readonly mutex: Mutex) {
    this.#conn = new PGliteConnection(pglite);
  }
  async init() {}
  async acquireConnection(): Promise<DatabaseConnection> {
    // The mutex hands the one connection to one holder at a time.
    this.#release = await this.mutex.lock();
    return this.#conn;
  }
  async beginTransaction(c: DatabaseConnection) {
    await c.executeQuery(CompiledQuery.raw('begin'));
  }
  async commitTransaction(c: DatabaseConnection) {
    await c.executeQuery(CompiledQuery.raw('commit'));
  }
  async rollbackTransaction(c: DatabaseConnection) {
    await c.executeQuery(CompiledQuery.raw('rollback'));
  }
  async releaseConnection() {
    const release = this.#release;
    this.#release = undefined;
    release?.();
  }
  async destroy() {}
}

class PGliteDialect implements Dialect {
  constructor(private readonly pglite: PGlite, private readonly mutex: Mutex) {}
  createAdapter() { return new PostgresAdapter(); }
  createDriver() { return new PGliteDriver(this.pglite, this.mutex); }
  createQueryCompiler() { return new PostgresQueryCompiler(); }
  createIntrospector(db: Kysely<unknown>) { return new PostgresIntrospector(db); }
}

export interface OpenOptions {
  /** postgres://… to use a server; otherwise PGlite. */
  databaseUrl?: string;
  /** Folder for PGlite's files; undefined keeps PGlite in memory (tests). */
  dataDir?: string;
  poolSize?: number;
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10, options: '-c jit=off' });
    // An idle connection cut by the server (restart, failover) must not bring the process down.
    pool.on('error', (e) => console.error('[db] 空闲连接出错：', e.message));
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return {
      kind: 'postgres',
      db,
      sql: { executeSql: (text, values) => pool.query(text, values) },
      close: () => db.destroy(),
    };
  }
  let dir: string | undefined;
  if (opts.dataDir) {
    dir = path.resolve(opts.dataDir, 'pgdata');
    fs.mkdirSync(dir, { recursive: true });
  }
  const pglite = await PGlite.create({
    dataDir: dir,
    parsers: {
      [pgliteTypes.INT8]: (v: string) => Number(v),
      [pgliteTypes.NUMERIC]: (v: string) => Number(v),
      [pgliteTypes.DATE]: (v: string) => v,
    },
  });
  const mutex = new Mutex();
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite, mutex) });
  const sql: SqlExecutor = {
    async executeSql(text, values) {
      const release = await mutex.lock();
      try {
        // pg-boss sends several statements at once (BEGIN; …; COMMIT) without parameters:
        // only the simple protocol (exec) accepts that.
        if (!values || values.length === 0) {
          const results = await pglite.exec(text);
          return { rows: results.length ? results[results.length - 1].rows : [] };
        }
        return await pglite.query(text, values);
      } finally {
        release();
      }
    },
  };
  return {
    kind: 'pglite',
    db,
    sql,
    async close() {
      await db.destroy();
      await pglite.close();
    },
  };
}
