import fs from 'node:fs';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import PDFDocument from 'pdfkit';
import { AppError } from './errors.ts';

/**
 * The PDF machinery every printed document goes through (成绩单, 入学报名登记表, …): the Chinese font,
 * A4 pages in millimetres, ruled cells whose text is wrapped or shrunk until it fits (and reported when
 * it had to shrink or could not fit), page numbers, the photo box, and output as one PDF per document
 * or many documents appended to one merged PDF (optionally for duplex printing).
 *
 * Speed comes from the font (MEASURED.md): ONE fontkit font object, opened once per process and handed
 * to every document, with a TrueType CJK font. Passing the font file to each document re-parses it each
 * time and is 5× slower; CFF fonts (Noto CJK) are 4× slower than TrueType.
 *
 * 生僻字 (CJK Extension A/B, e.g. 䶮 𠀾) are not in that font: they are drawn from fallback fonts (Hanazono
 * Mincho by default), the first in the chain that has the character. The fallbacks are opened on the first
 * such character only (they are 50 MB), and a line whose characters are all in the primary font is drawn
 * in one piece exactly as before.
 */

export const DEFAULT_FONT_PATH = '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc';
/** The face inside the collection (the .ttc also holds the monospaced WenQuanYiMicroHeiMono). */
const DEFAULT_FACE = 'WenQuanYiMicroHei';
/** Debian's fonts-hanazono: HanaMinA has the BMP with Extension A, HanaMinB Extensions B–F. */
export const DEFAULT_FALLBACK_FONT_PATHS: readonly string[] = [
  '/usr/share/fonts/truetype/hanazono/HanaMinA.ttf',
  '/usr/share/fonts/truetype/hanazono/HanaMinB.ttf',
];

export const mm = (v: number): number => (v * 72) / 25.4;
export const A4 = { width: mm(210), height: mm(297) } as const;

/** The part of a fontkit font this module uses; fontkit ships no types. */
interface FontkitFont {
  postscriptName: string;
  unitsPerEm: number;
  ascent: number;
  descent: number;
  hasGlyphForCodePoint(codePoint: number): boolean;
  layout(text: string): { advanceWidth: number };
}

let shared: FontkitFont | undefined;
/** The font's ascent-to-descent as a share of the size (set when the font opens); lines are a little wider. */
let fontBox = 1.2;
const lineHeight = (size: number) => size * fontBox * 1.08;
/** Every font file opened, by path: a fallback is read once per process even if the chain is rebuilt. */
const opened = new Map<string, FontkitFont>();
/** The fallback fonts in chain order, opened on the first character the primary font lacks. */
let fallbacks: FontkitFont[] | undefined;

/** How one character is drawn: its advance width at 1 pt, and which font of the chain draws it. */
interface Glyph {
  width: number;
  /** 0 the primary font, 1… a fallback, -1 no font has it (drawn by the primary as a blank). */
  font: number;
}
/** Per character, measured once per process and shared by all documents. */
const glyphs = new Map<string, Glyph>();

export const pdfErrors = {
  fontMissing: (file: string) =>
    new AppError(500, 'PDF_FONT_MISSING',
      `服务器缺少打印用的中文字体（${file}），无法生成 PDF。请管理员安装 Debian 软件包 fonts-wqy-microhei（apt-get install fonts-wqy-microhei），或用环境变量 PDF_FONT 指定一个 TrueType 中文字体文件。`),
  fontUnreadable: (file: string, why: string, env = 'PDF_FONT') =>
    new AppError(500, 'PDF_FONT_UNREADABLE', `打印用的中文字体文件（${file}）无法读取：${why}。请检查环境变量 ${env} 指向的文件。`),
};

/** The path of the CJK font: env PDF_FONT, else WenQuanYi Micro Hei from fonts-wqy-microhei. */
export function fontPath(): string {
  return process.env.PDF_FONT || DEFAULT_FONT_PATH;
}

/**
 * The shared font, opened on first use. fontkit is pdfkit's own dependency, not ours: it is loaded from
 * pdfkit's location so that we get exactly the fontkit pdfkit uses, whatever npm hoisting does.
 */
export function cjkFont(): FontkitFont {
  if (shared) return shared;
  shared = openFont(fontPath(), process.env.PDF_FONT ? undefined : DEFAULT_FACE);
  fontBox = (shared.ascent - shared.descent) / shared.unitsPerEm;
  return shared;
}

/**
 * The fallback font files, in order: env PDF_FALLBACK_FONTS (paths separated by ':'), else Hanazono Mincho
 * A and B from fonts-hanazono. Files that do not exist are skipped: without them 生僻字 are only reported.
 */
export function fallbackFontPaths(): string[] {
  const env = process.env.PDF_FALLBACK_FONTS;
  const paths = env ? env.split(':').filter((p) => p !== '') : DEFAULT_FALLBACK_FONT_PATHS;
  return paths.filter((p) => fs.existsSync(p));
}

/** The fonts text is drawn with, in the order they are asked for a character: the primary, then the fallbacks. */
export function fontChain(): FontkitFont[] {
  return [cjkFont(), ...fallbackFonts()];
}

function fallbackFonts(): FontkitFont[] {
  fallbacks ??= fallbackFontPaths().map((file) => {
    let font = opened.get(file);
    if (!font) {
      font = openFont(file, undefined, 'PDF_FALLBACK_FONTS');
      opened.set(file, font);
    }
    return font;
  });
  return fallbacks;
}

/** For tests: forgets the fallback chain and what each character is drawn with, so that the next character
 *  looked up reads PDF_FALLBACK_FONTS again (font files already opened are not read again). */
export function resetFallbackFonts(): void {
  fallbacks = undefined;
  glyphs.clear();
}

/** Opens a TrueType font (or the named face of a collection; the first face without a name). */
export function openFont(file: string, face?: string, env = 'PDF_FONT'): FontkitFont {
  if (!fs.existsSync(file)) throw pdfErrors.fontMissing(file);
  const requireHere = createRequire(import.meta.url);
  const fontkit = createRequire(requireHere.resolve('pdfkit'))('fontkit') as {
    create(buf: Uint8Array, postscriptName?: string): FontkitFont | { fonts: FontkitFont[] } | null;
  };
  let font: FontkitFont | { fonts: FontkitFont[] } | null;
  try {
    font = fontkit.create(fs.readFileSync(file), face);
    if (font && 'fonts' in font) font = font.fonts[0];
  } catch (e) {
    throw pdfErrors.fontUnreadable(file, (e as Error).message, env);
  }
  if (!font || typeof font.layout !== 'function') throw pdfErrors.fontUnreadable(file, '不是 TrueType 字体', env);
  memoizeGlyphDecoding(font);
  return font;
}

const DECODED = Symbol('decoded glyph');
const MEMOIZED = Symbol('glyph decoding memoized');
/**
 * Every PDF embeds a subset of the font, and fontkit's subsetter decodes each glyph's whole outline again
 * for every document just to learn whether it is a composite (about a third of a one-page PDF's time). A
 * glyph object is kept per font, so its decoded outline is kept with it: decoded once per process.
 * Variable fonts are left alone (their outlines depend on the variation).
 */
function memoizeGlyphDecoding(font: FontkitFont): void {
  const sample = (font as unknown as { getGlyph(id: number): object | null }).getGlyph(0);
  const proto = sample && (Object.getPrototypeOf(sample) as { _decode?: (this: object) => unknown; [MEMOIZED]?: true });
  if (!proto || typeof proto._decode !== 'function' || proto[MEMOIZED]) return;
  const decode = proto._decode;
  proto._decode = function (this: { _font?: { _variationProcessor?: unknown }; [DECODED]?: unknown }) {
    if (this._font?._variationProcessor) return decode.call(this);
    if (!Object.hasOwn(this, DECODED)) this[DECODED] = decode.call(this);
    return this[DECODED];
  };
  proto[MEMOIZED] = true;
}

function glyph(ch: string): Glyph {
  let g = glyphs.get(ch);
  if (g === undefined) {
    const primary = cjkFont();
    const cp = ch.codePointAt(0)!;
    // ASCII (and control characters, drawn as nothing) is always the primary font's.
    let font = 0;
    let by = primary;
    if (cp >= 0x80 && !primary.hasGlyphForCodePoint(cp)) {
      const more = fallbackFonts();
      const i = more.findIndex((f) => f.hasGlyphForCodePoint(cp));
      font = i >= 0 ? i + 1 : -1;
      if (i >= 0) by = more[i];
    }
    g = { width: by.layout(ch).advanceWidth / by.unitsPerEm, font };
    glyphs.set(ch, g);
  }
  return g;
}

/** Characters of `text` no font of the chain has a glyph for (a 生僻字 beyond the fallbacks): they print as blanks. */
export function missingGlyphs(text: string): string[] {
  const out = new Set<string>();
  for (const ch of text) if (glyph(ch).font < 0) out.add(ch);
  return [...out];
}

const widthAt1pt = (ch: string): number => glyph(ch).width;

/** The width of `text` at `size`, each character measured in the font that draws it. */
export function textWidth(text: string, size: number): number {
  let w = 0;
  for (const ch of text) w += glyph(ch).width;
  return w * size;
}

/** Its width, and whether any character of it comes from a fallback font (then it is drawn run by run). */
function measure(text: string, size: number): { width: number; mixed: boolean } {
  let w = 0;
  let mixed = false;
  for (const ch of text) {
    const g = glyph(ch);
    w += g.width;
    if (g.font > 0) mixed = true;
  }
  return { width: w * size, mixed };
}

/** Pieces of `text` drawn by one font each, in order; a character no font has goes with the primary. */
function runs(text: string): { font: number; text: string; width: number }[] {
  const out: { font: number; text: string; width: number }[] = [];
  for (const ch of text) {
    const g = glyph(ch);
    const font = Math.max(0, g.font);
    const last = out[out.length - 1];
    if (last && last.font === font) {
      last.text += ch;
      last.width += g.width;
    } else {
      out.push({ font, text: ch, width: g.width });
    }
  }
  return out;
}

/** The name a document knows a font of the chain by ('CJK' the primary, as newDocument() names it). By its
 *  own name, not its place in the chain, so that a name always means one font (the chain can be rebuilt). */
const fontName = (font: FontkitFont, i: number) => (i === 0 ? 'CJK' : `CJK ${font.postscriptName}`);

/**
 * Draws one line with its left end at `x` and the top of the primary font's line at `y`. All in the primary
 * font (nearly always): one doc.text, as it always was. Otherwise run by run, each in its font at the x where
 * the widths put it, moved down or up so that every run sits on the primary font's baseline; then the primary
 * font is selected again, which the rest of the document relies on.
 */
function drawLine(doc: PDFKit.PDFDocument, line: string, x: number, y: number, size: number, mixed: boolean, opts: PDFKit.Mixins.TextOptions): void {
  if (!mixed) {
    doc.text(line, x, y, opts);
    return;
  }
  const chain = fontChain();
  const ascent = (f: FontkitFont) => f.ascent / f.unitsPerEm;
  let cx = x;
  for (const run of runs(line)) {
    const font = chain[run.font];
    // pdfkit 0.20 takes a fontkit font object; the name makes it one font of the document, embedded once.
    doc.font(font as unknown as string, fontName(font, run.font));
    doc.text(run.text, cx, y + (ascent(chain[0]) - ascent(font)) * size, opts);
    cx += run.width * size;
  }
  doc.font(chain[0] as unknown as string, fontName(chain[0], 0));
}

/** Punctuation that must not start a line (避头点): when it does not fit, it takes the character before it to the next line. */
const NO_LINE_START = /^[，。、；：？！）》」』”’,.;:?!)\]%]$/;

/**
 * Breaks text into lines no wider than `width` at `size`: Chinese may break between any two characters,
 * a run of Latin letters or digits (学号, 身份证号, an English word) only where it is too long for a line.
 */
export function wrap(text: string, width: number, size: number): string[] {
  const lines: string[] = [];
  for (const para of text.split(/\r?\n/)) {
    const tokens = para.match(/[A-Za-z0-9@._\-/#]+|\s+|[^\s]/gu) ?? [];
    let line = '';
    let lineW = 0;
    for (const tok of tokens) {
      const w = textWidth(tok, size);
      if (lineW + w > width && line !== '' && NO_LINE_START.test(tok)) {
        // Punctuation that does not fit takes the character before it to the next line.
        const chars = [...line];
        if (chars.length > 1 && !/\s/.test(chars[chars.length - 1])) {
          const carried = chars.pop()!;
          lines.push(chars.join('').trimEnd());
          line = carried + tok;
          lineW = textWidth(line, size);
          continue;
        }
      }
      if (lineW + w <= width || line === '') {
        if (line === '' && /^\s+$/.test(tok)) continue;
        line += tok;
        lineW += w;
        if (lineW > width && line.length > 1) {
          // One token longer than a whole line (a long number in a narrow cell): split by character.
          const parts = splitByWidth(line, width, size);
          lines.push(...parts.slice(0, -1));
          line = parts[parts.length - 1];
          lineW = textWidth(line, size);
        }
        continue;
      }
      lines.push(line.trimEnd());
      if (/^\s+$/.test(tok)) {
        line = '';
        lineW = 0;
      } else {
        line = tok;
        lineW = w;
        if (lineW > width) {
          const parts = splitByWidth(line, width, size);
          lines.push(...parts.slice(0, -1));
          line = parts[parts.length - 1];
          lineW = textWidth(line, size);
        }
      }
    }
    lines.push(line.trimEnd());
  }
  return lines;
}

function splitByWidth(text: string, width: number, size: number): string[] {
  const out: string[] = [];
  let cur = '';
  let w = 0;
  for (const ch of text) {
    const cw = widthAt1pt(ch) * size;
    if (cur !== '' && w + cw > width) {
      out.push(cur);
      cur = '';
      w = 0;
    }
    cur += ch;
    w += cw;
  }
  out.push(cur);
  return out;
}

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface CellOptions {
  /** Font size in pt wanted; the text shrinks from it down to `minSize` before it is cut. */
  size?: number;
  minSize?: number;
  align?: 'left' | 'center' | 'right';
  valign?: 'top' | 'middle';
  /** Rule the box (default true). */
  border?: boolean;
  /** Grey fill behind the text (header cells). */
  fill?: string;
  color?: string;
  /** Padding inside the cell, in pt. */
  pad?: number;
  /** What the report calls the cell (e.g. "通讯地址"). */
  name?: string;
}

/** What the drawer had to do to fit the text: the test asserts no overflow; an export can warn. */
export interface FitReport {
  /** Texts drawn smaller than asked, to fit their cell. */
  shrunk: { cell: string; text: string; from: number; to: number }[];
  /** Texts that did not fit even at the smallest size: cut, with "…" at the end. */
  overflowed: { cell: string; text: string }[];
  /** Characters no font of the chain (primary and fallbacks) can print, with the cell they were in. */
  missing: { cell: string; chars: string[] }[];
}

export const emptyReport = (): FitReport => ({ shrunk: [], overflowed: [], missing: [] });

/** Column positions and row heights of a ruled form, in pt; `box` gives a cell with its spans. */
export class Grid {
  private readonly xs: number[];
  private readonly ys: number[];
  constructor(x: number, y: number, colWidths: number[], rowHeights: number[]) {
    this.xs = [x];
    for (const w of colWidths) this.xs.push(this.xs[this.xs.length - 1] + w);
    this.ys = [y];
    for (const h of rowHeights) this.ys.push(this.ys[this.ys.length - 1] + h);
  }
  box(row: number, col: number, rowSpan = 1, colSpan = 1): Box {
    const x = this.xs[col];
    const y = this.ys[row];
    return { x, y, w: this.xs[col + colSpan] - x, h: this.ys[row + rowSpan] - y };
  }
  get bottom(): number {
    return this.ys[this.ys.length - 1];
  }
}

export interface TableColumn {
  title: string;
  width: number;
  align?: 'left' | 'center' | 'right';
}

/**
 * One document being drawn: the pages it added, the fit report, and the drawing helpers. The same
 * object draws into a document of its own or into a merged PDF; the renderer does not know which.
 */
export class PdfCanvas {
  readonly report: FitReport = emptyReport();
  pages = 0;
  /** Cell rules of the current page, stroked as one path when the page is done: one stroke per page
   *  instead of one per cell (a transcript page has ~300 cells; this was a tenth of the drawing time). */
  private borders: Box[] = [];
  constructor(readonly doc: PDFKit.PDFDocument) {}

  /** Strokes the pending cell rules of the current page (called before a new page and at the end). */
  flush(): void {
    if (this.borders.length === 0) return;
    this.doc.lineWidth(0.6).strokeColor('black');
    for (const b of this.borders) this.doc.rect(b.x, b.y, b.w, b.h);
    this.doc.stroke();
    this.borders = [];
  }

  /** Starts a new A4 page of this document. */
  newPage(): void {
    this.flush();
    this.doc.addPage({ size: 'A4', margin: 0 });
    this.pages++;
  }

  /** Text at a point, on one line, no wrapping (titles, captions). Returns its width. */
  text(str: string, x: number, y: number, opts: { size?: number; align?: 'left' | 'center' | 'right'; width?: number; color?: string; bold?: boolean } = {}): void {
    const size = opts.size ?? 10.5;
    this.noteMissing('文字', str);
    const { width: w, mixed } = measure(str, size);
    let left = x;
    if (opts.width !== undefined && opts.align === 'center') left = x + (opts.width - w) / 2;
    if (opts.width !== undefined && opts.align === 'right') left = x + opts.width - w;
    this.doc.fontSize(size).fillColor(opts.color ?? 'black');
    if (opts.bold) {
      // The font has no bold face: fill and stroke the outline thinly instead.
      this.doc.lineWidth(size / 40).strokeColor(opts.color ?? 'black');
      drawLine(this.doc, str, left, y, size, mixed, { lineBreak: false, fill: true, stroke: true });
    } else {
      drawLine(this.doc, str, left, y, size, mixed, { lineBreak: false });
    }
  }

  /**
   * A ruled cell with its text wrapped to the cell's width; if the lines are too many for its height,
   * the size steps down (0.5 pt at a time) to `minSize`; if that is still too much, the text is cut
   * with "…" and reported. Nothing is ever drawn outside the box.
   */
  cell(box: Box, text: string, opts: CellOptions = {}): void {
    const doc = this.doc;
    const want = opts.size ?? 10;
    const minSize = Math.min(opts.minSize ?? 6, want);
    const pad = opts.pad ?? 2;
    if (opts.fill) doc.rect(box.x, box.y, box.w, box.h).fill(opts.fill);
    if (opts.border !== false) this.borders.push(box);
    if (text === '') return;
    const name = opts.name ?? text.slice(0, 8);
    this.noteMissing(name, text);
    const innerW = box.w - 2 * pad;
    const innerH = box.h - 2 * pad;
    let size = want;
    let lines = wrap(text, innerW, size);
    while (lines.length * lineHeight(size) > innerH && size - 0.5 >= minSize) {
      size -= 0.5;
      lines = wrap(text, innerW, size);
    }
    const lh = lineHeight(size);
    if (lines.length * lh > innerH) {
      const fit = Math.max(1, Math.floor(innerH / lh));
      lines = lines.slice(0, fit);
      let last = lines[fit - 1];
      while (last.length > 0 && textWidth(`${last}…`, size) > innerW) last = [...last].slice(0, -1).join('');
      lines[fit - 1] = `${last}…`;
      this.report.overflowed.push({ cell: name, text });
    } else if (size < want) {
      this.report.shrunk.push({ cell: name, text, from: want, to: size });
    }
    const blockH = lines.length * lh;
    let y = box.y + pad + (opts.valign === 'top' ? 0 : Math.max(0, (innerH - blockH) / 2));
    doc.fontSize(size).fillColor(opts.color ?? 'black');
    for (const line of lines) {
      const { width: w, mixed } = measure(line, size);
      const align = opts.align ?? 'left';
      const x = align === 'center' ? box.x + (box.w - w) / 2 : align === 'right' ? box.x + box.w - pad - w : box.x + pad;
      drawLine(doc, line, x, y + (lh - size * fontBox) / 2, size, mixed, { lineBreak: false });
      y += lh;
    }
  }

  /**
   * A JPEG fitted (aspect kept) and centred in a ruled box; without one, the box says "照片" (and why,
   * e.g. "未上传"), so the missing photo is visible on paper rather than a silent blank.
   */
  photo(box: Box, jpeg: Buffer | null, missingNote = '未上传'): void {
    const doc = this.doc;
    doc.lineWidth(0.6).strokeColor('black').rect(box.x, box.y, box.w, box.h).stroke();
    if (jpeg) {
      try {
        const inset = 1.5;
        doc.image(jpeg, box.x + inset, box.y + inset, { fit: [box.w - 2 * inset, box.h - 2 * inset], align: 'center', valign: 'center' });
        return;
      } catch {
        missingNote = '无法读取';
      }
    }
    this.cell(box, `照片\n（${missingNote}）`, { border: false, align: 'center', size: 10, color: '#555555', name: '照片' });
  }

  /**
   * A table of rows under a header row, from `y` down to `bottom`; when the next row does not fit, a new
   * page is started, `continued()` draws that page's heading and returns where the table goes on, and the
   * header row is repeated. Returns the y below the last row.
   */
  table(x: number, y: number, bottom: number, columns: TableColumn[], rows: string[][], opts: { rowHeight: number; headerHeight?: number; size?: number; continued: () => number }): number {
    const headerH = opts.headerHeight ?? opts.rowHeight;
    const header = (top: number) => {
      let cx = x;
      for (const c of columns) {
        this.cell({ x: cx, y: top, w: c.width, h: headerH }, c.title, { align: 'center', size: opts.size, fill: '#eeeeee', name: `表头 ${c.title}` });
        cx += c.width;
      }
      return top + headerH;
    };
    y = header(y);
    for (const row of rows) {
      if (y + opts.rowHeight > bottom) {
        this.newPage();
        y = header(opts.continued());
      }
      let cx = x;
      row.forEach((text, i) => {
        const c = columns[i];
        this.cell({ x: cx, y, w: c.width, h: opts.rowHeight }, text, { align: c.align ?? 'center', size: opts.size, minSize: 5, pad: 1, name: c.title });
        cx += c.width;
      });
      y += opts.rowHeight;
    }
    return y;
  }

  /** Notes the characters no font of the chain has, so that an export can say which could not be printed. */
  private noteMissing(cell: string, text: string): void {
    if (/^[\x20-\x7e\n]*$/.test(text)) return;
    const chars = missingGlyphs(text);
    if (chars.length > 0) this.report.missing.push({ cell, chars });
  }
}


/** Draws one document onto a canvas: adds its pages with `canvas.newPage()`, draws them. */
export type Renderer<T> = (canvas: PdfCanvas, data: T) => void;

export interface RenderOptions {
  /** "第 1 页 / 共 2 页" at the foot of each page: always, only when the document runs over a page (default), or never. */
  pageNumbers?: 'always' | 'multi' | 'never';
}

export interface Rendered {
  pages: number;
  report: FitReport;
}

function newDocument(out: Writable): PDFKit.PDFDocument {
  const font = cjkFont();
  // No default font (pdfkit would load Helvetica's metrics for nothing); pages are buffered so that page
  // numbers can be written once a document's page count is known, then flushed document by document.
  const doc = new PDFDocument({ autoFirstPage: false, bufferPages: true, font: null as unknown as string, info: { Producer: 'graduation-platform', Creator: 'graduation-platform' } });
  // pdfkit 0.20 takes a fontkit font object (anything with layout()); @types/pdfkit does not know it.
  // The fallback fonts are named the same way where a line first needs one (drawLine): a document that
  // prints no 生僻字 neither opens nor embeds them.
  doc.font(font as unknown as string, 'CJK');
  doc.pipe(out);
  return doc;
}

/** Draws one document at the end of `doc`, numbers its pages, and writes them out (memory stays flat). */
function appendTo<T>(doc: PDFKit.PDFDocument, render: Renderer<T>, data: T, opts: RenderOptions, duplex: boolean): Rendered {
  const canvas = new PdfCanvas(doc);
  const first = doc.bufferedPageRange().start + doc.bufferedPageRange().count;
  render(canvas, data);
  if (canvas.pages === 0) canvas.newPage();
  canvas.flush();
  const mode = opts.pageNumbers ?? 'multi';
  if (mode === 'always' || (mode === 'multi' && canvas.pages > 1)) {
    for (let i = 0; i < canvas.pages; i++) {
      doc.switchToPage(first + i);
      canvas.text(`第 ${i + 1} 页 / 共 ${canvas.pages} 页`, 0, A4.height - mm(12), { size: 9, align: 'center', width: A4.width });
    }
  }
  // Duplex: a document that ends on a front side gets a blank back, so the next starts on a front.
  if (duplex && canvas.pages % 2 === 1) doc.addPage({ size: 'A4', margin: 0 });
  doc.flushPages();
  return { pages: canvas.pages, report: canvas.report };
}

function collect(): { sink: Writable; done: Promise<Buffer> } {
  const chunks: Buffer[] = [];
  let resolve!: (b: Buffer) => void;
  let reject!: (e: Error) => void;
  const done = new Promise<Buffer>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  sink.on('finish', () => resolve(Buffer.concat(chunks)));
  sink.on('error', reject);
  return { sink, done };
}

/** One document as one PDF, written to `out`; resolves when the PDF is complete. */
export async function renderToStream<T>(out: Writable, render: Renderer<T>, data: T, opts: RenderOptions = {}): Promise<Rendered> {
  const doc = newDocument(out);
  const result = appendTo(doc, render, data, opts, false);
  const finished = new Promise<void>((resolve, reject) => {
    out.once('finish', resolve);
    out.once('error', reject);
  });
  doc.end();
  await finished;
  return result;
}

/** One document as one PDF in memory (for a zip of per-student files). */
export async function renderToBuffer<T>(render: Renderer<T>, data: T, opts: RenderOptions = {}): Promise<Rendered & { pdf: Buffer }> {
  const { sink, done } = collect();
  const doc = newDocument(sink);
  const result = appendTo(doc, render, data, opts, false);
  doc.end();
  return { ...result, pdf: await done };
}

/**
 * Many documents appended to one PDF written to `out` as it goes: each document's pages are written
 * once it is drawn, so a merged PDF of 20,000 transcripts does not grow in memory. With `duplex`, every
 * document starts on an odd page.
 */
/** Documents between two emptyings of pdfkit's layout cache in a merged PDF. */
const LAYOUT_CACHE_DOCUMENTS = 100;

export class MergedPdf {
  private readonly doc: PDFKit.PDFDocument;
  private readonly finished: Promise<void>;
  pages = 0;
  documents = 0;
  constructor(private readonly out: Writable, private readonly opts: RenderOptions & { duplex?: boolean } = {}) {
    this.finished = new Promise<void>((resolve, reject) => {
      out.once('finish', resolve);
      out.once('error', reject);
    });
    this.doc = newDocument(out);
  }

  add<T>(render: Renderer<T>, data: T): Rendered {
    const r = appendTo(this.doc, render, data, this.opts, this.opts.duplex === true);
    this.documents++;
    this.pages += r.pages + (this.opts.duplex && r.pages % 2 === 1 ? 1 : 0);
    // pdfkit keeps the layout of every distinct word for the life of a document: names, 学号 and 身份证号
    // add ~8 KB a student to a merged PDF (160 MB at 20,000). Emptied now and then, memory stays flat.
    if (this.documents % LAYOUT_CACHE_DOCUMENTS === 0) {
      const families = (this.doc as unknown as { _fontFamilies: Record<string, { layoutCache?: object }> })._fontFamilies;
      for (const f of Object.values(families)) if (f.layoutCache) f.layoutCache = Object.create(null);
    }
    return r;
  }

  /**
   * Resolves once `out` has taken what was written so far. pdfkit does not stop drawing when `out` is
   * slow (a network upload); a caller appending thousands of documents awaits this between documents
   * so the PDF does not pile up in memory.
   */
  async drained(): Promise<void> {
    if (this.out.writableNeedDrain) await once(this.out, 'drain');
  }

  /** Finishes the PDF; resolves when `out` has it all. */
  async end(): Promise<{ pages: number; documents: number }> {
    if (this.pages === 0) this.doc.addPage({ size: 'A4', margin: 0 });
    this.doc.end();
    await this.finished;
    return { pages: this.pages, documents: this.documents };
  }
}

/** A Writable collecting into memory, for tests and small merged files. */
export function memorySink(): { sink: Writable; done: Promise<Buffer> } {
  return collect();
}
