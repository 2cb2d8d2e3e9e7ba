import fs from 'node:fs';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import yazl from 'yazl';
import type { Actor } from '../platform/auth.ts';
import { errors } from '../platform/errors.ts';
import { MergedPdf, renderToBuffer, type Renderer } from '../platform/pdf.ts';
import { STAFF, requireRole } from '../platform/scope.ts';
import type { DB } from '../platform/tables.ts';
import type { Jobs } from '../platform/jobs.ts';
import { exportSettings, registerExport, type ExportContext, type ExportKind, type Produced } from '../exports/service.ts';
import { docOrder, studentsQuery } from '../records/service.ts';
import { docFilter, sortKey } from '../records/schema.ts';
import { renderTranscript } from './transcript.ts';
import { renderEnrollmentForm } from './enrollment-form.ts';
import { loadEnrollmentForms, loadTranscripts, printDate, type Loaded } from './load.ts';

/**
 * The document exports of 学籍 and 毕业生档案管理: 入学报名登记表导出 (下载报名登记表) and 成绩单打印导出
 * (成绩单打印). Both take the seed's options — 导出范围 (the ticked students, or every student of the
 * current query), 排序方式 (none chosen: each teaching point's own standard) and, for 成绩单, 打印方式 —
 * and go through one writer: a page of students is read, drawn in order, and written out before the next
 * page is read, so memory stays flat however many students an export covers.
 */

export const ENROLL_FORMS = 'enroll-forms';
export const TRANSCRIPTS = 'transcripts';

/** Bytes the zip may hold unwritten before drawing waits for the disk. */
const ZIP_BACKLOG = 16 * 1024 * 1024;

export const scopeFields = {
  scope: z.enum(['ticked', 'query'], '请选择导出范围：勾选的学生，或当前查询的全部学生。'),
  ids: z.array(z.number().int().positive()).max(200_000).optional(),
  filter: docFilter.default({}),
  /** null: the teaching points' 文档排序标准. */
  sort: sortKey.nullable().default(null),
};
const tickedNeedsIds = (p: { scope: string; ids?: number[] }) => p.scope !== 'ticked' || (p.ids?.length ?? 0) > 0;
const tickedMessage = { message: '导出范围为“勾选的学生”，但没有勾选学生。请先勾选，或选择“当前查询的全部学生”。' };

export const enrollFormsPayload = z.object(scopeFields).refine(tickedNeedsIds, tickedMessage);
export type EnrollFormsPayload = z.infer<typeof enrollFormsPayload>;

export const transcriptsPayload = z.object({
  ...scopeFields,
  print_mode: z.enum(['zip', 'merged', 'duplex'], '打印方式为：每人一个 PDF、合并为一个 PDF 或 双面打印').default('zip'),
}).refine(tickedNeedsIds, tickedMessage);
export type TranscriptsPayload = z.infer<typeof transcriptsPayload>;

type ScopePayload = EnrollFormsPayload;

/** The students an export covers, as the owner may see them. Ticked ids outside the owner's scope are not there. */
function targets(db: Kysely<DB>, actor: Actor, p: ScopePayload) {
  return p.scope === 'ticked' ? studentsQuery(db, actor, {}).where('s.id', 'in', p.ids!) : studentsQuery(db, actor, p.filter);
}

export async function checkTargets(db: Kysely<DB>, actor: Actor, p: ScopePayload, what: string): Promise<void> {
  requireRole(actor, STAFF, what);
  const { n } = await targets(db, actor, p).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const count = Number(n);
  if (p.scope === 'ticked' && count < new Set(p.ids).size) {
    throw errors.notFound(`勾选的学生中有 ${new Set(p.ids).size - count} 人`);
  }
  if (count === 0) throw errors.validation(`没有符合条件的学生，未生成${what}文件。请调整查询条件后再导出。`);
  if (count > exportSettings.maxDocuments) {
    throw errors.validation(`符合条件的学生共 ${count} 人，超过单次${what}上限 ${exportSettings.maxDocuments} 人。请按教学点或专业分批导出。`);
  }
}

/** A name a zip entry (and Windows) accepts: path and reserved characters become "_". */
const safeName = (s: string) => s.replace(/[\\/:*?"<>|\x00-\x1f]/g, '_').trim() || '_';

export interface Plan<T> {
  load(db: Kysely<DB>, ids: number[]): Promise<Map<number, Loaded<T>>>;
  render: Renderer<T>;
  mode: 'zip' | 'merged' | 'duplex';
  fileStem: string;
}

/** Notes for the message: who printed with 未填写 / 未上传 in a field, and characters no font could print. */
class Notes {
  private missing = new Map<string, number>();
  private glyphs = new Map<string, string[]>();
  add(doc: Loaded<unknown>, chars: string[]): void {
    for (const m of doc.missing) this.missing.set(m, (this.missing.get(m) ?? 0) + 1);
    if (chars.length) this.glyphs.set(`${doc.studentNo} ${doc.name}`, chars);
  }
  lines(): string[] {
    const out: string[] = [];
    if (this.missing.size) {
      out.push(`其中 ${[...this.missing].map(([f, n]) => `${n} 人缺${f}`).join('、')}（已在表中相应位置注明“未上传”或“未填写”，请补齐后重新导出）。`);
    }
    if (this.glyphs.size) {
      const who = [...this.glyphs].slice(0, 10).map(([s, c]) => `${s}（${c.join('')}）`).join('、');
      out.push(`以下学生的信息中有字体无法打印的字符，打印处为空白，请手写补上：${who}${this.glyphs.size > 10 ? ` 等 ${this.glyphs.size} 人` : ''}。`);
    }
    return out;
  }
}

async function produceDocuments<T>(ctx: ExportContext<ScopePayload>, plan: Plan<T>): Promise<Produced | null> {
  const ids = (await docOrder(targets(ctx.db, ctx.owner, ctx.payload), ctx.payload.sort).select('s.id').execute()).map((r) => r.id);
  return writeDocuments(ctx, ids, plan);
}

/**
 * Draws the documents of `ids` (student ids, in print order) into the export's file: a zip of one PDF per
 * student named 0001_学号_姓名.pdf, or one merged PDF (duplex: each student from an odd page). Any
 * document export (毕业生登记表 too) ends here.
 */
export async function writeDocuments<T>(ctx: ExportContext<unknown>, ids: number[], plan: Plan<T>): Promise<Produced | null> {
  if (ids.length === 0) throw new Error('没有符合条件的学生（名单在导出开始前已变化），请重新查询后再导出');
  if (!(await ctx.progress(0, ids.length))) return null;
  const out = fs.createWriteStream(ctx.file);
  const closed = once(out, 'close');
  const notes = new Notes();
  const width = Math.max(4, String(ids.length).length);
  let pages = 0;
  let done = 0;
  let cancelled = false;

  const zip = plan.mode === 'zip' ? new yazl.ZipFile() : null;
  const merged = plan.mode === 'zip' ? null : new MergedPdf(out, { duplex: plan.mode === 'duplex' });
  zip?.outputStream.pipe(out);
  const mtime = new Date();
  try {
    for (let at = 0; at < ids.length && !cancelled; at += exportSettings.documentPage) {
      const page = ids.slice(at, at + exportSettings.documentPage);
      const loaded = await plan.load(ctx.db, page);
      for (const id of page) {
        const doc = loaded.get(id);
        // Gone since the list was read (moved to another teaching point, say): skipped, the numbering goes on.
        if (!doc) continue;
        done++;
        if (zip) {
          const r = await renderToBuffer(plan.render, doc.data);
          pages += r.pages;
          notes.add(doc, r.report.missing.flatMap((m) => m.chars));
          zip.addBuffer(r.pdf, `${String(done).padStart(width, '0')}_${safeName(doc.studentNo)}_${safeName(doc.name)}.pdf`, { compress: false, mtime });
        } else {
          const r = merged!.add(plan.render, doc.data);
          notes.add(doc, r.report.missing.flatMap((m) => m.chars));
          await merged!.drained();
        }
      }
      // The zip writes behind the drawing; a slow disk makes the drawing wait rather than memory grow.
      while (zip && (zip.outputStream as unknown as Readable).readableLength + out.writableLength > ZIP_BACKLOG) await new Promise((r) => setTimeout(r, 5));
      if (exportSettings.pageDelayMs) await new Promise((r) => setTimeout(r, exportSettings.pageDelayMs));
      if (!(await ctx.progress(done, ids.length))) cancelled = true;
    }
  } finally {
    // Closed even when cancelled or failed: the framework removes the temp file afterwards.
    if (zip) zip.end();
    else pages = (await merged!.end()).pages;
    await closed;
  }
  if (cancelled) return null;
  if (done === 0) throw new Error('没有可导出的学生（名单在导出过程中已变化），请重新查询后再导出');
  const stamp = printDate().replaceAll('-', '');
  return zip
    ? { fileName: `${plan.fileStem}-${stamp}.zip`, contentType: 'application/zip', count: done, pages, notes: notes.lines() }
    : { fileName: `${plan.fileStem}-${stamp}.pdf`, contentType: 'application/pdf', count: done, pages, notes: notes.lines() };
}

export const enrollFormsExport: ExportKind<EnrollFormsPayload> = {
  title: () => '入学报名登记表导出',
  payload: enrollFormsPayload,
  check: (db, actor, p) => checkTargets(db, actor, p, '入学报名登记表导出'),
  produce: (ctx) => produceDocuments(ctx, {
    load: loadEnrollmentForms, render: renderEnrollmentForm, mode: 'zip', fileStem: '入学报名登记表导出',
  }),
};

export const transcriptsExport: ExportKind<TranscriptsPayload> = {
  title: () => '成绩单打印导出',
  payload: transcriptsPayload,
  check: (db, actor, p) => checkTargets(db, actor, p, '成绩单打印导出'),
  produce: (ctx) => produceDocuments(ctx, {
    load: (db, ids) => loadTranscripts(db, ids, ctx.payload.filter.batch ?? null),
    render: renderTranscript,
    mode: ctx.payload.print_mode,
    fileStem: '成绩单打印导出',
  }),
};

export function registerDocumentExports(jobs: Jobs): void {
  registerExport(jobs, ENROLL_FORMS, enrollFormsExport);
  registerExport(jobs, TRANSCRIPTS, transcriptsExport);
}
