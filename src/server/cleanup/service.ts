/**
 * 学籍清理 (seed 003 四.8): the campaign, the branches' 学籍延期名单 with their written applications, headquarters'
 * decisions, the preview, the clean-up job and the 学信网 退学 file. `runCleanup` is the clean-up without HTTP or
 * pg-boss (the benchmark times it).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { sql, type Kysely, type Transaction } from 'kysely';
import { z } from 'zod';
import type { DB } from '../platform/tables.ts';
import type { Actor } from '../platform/auth.ts';
import type { Jobs } from '../platform/jobs.ts';
import { recordOperation } from '../platform/oplog.ts';
import { mustFind } from '../platform/scope.ts';
import { runBulk, type BulkResult } from '../platform/bulk.ts';
import { deadlineStatus } from '../platform/window.ts';
import { today } from '../platform/clock.ts';
import { AppError } from '../platform/errors.ts';
import { fileStore, tempDir } from '../platform/files.ts';
import { gbkProblem, writeDbf, type DbfField } from '../platform/dbf.ts';
import {
  lastGraduationBatch, maxExtensionUntil, ZXLX_WITHDRAWAL,
  type ApplicationUploaded, type Campaign, type CampaignBody, type CandidateRow, type CandidatesQuery, type DecideBody,
  type PreviewQuery, type PreviewRow, type PreviewSummary, type SubmitBody, type WithdrawalRow,
} from '../../shared/contract/cleanup.ts';
import { cleanupErrors, cleanupRefusals } from './errors.ts';
import * as q from './queries.ts';

export const CLEANUP_JOB = 'cleanup.run';
const MAX_APPLICATION_BYTES = 10 * 1024 * 1024;

const iso = (d: Date | string | null) => (d == null ? null : new Date(d).toISOString());
const dayText = (d: Date | string) => new Date(d).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });

function campaignSelect(db: Kysely<DB> | Transaction<DB>) {
  return db.selectFrom('cleanup_campaign as c')
    .leftJoin('app_user as cu', 'cu.id', 'c.created_by')
    .leftJoin('app_user as ru', 'ru.id', 'c.ran_by')
    .leftJoin('task as t', (j) => j.on(sql<boolean>`t.id = c.task_id`))
    .selectAll('c')
    .select(['cu.display_name as created_by_name', 'ru.display_name as ran_by_name', 't.state as task_state']);
}

async function campaignOf(db: Kysely<DB> | Transaction<DB>, id: number) {
  return mustFind(campaignSelect(db).where('c.id', '=', id).executeTakeFirst(), '学籍清理');
}
type LoadedCampaign = Awaited<ReturnType<typeof campaignOf>>;

/** Why the clean-up may not start today; null when it may. */
function runBlocked(c: Pick<LoadedCampaign, 'ran_at' | 'task_state' | 'cleanup_on'>, on = today()): string | null {
  if (c.ran_at) return cleanupErrors.alreadyRun(dayText(c.ran_at)).message;
  if (c.task_state === 'queued' || c.task_state === 'running') return cleanupErrors.running().message;
  if (on < c.cleanup_on) return cleanupErrors.tooEarly(c.cleanup_on).message;
  return null;
}

/** The day the preview judges by: the day of the run once asked, else the clean-up date (or today, once past). */
function previewDay(c: Pick<LoadedCampaign, 'run_on' | 'cleanup_on'>): string {
  if (c.run_on) return c.run_on;
  const t = today();
  return t > c.cleanup_on ? t : c.cleanup_on;
}

async function present(db: Kysely<DB>, actor: Actor, c: LoadedCampaign): Promise<Campaign> {
  const counts = await db.selectFrom('cleanup_extension as e').where('e.campaign_id', '=', c.id)
    .where(q.extensionScope(actor))
    .select([
      sql<number>`count(*) filter (where e.state = '待审批')::int`.as('pending'),
      sql<number>`count(*) filter (where e.state = '已批准')::int`.as('approved'),
      sql<number>`count(*) filter (where e.state = '已驳回')::int`.as('rejected'),
    ]).executeTakeFirstOrThrow();
  const blocked = runBlocked(c);
  return {
    id: c.id, name: c.name, cohorts: c.cohorts, list_deadline: c.list_deadline, cleanup_on: c.cleanup_on, doc_no: c.doc_no,
    created_by: c.created_by_name, created_at: iso(c.created_at)!, ran_at: iso(c.ran_at), ran_by: c.ran_by_name,
    task_id: c.task_id, cleared: c.cleared, list_window: deadlineStatus(c.list_deadline),
    can_run: blocked === null, run_blocked: blocked,
    counts: { pending: Number(counts.pending), approved: Number(counts.approved), rejected: Number(counts.rejected) },
  };
}

export async function listCampaigns(db: Kysely<DB>, actor: Actor): Promise<{ rows: Campaign[] }> {
  const rows = await campaignSelect(db).orderBy('c.id', 'desc').execute();
  return { rows: await Promise.all(rows.map((c) => present(db, actor, c))) };
}

export async function getCampaign(db: Kysely<DB>, actor: Actor, id: number): Promise<Campaign> {
  return present(db, actor, await campaignOf(db, id));
}

function checkDocNo(docNo: string): void {
  const p = gbkProblem(docNo, WH_WIDTH);
  if (p?.kind === 'unencodable') throw new AppError(400, 'CLEANUP_DOC_NO_GBK', `文号含 GBK 无法表示的字：${p.chars.join('')}，学信网退学文件无法写入，请改写文号。`);
  if (p) throw new AppError(400, 'CLEANUP_DOC_NO_TOO_LONG', `文号过长（${p.bytes} 字节），学信网退学文件的文号（WH）最多 ${WH_WIDTH} 字节，请缩短。`);
}

export async function createCampaign(db: Kysely<DB>, actor: Actor, body: CampaignBody): Promise<Campaign> {
  checkDocNo(body.doc_no);
  const id = await db.transaction().execute(async (trx) => {
    const { id } = await trx.insertInto('cleanup_campaign').values({
      name: body.name, cohorts: [...new Set(body.cohorts)].sort(), list_deadline: body.list_deadline, cleanup_on: body.cleanup_on,
      doc_no: body.doc_no, created_by: actor.id,
    }).returning('id').executeTakeFirstOrThrow();
    await recordOperation(trx, actor, [{ action: '开始学籍清理', objectType: 'cleanup_campaign', objectId: id, nodePath: actor.nodePath, after: body }]);
    return id;
  });
  return getCampaign(db, actor, id);
}

export async function updateCampaign(db: Kysely<DB>, actor: Actor, id: number, body: CampaignBody): Promise<Campaign> {
  checkDocNo(body.doc_no);
  await db.transaction().execute(async (trx) => {
    const c = await mustFind(trx.selectFrom('cleanup_campaign').selectAll().where('id', '=', id).forUpdate().executeTakeFirst(), '学籍清理');
    if (c.ran_at) throw cleanupErrors.campaignDone(dayText(c.ran_at));
    if (c.task_id) throw cleanupErrors.running();
    const after = { name: body.name, cohorts: [...new Set(body.cohorts)].sort(), list_deadline: body.list_deadline, cleanup_on: body.cleanup_on, doc_no: body.doc_no };
    await trx.updateTable('cleanup_campaign').set(after).where('id', '=', id).execute();
    await recordOperation(trx, actor, [{ action: '修改学籍清理', objectType: 'cleanup_campaign', objectId: id, nodePath: actor.nodePath,
      before: { name: c.name, cohorts: c.cohorts, list_deadline: c.list_deadline, cleanup_on: c.cleanup_on, doc_no: c.doc_no }, after }]);
  });
  return getCampaign(db, actor, id);
}

// ---------------------------------------------------------------------------------------------------------------
// 学籍延期名单

/** A student the campaign concerns for an extension: its cohorts, 在籍 or 休学, 学籍有效期 ending before the clean-up. */
function candidatePredicate(c: q.CampaignKey) {
  return sql<boolean>`(s.cohort = any(${c.cohorts}::text[]) and s.status in ('在籍', '休学') and s.valid_until < ${c.cleanup_on}::date)`;
}

export async function candidates(db: Kysely<DB>, actor: Actor, id: number, f: CandidatesQuery) {
  const c = await campaignOf(db, id);
  const base = q.studentsWithOrg(db)
    .leftJoin('cleanup_extension as e', (j) => j.onRef('e.student_id', '=', 's.id').on('e.campaign_id', '=', id))
    .where(q.studentScope(actor))
    .where((eb) => eb.or([candidatePredicate(c), eb('e.id', 'is not', null)]))
    .where(q.listFilter(f))
    .$if(!!f.cohort, (qb) => qb.where('s.cohort', '=', f.cohort!))
    .$if(f.extension === 'none', (qb) => qb.where('e.id', 'is', null))
    .$if(!!f.extension && f.extension !== 'none', (qb) => qb.where('e.state', '=', f.extension as '待审批'));
  const total = Number((await base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n);
  const rows = await base
    .leftJoin('cleanup_application as a', 'a.id', 'e.application_id')
    .leftJoin('app_user as su', 'su.id', 'e.submitted_by')
    .leftJoin('app_user as du', 'du.id', 'e.decided_by')
    .select(['s.id as student_id', 's.student_no', 's.name', 's.level', 's.major', 'tp.code as tp_code', 'tp.name as tp_name',
      'br.code as branch_code', 'br.name as branch_name', 'cl.name as class_name', 's.cohort', 's.status', 's.valid_until', 's.extension_until',
      'e.id as ext_id', 'e.state', 'e.reason', 'e.extended_until', 'a.file_name', 'e.decision_reason', 'su.display_name as submitted_by',
      'e.submitted_at', 'du.display_name as decided_by', 'e.decided_at'])
    .orderBy('br.code').orderBy('tp.code').orderBy('s.student_no')
    .limit(f.page_size).offset((f.page - 1) * f.page_size).execute();
  return {
    total, page: f.page, page_size: f.page_size,
    rows: rows.map((r): CandidateRow => ({
      student_id: r.student_id, student_no: r.student_no, name: r.name, level: r.level, major: r.major, tp_code: r.tp_code, tp_name: r.tp_name,
      branch_code: r.branch_code, branch_name: r.branch_name, class_name: r.class_name, cohort: r.cohort, status: r.status,
      valid_until: r.valid_until, extension_until: r.extension_until, max_extension_until: maxExtensionUntil(r.valid_until),
      last_batch: lastGraduationBatch(r.cohort, r.extension_until != null && r.extension_until > r.valid_until),
      last_batch_extended: lastGraduationBatch(r.cohort, true),
      extension: r.ext_id == null ? null : {
        id: r.ext_id, state: r.state!, reason: r.reason!, extended_until: r.extended_until!, file_name: r.file_name ?? '',
        decision_reason: r.decision_reason, submitted_by: r.submitted_by, submitted_at: iso(r.submitted_at)!,
        decided_by: r.decided_by, decided_at: iso(r.decided_at),
      },
    })),
  };
}

/** The branches' window: open up to and including the deadline; closed once the clean-up was asked for. */
function assertListOpen(c: Pick<LoadedCampaign, 'list_deadline' | 'ran_at' | 'task_id'>): void {
  if (c.ran_at) throw cleanupErrors.campaignDone(dayText(c.ran_at));
  if (c.task_id) throw cleanupErrors.running();
  if (!deadlineStatus(c.list_deadline).open) throw cleanupErrors.listClosed(c.list_deadline);
}

/** What the written application is, by its first bytes (never by its name): PDF (%PDF-) or JPEG (FF D8 FF). */
export function applicationType(data: Buffer): 'application/pdf' | 'image/jpeg' | null {
  if (data.length >= 5 && data.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  return null;
}

export const applicationLimit = () => MAX_APPLICATION_BYTES;

/** Before a byte is received: the campaign exists and its list is still open. */
export async function beforeUpload(db: Kysely<DB>, id: number): Promise<void> {
  assertListOpen(await campaignOf(db, id));
}

export async function uploadApplication(db: Kysely<DB>, actor: Actor, id: number, file: { data: Buffer; name: string }): Promise<ApplicationUploaded> {
  const c = await campaignOf(db, id);
  assertListOpen(c);
  const type = applicationType(file.data);
  if (!type) throw cleanupErrors.notApplicationFile(file.name);
  const sha = await fileStore().put(file.data);
  const row = await db.insertInto('cleanup_application').values({
    campaign_id: id, sha256: sha, file_name: file.name.slice(0, 200), content_type: type, size: file.data.length,
    node_path: actor.nodePath, uploaded_by: actor.id,
  }).returning('id').executeTakeFirstOrThrow();
  return { application_id: row.id, file_name: file.name, content_type: type, size: file.data.length };
}

export async function submit(db: Kysely<DB>, actor: Actor, id: number, body: SubmitBody): Promise<BulkResult> {
  return db.transaction().execute(async (trx) => {
    // Shared lock: the clean-up (which takes it exclusively) waits for a submission under way, and vice versa.
    await trx.selectFrom('cleanup_campaign').select('id').where('id', '=', id).forShare().execute();
    const c = await campaignOf(trx, id);
    assertListOpen(c);
    // The last item for a student wins (a list pasted twice).
    const items = new Map(body.items.map((i) => [i.student_id, i]));
    const rows = (await trx.selectFrom('student as s')
      .leftJoin('cleanup_extension as e', (j) => j.onRef('e.student_id', '=', 's.id').on('e.campaign_id', '=', id))
      .select(['s.id', 's.student_no', 's.name', 's.node_path', 's.valid_until', 's.extension_until',
        'e.id as ext_id', 'e.state', 'e.reason', 'e.extended_until', 'e.application_id'])
      .select(sql<boolean>`${candidatePredicate(c)}`.as('concerned'))
      .where('s.id', 'in', [...items.keys()])
      .where(q.studentScope(actor))
      .forUpdate('s').execute());
    const apps = new Map((await trx.selectFrom('cleanup_application as a').select(['a.id'])
      .where('a.campaign_id', '=', id).where('a.id', 'in', [...new Set(body.items.map((i) => i.application_id))])
      .where(sql<boolean>`${sql.ref('a.node_path')} like ${`${actor.nodePath.replace(/[\\%_]/g, (x) => `\\${x}`)}%`}`)
      .execute()).map((a) => [a.id, true]));
    const ask = (r: (typeof rows)[number]) => {
      const i = items.get(r.id)!;
      return { ...i, extended_until: i.extended_until ?? maxExtensionUntil(r.valid_until) };
    };
    return runBulk(trx, actor, {
      asked: [...items.keys()].map((sid) => ({ id: sid })),
      notFound: '学生不存在，或不在您的管理范围内',
      rows,
      who: (r) => ({ student_no: r.student_no, name: r.name }),
      unchanged: (r) => {
        const a = ask(r);
        return r.state === '待审批' && r.reason === a.reason && r.extended_until === a.extended_until && r.application_id === a.application_id;
      },
      check: (r) => {
        const a = ask(r);
        if (r.state === '已批准') return cleanupRefusals.alreadyApproved();
        if (!r.concerned) return cleanupRefusals.notConcerned(c.cohorts, c.cleanup_on);
        if (r.extension_until) return cleanupRefusals.alreadyExtended(r.extension_until);
        if (a.extended_until <= r.valid_until) return cleanupRefusals.notLater(r.valid_until);
        const max = maxExtensionUntil(r.valid_until);
        if (a.extended_until > max) return cleanupRefusals.tooLong(r.valid_until, max, a.extended_until);
        if (!apps.has(a.application_id)) return cleanupRefusals.noApplication();
        return null;
      },
      apply: async (pass) => {
        await trx.insertInto('cleanup_extension').values(pass.map((r) => {
          const a = ask(r);
          return { campaign_id: id, student_id: r.id, node_path: r.node_path, reason: a.reason, application_id: a.application_id,
            extended_until: a.extended_until, submitted_by: actor.id };
        })).onConflict((oc) => oc.columns(['campaign_id', 'student_id']).doUpdateSet((eb) => ({
          reason: eb.ref('excluded.reason'), application_id: eb.ref('excluded.application_id'), extended_until: eb.ref('excluded.extended_until'),
          submitted_by: eb.ref('excluded.submitted_by'), submitted_at: sql<Date>`now()`, state: '待审批',
          decision_reason: null, decided_by: null, decided_at: null, version: sql<number>`cleanup_extension.version + 1`,
        }))).execute();
      },
      log: (r) => ({ action: '上报学籍延期', objectType: 'student', objectId: r.id, nodePath: r.node_path,
        before: r.ext_id ? { state: r.state, reason: r.reason, extended_until: r.extended_until } : null,
        after: { campaign: id, state: '待审批', reason: ask(r).reason, extended_until: ask(r).extended_until } }),
    });
  });
}

export async function applicationFile(db: Kysely<DB>, actor: Actor, extensionId: number) {
  const r = await mustFind(db.selectFrom('cleanup_extension as e').innerJoin('cleanup_application as a', 'a.id', 'e.application_id')
    .innerJoin('student as s', 's.id', 'e.student_id')
    .select(['a.sha256', 'a.content_type', 'a.file_name', 's.student_no', 's.name'])
    .where('e.id', '=', extensionId).where(q.studentScope(actor)).executeTakeFirst(), '延期申请');
  const data = await fileStore().get(r.sha256);
  if (!data) throw cleanupErrors.fileMissing();
  return { data, content_type: r.content_type, file_name: r.file_name };
}

export async function decide(db: Kysely<DB>, actor: Actor, id: number, body: DecideBody): Promise<BulkResult> {
  return db.transaction().execute(async (trx) => {
    const c = await mustFind(trx.selectFrom('cleanup_campaign').selectAll().where('id', '=', id).forShare().executeTakeFirst(), '学籍清理');
    if (c.ran_at) throw cleanupErrors.campaignDone(dayText(c.ran_at));
    if (c.task_id) throw cleanupErrors.running();
    const rows = await trx.selectFrom('cleanup_extension as e').innerJoin('student as s', 's.id', 'e.student_id')
      .select(['e.id', 'e.student_id', 'e.state', 'e.decision_reason', 'e.extended_until', 'e.node_path', 's.student_no', 's.name', 's.extension_until'])
      .where('e.campaign_id', '=', id).where('e.id', 'in', body.ids).where(q.studentScope(actor))
      .forUpdate().execute();
    const approve = body.decision === '已批准';
    return runBulk(trx, actor, {
      asked: body.ids.map((x) => ({ id: x })),
      notFound: '延期申请不存在，或不属于本次学籍清理',
      rows,
      who: (r) => ({ student_no: r.student_no, name: r.name }),
      unchanged: (r) => r.state === body.decision && r.decision_reason === body.reason,
      apply: async (pass) => {
        const ids = pass.map((r) => r.id);
        await trx.updateTable('cleanup_extension').set({
          state: body.decision, decision_reason: body.reason, decided_by: actor.id, decided_at: sql<Date>`now()`,
          version: sql<number>`version + 1`,
        }).where('id', 'in', ids).execute();
        // Approval is the extension itself (学籍有效期 lengthened); a rejection takes back only what this campaign gave.
        await sql`update student s set extension_until = case when ${approve} then e.extended_until else null end
          from cleanup_extension e where e.id = any(${ids}::int[]) and s.id = e.student_id
            and (${approve} or s.extension_until = e.extended_until)`.execute(trx);
      },
      log: (r) => ({ action: approve ? '批准学籍延期' : '驳回学籍延期', objectType: 'student', objectId: r.student_id, nodePath: r.node_path,
        before: { state: r.state, extension_until: r.extension_until },
        after: { campaign: id, state: body.decision, reason: body.reason, extension_until: approve ? r.extended_until : null } }),
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Preview

function previewBase(db: Kysely<DB>, actor: Actor, c: LoadedCampaign, day: string) {
  return q.studentsWithOrg(db)
    .leftJoin('cleanup_extension as ext', (j) => j.onRef('ext.student_id', '=', 's.id').on('ext.campaign_id', '=', c.id))
    .where(q.studentScope(actor))
    .where(q.concerned(c, day))
    .where(q.notApproved(c.id));
}

export async function previewSummary(db: Kysely<DB>, actor: Actor, id: number): Promise<PreviewSummary> {
  const c = await campaignOf(db, id);
  const day = previewDay(c);
  const rows = await previewBase(db, actor, c, day)
    .select(['br.code as branch_code', 'br.name as branch_name'])
    .select(sql<boolean>`${q.inOpenAudit(day)}`.as('decide'))
    .select(q.clearReason.as('reason'))
    .select(sql<number>`count(*)::int`.as('n'))
    .groupBy([sql`1`, sql`2`, sql`3`, sql`4`])
    .orderBy('br.code').execute();
  const byBranch = new Map<string, PreviewSummary['rows'][number]>();
  for (const r of rows) {
    const b = byBranch.get(r.branch_code) ?? { branch_code: r.branch_code, branch_name: r.branch_name, to_clear: 0, to_decide: 0, by_reason: {} };
    byBranch.set(r.branch_code, b);
    if (r.decide) b.to_decide += Number(r.n);
    else {
      b.to_clear += Number(r.n);
      b.by_reason[r.reason] = (b.by_reason[r.reason] ?? 0) + Number(r.n);
    }
  }
  return { on: day, rows: [...byBranch.values()] };
}

export async function preview(db: Kysely<DB>, actor: Actor, id: number, f: PreviewQuery) {
  const c = await campaignOf(db, id);
  const day = previewDay(c);
  const base = previewBase(db, actor, c, day).where(q.listFilter(f))
    .where(f.list === 'decide' ? q.inOpenAudit(day) : sql<boolean>`not ${q.inOpenAudit(day)}`);
  const total = Number((await base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n);
  const rows = await base
    .select(['s.id as student_id', 's.student_no', 's.name', 's.level', 's.major', 'tp.code as tp_code', 'tp.name as tp_name',
      'br.code as branch_code', 'br.name as branch_name', 's.cohort', 's.status', 's.valid_until', 's.extension_until'])
    .select(q.clearReason.as('clear_reason'))
    .select(q.openAuditBatch(day).as('open_batch'))
    .orderBy('br.code').orderBy('tp.code').orderBy('s.student_no')
    .limit(f.page_size).offset((f.page - 1) * f.page_size).execute();
  return {
    total, page: f.page, page_size: f.page_size,
    rows: rows.map(({ clear_reason, open_batch, ...r }): PreviewRow => ({
      ...r, open_batch: f.list === 'decide' ? open_batch : null,
      reason: f.list === 'decide'
        ? `毕业批次 ${open_batch} 的毕业审核尚未结束（${clear_reason}）：请待审核结果发布后再决定是否清理`
        : clear_reason,
    })),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The clean-up

export async function requestRun(db: Kysely<DB>, jobs: Jobs, actor: Actor, id: number): Promise<{ task_id: string }> {
  return db.transaction().execute(async (trx) => {
    await trx.selectFrom('cleanup_campaign').select('id').where('id', '=', id).forUpdate().execute();
    const c = await campaignOf(trx, id);
    const on = today();
    if (c.ran_at) throw cleanupErrors.alreadyRun(dayText(c.ran_at));
    if (c.task_state === 'queued' || c.task_state === 'running') throw cleanupErrors.running();
    if (on < c.cleanup_on) throw cleanupErrors.tooEarly(c.cleanup_on);
    const taskId = await jobs.enqueue({ kind: CLEANUP_JOB, title: `学籍清理：${c.name}`, ownerId: actor.id, nodePath: actor.nodePath, payload: { campaign: id } }, trx);
    // The 退学日期 is fixed now: a job retried tomorrow writes the same day. A failed run may be asked again.
    await trx.updateTable('cleanup_campaign').set({ run_on: c.run_on ?? on, ran_by: actor.id, task_id: taskId }).where('id', '=', id).execute();
    await recordOperation(trx, actor, [{ action: '执行学籍清理', objectType: 'cleanup_campaign', objectId: id, nodePath: actor.nodePath, after: { task: taskId, day: c.run_on ?? on } }]);
    return { task_id: taskId };
  });
}

/**
 * The clean-up of a campaign, without HTTP or pg-boss: in ONE transaction, one set-based UPDATE turns the expired
 * students without an approved extension who have not graduated (在籍 or 休学) and are not in a batch whose audit is
 * still open into 退学 (退学日期 = the run's day, 文号 = the campaign's), then the campaign records the count and one
 * operation-log entry says so. Idempotent: a campaign already run answers its count and changes nothing.
 */
export async function runCleanup(db: Kysely<DB>, campaignId: number, opts: { actor?: Actor | null; day?: string } = {}): Promise<{ campaign: number; cleared: number; day: string; already: boolean }> {
  return db.transaction().execute(async (trx) => {
    const c = await mustFind(trx.selectFrom('cleanup_campaign').selectAll().where('id', '=', campaignId).forUpdate().executeTakeFirst(), '学籍清理');
    if (c.ran_at) return { campaign: campaignId, cleared: c.cleared ?? 0, day: c.run_on ?? '', already: true };
    const day = c.run_on ?? opts.day ?? today();
    if (day < c.cleanup_on) throw cleanupErrors.tooEarly(c.cleanup_on);
    const cleared = await q.clearStudents(trx, c, day);
    await trx.updateTable('cleanup_campaign').set({ ran_at: sql<Date>`now()`, cleared, run_on: day }).where('id', '=', campaignId).execute();
    const actor = opts.actor !== undefined ? opts.actor : await q.actorOfUser(trx, c.ran_by);
    const root = actor?.nodePath ?? (await trx.selectFrom('org_node').select('path').where('kind', '=', 'hq').executeTakeFirst())?.path ?? '/';
    await recordOperation(trx, actor, [{ action: '学籍清理退学', objectType: 'cleanup_campaign', objectId: campaignId, nodePath: root,
      after: { campaign: c.name, cohorts: c.cohorts, cleared, withdrawal_date: day, doc_no: c.doc_no } }]);
    return { campaign: campaignId, cleared, day, already: false };
  });
}

export function registerCleanupJobs(jobs: Jobs): void {
  jobs.register(CLEANUP_JOB, z.object({ campaign: z.number().int() }), async (ctx) => runCleanup(ctx.db, ctx.payload.campaign));
}

// ---------------------------------------------------------------------------------------------------------------
// The students cleared, and the 学信网 退学 file

function withdrawnBase(db: Kysely<DB>, actor: Actor, id: number) {
  return q.studentsWithOrg(db)
    .leftJoin('cleanup_extension as ext', (j) => j.onRef('ext.student_id', '=', 's.id').on('ext.campaign_id', '=', id))
    .where('s.withdrawal_campaign_id', '=', id).where('s.status', '=', '退学')
    .where(q.studentScope(actor));
}

const withdrawnColumns = ['s.id as student_id', 's.student_no', 's.name', 's.level', 's.major', 'tp.code as tp_code', 'tp.name as tp_name',
  'br.code as branch_code', 'br.name as branch_name', 's.cohort', 's.id_number', 's.withdrawal_date', 's.withdrawal_doc_no'] as const;

export async function withdrawals(db: Kysely<DB>, actor: Actor, id: number, f: { branch_code?: string; tp_code?: string; q?: string; page: number; page_size: number }) {
  await campaignOf(db, id);
  const base = withdrawnBase(db, actor, id).where(q.listFilter(f));
  const total = Number((await base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow()).n);
  const rows = await base.select([...withdrawnColumns]).select(q.clearReason.as('reason'))
    .orderBy('br.code').orderBy('tp.code').orderBy('s.student_no')
    .limit(f.page_size).offset((f.page - 1) * f.page_size).execute();
  return { total, page: f.page, page_size: f.page_size, rows: rows.map((r): WithdrawalRow => ({ ...r, withdrawal_date: r.withdrawal_date!, withdrawal_doc_no: r.withdrawal_doc_no! })) };
}

/** The 学信网 退学 record: KSH (考生号 = 学号: our students have no 高考 number), XH, XM, SFZH, ZXLX, PZRQ, WH. */
export interface WithdrawalRecord { KSH: string; XH: string; XM: string; SFZH: string; ZXLX: string; PZRQ: string; WH: string }
const WH_WIDTH = 80;
export const WITHDRAWAL_DBF_FIELDS: DbfField[] = [
  { name: 'KSH', type: 'C', width: 20 }, { name: 'XH', type: 'C', width: 20 }, { name: 'XM', type: 'C', width: 40 },
  { name: 'SFZH', type: 'C', width: 18 }, { name: 'ZXLX', type: 'C', width: 2 }, { name: 'PZRQ', type: 'D', width: 8 },
  { name: 'WH', type: 'C', width: WH_WIDTH },
];

/** The campaign's cleared students (all of them: headquarters), a page at a time in 学号 order (memory flat). */
export async function* withdrawalRecords(db: Kysely<DB>, actor: Actor, id: number, pageSize = 5000): AsyncGenerator<WithdrawalRecord[]> {
  let after = '';
  for (;;) {
    const rows = await withdrawnBase(db, actor, id).select(['s.student_no', 's.name', 's.id_number', 's.withdrawal_date', 's.withdrawal_doc_no'])
      .where('s.student_no', '>', after).orderBy('s.student_no').limit(pageSize).execute();
    if (rows.length === 0) return;
    yield rows.map((r) => ({ KSH: r.student_no, XH: r.student_no, XM: r.name, SFZH: r.id_number, ZXLX: ZXLX_WITHDRAWAL,
      PZRQ: r.withdrawal_date!, WH: r.withdrawal_doc_no! }));
    after = rows[rows.length - 1].student_no;
  }
}

export async function assertRun(db: Kysely<DB>, id: number): Promise<LoadedCampaign> {
  const c = await campaignOf(db, id);
  if (!c.ran_at) throw cleanupErrors.notRun();
  return c;
}

/**
 * Writes the 退学 DBF (dBASE III, GBK) to a temp file. Every value is checked first: a name GBK cannot hold or a
 * value over its width refuses the file with the students named — never truncated, never garbled.
 */
export async function writeWithdrawalDbf(db: Kysely<DB>, actor: Actor, id: number): Promise<{ file: string; name: string; records: number }> {
  const c = await assertRun(db, id);
  const problems: string[] = [];
  for await (const page of withdrawalRecords(db, actor, id)) {
    for (const r of page) {
      for (const f of WITHDRAWAL_DBF_FIELDS) {
        if (f.type !== 'C') continue;
        const p = gbkProblem(r[f.name as keyof WithdrawalRecord], f.width);
        if (p?.kind === 'unencodable') problems.push(`${r.XH} ${r.XM}：${f.name === 'XM' ? '姓名' : f.name}含 GBK 无法表示的字：${p.chars.join('')}，请按学信网生僻字流程处理`);
        else if (p) problems.push(`${r.XH} ${r.XM}：${f.name} 长度 ${p.bytes} 字节，超过 ${p.width} 字节`);
      }
    }
  }
  if (problems.length) {
    throw new AppError(409, 'CLEANUP_DBF_ROWS', `有 ${problems.length} 处数据无法写入学信网退学文件：${problems.slice(0, 20).join('；')}${problems.length > 20 ? '……' : ''}`, { problems: problems.slice(0, 200) });
  }
  const file = path.join(tempDir(), `withdrawal-${id}-${crypto.randomUUID()}.dbf`);
  async function* values() {
    for await (const page of withdrawalRecords(db, actor, id)) for (const r of page) yield [r.KSH, r.XH, r.XM, r.SFZH, r.ZXLX, r.PZRQ, r.WH];
  }
  const { records } = await writeDbf(file, WITHDRAWAL_DBF_FIELDS, values());
  await recordOperation(db, actor, [{ action: '导出学信网退学数据', objectType: 'cleanup_campaign', objectId: id, nodePath: actor.nodePath, after: { records, format: 'dbf' } }]);
  return { file, name: `学信网退学数据-${c.name}.dbf`, records };
}

export async function removeTemp(file: string): Promise<void> {
  await fs.promises.rm(file, { force: true });
}
