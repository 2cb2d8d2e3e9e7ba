import fs from 'node:fs';
import { once } from 'node:events';
import { PassThrough, type Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import yazl from 'yazl';
import type { Actor } from '../platform/auth.ts';
import { MergedPdf, renderToBuffer, type Renderer } from '../platform/pdf.ts';
import { STAFF, requireRole } from '../platform/scope.ts';
import type { DB } from '../platform/tables.ts';
import type { Jobs } from '../platform/jobs.ts';
import { exportSettings, registerExport, type ExportContext, type ExportKind, type Produced } from '../exports/service.ts';
import { docOrder, studentsQuery } from '../records/service.ts';
import { forms, selected } from '../forms/service.ts';
import {
  ENROLL_FORMS, enrollFormsPayload, GRADUATE_FORMS, graduateFormsPayload, TRANSCRIPTS, transcriptsPayload,
  type EnrollFormsPayload, type GraduateFormsPayload, type TranscriptsPayload,
} from '../../shared/contract/records.ts';
import { documentErrors, type Counted } from './errors.ts';
import { renderGraduateForm } from './graduate-form.ts';
import { renderTranscript } from './transcript.ts';
import { renderEnrollmentForm } from './enrollment-form.ts';
import { loadEnrollmentForms, loadGraduateForms, loadTranscripts, printDate, type Loaded } from './load.ts';

/**
 * The document exports of 学籍 and 毕业生档案管理: 入学报名登记表导出 (下载报名登记表) and 成绩单打印导出
 * (成绩单打印). Both take the seed's options — 导出范围 (the ticked students, or every student of the
 * current query), 排序方式 (none chosen: each teaching point's own standard) and, for 成绩单, 打印方式 —
 * and go through one writer: a page of students is read, drawn in order, and written out before the next
 * page is read, so memory stays flat however many students an export covers.
 */

export { ENROLL_FORMS, GRADUATE_FORMS, TRANSCRIPTS };

/** Bytes the zip may hold unwritten before drawing waits for the disk. */
const ZIP_BACKLOG = 8 * 1024 * 1024;
/** Entries added to the zip and not yet written. */
const ZIP_UNWRITTEN = 8;


type ScopePayload = EnrollFormsPayload;

/** The students an export covers, as the owner may see them. Ticked ids outside the owner's scope are not there. */
function targets(db: Kysely<DB>, actor: Actor, p: ScopePayload) {
  return p.scope === 'ticked' ? studentsQuery(db, actor, {}).where('s.id', 'in', p.ids!) : studentsQuery(db, actor, p.filter);
}

/** The one size rule of every document export: ticked items all visible (else 404), not none, not over the cap. */
function checkDocumentCount(count: number, p: { scope: string; ids?: number[] }, m: Counted & { what: string; hint: string }): void {
  const asked = new Set(p.ids).size;
  if (p.scope === 'ticked' && count < asked) throw documentErrors.tickedNotFound(m, asked - count);
  if (count === 0) throw documentErrors.empty(m);
  if (count > exportSettings.maxDocuments) throw documentErrors.tooMany(m, count, exportSettings.maxDocuments);
}

async function checkTargets(db: Kysely<DB>, actor: Actor, p: ScopePayload, what: string): Promise<void> {
  requireRole(actor, STAFF, what);
  const { n } = await targets(db, actor, p).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  checkDocumentCount(Number(n), p, { thing: '学生', unit: '人', what, hint: '请调整查询条件后再导出。' });
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
  if (ids.length === 0) throw documentErrors.changedBeforeStart();
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
  let unwritten = 0;
  // The zip writes behind the drawing; a slow disk makes the drawing wait rather than memory grow.
  const zipBacklog = () => {
    const o = zip!.outputStream as unknown as Readable & { writableLength?: number };
    return o.readableLength + (o.writableLength ?? 0) + out.writableLength;
  };
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
          // Lazily, as a stream, not addBuffer: yazl keeps what an entry was added with until the zip ends
          // (1.7 GB of buffers at 20,000). The closure lets go of the PDF once yazl has taken it.
          let pdf: Buffer | null = r.pdf;
          unwritten++;
          zip.addReadStreamLazy(`${String(done).padStart(width, '0')}_${safeName(doc.studentNo)}_${safeName(doc.name)}.pdf`,
            { compress: false, size: r.pdf.length, mtime }, (cb) => {
              const entry = new PassThrough();
              entry.once('end', () => unwritten--);
              entry.end(pdf);
              pdf = null;
              cb(null, entry);
            });
          while (unwritten > ZIP_UNWRITTEN || zipBacklog() > ZIP_BACKLOG) await new Promise((res) => setTimeout(res, 2));
        } else {
          const r = merged!.add(plan.render, doc.data);
          notes.add(doc, r.report.missing.flatMap((m) => m.chars));
          await merged!.drained();
        }
      }
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
  if (done === 0) throw documentErrors.changedWhileDrawing();
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

// ——— 下载毕业生登记表 (毕业生登记表管理, seed 000 四.5) ———

function formTargets(db: Kysely<DB>, actor: Actor, p: GraduateFormsPayload) {
  return p.scope === 'ticked' ? forms(db, actor).where('g.id', 'in', p.ids!) : selected(db, actor, p.filter);
}

export const graduateFormsExport: ExportKind<GraduateFormsPayload> = {
  title: () => '毕业生登记表导出',
  payload: graduateFormsPayload,
  async check(db, actor, p) {
    requireRole(actor, STAFF, '下载毕业生登记表');
    const { n } = await formTargets(db, actor, p).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    checkDocumentCount(Number(n), p, { thing: '毕业生登记表', unit: '份', what: '毕业生登记表导出', hint: '请调整查询条件（毕业批次、登记表状态）后再导出。' });
  },
  async produce(ctx) {
    const ids = (await docOrder(formTargets(ctx.db, ctx.owner, ctx.payload), ctx.payload.sort).select('g.id').execute()).map((r) => r.id);
    return writeDocuments(ctx, ids, {
      load: (db, page) => loadGraduateForms(db, ctx.owner, page),
      render: renderGraduateForm,
      mode: ctx.payload.print_mode,
      fileStem: '毕业生登记表导出',
    });
  },
};

export function registerDocumentExports(jobs: Jobs): void {
  registerExport(jobs, GRADUATE_FORMS, graduateFormsExport);
  registerExport(jobs, ENROLL_FORMS, enrollFormsExport);
  registerExport(jobs, TRANSCRIPTS, transcriptsExport);
}
