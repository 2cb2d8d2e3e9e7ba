import { sql, type Kysely, type RawBuilder, type SelectQueryBuilder } from 'kysely';
import type { DB } from '../platform/tables.ts';
import type { Actor } from '../platform/auth.ts';
import { inScope, mustFind } from '../platform/scope.ts';
import { recordOperation } from '../platform/oplog.ts';
import type { SheetColumn } from '../platform/xlsx-export.ts';
import { idCardInfo, maskIdCard } from '../../shared/idcard.ts';
import type { DocFilter, EnrollForm, ListFilter, SortKey, VerificationFilter } from '../../shared/contract/records.ts';

type Row = {
  id: number; student_no: string; name: string; gender: string; id_number: string; cohort: string; level: string; major: string;
  status: string; tp_code: string; tp_name: string; enroll_form_status: string; enroll_form_updated_at: Date | null;
};

/** The students the actor may see, with the filters of 学籍卡查询 (also what a document export takes). */
export function studentsQuery(db: Kysely<DB>, actor: Actor, f: DocFilter) {
  let q = db.selectFrom('student as s').innerJoin('org_node as tp', 'tp.id', 's.tp_id')
    .where(inScope(actor, 's.node_path', 's.id', 's.tp_id'));
  if (f.cohort) q = f.cohort.length === 4 ? q.where('s.cohort', 'like', `${f.cohort}%`) : q.where('s.cohort', '=', f.cohort);
  if (f.status) q = q.where('s.status', '=', f.status);
  if (f.major) q = q.where('s.major', '=', f.major);
  if (f.level) q = q.where('s.level', '=', f.level);
  if (f.tp_code) q = q.where('tp.code', '=', f.tp_code);
  if (f.batch) {
    const batch = f.batch;
    // 毕业批次 with 学籍状态 毕业 (seed 000 step 六): the batch they graduated in, not every batch they were a
    // candidate of (a graduate who failed 202207 and passed 202301 is a 202301 graduate only).
    q = f.status === '毕业' ? q.where('s.graduation_batch', '=', batch)
      : q.where((eb) => eb.exists(eb.selectFrom('graduate as g').select('g.id').whereRef('g.student_id', '=', 's.id').where('g.batch_code', '=', batch)));
  }
  if (f.q) {
    const term = f.q.trim();
    q = q.where((eb) => eb.or([eb('s.name', '=', term), eb('s.student_no', '=', term), eb('s.id_number', '=', term.toUpperCase())]));
  }
  return q;
}

/** 排序方式 as ORDER BY terms over a query with `s` (student) and `tp` (its teaching point); 学号 breaks ties. */
const SORT_TERMS: Record<SortKey, RawBuilder<unknown>[]> = {
  student_no: [sql`s.student_no`],
  id_number: [sql`s.id_number`, sql`s.student_no`],
  name: [sql`s.name`, sql`s.student_no`],
  major: [sql`s.major`, sql`s.student_no`],
};

/**
 * One sorting standard for every document of a student (seed 000: 入学登记表, 毕业生登记表, 成绩单, 档案袋).
 * A sort chosen is that order. None chosen: the teaching points' own standard (文档排序标准) — teaching
 * point by teaching point (by code), each in its default order (按学号 when it set none), so a
 * multi-point export is the points' piles laid one after another.
 */
export function docOrderTerms(sort: SortKey | null): RawBuilder<unknown>[] {
  if (sort) return SORT_TERMS[sort];
  const dflt = sql<string>`(select o.sort from doc_sort_order o where o.tp_id = s.tp_id)`;
  return [
    sql`tp.code`,
    sql`case when ${dflt} = 'id_number' then s.id_number end`,
    sql`case when ${dflt} = 'name' then s.name end`,
    sql`case when ${dflt} = 'major' then s.major end`,
    sql`s.student_no`,
  ];
}

/** The list's order (学籍卡查询) and any document export's: the same terms. */
export function docOrder<D, T extends keyof D, O>(q: SelectQueryBuilder<D, T, O>, sort: SortKey | null): SelectQueryBuilder<D, T, O> {
  return docOrderTerms(sort).reduce((acc, t) => acc.orderBy(t), q);
}

const COLUMNS = ['s.id', 's.student_no', 's.name', 's.gender', 's.id_number', 's.cohort', 's.level', 's.major', 's.status',
  'tp.code as tp_code', 'tp.name as tp_name', 's.enroll_form_status', 's.enroll_form_updated_at'] as const;

function present(r: Row) {
  const { id_number, enroll_form_updated_at, ...rest } = r;
  return { ...rest, id_number_masked: maskIdCard(id_number), enroll_form_updated_at: enroll_form_updated_at ? new Date(enroll_form_updated_at).toISOString() : null };
}

export async function list(db: Kysely<DB>, actor: Actor, f: ListFilter) {
  const total = Number((await studentsQuery(db, actor, f).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n);
  const rows = await docOrder(studentsQuery(db, actor, f), f.sort).select(COLUMNS)
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
    await recordOperation(trx, actor, [{ action: '更新入学登记表', objectType: 'student', objectId: s.id, nodePath: s.node_path,
      before: { status: s.enroll_form_status, form: s.enroll_form }, after: { status: '已更新', form } }]);
    return myEnrollForm(trx, actor);
  });
}

// ——— 强制核对: headquarters resets a 年级 to 未更新; offices chase who has not updated ———

export async function startCampaign(db: Kysely<DB>, actor: Actor, grade: string) {
  return db.transaction().execute(async (trx) => {
    const res = await trx.updateTable('student').set({ enroll_form_status: '未更新' })
      .where('cohort', 'like', `${grade}%`).where('status', '=', '在籍').where(inScope(actor, 'node_path'))
      .executeTakeFirst();
    const n = Number(res.numUpdatedRows);
    await recordOperation(trx, actor, [{ action: '发起强制核对', objectType: 'grade', objectId: grade, nodePath: actor.nodePath, after: { grade, students: n } }]);
    return { students: n };
  });
}

/** The 在籍 students of a 强制核对 grade, with or without the 更新状态 filter. */
function gradeStudents(db: Kysely<DB>, actor: Actor, f: VerificationFilter, withStatus = true) {
  const q = studentsQuery(db, actor, { cohort: f.grade, tp_code: f.tp_code, major: f.major }).where('s.status', '=', '在籍');
  return withStatus && f.status ? q.where('s.enroll_form_status', '=', f.status) : q;
}

export async function verification(db: Kysely<DB>, actor: Actor, f: VerificationFilter & { page: number; page_size: number }) {
  const base = () => gradeStudents(db, actor, f);
  const total = Number((await base().select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n);
  const rows = await base().select(COLUMNS).orderBy('tp.code').orderBy('s.student_no').limit(f.page_size).offset((f.page - 1) * f.page_size).execute();
  const byTp = await gradeStudents(db, actor, f, false)
    .groupBy(['tp.code', 'tp.name']).orderBy('tp.code')
    .select(['tp.code as tp_code', 'tp.name as tp_name', sql<number>`count(*)::int`.as('total'),
      sql<number>`count(*) filter (where s.enroll_form_status = '已更新')::int`.as('updated'),
      sql<number>`count(*) filter (where s.enroll_form_status = '未更新')::int`.as('not_updated')])
    .execute();
  return { total, rows: rows.map((r) => present(r as Row)), by_tp: byTp };
}

/** Rows for the Excel export of 强制核对进度查询, a page at a time by id. */
async function* verificationPages(db: Kysely<DB>, actor: Actor, f: VerificationFilter) {
  let after = 0;
  for (;;) {
    const page = await gradeStudents(db, actor, f).where('s.id', '>', after).select(COLUMNS).orderBy('s.id').limit(5000).execute();
    if (page.length === 0) return;
    yield page.map((r) => present(r as Row));
    after = page[page.length - 1].id;
  }
}

type Presented = ReturnType<typeof present>;
const VERIFICATION_COLUMNS: SheetColumn<Presented>[] = [
  'tp_code', 'tp_name', 'student_no', 'name',
  { header: '身份证号', width: 20, value: (r) => r.id_number_masked },
  'cohort', 'level', 'major',
  { header: '更新状态', width: 8, value: (r) => r.enroll_form_status },
  { header: '更新时间', width: 20, value: (r) => (r.enroll_form_updated_at ? r.enroll_form_updated_at.replace('T', ' ').slice(0, 19) : '') },
];

/** 导出Excel of 强制核对进度查询: logged (personal data leaves the system), then streamed a page at a time. */
export async function verificationWorkbook(db: Kysely<DB>, actor: Actor, f: VerificationFilter) {
  await recordOperation(db, actor, [{ action: '导出强制核对进度', objectType: 'grade', objectId: f.grade, nodePath: actor.nodePath, after: f }]);
  return { fileName: `强制核对进度_${f.grade}.xlsx`, sheet: '强制核对进度', columns: VERIFICATION_COLUMNS, rows: verificationPages(db, actor, f) };
}

// ——— 学籍卡: one student, every field (the 身份证号 whole), photos and grades ———

const day = (d: unknown) => (d == null ? null : String(d instanceof Date ? d.toISOString() : d).slice(0, 10));

export async function card(db: Kysely<DB>, actor: Actor, id: number) {
  const s = await mustFind(studentsQuery(db, actor, {}).where('s.id', '=', id)
    .leftJoin('org_node as c', 'c.id', 's.class_id').innerJoin('programme as p', 'p.id', 's.programme_id')
    .select(['s.id', 's.student_no', 's.name', 's.gender', 's.id_number', 's.ethnicity', 's.political_status', 's.cohort', 's.level', 's.major',
      's.status', 's.entry_date', 's.valid_until', 's.extension_until', 's.phone', 'tp.code as tp_code', 'tp.name as tp_name', 'c.name as class_name',
      's.graduation_batch', 's.graduation_date', 's.graduation_conclusion',
      's.enroll_form', 's.enroll_form_status', 's.enroll_form_updated_at', 'p.min_credits'])
    .executeTakeFirst(), '学生');
  const [photos, grades, graduations] = await Promise.all([
    db.selectFrom('photo').select(['id', 'photo_type', 'uploaded_at']).where('student_id', '=', id).where('is_current', '=', true).orderBy('photo_type').execute(),
    db.selectFrom('grade as g').innerJoin('course as c', 'c.code', 'g.course_code')
      .select(['g.term', 'g.course_code', 'c.name as course_name', 'c.category', 'c.credits', 'g.score', 'g.passed', 'g.source'])
      .where('g.student_id', '=', id).orderBy('g.term').orderBy('g.course_code').execute(),
    db.selectFrom('graduate').select(['batch_code', 'confirm_status', 'audit_status']).where('student_id', '=', id).orderBy('batch_code').execute(),
  ]);
  const passed = new Map<string, number>();
  for (const g of grades) if (g.passed) passed.set(g.course_code, Number(g.credits));
  const { enroll_form, min_credits, entry_date, valid_until, extension_until, enroll_form_updated_at, graduation_date, ...rest } = s;
  return {
    student: {
      ...rest, birth_date: idCardInfo(s.id_number)?.birthDate ?? null, entry_date: day(entry_date)!, valid_until: day(valid_until)!,
      extension_until: day(extension_until), enroll_form_updated_at: enroll_form_updated_at ? new Date(enroll_form_updated_at).toISOString() : null,
      graduation_date: day(graduation_date),
    },
    enroll_form: (enroll_form ?? {}) as Record<string, unknown>,
    photos: photos.map((p) => ({ id: p.id, photo_type: p.photo_type, uploaded_at: new Date(p.uploaded_at).toISOString(), image_url: `/api/photos/${p.id}/image` })),
    grades: grades.map((g) => ({ ...g, credits: Number(g.credits), score: g.score == null ? null : Number(g.score) })),
    totals: {
      credits_earned: [...passed.values()].reduce((a, b) => a + b, 0), courses_passed: passed.size,
      credits_required: min_credits == null ? null : Number(min_credits),
    },
    graduations,
  };
}

// ——— 文档排序标准: each teaching point's default order for document exports ———

function tpsInScope(db: Kysely<DB>, actor: Actor) {
  let q = db.selectFrom('org_node as tp').leftJoin('doc_sort_order as o', 'o.tp_id', 'tp.id').where('tp.kind', '=', 'tp');
  q = actor.nodeKind === 'tp' ? q.where('tp.id', '=', actor.nodeId) : q.where(inScope(actor, 'tp.path'));
  return q.select(['tp.id', 'tp.code as tp_code', 'tp.name as tp_name', 'tp.path', 'o.sort', 'o.updated_at']);
}

const sortRow = (r: { tp_code: string; tp_name: string; sort: SortKey | null; updated_at: Date | null }) =>
  ({ tp_code: r.tp_code, tp_name: r.tp_name, sort: r.sort ?? ('student_no' as const), updated_at: r.updated_at ? new Date(r.updated_at).toISOString() : null });

export async function sortOrders(db: Kysely<DB>, actor: Actor) {
  const rows = await tpsInScope(db, actor).orderBy('tp.code').execute();
  return { rows: rows.map(sortRow) };
}

export async function setSortOrder(db: Kysely<DB>, actor: Actor, tpCode: string, sort: SortKey) {
  return db.transaction().execute(async (trx) => {
    const tp = await mustFind(tpsInScope(trx, actor).where('tp.code', '=', tpCode).executeTakeFirst(), '教学点');
    const now = new Date();
    await trx.insertInto('doc_sort_order').values({ tp_id: tp.id, sort, updated_by: actor.id, updated_at: now })
      .onConflict((oc) => oc.column('tp_id').doUpdateSet({ sort, updated_by: actor.id, updated_at: now })).execute();
    await recordOperation(trx, actor, [{ action: '设置文档排序标准', objectType: 'org_node', objectId: tp.id, nodePath: tp.path,
      before: { sort: tp.sort ?? 'student_no' }, after: { sort } }]);
    return sortRow({ ...tp, sort, updated_at: now });
  });
}
