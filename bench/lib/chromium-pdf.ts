import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import type { TranscriptData } from '../../src/server/documents/transcript.ts';
import { countPdfPages } from './pdf-pages.ts';

/**
 * The usual alternative to our PDF pipeline: the same 成绩单 as HTML, printed by headless Chromium
 * (Debian's /usr/bin/chromium driven by playwright-core, never a downloaded browser). The layout follows
 * src/server/documents/transcript.ts: school and title, the student block with the photo top-right, the
 * ruled course table (its header repeated on continuation pages by the browser), the totals, the batch,
 * the print date and the stamp line; the same font family (WenQuanYi Micro Hei).
 */

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const MISSING = '（未填写）';
const orMissing = (v: string | null) => esc(v == null || v.trim() === '' ? MISSING : v);
const num = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

const CSS = `
@page { size: A4; margin: 15mm 15mm 20mm 15mm; }
* { box-sizing: border-box; }
body { margin: 0; font-family: 'WenQuanYi Micro Hei', sans-serif; color: #000; }
.doc { break-after: page; page-break-after: always; }
.doc:last-child { break-after: auto; page-break-after: auto; }
h1 { font-size: 16pt; text-align: center; margin: 0 0 2.5mm; line-height: 1.2; }
h2 { font-size: 14pt; text-align: center; margin: 0 0 4mm; line-height: 1.2; }
table { border-collapse: collapse; width: 180mm; table-layout: fixed; }
td, th { border: 0.6pt solid #000; padding: 0 1mm; overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
.info td { height: 9mm; font-size: 10pt; }
.info td.lab { background: #f4f4f4; text-align: center; }
.info td.photo { padding: 0.5mm; text-align: center; vertical-align: middle; }
.info td.photo img { max-width: 100%; max-height: 34mm; display: block; margin: auto; }
.courses { margin-top: 4mm; }
.courses th { height: 7mm; font-size: 9pt; font-weight: normal; background: #eee; }
.courses td { height: 5.6mm; font-size: 9pt; text-align: center; }
.courses td.name { text-align: left; }
.courses tr { break-inside: avoid; }
.foot { break-inside: avoid; margin-top: 2mm; font-size: 10pt; }
.foot .total { border: 0.6pt solid #000; height: 8mm; line-height: 8mm; padding: 0 2mm; width: 180mm; }
.foot .line { display: flex; justify-content: space-between; margin-top: 2mm; }
.foot .stamp { text-align: right; margin: 3mm 10mm 0 0; }
`;

function transcriptHtml(t: TranscriptData): string {
  const s = t.student;
  const photo = t.photo ? `<img src="data:image/jpeg;base64,${t.photo.toString('base64')}">` : '照片<br>（未上传）';
  const rows = t.courses.map((c, i) => {
    const score = c.score == null ? '—' : typeof c.score === 'number' ? num(c.score) : esc(c.score);
    return `<tr><td>${i + 1}</td><td class="name">${esc(c.name)}</td><td>${esc(c.term)}</td><td>${esc(c.category)}</td><td>${num(c.credits)}</td><td>${score}</td><td>${c.passed ? '通过' : '未通过'}</td><td>${esc(c.source)}</td></tr>`;
  }).join('');
  const required = t.totals.creditsRequired == null ? '' : `，毕业最低学分 ${num(t.totals.creditsRequired)}`;
  return `<section class="doc">
<h1>${esc(t.school)}</h1><h2>学 生 成 绩 单</h2>
<table class="info"><colgroup><col style="width:20mm"><col><col style="width:20mm"><col><col style="width:20mm"><col><col style="width:28mm"></colgroup>
<tr><td class="lab">姓名</td><td>${esc(s.name)}</td><td class="lab">性别</td><td>${orMissing(s.gender)}</td><td class="lab">学号</td><td>${esc(s.studentNo)}</td><td class="photo" rowspan="4">${photo}</td></tr>
<tr><td class="lab">身份证号</td><td colspan="3">${esc(s.idCard)}</td><td class="lab">层次</td><td>${orMissing(s.level)}</td></tr>
<tr><td class="lab">专业</td><td colspan="3">${orMissing(s.programme)}</td><td class="lab">入学批次</td><td>${orMissing(s.cohort)}</td></tr>
<tr><td class="lab">教学点</td><td colspan="3">${orMissing(s.teachingPoint)}</td><td class="lab">毕业批次</td><td>${orMissing(t.graduationBatch)}</td></tr>
</table>
<table class="courses"><colgroup><col style="width:10mm"><col style="width:58mm"><col style="width:18mm"><col style="width:24mm"><col style="width:12mm"><col style="width:14mm"><col style="width:16mm"><col style="width:28mm"></colgroup>
<thead><tr><th>序号</th><th>课程名称</th><th>学期</th><th>课程类别</th><th>学分</th><th>成绩</th><th>是否通过</th><th>成绩来源</th></tr></thead>
<tbody>${rows}</tbody></table>
<div class="foot"><div class="total">合计：课程 ${t.courses.length} 门，通过 ${t.totals.coursesPassed} 门；已获学分 ${num(t.totals.creditsEarned)}${required}。</div>
<div class="line"><span>毕业批次：${orMissing(t.graduationBatch)}</span><span>打印日期：${esc(t.printedOn)}</span></div>
<div class="stamp">学校（盖章）</div></div>
</section>`;
}

/** One HTML document holding these transcripts, each starting on a new page. */
export function transcriptsHtml(ts: TranscriptData[]): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><style>${CSS}</style></head><body>${ts.map(transcriptHtml).join('\n')}</body></html>`;
}

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Launched as test/e2e/harness.ts does. */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`找不到浏览器 ${CHROMIUM_PATH}：请安装 chromium（apt-get install -y chromium）或设置 CHROMIUM_PATH。`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface PrintResult {
  documents: number;
  pages: number;
  bytes: number;
  ms: number;
}

const PDF_OPTIONS = { format: 'A4', printBackground: true, preferCSSPageSize: true } as const;

/** One `page.pdf()` per transcript, one page reused through setContent. */
export async function printPerFile(browser: Browser, ts: TranscriptData[]): Promise<PrintResult> {
  const page = await browser.newPage();
  try {
    // Warm-up, not timed: the first print loads the font and the print machinery.
    await page.setContent(transcriptsHtml(ts.slice(0, 1)));
    await page.pdf(PDF_OPTIONS);
    let pages = 0;
    let bytes = 0;
    const start = performance.now();
    for (const t of ts) {
      await page.setContent(transcriptsHtml([t]));
      const pdf = await page.pdf(PDF_OPTIONS);
      pages += countPdfPages(pdf);
      bytes += pdf.length;
    }
    return { documents: ts.length, pages, bytes, ms: performance.now() - start };
  } finally {
    await page.close();
  }
}

/** All transcripts in one HTML document, one `page.pdf()`. */
export async function printMerged(browser: Browser, ts: TranscriptData[]): Promise<PrintResult> {
  const page = await browser.newPage();
  try {
    await page.setContent(transcriptsHtml(ts.slice(0, 1)));
    await page.pdf(PDF_OPTIONS);
    const start = performance.now();
    await page.setContent(transcriptsHtml(ts), { timeout: 0 });
    const pdf = await page.pdf(PDF_OPTIONS);
    const ms = performance.now() - start;
    return { documents: ts.length, pages: countPdfPages(pdf), bytes: pdf.length, ms };
  } finally {
    await page.close();
  }
}
