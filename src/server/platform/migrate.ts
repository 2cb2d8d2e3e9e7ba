import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SqlExecutor } from './db.ts';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Numbered, forward-only SQL migrations, each applied once in its own transaction.
 *  An advisory lock lets a server and workers start together on one PostgreSQL. */
export async function migrate(sql: SqlExecutor): Promise<string[]> {
  const files = fs.readdirSync(dir).filter((f) => /^\d{3}_.+\.sql$/.test(f)).sort();
  await sql.executeSql(`create table if not exists schema_migration (
    name text primary key, applied_at timestamptz not null default now())`);
  const applied: string[] = [];
  for (const file of files) {
    const body = fs.readFileSync(path.join(dir, file), 'utf8');
    const name = file.replace(/'/g, '');
    // One multi-statement script: the lock, the check and the migration commit together.
    await sql.executeSql(`begin;
      select pg_advisory_xact_lock(7340001);
      do $m$ begin
        if not exists (select 1 from schema_migration where name = '${name}') then
          execute ${dollarQuote(body)};
          insert into schema_migration (name) values ('${name}');
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
