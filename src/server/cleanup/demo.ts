import type { Kysely } from 'kysely';
import type { DB } from '../platform/tables.ts';
import { addDays, today } from '../platform/clock.ts';
import { fileStore } from '../platform/files.ts';
import { checkDigit } from '../../shared/idcard.ts';
import { maxExtensionUntil } from '../../shared/contract/cleanup.ts';
import { runCleanup } from './service.ts';

const NAMES = ['孟庆华', '谭丽娟', '段志强', '邵春梅', '雷建国', '万秀英'];
/** Last year's campaign, already run: 2017 spring entrants, two of them cleared. */
const LAST_YEAR = ['柏文斌', '龚晓燕'];

/** A one-page PDF standing in for a scanned written application (the demo has no scanner). */
function demoPdf(text: string): Buffer {
  const stream = `BT /F1 18 Tf 72 760 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/**
 * 学籍清理 for the demo (学籍 → 学籍清理): six 2018 spring entrants (201803) of 鞍山市开放大学 — a teaching point no
 * test counts, with no account of its own (辽宁开放大学 and headquarters see them) — whose 学籍有效期 ended on
 * 2026-02-28, and headquarters' campaign for them: the branch's list open for two more weeks, the clean-up in a
 * month. One extension approved (that student may still graduate in 202701), one waiting for headquarters; the
 * others, as things stand, will be cleared. And last year's campaign (201703), run: its 退学 students and the 学信网
 * 退学 file to download. Added after 202701's eligibility was computed, so its lists are as before.
 */
export async function seedDemoCleanup(db: Kysely<DB>): Promise<void> {
  const tp = await db.selectFrom('org_node').select(['id', 'path']).where('code', '=', '210103').executeTakeFirst();
  const user = (username: string) => db.selectFrom('app_user as u').innerJoin('org_node as n', 'n.id', 'u.node_id')
    .select(['u.id', 'n.path']).where('u.username', '=', username).executeTakeFirst();
  const [hq, branch] = [await user('hq'), await user('branch')];
  if (!tp || !hq || !branch) return;
  const like = await db.selectFrom('student').select(['programme_id', 'major', 'level']).where('tp_id', '=', tp.id).orderBy('id').limit(1).executeTakeFirst();
  if (!like) return;

  const add = (names: string[], year: number, k: number) => db.insertInto('student').values(names.map((name, j) => {
    const i = k + j;
    const first17 = `210302${1980 + i}0${1 + (i % 9)}1${i % 10}${String(100 + i * 2 + (i % 2)).padStart(3, '0')}`;
    return {
      student_no: `${year}210103${String(i + 1).padStart(3, '0')}`, name, gender: i % 2 ? '男' as const : '女' as const,
      id_number: first17 + checkDigit(first17), cohort: `${year}03`, level: like.level, major: like.major, programme_id: like.programme_id,
      tp_id: tp.id, class_id: null, node_path: tp.path, status: i === 5 ? '休学' as const : '在籍' as const,
      entry_date: `${year}-03-01`, valid_until: `${year + 8}-02-28`, phone: `1390420${String(1000 + i)}`,
    };
  })).returning(['id', 'node_path', 'valid_until']).execute();

  await add(LAST_YEAR, 2017, NAMES.length);
  const last = await db.insertInto('cleanup_campaign').values({
    name: '2025年学籍清理（2017年春季入学）', cohorts: ['201703'], list_deadline: '2025-05-15', cleanup_on: '2025-06-15',
    doc_no: '国开学〔2025〕28号', created_by: hq.id, ran_by: hq.id, run_on: '2025-06-16',
  }).returning('id').executeTakeFirstOrThrow();
  await runCleanup(db, last.id);
  await db.updateTable('cleanup_campaign').set({ ran_at: new Date('2025-06-16T10:00:00+08:00') }).where('id', '=', last.id).execute();

  const students = await add(NAMES, 2018, 0);

  const t = today();
  const campaign = await db.insertInto('cleanup_campaign').values({
    name: '2026年学籍清理（2018年春季入学）', cohorts: ['201803'], list_deadline: addDays(t, 14), cleanup_on: addDays(t, 30),
    doc_no: '国开学〔2026〕35号', created_by: hq.id,
  }).returning('id').executeTakeFirstOrThrow();

  const pdf = demoPdf('Written application for extension of enrolment (demo scan)');
  const application = await db.insertInto('cleanup_application').values({
    campaign_id: campaign.id, sha256: await fileStore().put(pdf), file_name: '学籍延期书面申请.pdf', content_type: 'application/pdf',
    size: pdf.length, node_path: branch.path, uploaded_by: branch.id,
  }).returning('id').executeTakeFirstOrThrow();
  const [approved, pending] = students;
  const until = maxExtensionUntil(approved.valid_until);
  await db.insertInto('cleanup_extension').values([
    { campaign_id: campaign.id, student_id: approved.id, node_path: approved.node_path, reason: '因工作外派中断学习，已完成大部分课程，申请延长学籍一年',
      application_id: application.id, extended_until: until, state: '已批准', decision_reason: '书面申请齐全，同意延期一年',
      decided_by: hq.id, decided_at: new Date(), submitted_by: branch.id },
    { campaign_id: campaign.id, student_id: pending.id, node_path: pending.node_path, reason: '因病休养一学期，申请延长学籍一年',
      application_id: application.id, extended_until: maxExtensionUntil(pending.valid_until), submitted_by: branch.id },
  ]).execute();
  await db.updateTable('student').set({ extension_until: until }).where('id', '=', approved.id).execute();
}
