import type { Kysely } from 'kysely';
import type { DB } from '../platform/tables.ts';
import type { Course, Major } from '../../shared/contract/programmes.ts';

/** 专业 and 层次 offered (教学计划): reference data for filters, the same for every unit. */
export function majors(db: Kysely<DB>): Promise<Major[]> {
  return db.selectFrom('programme').select(['major', 'level']).distinct().orderBy('level').orderBy('major').execute();
}

/** Courses whose code starts with, or whose name contains, the term: the first 50 by code. */
export function courses(db: Kysely<DB>, term: string | undefined): Promise<Course[]> {
  let q = db.selectFrom('course').select(['code', 'name', 'credits', 'category']).orderBy('code').limit(50);
  if (term) q = q.where((eb) => eb.or([eb('code', 'ilike', `${escapeLike(term)}%`), eb('name', 'like', `%${escapeLike(term)}%`)]));
  return q.execute();
}

export async function categories(db: Kysely<DB>): Promise<string[]> {
  return (await db.selectFrom('course').select('category').distinct().orderBy('category').execute()).map((r) => r.category);
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
