import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../platform/tables.ts';
import type { Actor } from '../platform/auth.ts';
import { errors } from '../platform/errors.ts';
import { recordOperation, type OperationEntry } from '../platform/oplog.ts';
import { runBulk, type BulkResult } from '../platform/bulk.ts';
import { inScope, mustFind } from '../platform/scope.ts';
import { missingGlyphs } from '../platform/pdf.ts';
import { idCardInfo, maskIdCard } from '../../shared/idcard.ts';
import { stepName, type StepKey } from '../../shared/steps.ts';
import {
  FORM_FIELDS, FORM_FIELD_KEYS, FORM_STATES, type ApproveItem, type DraftBody, type FormField, type FormState, type FormView, type ListFilter,
  type OpinionItem, type PhraseBody,
} from '../../shared/contract/forms.ts';
import { windowClosedError, windowState, windowsFor, type WindowVerdict } from '../batches/service.ts';
import { formErrors } from './errors.ts';
import * as q from './queries.ts';

/** For the 毕业生登记表 export (documents): the forms in scope and under a query. */
export { forms, selected } from './queries.ts';

type Texts = Record<FormField, string>;

const iso = (d: Date | string | null) => (d == null ? null : new Date(d).toISOString());
const day = (d: unknown) => String(d instanceof Date ? d.toISOString() : d).slice(0, 10);

function present(r: q.Detail): FormView {
  const opinion = (text: string | null, by: string | null, at: Date | null) => (text == null ? null : { text, by, at: iso(at) });
  return {
    id: r.id,
    version: Number(r.version),
    state: r.state,
    batch_code: r.batch_code,
    graduate_batch: r.graduate_batch,
    identity: {
      student_no: r.student_no, name: r.name, gender: r.gender, id_number: r.id_number, birth_date: idCardInfo(r.id_number)?.birthDate ?? null,
      ethnicity: r.ethnicity, political_status: r.political_status, cohort: r.cohort, level: r.level, major: r.major,
      tp_code: r.tp_code, tp_name: r.tp_name, class_code: r.class_code, class_name: r.class_name,
      entry_date: day(r.entry_date), study_from: day(r.entry_date), study_to: day(r.issue_date),
      photo_id: r.photo_id == null ? null : Number(r.photo_id), photo_url: r.photo_id == null ? null : `/api/photos/${r.photo_id}/image`,
    },
    texts: {
      self_assessment: r.self_assessment ?? '', study_summary: r.study_summary ?? '', practice_summary: r.practice_summary ?? '',
      rewards: r.rewards ?? '', punishments: r.punishments ?? '',
    },
    opinions: {
      head_teacher: opinion(r.head_teacher_opinion, r.head_teacher_name, r.head_teacher_at),
      tp: opinion(r.tp_opinion, r.tp_name_by, r.tp_at),
      school: opinion(r.school_opinion, r.school_name, r.school_at),
    },
    saved_at: iso(r.saved_at),
    submitted_at: iso(r.submitted_at),
    return_reason: r.return_reason,
    returned_at: iso(r.returned_at),
  };
}

// ——— The texts: what the printed form can hold ———

/** Line endings as one, tabs as a space, other control characters dropped, the ends trimmed. */
function normalise(s: string): string {
  return s.replace(/\r\n?/g, '\n').replace(/\t/g, ' ').replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, '').trim();
}

const quoteAll = (chars: string[]) => chars.map((c) => `“${c}”`).join('');

/** Every problem of every box at once, so the student fixes them in one go; nothing is saved while any remains. */
function checkTexts(texts: Texts, submitting: boolean): void {
  const problems: { field: FormField; message: string; chars?: string[] }[] = [];
  for (const key of FORM_FIELD_KEYS) {
    const { label, max, lines, min } = FORM_FIELDS[key];
    const text = texts[key];
    const length = [...text].length;
    if (length > max) problems.push({ field: key, message: `${label}超过 ${max} 字（现 ${length} 字），请删减到 ${max} 字以内` });
    const breaks = text.split('\n').length - 1;
    if (breaks > lines) problems.push({ field: key, message: `${label}换行过多（${breaks} 处，登记表上最多 ${lines} 处），请合并段落` });
    const missing = missingGlyphs(text.replace(/\n/g, ''));
    if (missing.length) {
      problems.push({ field: key, chars: missing, message: `${label}中有打印字体无法显示的字符 ${quoteAll(missing)}（打印出来是空白），请改用常用字或删去这些字符` });
    }
    if (submitting && length < min) problems.push({ field: key, message: `${label}不少于 ${min} 字（现 ${length} 字），请写完整后再提交` });
  }
  if (problems.length) throw formErrors.text(`${problems.map((p) => p.message).join('；')}。未做任何更改。`, problems);
}

function checkPrintable(label: string, text: string): void {
  const missing = missingGlyphs(text.replace(/\n/g, ''));
  if (missing.length) {
    throw formErrors.text(`${label}中有打印字体无法显示的字符 ${quoteAll(missing)}（打印出来是空白），请改用常用字或删去这些字符。未做任何更改。`, { chars: missing });
  }
}

// ——— The student ———

async function verdictFor(db: Kysely<DB> | Transaction<DB>, batch: string, step: StepKey, path: string): Promise<WindowVerdict | null> {
  const s = await windowState(db, batch, step, [path]);
  return s.window ? s.verdicts.get(path)! : null;
}

export async function myForm(db: Kysely<DB> | Transaction<DB>, actor: Actor) {
  const own = await q.ownGraduateId(db, actor);
  if (!own) throw formErrors.notGraduate();
  const row = await mustFind(q.details(db, actor).where('g.id', '=', own.id).executeTakeFirst(), '毕业生登记表');
  const v = await verdictFor(db, row.graduate_batch, 'student_forms', row.node_path);
  return {
    ...present(row),
    window: v ? { step: stepName('student_forms'), starts_on: v.starts_on, ends_on: v.ends_on, open: v.open } : null,
    can_edit: row.state === '学生未填写',
  };
}

/**
 * Saves what the student wrote; with `submit`, also hands it to the teaching point (函授站未填写), after
 * which it is locked until an office returns it. A draft may be saved at any time while the form is the
 * student's; submitting needs the 填写毕业生登记表 window (seed 000 二) — or, for a form an office returned,
 * the 填写意见 window in which the return happened (seed 000 四), so that the student can answer it.
 */
export async function saveMyForm(db: Kysely<DB>, actor: Actor, body: DraftBody, submit: boolean) {
  return db.transaction().execute(async (trx) => {
    const own = await q.ownGraduateId(trx, actor);
    if (!own) throw formErrors.notGraduate();
    const f = await q.lockOwnRow(trx, own.id);
    if (f.state !== '学生未填写') throw formErrors.locked(f.state);
    if (f.version !== body.version) throw formErrors.stale();
    // Any refusal below rolls back the row lockOwnRow may have created: nothing changes.
    const texts = Object.fromEntries(FORM_FIELD_KEYS.map((k) => [k, body[k] === undefined ? f[k] : normalise(body[k])])) as Texts;
    checkTexts(texts, submit);
    const g = await trx.selectFrom('graduate').select('batch_code').where('id', '=', own.id).executeTakeFirstOrThrow();
    if (submit) {
      const v = await verdictFor(trx, g.batch_code, 'student_forms', f.node_path);
      if (!v) throw errors.noWindow(stepName('student_forms'), g.batch_code);
      const reopened = !v.open && f.return_reason != null ? await verdictFor(trx, g.batch_code, 'opinions', f.node_path) : null;
      if (!v.open && !reopened?.open) throw windowClosedError('student_forms', v);
    }
    const now = new Date();
    await trx.updateTable('graduate_form').set({
      ...texts, saved_at: now, version: f.version + 1,
      ...(submit ? { state: '函授站未填写' as const, submitted_at: now, return_reason: null } : {}),
    }).where('graduate_id', '=', own.id).execute();
    const before = Object.fromEntries(FORM_FIELD_KEYS.map((k) => [k, f[k]]));
    await recordOperation(trx, actor, [{
      action: submit ? '提交毕业生登记表' : '保存毕业生登记表', objectType: 'graduate_form', objectId: own.id, nodePath: f.node_path,
      before: { state: f.state, ...before }, after: { state: submit ? '函授站未填写' : f.state, ...texts },
    }]);
    return myForm(trx, actor);
  });
}

// ——— 毕业生登记表管理 ———

export async function list(db: Kysely<DB>, actor: Actor, f: ListFilter) {
  const { total, rows, byState } = await q.listPage(db, actor, f);
  const counts = Object.fromEntries(FORM_STATES.map((s) => [s, 0])) as Record<FormState, number>;
  for (const c of byState) counts[c.state] = Number(c.n);
  return {
    total, page: f.page, page_size: f.page_size, counts,
    rows: rows.map(({ id_number, submitted_at, version, ...r }) => ({
      ...r, version: Number(version), id_number_masked: maskIdCard(id_number), submitted_at: iso(submitted_at),
    })),
  };
}

export async function one(db: Kysely<DB>, actor: Actor, id: number): Promise<FormView> {
  return present(await mustFind(q.details(db, actor).where('g.id', '=', id).executeTakeFirst(), '毕业生登记表'));
}

/** Forms for a renderer of the printed form: the caller's own, in the order of `ids`; missing ones left out. */
export async function forPrint(db: Kysely<DB>, actor: Actor, ids: number[]): Promise<FormView[]> {
  const rows = await q.details(db, actor).where('g.id', '=', sql<number>`any(${ids}::int[])`).execute();
  const byId = new Map(rows.map((r) => [r.id, present(r)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** Why a form in `state` cannot take the action; null when it can. */
function stateRefusal(action: 'opinions' | 'approve' | 'return', t: q.Target): string | null {
  const s: FormState = t.state;
  switch (action) {
    case 'opinions':
      if (s === '函授站未填写' || s === '函授站已填写') return null;
      if (s === '学生未填写') {
        return t.return_reason ? '登记表已退回学生修改，学生重新提交后才能填写意见' : '学生尚未提交登记表（学生未填写），请督促学生填写并提交后再填写意见';
      }
      return '学校已填写意见（总部已填写），登记表不能再修改';
    case 'approve':
      if (s === '函授站已填写') return null;
      if (s === '总部已填写') return '学校意见已填写（总部已填写），不能再修改';
      return `教学点尚未填写完班主任意见和函授站意见（当前：${s}），暂不能填写学校意见`;
    case 'return':
      if (s === '函授站未填写' || s === '函授站已填写') return null;
      if (s === '学生未填写') return t.return_reason ? '登记表已退回学生，尚未重新提交' : '学生尚未提交登记表，无需退回';
      return '学校已填写意见（总部已填写），不能退回';
  }
}

const STALE = '该登记表已被他人修改（或已在别处保存），请刷新页面后重试';

/**
 * Every bulk action on forms, through the bulk-action frame (platform/bulk.ts): lock the ticked forms, find
 * each in the caller's scope, skip what would not change, refuse per row (填写意见 window closed, page stale,
 * wrong state), then `change` the rest in one statement with their operation-log entries, in one transaction.
 */
async function bulk<I extends { id: number; version: number }>(
  db: Kysely<DB>, actor: Actor, action: 'opinions' | 'approve' | 'return', items: I[],
  same: (t: q.Target, i: I) => boolean,
  change: (trx: Transaction<DB>, rows: { t: q.Target; i: I }[]) => Promise<void>,
  log: (t: q.Target, i: I) => OperationEntry,
): Promise<BulkResult> {
  const byId = new Map(items.map((i) => [i.id, i]));
  const asked = (t: q.Target) => byId.get(t.id)!;
  return db.transaction().execute(async (trx) => {
    const targets = await q.lockTargets(trx, actor, [...byId.keys()]);
    // 填写意见 window of each graduate's batch, per teaching point (extensions count).
    const windows = new Map<string, Map<string, WindowVerdict>>();
    for (const batch of new Set(targets.map((t) => t.graduate_batch))) {
      windows.set(batch, await windowsFor(trx, batch, 'opinions', targets.filter((t) => t.graduate_batch === batch).map((t) => t.tp_path)));
    }
    return runBulk(trx, actor, {
      asked: [...byId.values()],
      notFound: '登记表不存在，或不在您的管理范围内',
      rows: targets,
      who: (t) => ({ student_no: t.student_no, name: t.name }),
      unchanged: (t) => same(t, asked(t)),
      window: (t) => {
        const v = windows.get(t.graduate_batch)!.get(t.tp_path)!;
        return { status: v, refuse: { code: 'WINDOW_CLOSED', message: windowClosedError('opinions', v).message } };
      },
      version: (t) => Number(t.version),
      stale: () => ({ code: 'STALE', message: STALE }),
      check: (t) => {
        const wrong = stateRefusal(action, t);
        return wrong ? { code: 'WRONG_STATE', message: wrong } : null;
      },
      apply: (rows) => change(trx, rows.map((t) => ({ t, i: asked(t) }))),
      log: (t) => log(t, asked(t)),
    });
  });
}


/**
 * 填写意见 (seed 000 四.3): 班主任意见 and 函授站意见 for many forms at once, each with its own text. A head
 * teacher writes only 班主任意见, and only for their class (the scope sees to that). A form with both
 * opinions is 函授站已填写.
 */
export async function writeOpinions(db: Kysely<DB>, actor: Actor, items: OpinionItem[]): Promise<BulkResult> {
  if (actor.role === 'head_teacher' && items.some((i) => i.tp_opinion !== undefined)) {
    throw errors.forbidden('填写函授站意见（班主任只能填写本班学生的班主任意见）');
  }
  for (const i of items) {
    if (i.head_teacher_opinion === undefined && i.tp_opinion === undefined) throw formErrors.opinionMissing();
    if (i.head_teacher_opinion) checkPrintable('班主任意见', i.head_teacher_opinion);
    if (i.tp_opinion) checkPrintable('函授站意见', i.tp_opinion);
  }
  const same = (t: q.Target, i: OpinionItem) => (t.state === '函授站未填写' || t.state === '函授站已填写')
    && (i.head_teacher_opinion === undefined || i.head_teacher_opinion === t.head_teacher_opinion)
    && (i.tp_opinion === undefined || i.tp_opinion === t.tp_opinion);
  return bulk(db, actor, 'opinions', items, same, async (trx, rows) => {
    const now = new Date();
    const ids = rows.map((r) => r.t.id);
    const hts = rows.map((r) => r.i.head_teacher_opinion ?? null);
    const tps = rows.map((r) => r.i.tp_opinion ?? null);
    await sql`
      update graduate_form f set
        head_teacher_opinion = coalesce(u.ht, f.head_teacher_opinion),
        head_teacher_by = case when u.ht is null then f.head_teacher_by else ${actor.id}::int end,
        head_teacher_at = case when u.ht is null then f.head_teacher_at else ${now}::timestamptz end,
        tp_opinion = coalesce(u.tp, f.tp_opinion),
        tp_by = case when u.tp is null then f.tp_by else ${actor.id}::int end,
        tp_at = case when u.tp is null then f.tp_at else ${now}::timestamptz end,
        state = case when coalesce(u.ht, f.head_teacher_opinion) is not null and coalesce(u.tp, f.tp_opinion) is not null
                     then '函授站已填写' else f.state end,
        version = f.version + 1
      from unnest(${ids}::int[], ${hts}::text[], ${tps}::text[]) as u(id, ht, tp)
      where f.graduate_id = u.id`.execute(trx);
  }, (t, i) => {
    const ht = i.head_teacher_opinion ?? t.head_teacher_opinion;
    const tp = i.tp_opinion ?? t.tp_opinion;
    return {
      action: '填写毕业生登记表意见', objectType: 'graduate_form', objectId: t.id, nodePath: t.node_path,
      before: { student_no: t.student_no, name: t.name, state: t.state, head_teacher_opinion: t.head_teacher_opinion, tp_opinion: t.tp_opinion },
      after: { student_no: t.student_no, name: t.name, state: ht != null && tp != null ? '函授站已填写' : t.state, head_teacher_opinion: ht, tp_opinion: tp },
    };
  });
}

/** 学校意见: the branch (the seed's 总部, the provincial school) approves; the form is filed under the graduate's batch. */
export async function approve(db: Kysely<DB>, actor: Actor, items: ApproveItem[]): Promise<BulkResult> {
  for (const i of items) checkPrintable('学校意见', i.school_opinion);
  const same = (t: q.Target, i: ApproveItem) => t.state === '总部已填写' && t.school_opinion === i.school_opinion;
  return bulk(db, actor, 'approve', items, same, async (trx, rows) => {
    const now = new Date();
    await sql`
      update graduate_form f set school_opinion = u.op, school_by = ${actor.id}::int, school_at = ${now}::timestamptz,
        state = '总部已填写', batch_code = g.batch_code, version = f.version + 1
      from unnest(${rows.map((r) => r.t.id)}::int[], ${rows.map((r) => r.i.school_opinion)}::text[]) as u(id, op), graduate g
      where f.graduate_id = u.id and g.id = u.id`.execute(trx);
  }, (t, i) => ({
    action: '填写学校意见', objectType: 'graduate_form', objectId: t.id, nodePath: t.node_path,
    before: { student_no: t.student_no, name: t.name, state: t.state, batch_code: t.batch_code, school_opinion: t.school_opinion },
    after: { student_no: t.student_no, name: t.name, state: '总部已填写', batch_code: t.graduate_batch, school_opinion: i.school_opinion },
  }));
}

/**
 * 退回: back to the student (学生未填写) with the reason, which the student sees. The opinions written are
 * cleared (the audit log keeps them): they were about the form as it was.
 */
export async function sendBack(db: Kysely<DB>, actor: Actor, items: { id: number; version: number }[], reason: string): Promise<BulkResult> {
  checkPrintable('退回原因', reason);
  const same = (t: q.Target) => t.state === '学生未填写' && t.return_reason === reason;
  return bulk(db, actor, 'return', items, same, async (trx, rows) => {
    const now = new Date();
    await trx.updateTable('graduate_form').set((eb) => ({
      state: '学生未填写', return_reason: reason, returned_by: actor.id, returned_at: now,
      head_teacher_opinion: null, head_teacher_by: null, head_teacher_at: null, tp_opinion: null, tp_by: null, tp_at: null,
      version: eb('version', '+', 1),
    })).where('graduate_id', '=', sql<number>`any(${rows.map((r) => r.t.id)}::int[])`).execute();
  }, (t) => ({
    action: '退回毕业生登记表', objectType: 'graduate_form', objectId: t.id, nodePath: t.node_path,
    before: { student_no: t.student_no, name: t.name, state: t.state, head_teacher_opinion: t.head_teacher_opinion, tp_opinion: t.tp_opinion },
    after: { student_no: t.student_no, name: t.name, state: '学生未填写', return_reason: reason },
  }));
}

// ——— 常用意见 ———

/** The phrases the caller may use: its own node's and those of the nodes above it. */
export async function phrases(db: Kysely<DB>, actor: Actor) {
  const rows = await db.selectFrom('opinion_phrase as p').innerJoin('org_node as n', 'n.id', 'p.node_id')
    .where(sql<boolean>`starts_with(${actor.nodePath}, p.node_path)`)
    .select(['p.id', 'p.kind', 'p.text', 'p.sort', 'p.node_id', 'n.name as node_name', 'n.path'])
    .orderBy('p.kind').orderBy(sql`length(n.path)`).orderBy('p.sort').orderBy('p.id').execute();
  return { rows: rows.map(({ node_id, path: _p, ...r }) => ({ ...r, mine: node_id === actor.nodeId })) };
}

export async function addPhrase(db: Kysely<DB>, actor: Actor, body: PhraseBody) {
  checkPrintable('常用意见', body.text);
  return db.transaction().execute(async (trx) => {
    const row = await trx.insertInto('opinion_phrase').values({
      node_id: actor.nodeId, node_path: actor.nodePath, kind: body.kind, text: body.text, sort: body.sort, created_by: actor.id,
    }).returning(['id', 'kind', 'text', 'sort']).executeTakeFirstOrThrow();
    await recordOperation(trx, actor, [{ action: '新增常用意见', objectType: 'opinion_phrase', objectId: row.id, nodePath: actor.nodePath, after: body }]);
    return { ...row, node_name: actor.nodeName, mine: true };
  });
}

/** An office removes a phrase of its own node or of a node below it. */
export async function deletePhrase(db: Kysely<DB>, actor: Actor, id: number) {
  return db.transaction().execute(async (trx) => {
    const p = await mustFind(trx.selectFrom('opinion_phrase').selectAll().where('id', '=', id)
      .where(inScope(actor, 'node_path')).forUpdate().executeTakeFirst(), '常用意见');
    await trx.deleteFrom('opinion_phrase').where('id', '=', id).execute();
    await recordOperation(trx, actor, [{ action: '删除常用意见', objectType: 'opinion_phrase', objectId: id, nodePath: p.node_path, before: { kind: p.kind, text: p.text } }]);
    return { deleted: 1 };
  });
}
