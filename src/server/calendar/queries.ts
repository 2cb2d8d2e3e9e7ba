import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../platform/tables.ts';
import type { CalendarDayKind } from '../../shared/contract/calendar.ts';

type Db = Kysely<DB> | Transaction<DB>;

const dayText = sql<string>`to_char(d.day, 'YYYY-MM-DD')`;
const yearStart = (year: number) => `${year}-01-01`;
const yearEnd = (year: number) => `${year}-12-31`;

/** Headquarters' entries of one year, with who entered them. */
export function entriesOfYear(db: Db, year: number) {
  return db.selectFrom('calendar_day as d')
    .leftJoin('app_user as u', 'u.id', 'd.created_by')
    .select([dayText.as('day'), 'd.kind', 'd.name', 'd.note', 'd.created_at', 'u.display_name as entered_by'])
    .where('d.day', '>=', yearStart(year)).where('d.day', '<=', yearEnd(year))
    .orderBy('d.day')
    .execute();
}

/** Headquarters' entries on these dates (before a change: the operation log's `before`). */
export function entriesOn(db: Db, days: string[]) {
  return db.selectFrom('calendar_day as d')
    .select([dayText.as('day'), 'd.kind', 'd.name', 'd.note'])
    .where('d.day', 'in', days)
    .execute();
}

/** Whether headquarters entered any holiday in this year. */
export async function hasHoliday(db: Db, year: number): Promise<boolean> {
  const row = await db.selectFrom('calendar_day').select('day')
    .where('kind', '=', 'holiday').where('day', '>=', yearStart(year)).where('day', '<=', yearEnd(year))
    .limit(1).executeTakeFirst();
  return row !== undefined;
}

export function yearRow(db: Db, year: number) {
  return db.selectFrom('calendar_year as y')
    .leftJoin('app_user as u', 'u.id', 'y.entered_by')
    .select(['y.year', 'y.entered_at', 'y.note', 'u.display_name as entered_by'])
    .where('y.year', '=', year)
    .executeTakeFirst();
}

export async function enteredYears(db: Db): Promise<number[]> {
  return (await db.selectFrom('calendar_year').select('year').orderBy('year').execute()).map((r) => r.year);
}

/** Writes headquarters' entry for each date, replacing an entry already there. */
export async function upsertEntries(db: Db, rows: { day: string; kind: CalendarDayKind; name: string; note: string | null; created_by: number }[]) {
  await db.insertInto('calendar_day').values(rows)
    .onConflict((oc) => oc.column('day').doUpdateSet((eb) => ({
      kind: eb.ref('excluded.kind'),
      name: eb.ref('excluded.name'),
      note: eb.ref('excluded.note'),
      created_by: eb.ref('excluded.created_by'),
      created_at: sql<Date>`now()`,
    })))
    .execute();
}

export async function deleteEntry(db: Db, day: string) {
  return db.deleteFrom('calendar_day as d').where('d.day', '=', day)
    .returning([dayText.as('day'), 'd.kind', 'd.name', 'd.note'])
    .executeTakeFirst();
}

export async function upsertYear(db: Db, row: { year: number; entered_by: number; note: string | null }) {
  await db.insertInto('calendar_year').values(row)
    .onConflict((oc) => oc.column('year').doUpdateSet((eb) => ({
      entered_by: eb.ref('excluded.entered_by'),
      note: eb.ref('excluded.note'),
      entered_at: sql<Date>`now()`,
    })))
    .execute();
}
