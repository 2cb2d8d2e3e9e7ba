import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from './errors.ts';
import {
  A4, Grid, MergedPdf, cjkFont, fontChain, memorySink, missingGlyphs, mm, openFont, renderToBuffer, renderToStream,
  resetFallbackFonts, textWidth, wrap, type Box, type PdfCanvas,
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

/** The first page rendered by pdftoppm in greyscale at 144 dpi: a byte per pixel, row by row. */
const grey = (pdf: Buffer) => {
  const file = path.join(dir, `ink${Math.random().toString(36).slice(2)}`);
  fs.writeFileSync(`${file}.pdf`, pdf);
  execFileSync('pdftoppm', ['-r', '144', '-gray', '-singlefile', '-f', '1', '-l', '1', `${file}.pdf`, file]);
  const pgm = fs.readFileSync(`${file}.pgm`);
  // Binary PGM: "P5", width, height, maxval, each followed by one whitespace, then the pixels.
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(pgm.subarray(0, 50).toString('latin1'))!;
  return { width: Number(header[1]), height: Number(header[2]), pixels: pgm.subarray(header[0].length) };
};

/** The box around everything inked on the first page, in pt. */
const inkBox = (pdf: Buffer) => {
  const { width, height, pixels } = grey(pdf);
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (pixels[y * width + x] < 160) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x + 1);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y + 1);
      }
    }
  }
  const pt = 72 / 144;
  return x1 < 0 ? null : { x0: x0 * pt, y0: y0 * pt, x1: x1 * pt, y1: y1 * pt };
};

/** Runs `fn` with PDF_FALLBACK_FONTS set to `paths`; by default the chain is emptied (a file that does not exist). */
async function withFallbacks<T>(fn: () => T | Promise<T>, paths = '/nonexistent/font.ttf'): Promise<T> {
  const saved = process.env.PDF_FALLBACK_FONTS;
  process.env.PDF_FALLBACK_FONTS = paths;
  resetFallbackFonts();
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env.PDF_FALLBACK_FONTS;
    else process.env.PDF_FALLBACK_FONTS = saved;
    resetFallbackFonts();
  }
}

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

  test('characters no font of the chain has are named (生僻字)', async () => {
    assert.deepEqual(missingGlyphs('张三'), []);
    assert.deepEqual(missingGlyphs('王𠀾明李䶮'), []);
    assert.deepEqual(fontChain().map((f) => f.postscriptName), ['WenQuanYiMicroHei', 'HanaMinA', 'HanaMinB']);
    await withFallbacks(() => {
      assert.deepEqual(fontChain().map((f) => f.postscriptName), ['WenQuanYiMicroHei']);
      assert.deepEqual(missingGlyphs('王𠀾明李䶮'), ['𠀾', '䶮']);
    });
  });

  test('PDF_FALLBACK_FONTS replaces the fallbacks, in its order; files that do not exist are skipped', async () => {
    await withFallbacks(() => {
      assert.deepEqual(fontChain().map((f) => f.postscriptName), ['WenQuanYiMicroHei', 'HanaMinB']);
      // HanaMinB has Extension B (𠀾) but not Extension A (䶮).
      assert.deepEqual(missingGlyphs('李䶮王𠀾'), ['䶮']);
    }, '/nonexistent/font.ttf:/usr/share/fonts/truetype/hanazono/HanaMinB.ttf');
  });

  test('the fallback fonts open once and are shared, also when the chain is built again', async () => {
    const [, a, b] = fontChain();
    assert.equal(fontChain()[1], a);
    await withFallbacks(() => assert.equal(fontChain()[1], b), '/usr/share/fonts/truetype/hanazono/HanaMinB.ttf');
    assert.equal(fontChain()[2], b);
  });

  test('a rare character is measured in the font that draws it', () => {
    const hanaA = fontChain()[1];
    for (const ch of ['䶮', '𠀾']) assert.equal(textWidth(ch, 10), (hanaA.layout(ch).advanceWidth / hanaA.unitsPerEm) * 10);
    assert.equal(textWidth('李䶮A', 10), textWidth('李', 10) + textWidth('䶮', 10) + textWidth('A', 10));
  });
});

describe('生僻字 from the fallback fonts', () => {
  const names = (pdf: PdfCanvas) => {
    pdf.newPage();
    pdf.cell({ x: mm(20), y: mm(20), w: mm(40), h: mm(10) }, '李䶮', { name: '姓名' });
    pdf.text('王𠀾', mm(20), mm(40), { size: 12 });
  };

  test('a cell and a text with 李䶮 and 王𠀾 print: pdftotext finds them, nothing is reported missing', async () => {
    const r = await renderToBuffer(names, null);
    assert.deepEqual(r.report.missing, []);
    const text = pageTexts(pdfPages(r.pdf).file)[0];
    assert.ok(text.includes('李䶮') && text.includes('王𠀾'), text);
    // Only the fonts used are embedded, each as a subset.
    assert.match(r.pdf.toString('latin1'), /\/FontName \/[A-Z]{6}\+HanaMinA/);
    assert.ok(r.pdf.length < 60_000, `${r.pdf.length} bytes`);
  });

  test('without the fallback fonts the report names 䶮 and 𠀾, and the PDF is still made', async () => {
    const r = await withFallbacks(() => renderToBuffer(names, null));
    assert.deepEqual(r.report.missing, [{ cell: '姓名', chars: ['䶮'] }, { cell: '文字', chars: ['𠀾'] }]);
    assert.equal(pdfPages(r.pdf).pages, 1);
  });

  test('a rare character is drawn as itself, not as the primary font\'s blank box', async () => {
    const drawn = (ch: string) => renderToBuffer((pdf) => {
      pdf.newPage();
      pdf.cell({ x: mm(20), y: mm(20), w: mm(20), h: mm(10) }, ch, { border: false, size: 20 });
    }, null).then((r) => grey(r.pdf).pixels);
    // Without a font that has them, both come out as the same .notdef box.
    await withFallbacks(async () => assert.ok((await drawn('䶮')).equals(await drawn('𠀾'))));
    const [a, b] = [await drawn('䶮'), await drawn('𠀾')];
    assert.ok(!a.equals(b));
    assert.ok(a.some((p) => p < 160) && b.some((p) => p < 160));
  });

  /** One cell on a page of its own, without rules: all the ink is its text. */
  const oneCell = (box: Box, text: string, opts: Parameters<PdfCanvas['cell']>[2]) =>
    renderToBuffer((pdf) => {
      pdf.newPage();
      pdf.cell(box, text, { border: false, ...opts });
    }, null);
  const tolerance = 0.75; // pt: one pixel at 144 dpi and anti-aliasing

  test('a wrapped, shrunk cell of mixed fonts stays inside its box (pdftoppm)', async () => {
    const box = { x: mm(30), y: mm(30), w: mm(32), h: mm(14) };
    const r = await oneCell(box, '李䶮王𠀾 2121001400123 欧阳䶮𠀾娜娜，辽宁省大连市甘井子区凌水街道', { name: '混排' });
    assert.deepEqual(r.report.overflowed, []);
    assert.deepEqual(r.report.missing, []);
    const ink = inkBox(r.pdf)!;
    assert.ok(ink.x0 >= box.x - tolerance && ink.x1 <= box.x + box.w + tolerance, JSON.stringify({ ink, box }));
    assert.ok(ink.y0 >= box.y - tolerance && ink.y1 <= box.y + box.h + tolerance, JSON.stringify({ ink, box }));
  });

  test('right and centre alignment of a mixed line are exact: the widths are the drawing fonts\' widths', async () => {
    const size = 14;
    const pad = 2;
    const box = { x: mm(30), y: mm(30), w: mm(60), h: mm(10) };
    // Ink starts and ends within a glyph's side bearing of where the advance widths put the line.
    const bearing = 0.15 * size;
    const line = '王𠀾李䶮';
    const right = inkBox((await oneCell(box, line, { align: 'right', size, pad })).pdf)!;
    assert.ok(right.x1 <= box.x + box.w - pad + tolerance && right.x1 >= box.x + box.w - pad - bearing, JSON.stringify({ right, box }));
    const centre = inkBox((await oneCell(box, line, { align: 'center', size, pad })).pdf)!;
    const w = textWidth(line, size);
    assert.ok(Math.abs(centre.x0 - (box.x + (box.w - w) / 2)) <= bearing && Math.abs(centre.x1 - (box.x + (box.w + w) / 2)) <= bearing,
      JSON.stringify({ centre, box, w }));
    assert.ok(centre.y0 >= box.y && centre.y1 <= box.y + box.h, JSON.stringify({ centre, box }));
    // The same through text(): right-aligned to the end of its width.
    const r = await renderToBuffer((pdf) => {
      pdf.newPage();
      pdf.text(line, box.x, box.y, { size, align: 'right', width: box.w });
    }, null);
    const t = inkBox(r.pdf)!;
    assert.ok(t.x1 <= box.x + box.w + tolerance && t.x1 >= box.x + box.w - bearing, JSON.stringify({ t, box }));
  });

  test('every run sits on the primary font\'s baseline', async () => {
    // text() puts the top of the primary font's line at y: its baseline is one ascent lower. Each glyph's ink
    // must then span its outline's bounds (in the font that draws it) above and below that baseline.
    const size = 40;
    const [x, y] = [mm(30), mm(30)];
    const primary = fontChain()[0];
    const baseline = y + (primary.ascent / primary.unitsPerEm) * size;
    for (const [ch, font] of [['王', 0], ['䶮', 1], ['𠀾', 1]] as const) {
      const f = fontChain()[font] as unknown as { unitsPerEm: number; layout(s: string): { glyphs: { bbox: { minY: number; maxY: number } }[] } };
      const { minY, maxY } = f.layout(ch).glyphs[0].bbox;
      const only = await renderToBuffer((pdf) => {
        pdf.newPage();
        pdf.text(ch, x, y, { size });
      }, null);
      const ink = inkBox(only.pdf)!;
      const want = { y0: baseline - (maxY / f.unitsPerEm) * size, y1: baseline - (minY / f.unitsPerEm) * size };
      assert.ok(Math.abs(ink.y0 - want.y0) <= 1 && Math.abs(ink.y1 - want.y1) <= 1, JSON.stringify({ ch, ink, want }));
    }
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
