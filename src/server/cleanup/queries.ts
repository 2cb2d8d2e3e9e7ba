/** The SQL of 学籍清理. The rule of who is cleared is written here once: the preview and the clean-up share it. */
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { DB } from '../platform/tables.ts';
import type { Actor } from '../platform/auth.ts';
import { inScope } from '../platform/scope.ts';

type Db = Kysely<DB> | Transaction<DB>;

export interface CampaignKey { id: number; cohorts: string[]; cleanup_on: string }

/** The statuses a clean-up turns into 退学: never 毕业 (graduated students are never touched), nor 退学 again. */
export const CLEARABLE_STATUSES = ['在籍', '休学'] as const;

/**
 * "In a batch whose audit is still open" (the 待决定 list), as of `day`: the student was put forward for graduation
 * (a graduate row agreed, 同意毕业, in 预毕业确认) in a batch that is not over — its closing date (or, without one,
 * its 发证日期) is `day` or later — or that has an audit round neither cancelled nor published yet. Merely being on
 * a batch's candidate list does not count: eligibility lists every enrolled student of the current batch, the
 * expired ones as not eligible, and they are exactly whom the clean-up is for.
 */
export function batchOpen(day: string): RawBuilder<boolean> {
  return sql<boolean>`(coalesce(b.closing_date, b.issue_date) >= ${day}::date
    or exists (select 1 from audit_round r where r.batch_code = b.code and r.status <> '已取消' and r.published_at is null))`;
}

/** The student (s) is in a batch whose audit is still open: an EXISTS, so the clean-up plans it as one anti-join. */
export function inOpenAudit(day: string): RawBuilder<boolean> {
  return sql<boolean>`exists (select 1 from graduate g join batch b on b.code = g.batch_code where g.student_id = s.id and g.confirm_status = '同意毕业' and ${batchOpen(day)})`;
}

/** The first such batch, and why it is open, for the 待决定 list. */
export function openAuditBatch(day: string): RawBuilder<string | null> {
  return sql<string | null>`(select min(g.batch_code) from graduate g join batch b on b.code = g.batch_code
    where g.student_id = s.id and g.confirm_status = '同意毕业' and ${batchOpen(day)})`;
}

/** Expired on `day`: the 学籍有效期, or the extension that lengthened it, ended before that day. */
export function expiredOn(day: string): RawBuilder<boolean> {
  return sql<boolean>`coalesce(s.extension_until, s.valid_until) < ${day}::date`;
}

/** The campaign's students still enrolled (在籍 or 休学) and expired on `day`: the clean-up's population. */
export function concerned(c: CampaignKey, day: string): RawBuilder<boolean> {
  return sql<boolean>`(s.cohort = any(${c.cohorts}::text[]) and s.status in ('在籍', '休学') and ${expiredOn(day)})`;
}

/** Not kept by an approved extension of this campaign (approval also sets extension_until; this says it twice). */
export function notApproved(campaignId: number): RawBuilder<boolean> {
  return sql<boolean>`not exists (select 1 from cleanup_extension e where e.campaign_id = ${campaignId}::int and e.student_id = s.id and e.state = '已批准')`;
}

/** Why a student of the preview will be cleared (CLEAR_REASONS). */
export const clearReason = sql<string>`case
  when ext.state = '已驳回' then '延期申请被驳回'
  when ext.state = '待审批' then '延期申请待审批'
  when s.extension_until is not null then '学籍延期已到期'
  else '超过学籍有效期且未申请延期' end`;

/**
 * The clean-up itself: one set-based UPDATE in the caller's transaction. Every expired student of the campaign's
 * cohorts, 在籍 or 休学, without an approved extension, not in a batch whose audit is still open, becomes 退学 with
 * the day and the 文号, marked with the campaign (the 学信网 退学 file lists them by it). Answers the count.
 */
export async function clearStudents(trx: Transaction<DB>, c: CampaignKey & { doc_no: string }, day: string): Promise<number> {
  const res = await sql`
    update student s set status = '退学', withdrawal_date = ${day}::date, withdrawal_doc_no = ${c.doc_no}, withdrawal_campaign_id = ${c.id}::int
    where ${concerned(c, day)} and ${notApproved(c.id)} and not ${inOpenAudit(day)}`.execute(trx);
  return Number(res.numAffectedRows ?? 0);
}

/** The students of a list with their teaching point, branch and class. */
export function studentsWithOrg(db: Db) {
  return db.selectFrom('student as s')
    .innerJoin('org_node as tp', 'tp.id', 's.tp_id')
    .innerJoin('org_node as br', 'br.id', 'tp.parent_id')
    .leftJoin('org_node as cl', 'cl.id', 's.class_id');
}

/** Filters every list of the page shares: branch, teaching point, and 学号 / 姓名 / 身份证号. */
export function listFilter(f: { branch_code?: string; tp_code?: string; q?: string }): RawBuilder<boolean> {
  const parts: RawBuilder<unknown>[] = [sql`true`];
  if (f.branch_code) parts.push(sql`br.code = ${f.branch_code}`);
  if (f.tp_code) parts.push(sql`tp.code = ${f.tp_code}`);
  if (f.q) parts.push(sql`(s.student_no = ${f.q} or s.id_number = ${f.q} or s.name like ${`%${f.q.replace(/[\\%_]/g, (x) => `\\${x}`)}%`})`);
  return sql<boolean>`(${sql.join(parts, sql` and `)})`;
}

export const studentScope = (actor: Actor) => inScope(actor, 's.node_path', 's.id', 's.tp_id');
export const extensionScope = (actor: Actor) => inScope(actor, 'e.node_path', 'e.student_id');

/** The account that started the clean-up, as an actor for the operation log (the job runs without a request). */
export async function actorOfUser(db: Db, userId: number | null): Promise<Actor | null> {
  if (userId == null) return null;
  const u = await db.selectFrom('app_user as u').innerJoin('org_node as n', 'n.id', 'u.node_id')
    .select(['u.id', 'u.username', 'u.display_name', 'u.role', 'u.student_id', 'n.id as node_id', 'n.kind', 'n.name as node_name', 'n.code as node_code', 'n.path'])
    .where('u.id', '=', userId).executeTakeFirst();
  if (!u) return null;
  return { id: u.id, username: u.username, displayName: u.display_name, role: u.role, nodeId: u.node_id, nodeKind: u.kind,
    nodeName: u.node_name, nodeCode: u.node_code, nodePath: u.path, studentId: u.student_id };
}
