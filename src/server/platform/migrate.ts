import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SqlExecutor } from './db.ts';

const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** sha256 of a migration's text; line endings do not count (a Windows checkout is the same file). */
export function checksumOf(body: string): string {
  return createHash('sha256').update(body.replace(/\r\n/g, '\n')).digest('hex');
}

/** A migration that was applied and whose file has changed since: the start stops. */
export class ChangedMigrationError extends Error {
  constructor(readonly file: string, readonly recorded: string, readonly current: string) {
    super(`迁移文件 ${file} 在应用后被修改（记录的校验和 ${recorded.slice(0, 12)}…，现在 ${current.slice(0, 12)}…）：`
      + '已应用的迁移不得修改，请把该文件恢复原样，并把改动写成一个新的编号迁移。'
      + ` Migration file ${file} was changed after it was applied (recorded checksum ${recorded.slice(0, 12)}…, now ${current.slice(0, 12)}…): `
      + 'restore the file and put the change in a new numbered migration.');
    this.name = 'ChangedMigrationError';
  }
}

/** Numbered, forward-only SQL migrations, each applied once in its own transaction, with its checksum.
 *  An advisory lock lets a server and workers start together on one PostgreSQL.
 *  A migration changed after it was applied stops the start (ChangedMigrationError) before anything runs. */
export async function migrate(sql: SqlExecutor, { dir = migrationsDir }: { dir?: string } = {}): Promise<string[]> {
  const files = fs.readdirSync(dir).filter((f) => /^\d{3}_.+\.sql$/.test(f)).sort();
  // Under the lock: two processes starting together must not both alter the table.
  await sql.executeSql(`begin;
    select pg_advisory_xact_lock(7340001);
    create table if not exists schema_migration (name text primary key, applied_at timestamptz not null default now());
    alter table schema_migration add column if not exists checksum text;
    commit;`);
  const bodies = new Map(files.map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));

  const { rows } = await sql.executeSql('select name, checksum from schema_migration');
  for (const row of rows as { name: string; checksum: string | null }[]) {
    const body = bodies.get(row.name);
    // A row recorded before checksums existed takes the file's checksum on this start (below).
    if (body === undefined || row.checksum === null) continue;
    const current = checksumOf(body);
    if (row.checksum !== current) throw new ChangedMigrationError(row.name, row.checksum, current);
  }

  const applied: string[] = [];
  for (const file of files) {
    const body = bodies.get(file)!;
    const name = file.replace(/'/g, '');
    const checksum = checksumOf(body);
    // One multi-statement script: the lock, the check and the migration commit together.
    await sql.executeSql(`begin;
      select pg_advisory_xact_lock(7340001);
      do $m$ begin
        if not exists (select 1 from schema_migration where name = '${name}') then
          execute ${dollarQuote(body)};
          insert into schema_migration (name, checksum) values ('${name}', '${checksum}');
        else
          update schema_migration set checksum = '${checksum}' where name = '${name}' and checksum is null;
        end if;
      end $m$;
      commit;`);
    applied.push(file);
  }
  return applied;
}

function dollarQuote(s: string): string {
  let tag = 'mig';
  while (s.includes(`$${tag}$`)) tag += 'x';
  return `$${tag}$${s}$${tag}$`;
}
