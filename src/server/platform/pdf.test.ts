import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from './errors.ts';
import {
  A4, Grid, MergedPdf, cjkFont, memorySink, missingGlyphs, mm, openFont, renderToBuffer, renderToStream, textWidth, wrap,
  type PdfCanvas,
} from './pdf.ts';

let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pdf-test-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const pdfPages = (pdf: Buffer) => {
  const file = path.join(dir, `p${Math.random().toString(36).slice(2)}.pdf`);
  fs.writeFileSync(file, pdf);
  const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
  return { file, pages: Number(/Pages:\s+(\d+)/.exec(info)?.[1]) };
};
const pageTexts = (file: string) => execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }).split('\f').slice(0, -1);

/** A document of `pages` pages, each saying which document and page it is. */
const numbered = (pdf: PdfCanvas, d: { name: string; pages: number }) => {
  for (let i = 1; i <= d.pages; i++) {
    pdf.newPage();
    pdf.cell({ x: mm(20), y: mm(20), w: mm(80), h: mm(10) }, `文档${d.name}第${i}面`);
  }
};

describe('the font', () => {
  test('opens once and is shared', () => {
    assert.equal(cjkFont(), cjkFont());
    assert.equal(cjkFont().postscriptName, 'WenQuanYiMicroHei');
  });

  test('a missing font file is a Chinese error naming the Debian package', () => {
    assert.throws(() => openFont('/nonexistent/font.ttc'), (e: unknown) =>
      e instanceof AppError && e.code === 'PDF_FONT_MISSING' && e.message.includes('fonts-wqy-microhei'));
  });

  test('characters the font lacks are named (生僻字)', () => {
    assert.deepEqual(missingGlyphs('张三'), []);
    assert.deepEqual(missingGlyphs('王𠀾明'), ['𠀾']);
  });
});

describe('wrap', () => {
  test('no line is wider than asked; Chinese breaks anywhere, an ID number stays whole when it fits', () => {
    const text = '辽宁省大连市甘井子区凌水街道软件园路八十号，身份证号 21010219900517001X，电话 13800138000。';
    for (const width of [40, 80, 120, 200, 400]) {
      const lines = wrap(text, width, 10);
      for (const l of lines) assert.ok(textWidth(l, 10) <= width + 0.01 || [...l].length === 1, `${l} > ${width}`);
      assert.equal(lines.join('').replace(/\s/g, ''), text.replace(/\s/g, ''));
      if (width >= 120) assert.ok(lines.some((l) => l.includes('21010219900517001X')), lines.join('|'));
    }
  });

  test('closing punctuation does not start a line', () => {
    const w = textWidth('一二三四五', 10);
    assert.deepEqual(wrap('一二三四五，六', w, 10), ['一二三四', '五，六']);
  });
});

describe('cells', () => {
  test('text shrinks to fit and is reported; text that cannot fit is cut and reported as overflow', async () => {
    const r = await renderToBuffer((pdf) => {
      pdf.newPage();
      const g = new Grid(mm(20), mm(20), [mm(30), mm(30)], [mm(12)]);
      pdf.cell(g.box(0, 0), '短');
      pdf.cell(g.box(0, 1), '一段很长很长的通讯地址，放进一个很小的格子里需要缩小字号才能放下');
      pdf.cell({ x: mm(20), y: mm(40), w: mm(10), h: mm(4) }, '放不下的文字放不下的文字放不下的文字放不下的文字放不下的文字', { name: '小格' });
    }, null);
    assert.equal(r.report.shrunk.length, 1);
    assert.ok(r.report.shrunk[0].to < r.report.shrunk[0].from);
    assert.deepEqual(r.report.overflowed.map((o) => o.cell), ['小格']);
  });

  test('a photo box without a photo says 照片', async () => {
    const r = await renderToBuffer((pdf) => {
      pdf.newPage();
      pdf.photo({ x: mm(150), y: mm(20), w: mm(28), h: mm(36) }, null);
      pdf.photo({ x: mm(150), y: mm(60), w: mm(28), h: mm(36) }, Buffer.from('not a jpeg'));
    }, null);
    const text = pageTexts(pdfPages(r.pdf).file).join('');
    assert.ok(text.includes('未上传') && text.includes('无法读取'), text);
  });
});

describe('output', () => {
  test('one document to a stream; pages numbered only when it runs over a page', async () => {
    const file = path.join(dir, 'one.pdf');
    const r = await renderToStream(fs.createWriteStream(file), numbered, { name: 'A', pages: 2 });
    assert.equal(r.pages, 2);
    const pages = pageTexts(file);
    assert.equal(pages.length, 2);
    assert.match(pages[1].replace(/\s/g, ''), /第2页\/共2页/);
    const single = await renderToBuffer(numbered, { name: 'B', pages: 1 });
    assert.ok(!pageTexts(pdfPages(single.pdf).file)[0].includes('共 1 页'));
  });

  test('merged: documents one after another, each numbered on its own', async () => {
    const { sink, done } = memorySink();
    const merged = new MergedPdf(sink);
    for (const [name, pages] of [['A', 1], ['B', 2], ['C', 1]] as const) merged.add(numbered, { name, pages });
    assert.deepEqual(await merged.end(), { pages: 4, documents: 3 });
    const { file, pages } = pdfPages(await done);
    assert.equal(pages, 4);
    const texts = pageTexts(file).map((t) => t.replace(/\s/g, ''));
    assert.ok(texts[2].includes('文档B第2面') && texts[2].includes('第2页/共2页'), texts[2]);
  });

  test('merged for duplex: 1 + 2 + 1 pages make 6, each document starting on an odd page', async () => {
    const { sink, done } = memorySink();
    const merged = new MergedPdf(sink, { duplex: true });
    for (const [name, pages] of [['A', 1], ['B', 2], ['C', 1]] as const) merged.add(numbered, { name, pages });
    assert.equal((await merged.end()).pages, 6);
    const { file, pages } = pdfPages(await done);
    assert.equal(pages, 6);
    const texts = pageTexts(file).map((t) => t.replace(/\s/g, ''));
    assert.ok(texts[0].includes('文档A第1面'));
    assert.equal(texts[1], '');
    assert.ok(texts[2].includes('文档B第1面'));
    assert.ok(texts[3].includes('文档B第2面'));
    assert.ok(texts[4].includes('文档C第1面'));
    assert.equal(texts[5], '');
    execFileSync('pdftoppm', ['-r', '20', '-png', file, path.join(dir, 'duplex')]);
    assert.equal(fs.readdirSync(dir).filter((f) => f.startsWith('duplex-')).length, 6);
  });

  test('the font is embedded as a subset: a page of text is a few tens of KB', async () => {
    const r = await renderToBuffer((pdf) => {
      pdf.newPage();
      pdf.cell({ x: mm(20), y: mm(20), w: A4.width - mm(40), h: mm(100) }, '毕业生登记表成绩单入学报名登记表'.repeat(20));
    }, null);
    assert.ok(r.pdf.length < 60_000, `${r.pdf.length} bytes`);
    assert.match(r.pdf.toString('latin1'), /\/FontName \/[A-Z]{6}\+WenQuanYiMicroHei/);
  });
});
