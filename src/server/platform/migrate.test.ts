import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freshDatabase } from '../testing/harness.ts';
import { openDatabase, type Database, type SqlExecutor } from './db.ts';
import { ChangedMigrationError, checksumOf, migrate } from './migrate.ts';
import { OLD, oldVersion } from './testdata/first-landed.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const migrations = path.join(here, 'migrations');

/** A new empty database: PGlite in memory, or a new database on DATABASE_URL's server (like the harness). */
async function emptyDatabase(): Promise<{ database: Database; close(): Promise<void> }> {
  const fresh = await freshDatabase();
  const database = await openDatabase({ databaseUrl: fresh.databaseUrl, poolSize: 2 });
  return {
    database,
    async close() {
      await database.close();
      await fresh.drop();
    },
  };
}

/** Everything of the public schema a query or a migration can depend on, in a stable order.
 *  Columns are compared by name, not position: `add column` appends where a fresh table has it in the middle. */
async function schemaOf(sql: SqlExecutor) {
  const q = async (text: string) => (await sql.executeSql(text)).rows as Record<string, unknown>[];
  return {
    columns: await q(`select table_name, column_name, data_type, udt_name, is_nullable, column_default,
        character_maximum_length, numeric_precision, numeric_scale
      from information_schema.columns where table_schema = 'public' order by table_name, column_name`),
    indexes: await q(`select tablename, indexname, indexdef from pg_indexes where schemaname = 'public' order by indexname`),
    constraints: await q(`select c.conrelid::regclass::text as table_name, c.conname, c.contype, pg_get_constraintdef(c.oid) as def
      from pg_constraint c join pg_namespace n on n.oid = c.connamespace
      where n.nspname = 'public' order by 1, 2`),
    relations: await q(`select c.relname, c.relkind, coalesce(array_to_string(c.reloptions, ','), '') as options
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'i', 'S', 'v', 'm') order by c.relname`),
  };
}

/** What `migrate` did before checksums: a name and a time per applied file. */
async function applyTheOldWay(sql: SqlExecutor, steps: [name: string, body: string][]) {
  await sql.executeSql('create table schema_migration (name text primary key, applied_at timestamptz not null default now())');
  for (const [name, body] of steps) {
    await sql.executeSql(body);
    await sql.executeSql(`insert into schema_migration (name) values ('${name}')`);
  }
}

test('a database built from the first landed 002 (on the oldest 001 it could run on) migrates to the schema of a fresh one', async () => {
  const fresh = await emptyDatabase();
  const old = await emptyDatabase();
  try {
    await migrate(fresh.database.sql);

    // 001 at 771aef7 is the oldest 001 that 002 can run on (002 indexes graduate.student_no, added there);
    // 002 as it first landed (95a23f1). Both lack what later edits added (testdata/first-landed.ts).
    await applyTheOldWay(old.database.sql, [
      ['001_foundation.sql', oldVersion(OLD.foundation771aef7)],
      ['002_audit.sql', oldVersion(OLD.auditFirst)],
    ]);
    const before = await schemaOf(old.database.sql);
    assert.ok(!before.indexes.some((i) => i.indexname === 'graduate_student_idx'), 'the old database lacks the later index');
    assert.ok(!before.columns.some((c) => c.table_name === 'audit_round' && c.column_name === 'task_id'));

    await migrate(old.database.sql);
    assert.deepEqual(await schemaOf(old.database.sql), await schemaOf(fresh.database.sql));

    // Rows recorded before checksums existed take the current file's checksum on the first start.
    const rows = (await old.database.sql.executeSql('select name, checksum from schema_migration order by name')).rows as { name: string; checksum: string }[];
    const current = fs.readdirSync(migrations).filter((f) => f.endsWith('.sql')).sort();
    assert.deepEqual(rows.map((r) => r.name), current);
    for (const r of rows) assert.equal(r.checksum, checksumOf(fs.readFileSync(path.join(migrations, r.name), 'utf8')), r.name);
    // And a second start is quiet.
    await migrate(old.database.sql);
  } finally {
    await old.close();
    await fresh.close();
  }
});

test('the operation log is operation_log; audit_log is gone', async () => {
  const fresh = await emptyDatabase();
  try {
    await migrate(fresh.database.sql);
    const { relations, constraints } = await schemaOf(fresh.database.sql);
    const names = relations.map((r) => String(r.relname));
    assert.deepEqual(names.filter((n) => n.startsWith('operation_log')).sort(),
      ['operation_log', 'operation_log_at_idx', 'operation_log_id_seq', 'operation_log_path_at_idx', 'operation_log_pkey']);
    assert.ok(!names.some((n) => n.startsWith('audit_log')));
    assert.ok(!constraints.some((c) => String(c.conname).startsWith('audit_log')));
  } finally {
    await fresh.close();
  }
});

test('the first landed 001 cannot take 002: graduate.student_no came in a later edit of 001', async () => {
  // Why the test above starts from 001 at 771aef7: a database created from the first 001 stopped at 002
  // the day 002 landed, so no such database has 002 applied.
  const old = await emptyDatabase();
  try {
    await old.database.sql.executeSql(oldVersion(OLD.foundationFirst));
    await assert.rejects(old.database.sql.executeSql(oldVersion(OLD.auditFirst)), /student_no/);
  } finally {
    await old.close();
  }
});

test('a migration changed after it was applied stops the start, naming the file', async () => {
  const db = await emptyDatabase();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
  try {
    for (const f of fs.readdirSync(migrations)) fs.copyFileSync(path.join(migrations, f), path.join(dir, f));
    await migrate(db.database.sql, { dir });

    fs.appendFileSync(path.join(dir, '001_foundation.sql'), '\ncreate index graduate_extra_idx on graduate (tp_id);\n');
    fs.writeFileSync(path.join(dir, '999_later.sql'), 'create table later (id int);\n');
    await assert.rejects(migrate(db.database.sql, { dir }), (e: unknown) => {
      assert.ok(e instanceof ChangedMigrationError);
      assert.match(e.message, /^迁移文件 001_foundation\.sql 在应用后被修改/);
      assert.match(e.message, /Migration file 001_foundation\.sql was changed after it was applied/);
      return true;
    });
    // Nothing ran: neither the edit nor a newer migration.
    const { rows } = await db.database.sql.executeSql(
      `select count(*)::int as n from pg_class where relname in ('graduate_extra_idx', 'later')`);
    assert.deepEqual(rows, [{ n: 0 }]);

    // A Windows checkout (CRLF) is the same file.
    fs.rmSync(path.join(dir, '999_later.sql'));
    fs.copyFileSync(path.join(migrations, '001_foundation.sql'), path.join(dir, '001_foundation.sql'));
    const crlf = fs.readFileSync(path.join(dir, '002_audit.sql'), 'utf8').replace(/\n/g, '\r\n');
    fs.writeFileSync(path.join(dir, '002_audit.sql'), crlf);
    await migrate(db.database.sql, { dir });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await db.close();
  }
});
