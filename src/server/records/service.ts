import { sql, type Kysely } from 'kysely';
import type { z } from 'zod';
import type { DB } from '../platform/tables.ts';
import type { Actor } from '../platform/auth.ts';
import { inScope, mustFind } from '../platform/scope.ts';
import { recordAudit } from '../platform/audit.ts';
import { maskIdCard } from '../../shared/idcard.ts';
import type { EnrollForm, ListFilter, SortKey, verificationQuery } from './schema.ts';

type Row = {
  id: number; student_no: string; name: string; gender: string; id_number: string; cohort: string; level: string; major: string;
  status: string; tp_code: string; tp_name: string; enroll_form_status: string; enroll_form_updated_at: Date | null;
};

/** The students the actor may see, with the filters of 学籍卡查询 (also what a document export takes). */
export function studentsQuery(db: Kysely<DB>, actor: Actor, f: Omit<ListFilter, 'page' | 'page_size' | 'sort'>) {
  let q = db.selectFrom('student as s').innerJoin('org_node as tp', 'tp.id', 's.tp_id')
    .where(inScope(actor, 's.node_path', 's.id', 's.tp_id'));
  if (f.cohort) q = f.cohort.length === 4 ? q.where('s.cohort', 'like', `${f.cohort}%`) : q.where('s.cohort', '=', f.cohort);
  if (f.status) q = q.where('s.status', '=', f.status);
  if (f.major) q = q.where('s.major', '=', f.major);
  if (f.level) q = q.where('s.level', '=', f.level);
  if (f.tp_code) q = q.where('tp.code', '=', f.tp_code);
  if (f.q) {
    const term = f.q.trim();
    q = q.where((eb) => eb.or([eb('s.name', '=', term), eb('s.student_no', '=', term), eb('s.id_number', '=', term.toUpperCase())]));
  }
  return q;
}

/** One sorting standard for every document of a student (seed 000: 入学登记表, 毕业生登记表, 成绩单, 档案袋). */
export function orderBy<T extends ReturnType<typeof studentsQuery>>(q: T, sort: SortKey): T {
  switch (sort) {
    case 'student_no': return q.orderBy('s.student_no') as T;
    case 'id_number': return q.orderBy('s.id_number') as T;
    case 'name': return q.orderBy('s.name').orderBy('s.student_no') as T;
    case 'major': return q.orderBy('s.major').orderBy('s.student_no') as T;
  }
}

const COLUMNS = ['s.id', 's.student_no', 's.name', 's.gender', 's.id_number', 's.cohort', 's.level', 's.major', 's.status',
  'tp.code as tp_code', 'tp.name as tp_name', 's.enroll_form_status', 's.enroll_form_updated_at'] as const;

function present(r: Row) {
  const { id_number, enroll_form_updated_at, ...rest } = r;
  return { ...rest, id_number_masked: maskIdCard(id_number), enroll_form_updated_at: enroll_form_updated_at ? new Date(enroll_form_updated_at).toISOString() : null };
}

export async function list(db: Kysely<DB>, actor: Actor, f: ListFilter) {
  const total = Number((await studentsQuery(db, actor, f).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n);
  const rows = await orderBy(studentsQuery(db, actor, f), f.sort).select(COLUMNS)
    .limit(f.page_size).offset((f.page - 1) * f.page_size).execute();
  return { total, rows: rows.map((r) => present(r as Row)) };
}

// ——— The student's 入学登记表 (seed 000 step 二) ———

export async function myEnrollForm(db: Kysely<DB>, actor: Actor) {
  const s = await mustFind(db.selectFrom('student as s').innerJoin('org_node as tp', 'tp.id', 's.tp_id')
    .select(['s.student_no', 's.name', 's.gender', 's.id_number', 's.ethnicity', 's.political_status', 's.cohort', 's.level', 's.major',
      'tp.name as tp_name', 's.entry_date', 's.phone', 's.enroll_form', 's.enroll_form_status', 's.enroll_form_updated_at'])
    .where('s.id', '=', actor.studentId ?? -1).executeTakeFirst(), '学籍');
  const { enroll_form, enroll_form_status, enroll_form_updated_at, phone, ...identity } = s;
  // Pre-filled from the record: the phone the office has, until the student writes the form.
  const form = { phone: phone ?? '', ...(enroll_form as Record<string, unknown>) };
  return { identity, form, status: enroll_form_status, updated_at: enroll_form_updated_at ? new Date(enroll_form_updated_at).toISOString() : null };
}

/** Submitting the form makes the record 已更新 with its time (the 强制核对 campaign resets it). */
export async function saveEnrollForm(db: Kysely<DB>, actor: Actor, form: EnrollForm) {
  return db.transaction().execute(async (trx) => {
    const s = await mustFind(trx.selectFrom('student').select(['id', 'node_path', 'enroll_form', 'enroll_form_status'])
      .where('id', '=', actor.studentId ?? -1).forUpdate().executeTakeFirst(), '学籍');
    const now = new Date();
    await trx.updateTable('student').set({ enroll_form: JSON.stringify(form), enroll_form_status: '已更新', enroll_form_updated_at: now, phone: form.phone })
      .where('id', '=', s.id).execute();
    await recordAudit(trx, actor, [{ action: '更新入学登记表', objectType: 'student', objectId: s.id, nodePath: s.node_path,
      before: { status: s.enroll_form_status, form: s.enroll_form }, after: { status: '已更新', form } }]);
    return myEnrollForm(trx as unknown as Kysely<DB>, actor);
  });
}

// ——— 强制核对: headquarters resets a 年级 to 未更新; offices chase who has not updated ———

export async function startCampaign(db: Kysely<DB>, actor: Actor, grade: string) {
  return db.transaction().execute(async (trx) => {
    const res = await trx.updateTable('student').set({ enroll_form_status: '未更新' })
      .where('cohort', 'like', `${grade}%`).where('status', '=', '在籍').where(inScope(actor, 'node_path'))
      .executeTakeFirst();
    const n = Number(res.numUpdatedRows);
    await recordAudit(trx, actor, [{ action: '发起强制核对', objectType: 'grade', objectId: grade, nodePath: actor.nodePath, after: { grade, students: n } }]);
    return { students: n };
  });
}

export async function verification(db: Kysely<DB>, actor: Actor, f: z.infer<typeof verificationQuery>) {
  const base = () => {
    let q = studentsQuery(db, actor, { cohort: f.grade, tp_code: f.tp_code, major: f.major }).where('s.status', '=', '在籍');
    if (f.status) q = q.where('s.enroll_form_status', '=', f.status);
    return q;
  };
  const total = Number((await base().select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n);
  const rows = await base().select(COLUMNS).orderBy('tp.code').orderBy('s.student_no').limit(f.page_size).offset((f.page - 1) * f.page_size).execute();
  const byTp = await studentsQuery(db, actor, { cohort: f.grade, tp_code: f.tp_code, major: f.major }).where('s.status', '=', '在籍')
    .groupBy(['tp.code', 'tp.name']).orderBy('tp.code')
    .select(['tp.code as tp_code', 'tp.name as tp_name', sql<number>`count(*)::int`.as('total'),
      sql<number>`count(*) filter (where s.enroll_form_status = '已更新')::int`.as('updated'),
      sql<number>`count(*) filter (where s.enroll_form_status = '未更新')::int`.as('not_updated')])
    .execute();
  return { total, rows: rows.map((r) => present(r as Row)), by_tp: byTp };
}

/** Rows for the Excel export of 强制核对进度查询, a page at a time by id. */
export async function* verificationPages(db: Kysely<DB>, actor: Actor, f: Omit<z.infer<typeof verificationQuery>, 'page' | 'page_size'>) {
  let after = 0;
  for (;;) {
    let q = studentsQuery(db, actor, { cohort: f.grade, tp_code: f.tp_code, major: f.major }).where('s.status', '=', '在籍').where('s.id', '>', after);
    if (f.status) q = q.where('s.enroll_form_status', '=', f.status);
    const page = await q.select(COLUMNS).orderBy('s.id').limit(5000).execute();
    if (page.length === 0) return;
    yield page.map((r) => present(r as Row));
    after = page[page.length - 1].id;
  }
}
