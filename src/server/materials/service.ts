import { sql, type Kysely } from 'kysely';
import type { Actor } from '../platform/auth.ts';
import { runBulk, type BulkResult } from '../platform/bulk.ts';
import { recordOperation } from '../platform/oplog.ts';
import { errors } from '../platform/errors.ts';
import { renderToBuffer } from '../platform/pdf.ts';
import { ADMINS, OFFICES, inScope, requireRole } from '../platform/scope.ts';
import type { DB } from '../platform/tables.ts';
import { hasGraduationPhoto } from '../photos/service.ts';
import { issuingSchool, notGraduatingPdfOptions, printDate, renderNotGraduating } from '../documents/service.ts';
import {
  MATERIAL_ITEMS, type ListQuery, type MarkBody, type MaterialItem, type NotGraduatingFilter, type NotGraduatingRow,
} from '../../shared/contract/materials.ts';
import { materialErrors } from './errors.ts';

/**
 * Step 七 of seed 000: for each graduate of a batch (同意毕业 in 预毕业确认), the four papers handed in at
 * the school — the teaching point ticks each as it prepares it, the branch as it receives it — with counts
 * per teaching point; and the 未办理毕业学生统计表: the batch's students at a teaching point who are not
 * graduating, each with why.
 */

const iso = (d: Date | string | null | undefined) => (d ? new Date(d).toISOString() : null);

function graduates(db: Kysely<DB>, actor: Actor, batch: string) {
  return db.selectFrom('graduate as g').innerJoin('student as s', 's.id', 'g.student_id').innerJoin('org_node as tp', 'tp.id', 'g.tp_id')
    .where('g.batch_code', '=', batch).where('g.confirm_status', '=', '同意毕业')
    .where(inScope(actor, 'g.node_path', 'g.student_id', 'g.tp_id'));
}

const countOf = (col: 'prepared_at' | 'received_at') =>
  sql<number>`(select count(*)::int from graduate_material m where m.graduate_id = g.id and m.${sql.ref(col)} is not null)`;

function filtered(db: Kysely<DB>, actor: Actor, f: Omit<ListQuery, 'page' | 'page_size'>) {
  let q = graduates(db, actor, f.batch);
  if (f.tp_code) q = q.where('tp.code', '=', f.tp_code);
  if (f.major) q = q.where('s.major', '=', f.major);
  if (f.q) {
    const term = f.q.trim();
    q = q.where((eb) => eb.or([eb('s.name', '=', term), eb('s.student_no', '=', term)]));
  }
  if (f.state === '未备齐') q = q.where(countOf('prepared_at'), '<', MATERIAL_ITEMS.length);
  if (f.state === '待接收') q = q.where(countOf('prepared_at'), '=', MATERIAL_ITEMS.length).where(countOf('received_at'), '<', MATERIAL_ITEMS.length);
  if (f.state === '已接收') q = q.where(countOf('received_at'), '=', MATERIAL_ITEMS.length);
  return q;
}

export async function list(db: Kysely<DB>, actor: Actor, f: ListQuery) {
  requireRole(actor, OFFICES, '查看毕业材料');
  const total = Number((await filtered(db, actor, f).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n);
  const rows = await filtered(db, actor, f)
    .leftJoin('org_node as c', 'c.id', 's.class_id')
    .leftJoin('graduate_form as gf', 'gf.graduate_id', 'g.id')
    .select(['g.id as graduate_id', 's.id as student_id', 's.student_no', 's.name', 's.major', 's.level', 'tp.code as tp_code', 'tp.name as tp_name', 'c.name as class_name',
      sql<string>`coalesce(gf.state, '学生未填写')`.as('form_state'),
      hasGraduationPhoto('s.id').as('has_photo'),
      sql<{ item: MaterialItem; prepared_at: string | null; received_at: string | null }[] | null>`(select json_agg(json_build_object('item', m.item, 'prepared_at', m.prepared_at, 'received_at', m.received_at)) from graduate_material m where m.graduate_id = g.id)`.as('marks')])
    .orderBy('tp.code').orderBy('s.student_no')
    .limit(f.page_size).offset((f.page - 1) * f.page_size).execute();
  return {
    total,
    rows: rows.map(({ marks, ...r }) => {
      const items = Object.fromEntries(MATERIAL_ITEMS.map((i) => [i, { prepared_at: null as string | null, received_at: null as string | null }])) as Record<MaterialItem, { prepared_at: string | null; received_at: string | null }>;
      for (const m of marks ?? []) items[m.item] = { prepared_at: iso(m.prepared_at), received_at: iso(m.received_at) };
      return { ...r, items };
    }),
  };
}

/** One paper of one graduate a tick names, as it stands (the row of the bulk-action frame: `id` is the graduate's). */
interface Paper {
  id: number;
  item: MaterialItem;
  node_path: string;
  batch_code: string;
  confirm_status: string;
  student_no: string;
  name: string;
  prepared: boolean;
  received: boolean;
}

/**
 * Ticks (or unticks) papers through the bulk-action frame: the teaching point's 已备齐, or the school's 已接收
 * (which also counts as prepared: a paper in the school's hands was prepared). Per paper: one outside the
 * caller's scope is not found; one already as asked is unchanged; one of a graduate not agreed in this batch,
 * or unticking 已备齐 of a received paper, is refused. One statement changes the rest; one log entry says what.
 */
export async function mark(db: Kysely<DB>, actor: Actor, body: MarkBody): Promise<BulkResult> {
  const receive = body.action === 'receive';
  requireRole(actor, receive ? ADMINS : OFFICES, receive ? '确认接收毕业材料（学校）' : '标记毕业材料已备齐');
  // A paper ticked twice in one request is one paper.
  const asked = [...new Map(body.items.map((i) => [`${i.graduate_id}:${i.item}`, i])).values()];
  return db.transaction().execute(async (trx) => {
    const ids = [...new Set(asked.map((i) => i.graduate_id))];
    const found = new Map((await trx.selectFrom('graduate as g').innerJoin('student as s', 's.id', 'g.student_id')
      .where('g.id', 'in', ids).where(inScope(actor, 'g.node_path', 'g.student_id', 'g.tp_id'))
      .select(['g.id', 'g.node_path', 'g.batch_code', 'g.confirm_status', 's.student_no', 's.name']).execute()).map((g) => [g.id, g]));
    const marks = new Map((await trx.selectFrom('graduate_material').select(['graduate_id', 'item', 'prepared_at', 'received_at'])
      .where('graduate_id', 'in', ids).orderBy('graduate_id').orderBy('item').forUpdate().execute()).map((m) => [`${m.graduate_id}:${m.item}`, m]));
    const rows: Paper[] = asked.flatMap((i) => {
      const g = found.get(i.graduate_id);
      const m = marks.get(`${i.graduate_id}:${i.item}`);
      return g ? [{ ...g, item: i.item, prepared: m?.prepared_at != null, received: m?.received_at != null }] : [];
    });
    const now = new Date();
    return runBulk(trx, actor, {
      asked: asked.map((i) => ({ id: i.graduate_id })),
      notFound: '该毕业生不存在，或不在您的管理范围内',
      rows,
      who: (p) => ({ student_no: p.student_no, name: p.name }),
      unchanged: (p) => (receive ? p.received : p.prepared) === body.done,
      check: (p) => {
        if (p.batch_code !== body.batch || p.confirm_status !== '同意毕业') {
          return { code: 'NOT_GRADUATING', message: `该生未在毕业批次 ${body.batch} 同意毕业，无需提交毕业材料` };
        }
        if (!receive && !body.done && p.received) return { code: 'WRONG_STATE', message: `学校已接收该生的${p.item}，不能取消“已备齐”` };
        return null;
      },
      apply: async (papers) => {
        if (!body.done) {
          const set = receive ? sql`received_at = null, received_by = null` : sql`prepared_at = null, prepared_by = null`;
          await sql`update graduate_material m set ${set}
            from unnest(${papers.map((p) => p.id)}::int[], ${papers.map((p) => p.item)}::text[]) as u(graduate_id, item)
            where m.graduate_id = u.graduate_id and m.item = u.item`.execute(trx);
          return;
        }
        const prepared = { prepared_at: now, prepared_by: actor.id };
        const values = papers.map((p) => ({
          graduate_id: p.id, item: p.item, node_path: p.node_path, ...prepared, ...(receive ? { received_at: now, received_by: actor.id } : {}),
        }));
        await trx.insertInto('graduate_material').values(values)
          .onConflict((oc) => oc.columns(['graduate_id', 'item']).doUpdateSet((eb) => ({
            // A second tick keeps the first time and person.
            prepared_at: eb.fn.coalesce('graduate_material.prepared_at', 'excluded.prepared_at'),
            prepared_by: eb.fn.coalesce('graduate_material.prepared_by', 'excluded.prepared_by'),
            ...(receive ? {
              received_at: eb.fn.coalesce('graduate_material.received_at', 'excluded.received_at'),
              received_by: eb.fn.coalesce('graduate_material.received_by', 'excluded.received_by'),
            } : {}),
          }))).execute();
      },
      logAll: (papers) => [{
        action: receive ? (body.done ? '确认接收毕业材料' : '取消接收毕业材料') : (body.done ? '标记毕业材料已备齐' : '取消毕业材料已备齐'),
        objectType: 'graduate_material', objectId: body.batch, nodePath: actor.nodePath,
        after: { batch: body.batch, items: papers.map((p) => ({ graduate_id: p.id, item: p.item })) },
      }],
    });
  });
}

type Counts = Record<MaterialItem, number>;
const zero = (): Counts => ({ 信息采集照片: 0, 成绩单: 0, 入学登记表: 0, 毕业生登记表: 0 });

/** 各教学点: graduates, each paper prepared and received, and graduates with all four. */
export async function summary(db: Kysely<DB>, actor: Actor, batch: string) {
  requireRole(actor, OFFICES, '查看毕业材料');
  const [perTp, perItem] = await Promise.all([
    graduates(db, actor, batch).groupBy(['tp.code', 'tp.name']).orderBy('tp.code')
      .select(['tp.code as tp_code', 'tp.name as tp_name', sql<number>`count(*)::int`.as('graduates'),
        sql<number>`count(*) filter (where ${countOf('prepared_at')} = ${MATERIAL_ITEMS.length})::int`.as('all_prepared'),
        sql<number>`count(*) filter (where ${countOf('received_at')} = ${MATERIAL_ITEMS.length})::int`.as('all_received')])
      .execute(),
    graduates(db, actor, batch).innerJoin('graduate_material as m', 'm.graduate_id', 'g.id').groupBy(['tp.code', 'm.item'])
      .select(['tp.code as tp_code', 'm.item', sql<number>`count(m.prepared_at)::int`.as('prepared'), sql<number>`count(m.received_at)::int`.as('received')])
      .execute(),
  ]);
  return {
    rows: perTp.map((t) => {
      const prepared = zero();
      const received = zero();
      for (const m of perItem.filter((x) => x.tp_code === t.tp_code)) {
        prepared[m.item] = m.prepared;
        received[m.item] = m.received;
      }
      return { ...t, prepared, received };
    }),
  };
}

// ——— 未办理毕业学生统计表 ———

/**
 * The batch's students who are not graduating in it, with every reason that applies: not agreed in
 * 预毕业确认 (and the teaching point's reason), not meeting the rules (which), failed the audit, and for
 * those agreed: the 毕业生登记表 not approved, no 毕业证照片. With a 学籍批次, also that cohort's students
 * who are not among the batch's candidates at all (休学, study time not reached, …).
 */
export async function notGraduating(db: Kysely<DB>, actor: Actor, f: NotGraduatingFilter) {
  requireRole(actor, OFFICES, '未办理毕业学生统计');
  const cohort = (q: string) => (f.cohort ? (f.cohort.length === 4 ? sql<boolean>`${sql.ref(q)} like ${`${f.cohort}%`}` : sql<boolean>`${sql.ref(q)} = ${f.cohort}`) : sql<boolean>`true`);
  let candidates = db.selectFrom('graduate as g').innerJoin('student as s', 's.id', 'g.student_id').innerJoin('org_node as tp', 'tp.id', 'g.tp_id')
    .leftJoin('graduate_form as gf', 'gf.graduate_id', 'g.id')
    .where('g.batch_code', '=', f.batch).where(inScope(actor, 'g.node_path', 'g.student_id', 'g.tp_id')).where(cohort('s.cohort'))
    .select(['s.student_no', 's.name', 's.major', 's.level', 's.cohort', 'tp.code as tp_code', 'tp.name as tp_name',
      'g.confirm_status', 'g.confirm_reason', 'g.eligible', 'g.reasons', 'g.audit_status',
      sql<string>`coalesce(gf.state, '学生未填写')`.as('form_state'),
      hasGraduationPhoto('s.id').as('has_photo')]);
  if (f.tp_code) candidates = candidates.where('tp.code', '=', f.tp_code);
  const rows: NotGraduatingRow[] = [];
  for (const g of await candidates.orderBy('tp.code').orderBy('s.student_no').execute()) {
    const why: string[] = [];
    if (g.confirm_status === '待确认') why.push('未办理预毕业确认');
    if (g.confirm_status === '不同意') why.push(`教学点不同意毕业${g.confirm_reason ? `：${g.confirm_reason}` : ''}`);
    if (!g.eligible) why.push(`不符合毕业条件${g.reasons.length ? `：${g.reasons.join('；')}` : ''}`);
    if (g.audit_status === '不通过') why.push('毕业审核未通过');
    if (g.confirm_status === '同意毕业') {
      if (g.form_state !== '总部已填写') why.push(`毕业生登记表未完成（${g.form_state}）`);
      if (!g.has_photo) why.push('缺毕业证照片');
    }
    if (why.length) {
      const { confirm_status: _c, confirm_reason: _r, eligible: _e, reasons: _rs, audit_status: _a, form_state: _f, has_photo: _h, ...s } = g;
      rows.push({ ...s, reason: why.join('；') });
    }
  }
  if (f.cohort) {
    let others = db.selectFrom('student as s').innerJoin('org_node as tp', 'tp.id', 's.tp_id')
      .where(inScope(actor, 's.node_path', 's.id', 's.tp_id')).where(cohort('s.cohort')).where('s.status', 'in', ['在籍', '休学'])
      .where((eb) => eb.not(eb.exists(eb.selectFrom('graduate as g').select('g.id').whereRef('g.student_id', '=', 's.id').where('g.batch_code', '=', f.batch))))
      .select(['s.student_no', 's.name', 's.major', 's.level', 's.cohort', 'tp.code as tp_code', 'tp.name as tp_name', 's.status']);
    if (f.tp_code) others = others.where('tp.code', '=', f.tp_code);
    for (const s of await others.orderBy('tp.code').orderBy('s.student_no').execute()) {
      const { status, ...r } = s;
      rows.push({ ...r, reason: status === '休学' ? '休学' : '未列入本批次毕业候选（未达到最低学习年限，或已在其他批次办理）' });
    }
    rows.sort((a, b) => (a.tp_code === b.tp_code ? (a.student_no < b.student_no ? -1 : 1) : a.tp_code < b.tp_code ? -1 : 1));
  }
  return { total: rows.length, rows };
}

/** The teaching point a printed 未办理毕业学生统计表 is for: the caller's own, or the one asked (in scope). */
async function statementTp(db: Kysely<DB>, actor: Actor, tpCode: string | undefined) {
  if (actor.nodeKind === 'tp') {
    if (tpCode && tpCode !== actor.nodeCode) throw errors.notFound('教学点');
    return { code: actor.nodeCode, name: actor.nodeName };
  }
  if (!tpCode) throw materialErrors.statementNeedsTp();
  const tp = await db.selectFrom('org_node').select(['code', 'name']).where('kind', '=', 'tp').where('code', '=', tpCode)
    .where(inScope(actor, 'path')).executeTakeFirst();
  if (!tp) throw errors.notFound('教学点');
  return tp;
}

/** The school a teaching point's papers are issued by (documents/load.ts issuingSchool). */
async function schoolOf(db: Kysely<DB>, tpCode: string): Promise<string> {
  const r = await db.selectFrom('org_node as tp').where('tp.code', '=', tpCode).where('tp.kind', '=', 'tp')
    .select(issuingSchool('tp.path').as('school')).executeTakeFirst();
  return r?.school ?? '';
}

/** 未办理毕业学生统计表 for the Excel file: the rows, with the export in the operation log. */
export async function exportNotGraduating(db: Kysely<DB>, actor: Actor, f: NotGraduatingFilter) {
  const { rows } = await notGraduating(db, actor, f);
  await recordOperation(db, actor, [{ action: '导出未办理毕业学生统计表', objectType: 'batch', objectId: f.batch, nodePath: actor.nodePath, after: { ...f, rows: rows.length } }]);
  return rows;
}

/** 未办理毕业学生统计表 on paper: one teaching point, with the place for the stamp. */
export async function printNotGraduating(db: Kysely<DB>, actor: Actor, f: NotGraduatingFilter) {
  const tp = await statementTp(db, actor, f.tp_code);
  const { rows } = await notGraduating(db, actor, { ...f, tp_code: tp.code });
  const school = await schoolOf(db, tp.code);
  const { pdf } = await renderToBuffer(renderNotGraduating, {
    school, tpCode: tp.code, tpName: tp.name, batch: f.batch, cohort: f.cohort ?? null, printedOn: printDate(),
    rows: rows.map((r) => ({ studentNo: r.student_no, name: r.name, major: r.major, level: r.level, cohort: r.cohort, reason: r.reason })),
  }, notGraduatingPdfOptions);
  await recordOperation(db, actor, [{ action: '打印未办理毕业学生统计表', objectType: 'batch', objectId: f.batch, nodePath: actor.nodePath, after: { tp_code: tp.code, rows: rows.length } }]);
  return { pdf, name: `未办理毕业学生统计表_${f.batch}_${tp.code}.pdf` };
}
