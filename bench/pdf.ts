/**
 * `npm run bench -- pdf [--pages N] [--courses C] [--no-photo]`
 *
 * Renders N transcripts (default 500; each C = 30 courses, one A4 page, with a ~30 KB photo) through
 * src/server/platform/pdf.ts twice: one PDF per student (each to a Buffer, as a zip entry would get it)
 * and all of them appended to one merged PDF written to a temporary file. MEASURED.md's floor for the
 * same shape with pdfkit and a shared TrueType font is 98–117 pages/s per student and 555 pages/s merged.
 * The last line printed is one JSON object with every figure.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { MergedPdf, cjkFont, renderToBuffer } from '../src/server/platform/pdf.ts';
import { renderTranscript, type TranscriptData } from '../src/server/documents/transcript.ts';
import { intOption, type Options } from './lib/options.ts';
import { logger, peakRssMb, round, timed } from './lib/common.ts';

export const description = '成绩单 PDFs: pages per second, one PDF per student and one merged PDF';

const HELP = `npm run bench -- pdf [options]
  --pages N      transcripts to render (default 500)
  --courses C    courses per transcript (default 30: one page)
  --no-photo     transcripts without a photo
The last line printed is one JSON object with every figure.`;

const log = logger('pdf');
const WARMUP = 50;
const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗';
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华建国欣怡子涵宇轩';
const COURSES = ['马克思主义基本原理概论', '毛泽东思想和中国特色社会主义理论体系概论', '大学英语（1）', '计算机应用基础', '管理学基础',
  '经济数学基础', '会计学原理', '财务管理', '市场营销学', '人力资源管理', '中级财务会计（一）', '审计学', '成本会计', '税法',
  '经济法律基础', '统计学原理', '金融学', '管理会计', '企业信息管理', '毕业作业（综合实践）'];

function student(i: number, courses: number, photo: Buffer | null): TranscriptData {
  const name = SURNAMES[i % SURNAMES.length] + GIVEN[(i * 7) % GIVEN.length] + (i % 3 ? GIVEN[(i * 13) % GIVEN.length] : '');
  return {
    school: '辽宁开放大学',
    student: { name, gender: i % 2 ? '男' : '女', studentNo: String(2121001400000 + i), idCard: `2101021990${String(i % 10000).padStart(4, '0')}${String(1000 + (i % 9000))}`.slice(0, 18),
      level: '专科起点本科', programme: '会计学', teachingPoint: '沈阳市和平区教学点', cohort: '2021秋' },
    photo,
    courses: Array.from({ length: courses }, (_, k) => ({
      term: `${2021 + Math.floor(k / 10)}${k % 2 ? '秋' : '春'}`, name: COURSES[(k + i) % COURSES.length], category: k % 3 ? '选修' : '统设必修',
      credits: (k % 4) + 2, score: 60 + ((i + k * 7) % 40), passed: true, source: '考试',
    })),
    totals: { creditsEarned: 80, creditsRequired: 76, coursesPassed: courses },
    graduationBatch: '202701',
    printedOn: '2026-11-22',
  };
}

export async function run(options: Options): Promise<void> {
  if (options.help) {
    console.log(HELP);
    return;
  }
  const n = intOption(options, 'pages', intOption(options, 'documents', 500));
  const courses = intOption(options, 'courses', 30);
  const photo = options['no-photo'] === true ? null
    : await sharp({ create: { width: 480, height: 640, channels: 3, background: { r: 128, g: 128, b: 128 }, noise: { type: 'gaussian', mean: 128, sigma: 12 } } }).blur(1.2).jpeg({ quality: 60 }).toBuffer();
  log(`${n} transcripts of ${courses} courses, photo ${photo ? `${round(photo.length / 1024, 1)} KB` : 'none'}`);
  cjkFont();
  // Warm-up, not timed: the first documents pay for fontkit's tables, each glyph's first layout and the JIT
  // (the first 200 documents take about twice as long as the next); a server process is warm after its first export.
  for (let i = 0; i < WARMUP; i++) await renderToBuffer(renderTranscript, student(n + i, courses, photo));

  let perPages = 0;
  let perBytes = 0;
  const per = await timed(async () => {
    for (let i = 0; i < n; i++) {
      const r = await renderToBuffer(renderTranscript, student(i, courses, photo));
      perPages += r.pages;
      perBytes += r.pdf.length;
    }
  });
  const perPps = perPages / (per.ms / 1000);
  // Peak RSS is process-wide and only grows: the figure after the first phase tells the phases apart.
  const perPeak = peakRssMb();
  log(`one PDF per student: ${perPages} pages in ${round(per.ms / 1000)} s = ${round(perPps, 1)} pages/s, ${round(perBytes / perPages / 1024, 1)} KB/page`);

  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-pdf-')), 'merged.pdf');
  let mergedPages = 0;
  const merged = await timed(async () => {
    const out = fs.createWriteStream(file, { highWaterMark: 1 << 20 });
    const pdf = new MergedPdf(out);
    for (let i = 0; i < n; i++) {
      pdf.add(renderTranscript, student(i, courses, photo));
      await pdf.drained();
    }
    mergedPages = (await pdf.end()).pages;
  });
  const mergedPps = mergedPages / (merged.ms / 1000);
  const size = fs.statSync(file).size;
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  log(`one merged PDF: ${mergedPages} pages in ${round(merged.ms / 1000)} s = ${round(mergedPps, 1)} pages/s, ${round(size / 1024 / 1024, 1)} MB`);

  console.log(JSON.stringify({
    bench: 'pdf', documents: n, courses, photo: photo !== null,
    per_student_pages: perPages, per_student_seconds: round(per.ms / 1000), per_student_pages_per_second: round(perPps, 1),
    per_student_kb_per_page: round(perBytes / perPages / 1024, 1), peak_rss_mb_after_per_student: perPeak,
    merged_pages: mergedPages, merged_seconds: round(merged.ms / 1000), merged_pages_per_second: round(mergedPps, 1),
    merged_mb: round(size / 1024 / 1024, 1), peak_rss_mb: peakRssMb(),
  }));
}
