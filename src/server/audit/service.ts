import { sql, type Kysely } from 'kysely';
import type { DB } from '../platform/tables.ts';
import type { Actor } from '../platform/auth.ts';
import { z } from 'zod';
import type { Jobs } from '../platform/jobs.ts';
import { errors } from '../platform/errors.ts';
import { inScope, mustFind, requireRole } from '../platform/scope.ts';
import { recordOperation } from '../platform/oplog.ts';
import { addDays } from '../platform/clock.ts';
import { deadlineStatus, windowStatus } from '../platform/window.ts';
import { runBulk, type BulkResult } from '../platform/bulk.ts';
import { maskIdCard } from '../../shared/idcard.ts';
import type {
  AuditRound, AuditRounds, ExceptionInput, ExtensionInput, GroupBy, ResultFilter, RoundCreate, RoundInput, UrgentDeadlineInput,
} from '../../shared/contract/audit.ts';
import { recomputeCurrentBatch, RULE_NAMES, type RuleKey } from '../eligibility/service.ts';
import { graduateRound } from '../students/service.ts';
import { auditChunk, scopedResults, START, summarise, type Cursor } from './queries.ts';
import { auditErrors, urgentRefusals } from './errors.ts';

export const ROUND_JOB = 'audit.round';
/** Graduates per statement: small enough to report progress often, large enough to stay set-based. */
export const CHUNK = 20_000;

type BatchRow = { code: string; closing_date: string | null; exemption_deadline: string | null; urgent_deadline: string | null };

async function batchRow(db: Kysely<DB>, code: string): Promise<BatchRow> {
  const b = await db.selectFrom('batch').select(['code', 'closing_date', 'exemption_deadline', 'urgent_deadline'])
    .where('code', '=', code).executeTakeFirst();
  if (!b) throw errors.unknownBatch(code);
  return b;
}

/** The batch's audit closes after its closing date (the one window rule). */
const isClosed = (b: BatchRow) => !deadlineStatus(b.closing_date).open;

function assertBatchOpen(b: BatchRow): void {
  if (isClosed(b)) throw auditErrors.batchClosed(b.code, b.closing_date ?? '');
}

/** 加急 marking and reporting close on the batch's urgent deadline (seed 003 二.3). */
function assertUrgentOpen(b: BatchRow): void {
  if (!deadlineStatus(b.urgent_deadline).open) throw auditErrors.urgentClosed(b.urgent_deadline ?? '');
}

function roundSelect(db: Kysely<DB>) {
  return db.selectFrom('audit_round as r').select((eb) => [
    'r.id', 'r.batch_code', 'r.name', 'r.kind', 'r.starts_on', 'r.ends_on', 'r.grades_from', 'r.grades_to', 'r.status',
    'r.cancel_reason', 'r.audited_at', 'r.audited_count', 'r.task_id', 'r.published_at',
    eb.selectFrom('audit_result as x').whereRef('x.round_id', '=', 'r.id').where('x.passed', '=', true).select(sql<number>`count(*)::int`.as('n')).as('passed'),
    eb.selectFrom('audit_result as x').whereRef('x.round_id', '=', 'r.id').where('x.passed', '=', false).select(sql<number>`count(*)::int`.as('n')).as('failed'),
  ]);
}

type RoundRow = Awaited<ReturnType<ReturnType<typeof roundSelect>['executeTakeFirstOrThrow']>>;

function presentRound(r: RoundRow): AuditRound {
  return {
    ...r,
    audited_at: r.audited_at ? new Date(r.audited_at).toISOString() : null,
    published_at: r.published_at ? new Date(r.published_at).toISOString() : null,
    passed: Number(r.passed ?? 0), failed: Number(r.failed ?? 0),
  };
}

/** A round as the actor may see it: branches and teaching points see results only once published. */
async function visibleRound(db: Kysely<DB>, actor: Actor, id: number) {
  const r = await mustFind(roundSelect(db).where('r.id', '=', id).executeTakeFirst(), '审核批次');
  if (actor.role !== 'hq_admin' && !r.published_at) throw errors.notFound('审核批次');
  return r;
}

export async function listRounds(db: Kysely<DB>, actor: Actor, batch: string): Promise<AuditRounds> {
  const b = await batchRow(db, batch);
  let q = roundSelect(db).where('r.batch_code', '=', batch).orderBy('r.starts_on').orderBy('r.id');
  if (actor.role !== 'hq_admin') q = q.where('r.published_at', 'is not', null);
  const rounds = (await q.execute()).map(presentRound);
  if (actor.role !== 'hq_admin' && rounds.length) {
    // A branch or teaching point counts only its own subtree's results.
    const own = await db.selectFrom('audit_result as x').where('x.round_id', 'in', rounds.map((r) => r.id)).where(inScope(actor, 'x.node_path'))
      .groupBy('x.round_id')
      .select(['x.round_id', sql<number>`count(*) filter (where x.passed)::int`.as('passed'), sql<number>`count(*) filter (where not x.passed)::int`.as('failed')])
      .execute();
    for (const r of rounds) {
      const c = own.find((o) => o.round_id === r.id) ?? { passed: 0, failed: 0 };
      Object.assign(r, { passed: c.passed, failed: c.failed, audited_count: c.passed + c.failed });
    }
  }
  const waiting = await db.selectFrom('graduate as g')
    .where('g.batch_code', '=', batch).where('g.confirm_status', '=', '同意毕业').where('g.audit_status', '<>', '通过')
    .where(inScope(actor, 'g.node_path', undefined, 'g.tp_id'))
    .select([
      sql<number>`count(*) filter (where g.submission_id is not null)::int`.as('reported'),
      sql<number>`count(*) filter (where g.submission_id is null)::int`.as('unreported'),
      sql<number>`count(*) filter (where g.urgent)::int`.as('urgent'),
    ]).executeTakeFirstOrThrow();
  return { batch: { ...b, closed: isClosed(b), urgent_window: deadlineStatus(b.urgent_deadline) }, rounds, waiting };
}

export async function getRound(db: Kysely<DB>, actor: Actor, id: number): Promise<AuditRound> {
  const r = presentRound(await visibleRound(db, actor, id));
  if (actor.role !== 'hq_admin') {
    const c = await db.selectFrom('audit_result as x').where('x.round_id', '=', id).where(inScope(actor, 'x.node_path'))
      .select([sql<number>`count(*) filter (where x.passed)::int`.as('passed'), sql<number>`count(*) filter (where not x.passed)::int`.as('failed')])
      .executeTakeFirstOrThrow();
    Object.assign(r, { passed: c.passed, failed: c.failed, audited_count: c.passed + c.failed, task_id: null });
  }
  return r;
}

export async function createRound(db: Kysely<DB>, actor: Actor, input: RoundCreate): Promise<AuditRound> {
  const b = await batchRow(db, input.batch);
  assertBatchOpen(b);
  // The round's last day must still be within the batch (its closing date counts).
  if (!deadlineStatus(b.closing_date, input.ends_on).open) throw auditErrors.roundAfterClosing(b.code, b.closing_date ?? '');
  return db.transaction().execute(async (trx) => {
    const { id } = await trx.insertInto('audit_round').values({
      batch_code: input.batch, name: input.name, kind: input.kind, starts_on: input.starts_on, ends_on: input.ends_on,
      grades_from: input.grades_from ?? null, grades_to: input.grades_to ?? null,
    }).returning('id').executeTakeFirstOrThrow();
    await recordOperation(trx, actor, [{ action: '新建审核批次', objectType: 'audit_round', objectId: id, nodePath: actor.nodePath, after: input }]);
    return presentRound(await roundSelect(trx).where('r.id', '=', id).executeTakeFirstOrThrow());
  });
}

export async function updateRound(db: Kysely<DB>, actor: Actor, id: number, input: RoundInput): Promise<AuditRound> {
  return db.transaction().execute(async (trx) => {
    const before = await mustFind(trx.selectFrom('audit_round').selectAll().where('id', '=', id).forUpdate().executeTakeFirst(), '审核批次');
    if (before.published_at) throw auditErrors.roundPublished(before.name);
    await trx.updateTable('audit_round').set({
      name: input.name, starts_on: input.starts_on, ends_on: input.ends_on,
      grades_from: input.grades_from ?? null, grades_to: input.grades_to ?? null,
    }).where('id', '=', id).execute();
    await recordOperation(trx, actor, [{ action: '修改审核批次', objectType: 'audit_round', objectId: id, nodePath: actor.nodePath,
      before: { name: before.name, starts_on: before.starts_on, ends_on: before.ends_on, grades_from: before.grades_from, grades_to: before.grades_to }, after: input }]);
    return presentRound(await roundSelect(trx).where('r.id', '=', id).executeTakeFirstOrThrow());
  });
}

/** Seed 003 四.4: the winter-break round was cancelled. A cancelled round keeps no results. */
export async function cancelRound(db: Kysely<DB>, actor: Actor, id: number, reason: string): Promise<AuditRound> {
  return db.transaction().execute(async (trx) => {
    const r = await mustFind(trx.selectFrom('audit_round').selectAll().where('id', '=', id).forUpdate().executeTakeFirst(), '审核批次');
    if (r.published_at) throw auditErrors.roundPublished(r.name);
    if (r.status === '审核中') throw auditErrors.roundRunning(r.name);
    const results = await trx.selectFrom('audit_result').select('round_id').where('round_id', '=', id).limit(1).executeTakeFirst();
    if (r.status === '已审核' || results) throw auditErrors.roundHasResults(r.name);
    await trx.updateTable('audit_round').set({ status: '已取消', cancel_reason: reason }).where('id', '=', id).execute();
    await recordOperation(trx, actor, [{ action: '取消审核批次', objectType: 'audit_round', objectId: id, nodePath: actor.nodePath, before: { status: r.status }, after: { status: '已取消', reason } }]);
    return presentRound(await roundSelect(trx).where('r.id', '=', id).executeTakeFirstOrThrow());
  });
}

/** The checks a run must pass, at request time and again in the job. */
async function assertRunnable(db: Kysely<DB>, id: number) {
  const r = await mustFind(db.selectFrom('audit_round').selectAll().where('id', '=', id).executeTakeFirst(), '审核批次');
  const b = await batchRow(db, r.batch_code);
  if (r.status === '已取消') throw auditErrors.roundCancelled(r.name);
  if (r.published_at) throw auditErrors.roundPublished(r.name);
  assertBatchOpen(b);
  if (!windowStatus(r).open) throw auditErrors.roundOutOfDates(r.name, r.starts_on, r.ends_on);
  return r;
}

export async function requestRun(db: Kysely<DB>, jobs: Jobs, actor: Actor, id: number): Promise<string> {
  const r = await assertRunnable(db, id);
  return db.transaction().execute(async (trx) => {
    // A second click while a run is queued or running gets the same task back.
    const running = await trx.selectFrom('task').select('id').where('kind', '=', ROUND_JOB)
      .where(sql<boolean>`(payload->>'round')::int = ${id}`).where('state', 'in', ['queued', 'running']).executeTakeFirst();
    if (running) return running.id;
    const taskId = await jobs.enqueue({ kind: ROUND_JOB, title: `毕业审核：${r.batch_code} ${r.name}`, ownerId: actor.id, nodePath: actor.nodePath, payload: { round: id } }, trx);
    await trx.updateTable('audit_round').set({ status: '审核中', task_id: taskId }).where('id', '=', id).execute();
    await recordOperation(trx, actor, [{ action: '开始毕业审核', objectType: 'audit_round', objectId: id, nodePath: actor.nodePath, after: { task: taskId } }]);
    return taskId;
  });
}

/** Audits a whole round, chunk after chunk; idempotent, so a retried job just confirms what is there. */
export async function runRound(db: Kysely<DB>, id: number, opts: { chunk?: number; progress?: (done: number, total: number) => Promise<boolean> } = {}) {
  const r = await assertRunnable(db, id);
  const key = { round: id, batch: r.batch_code, urgentOnly: r.kind === '加急' };
  const total = Number((await db.selectFrom('graduate as g').where('g.batch_code', '=', r.batch_code)
    .where('g.submission_id', 'is not', null).where('g.confirm_status', '=', '同意毕业')
    .where((eb) => eb.or([eb('g.audit_status', '<>', '通过'), eb('g.audit_round_id', '=', id)]))
    .$if(key.urgentOnly, (q) => q.where('g.urgent', '=', true))
    .select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n);
  let cursor: Cursor | null = START;
  let done = 0;
  while (cursor) {
    const from: Cursor = cursor;
    const step: { audited: number; next: Cursor | null } = await db.transaction().execute(async (trx) => {
      // The planner cannot count a chunk's rows in advance (a keyset over a row comparison); left to
      // itself it reads every remaining graduate of the round by bitmap and sorts them, for each chunk.
      // Walk the index in order instead. SET LOCAL: this transaction only.
      await sql`set local enable_bitmapscan = off`.execute(trx);
      await sql`set local enable_seqscan = off`.execute(trx);
      return auditChunk(trx, key, from, opts.chunk ?? CHUNK);
    });
    done += step.audited;
    cursor = step.next;
    if (opts.progress && !(await opts.progress(done, Math.max(total, done)))) break;
  }
  const count = Number((await db.selectFrom('audit_result').where('round_id', '=', id).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n);
  await db.updateTable('audit_round').set({ status: '已审核', audited_at: new Date(), audited_count: count }).where('id', '=', id).execute();
  return { round: id, audited: done, results: count };
}

export function registerAuditJobs(jobs: Jobs): void {
  jobs.register(ROUND_JOB, z.object({ round: z.number().int() }), async (ctx) => {
    const { round } = ctx.payload;
    return runRound(ctx.db, round, { progress: (d, t) => ctx.progress(d, t) });
  });
}

export async function publishRound(db: Kysely<DB>, actor: Actor, id: number): Promise<AuditRound> {
  return db.transaction().execute(async (trx) => {
    const r = await mustFind(trx.selectFrom('audit_round').selectAll().where('id', '=', id).forUpdate().executeTakeFirst(), '审核批次');
    if (r.published_at) throw auditErrors.roundPublished(r.name);
    if (r.status !== '已审核') throw auditErrors.roundNotAudited(r.name);
    await trx.updateTable('audit_round').set({ published_at: new Date(), published_by: actor.id }).where('id', '=', id).execute();
    // Publication is graduation (SPEC “Decisions that bind”): the passed become 毕业 in this same transaction.
    const { graduated, skipped } = await graduateRound(trx, id);
    await recordOperation(trx, actor, [{ action: '发布审核结果', objectType: 'audit_round', objectId: id, nodePath: actor.nodePath,
      after: { results: r.audited_count, graduated, not_graduated_not_enrolled: skipped } }]);
    return presentRound(await roundSelect(trx).where('r.id', '=', id).executeTakeFirstOrThrow());
  });
}

export async function summary(db: Kysely<DB>, actor: Actor, id: number, by: GroupBy, f: ResultFilter) {
  await visibleRound(db, actor, id);
  const groups = await summarise(db, actor, id, by, f);
  return {
    groups: groups.map((g) => ({
      ...g,
      key: g.key as string | number,
      name: by === 'rule' ? RULE_NAMES[g.key as RuleKey] ?? String(g.key) : String(g.name),
      code: String(g.code), total: Number(g.total), passed: Number(g.passed), failed: Number(g.failed),
    })),
  };
}

function resultColumns(q: ReturnType<typeof scopedResults>) {
  return q.select(['r.graduate_id', 'g.student_id', 'r.seq', 's.student_no', 's.name', 's.id_number', 's.level', 's.major',
    'tp.code as tp_code', 'tp.name as tp_name', 'br.name as branch_name', 'g.urgent', 'r.passed', 'r.failures', 'r.credits_earned', 'r.audited_at']);
}

export async function results(db: Kysely<DB>, actor: Actor, id: number, f: ResultFilter & { page: number; page_size: number }) {
  await visibleRound(db, actor, id);
  const total = Number((await scopedResults(db, actor, id, f).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n);
  const rows = await resultColumns(scopedResults(db, actor, id, f)).orderBy('r.seq')
    .limit(f.page_size).offset((f.page - 1) * f.page_size).execute();
  return {
    total,
    rows: rows.map(({ id_number, audited_at, ...r }) => ({ ...r, id_number_masked: maskIdCard(id_number), audited_at: new Date(audited_at).toISOString() })),
  };
}

/** The round (checked first, so a refusal is a clean 404) and its rows for the Excel export, in audit
 *  order, a page at a time (keyset on seq: memory stays flat). The export is in the operation log. */
export async function exportResults(db: Kysely<DB>, actor: Actor, id: number, f: ResultFilter) {
  const round = await visibleRound(db, actor, id);
  await recordOperation(db, actor, [{ action: '导出审核结果', objectType: 'audit_round', objectId: round.id, nodePath: actor.nodePath, after: f }]);
  async function* pages() {
    let after = 0;
    for (;;) {
      const page = await resultColumns(scopedResults(db, actor, id, f)).where('r.seq', '>', after).orderBy('r.seq').limit(5000).execute();
      if (page.length === 0) return;
      yield page;
      after = page[page.length - 1].seq;
    }
  }
  return { round, pages: pages() };
}

/**
 * A branch (or teaching point) reports its confirmed graduates' audit data to headquarters: one
 * submission, stamped on every graduate not yet reported. The submission's place in the sequence is
 * the graduates' place in the audit (seed 003 四.3). With `urgent`, only 加急 graduates, before the
 * batch's urgent deadline (seed 003 二.3).
 */
export async function reportData(db: Kysely<DB>, actor: Actor, batch: string, urgent: boolean) {
  const b = await batchRow(db, batch);
  assertBatchOpen(b);
  if (urgent) assertUrgentOpen(b);
  return db.transaction().execute(async (trx) => {
    const targets = trx.selectFrom('graduate as g').select('g.id')
      .where('g.batch_code', '=', batch).where('g.confirm_status', '=', '同意毕业').where('g.submission_id', 'is', null)
      .where(inScope(actor, 'g.node_path', undefined, 'g.tp_id'))
      .$if(urgent, (q) => q.where('g.urgent', '=', true));
    const n = Number((await trx.selectFrom(targets.as('t')).select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n);
    if (n === 0) return { submission_id: null, graduates: 0, submitted_at: null };
    const sub = await trx.insertInto('submission').values({
      batch_code: batch, node_id: actor.nodeId, node_path: actor.nodePath, kind: urgent ? '加急审核数据' : '毕业审核数据', rows: n, submitted_by: actor.id,
    }).returning(['id', 'submitted_at']).executeTakeFirstOrThrow();
    await trx.updateTable('graduate').set({ submission_id: sub.id }).where('id', 'in', targets).execute();
    await recordOperation(trx, actor, [{ action: urgent ? '上报加急审核数据' : '上报毕业审核数据', objectType: 'submission', objectId: sub.id, nodePath: actor.nodePath, after: { batch, graduates: n } }]);
    return { submission_id: sub.id, graduates: n, submitted_at: new Date(sub.submitted_at).toISOString() };
  });
}

/** 加急: mark 专科 graduates continuing to 本科, before the batch's urgent deadline; the one bulk-action frame. */
export async function setUrgent(db: Kysely<DB>, actor: Actor, batch: string, ids: number[], urgent: boolean): Promise<BulkResult> {
  assertUrgentOpen(await batchRow(db, batch));
  return db.transaction().execute(async (trx) => {
    const rows = await trx.selectFrom('graduate as g').innerJoin('student as s', 's.id', 'g.student_id')
      .select(['g.id', 'g.urgent', 's.level', 's.name', 's.student_no', 'g.node_path', 'g.audit_status'])
      .where('g.batch_code', '=', batch).where('g.id', 'in', ids)
      .where(inScope(actor, 'g.node_path', undefined, 'g.tp_id')).orderBy('g.id').forUpdate().execute();
    return runBulk(trx, actor, {
      asked: ids.map((id) => ({ id })),
      rows,
      who: (r) => ({ student_no: r.student_no, name: r.name }),
      unchanged: (r) => r.urgent === urgent,
      check: (r) => (urgent && r.level !== '专科' ? urgentRefusals.notJunior(r.name)
        : r.audit_status === '通过' ? urgentRefusals.alreadyPassed(r.name) : null),
      apply: async (pass) => {
        await trx.updateTable('graduate').set({ urgent, version: sql`version + 1` }).where('id', 'in', pass.map((r) => r.id)).execute();
      },
      log: (r) => ({ action: urgent ? '标记加急' : '取消加急', objectType: 'graduate', objectId: r.id, nodePath: r.node_path,
        before: { urgent: !urgent }, after: { urgent } }),
    });
  });
}

/** Seed 003 二.3: “2020年春季招生截止日期前一周的周一” — the Monday of the week before. */
export function mondayWeekBefore(enrollmentDeadline: string): string {
  const weekBefore = addDays(enrollmentDeadline, -7);
  const dow = new Date(`${weekBefore}T00:00:00Z`).getUTCDay(); // 0 = Sunday
  return addDays(weekBefore, -((dow + 6) % 7));
}

export async function setUrgentDeadline(db: Kysely<DB>, actor: Actor, batch: string, input: UrgentDeadlineInput) {
  const b = await batchRow(db, batch);
  const deadline = input.spring_enrollment_deadline ? mondayWeekBefore(input.spring_enrollment_deadline) : input.urgent_deadline;
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('batch').set({ urgent_deadline: deadline }).where('code', '=', batch).execute();
    await recordOperation(trx, actor, [{ action: '设置加急截止日期', objectType: 'batch', objectId: batch, nodePath: actor.nodePath, before: { urgent_deadline: b.urgent_deadline }, after: { urgent_deadline: deadline } }]);
  });
  return { urgent_deadline: deadline };
}

/** 加急 graduates' audit data, on its own (seed 003 二.3): the rows of the urgent export, a page at a
 *  time. The export is in the operation log. */
export async function exportUrgent(db: Kysely<DB>, actor: Actor, batch: string) {
  await recordOperation(db, actor, [{ action: '导出加急审核数据', objectType: 'batch', objectId: batch, nodePath: actor.nodePath }]);
  const rows = urgentRows(db, actor, batch);
  async function* pages() {
    for (let offset = 0; ; offset += 5000) {
      const page = await rows.limit(5000).offset(offset).execute();
      if (page.length === 0) return;
      yield page;
    }
  }
  return pages();
}

function urgentRows(db: Kysely<DB>, actor: Actor, batch: string) {
  return db.selectFrom('graduate as g').innerJoin('student as s', 's.id', 'g.student_id')
    .innerJoin('org_node as tp', 'tp.id', 'g.tp_id')
    .leftJoin('submission as sub', 'sub.id', 'g.submission_id')
    .where('g.batch_code', '=', batch).where('g.urgent', '=', true)
    .where(inScope(actor, 'g.node_path', 'g.student_id', 'g.tp_id'))
    .select(['s.student_no', 's.name', 's.gender', 's.id_number', 's.level', 's.major', 'tp.code as tp_code', 'tp.name as tp_name',
      'g.confirm_status', 'g.eligible', 'g.reasons', 'g.credits_earned', 'g.audit_status', 'sub.submitted_at'])
    .orderBy('g.tp_id').orderBy('g.student_no');
}

// ——— Exceptions and extensions: headquarters, for one student ———

async function studentInScope(db: Kysely<DB>, actor: Actor, id: number) {
  return mustFind(db.selectFrom('student').select(['id', 'name', 'node_path', 'programme_id', 'valid_until', 'extension_until'])
    .where('id', '=', id).where(inScope(actor, 'node_path', 'id')).executeTakeFirst(), '学生');
}

export async function listExceptions(db: Kysely<DB>, actor: Actor, studentId: number) {
  await studentInScope(db, actor, studentId);
  const rows = await db.selectFrom('audit_exception as e')
    .leftJoin('course as t', 't.code', 'e.target').leftJoin('course as sc', 'sc.code', 'e.substitute_course')
    .leftJoin('app_user as u', 'u.id', 'e.created_by')
    .select(['e.id', 'e.kind', 'e.rule', 'e.target', 't.name as target_name', 'e.substitute_course', 'sc.name as substitute_name',
      'e.reason', 'u.display_name as created_by_name', 'e.created_at', 'e.revoked_at'])
    .where('e.student_id', '=', studentId).orderBy('e.id', 'desc').execute();
  return rows.map((r) => ({
    ...r, rule_name: RULE_NAMES[r.rule], target_name: r.rule === 'category' ? r.target : r.target_name,
    created_at: new Date(r.created_at).toISOString(), revoked_at: r.revoked_at ? new Date(r.revoked_at).toISOString() : null,
  }));
}

export async function addException(db: Kysely<DB>, actor: Actor, studentId: number, input: ExceptionInput) {
  requireRole(actor, ['hq_admin'], '审核例外处理');
  const s = await studentInScope(db, actor, studentId);
  const target = input.target?.trim() || null;
  const substitute = input.substitute_course?.trim() || null;
  if (input.kind === '替代' && (input.rule !== 'course' || !target || !substitute)) throw auditErrors.substitutionIncomplete();
  if ((input.rule === 'course' || input.rule === 'category') && !target) throw auditErrors.exceptionNoTarget(input.rule);
  if (input.rule === 'course' && target) {
    const req = await db.selectFrom('programme_course').select('course_code')
      .where('programme_id', '=', s.programme_id).where('course_code', '=', target).executeTakeFirst();
    const practice = await db.selectFrom('programme').select('practice_course').where('id', '=', s.programme_id).executeTakeFirstOrThrow();
    if (!req && practice.practice_course !== target) throw auditErrors.exceptionNotInPlan(target);
  }
  if (substitute) {
    const c = await db.selectFrom('course').select('code').where('code', '=', substitute).executeTakeFirst();
    if (!c) throw auditErrors.substituteUnknown(substitute);
  }
  return db.transaction().execute(async (trx) => {
    const row = await trx.insertInto('audit_exception').values({
      student_id: studentId, kind: input.kind, rule: input.rule, target: input.rule === 'course' || input.rule === 'category' ? target : null,
      substitute_course: input.kind === '替代' ? substitute : null, reason: input.reason, node_path: s.node_path, created_by: actor.id,
    }).returning('id').executeTakeFirstOrThrow();
    await recordOperation(trx, actor, [{ action: input.kind === '替代' ? '课程替代' : '免除要求', objectType: 'student', objectId: studentId,
      nodePath: s.node_path, after: { exception: row.id, ...input } }]);
    await recomputeCurrentBatch(trx, [studentId]);
    return { id: row.id };
  });
}

export async function revokeException(db: Kysely<DB>, actor: Actor, id: number) {
  requireRole(actor, ['hq_admin'], '审核例外处理');
  return db.transaction().execute(async (trx) => {
    const e = await mustFind(trx.selectFrom('audit_exception').selectAll().where('id', '=', id)
      .where(inScope(actor, 'node_path', 'student_id')).forUpdate().executeTakeFirst(), '例外记录');
    if (e.revoked_at) return { id };
    await trx.updateTable('audit_exception').set({ revoked_at: new Date(), revoked_by: actor.id }).where('id', '=', id).execute();
    await recordOperation(trx, actor, [{ action: '撤销审核例外', objectType: 'student', objectId: e.student_id, nodePath: e.node_path,
      before: { exception: id, kind: e.kind, rule: e.rule, target: e.target, substitute_course: e.substitute_course } }]);
    await recomputeCurrentBatch(trx, [e.student_id]);
    return { id };
  });
}

/** 学籍有效期 extension: at most one year past the 8 years, approved by headquarters (seed 003 四.8). */
export async function setExtension(db: Kysely<DB>, actor: Actor, studentId: number, input: ExtensionInput) {
  requireRole(actor, ['hq_admin'], '学籍延期审批');
  const s = await studentInScope(db, actor, studentId);
  if (input.extension_until) {
    if (input.extension_until <= s.valid_until) throw auditErrors.extensionNotLater(s.valid_until);
    const limit = addDays(s.valid_until, 366);
    const oneYear = `${Number(s.valid_until.slice(0, 4)) + 1}${s.valid_until.slice(4)}`;
    if (input.extension_until > (oneYear < limit ? oneYear : limit)) throw auditErrors.extensionTooLong(s.valid_until, oneYear);
  }
  return db.transaction().execute(async (trx) => {
    await trx.updateTable('student').set({ extension_until: input.extension_until }).where('id', '=', studentId).execute();
    await recordOperation(trx, actor, [{ action: input.extension_until ? '批准学籍延期' : '撤销学籍延期', objectType: 'student', objectId: studentId,
      nodePath: s.node_path, before: { extension_until: s.extension_until }, after: { extension_until: input.extension_until, reason: input.reason } }]);
    await recomputeCurrentBatch(trx, [studentId]);
    return { extension_until: input.extension_until };
  });
}
