import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { renderToBuffer } from '../platform/pdf.ts';
import { renderTranscript, type TranscriptData } from './transcript.ts';
import { renderEnrollmentForm, type EnrollmentFormData } from './enrollment-form.ts';

/** The printed documents, checked as a person would: the text is there (pdftotext), the pages render
 *  (pdftoppm), and no text was cut to fit its cell. */

const COURSE_NAMES = ['马克思主义基本原理概论', '毛泽东思想和中国特色社会主义理论体系概论', '大学英语（1）', '计算机应用基础',
  '管理学基础', '经济数学基础', '会计学原理', '财务管理', '市场营销学', '人力资源管理', '中级财务会计（一）', '审计学'];

function transcript(courses: number, photo: Buffer | null): TranscriptData {
  return {
    school: '辽宁开放大学',
    student: { name: '张三丰', gender: '男', studentNo: '2121001400123', idCard: '21010219900517001X', level: '专科起点本科',
      programme: '会计学', teachingPoint: '沈阳市和平区教学点', cohort: '2021秋' },
    photo,
    courses: Array.from({ length: courses }, (_, i) => ({
      term: `${2021 + Math.floor(i / 12)}${i % 2 ? '秋' : '春'}`,
      name: i === 7 ? '习近平新时代中国特色社会主义思想概论与形势与政策专题研究（含社会实践）' : `${COURSE_NAMES[i % COURSE_NAMES.length]}${i >= 12 ? `·${i}` : ''}`,
      category: i % 3 === 0 ? '统设必修' : '选修', credits: (i % 4) + 2, score: i % 10 === 9 ? '免修' : 60 + (i % 40),
      passed: i % 17 !== 5, source: i % 10 === 9 ? '免修免考' : '考试',
    })),
    totals: { creditsEarned: 180.5, creditsRequired: 76, coursesPassed: courses - 3 },
    graduationBatch: '202701',
    printedOn: '2026-11-22',
  };
}

function form(photo: Buffer | null): EnrollmentFormData {
  return {
    school: '辽宁开放大学', name: '欧阳娜娜', gender: '女', birthDate: '1995-03-08', ethnicity: '满族', politicalStatus: '中共党员',
    idCard: '210102199503080026', studentNo: '2421001400456', cohort: '2024秋', level: '专科', programme: '行政管理',
    teachingPoint: '大连市甘井子区教学点',
    address: '辽宁省大连市甘井子区凌水街道软件园路八十号大连理工大学科技园区B座十二层一二零八室转人力资源部王老师收（请工作日送达）',
    postcode: '116023', mobile: '13800138000',
    employer: '大连市甘井子区凌水街道社区卫生服务中心综合办公室暨党建工作办公室（兼社区网格化管理服务中心）',
    history: [
      { from: '2010.09', to: '2013.07', organisation: '大连市第二十四中学', role: '高中', witness: '李老师' },
      { from: '2013.09', to: '2016.07', organisation: '辽宁省交通高等专科学校道路桥梁工程技术专业（函授）', role: '专科', witness: null },
      { from: '2016.08', to: null, organisation: '大连市甘井子区凌水街道社区卫生服务中心', role: '科员', witness: '赵主任' },
    ],
    family: [
      { relation: '父亲', name: '欧阳建国', employer: '大连港集团有限公司', phone: '13900139000' },
      { relation: '母亲', name: '李秀英', employer: null, phone: null },
    ],
    photo,
    signedOn: null,
  };
}

let dir: string;
let jpeg: Buffer;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'documents-test-'));
  jpeg = await sharp({ create: { width: 240, height: 320, channels: 3, background: { r: 90, g: 140, b: 200 } } }).jpeg().toBuffer();
});
// KEEP_TEST_FILES=1 keeps the PDFs and PNGs to look at (the path is printed).
after(() => (process.env.KEEP_TEST_FILES ? console.log(`files kept in ${dir}`) : fs.rmSync(dir, { recursive: true, force: true })));

function textOf(pdf: Buffer, name: string): string {
  const file = path.join(dir, `${name}.pdf`);
  fs.writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

/** Renders every page at 50 dpi; returns the PNG files made. */
function pngs(pdf: Buffer, name: string): string[] {
  const file = path.join(dir, `${name}.pdf`);
  fs.writeFileSync(file, pdf);
  execFileSync('pdftoppm', ['-r', '50', '-png', file, path.join(dir, name)]);
  return fs.readdirSync(dir).filter((f) => f.startsWith(`${name}-`) && f.endsWith('.png')).sort();
}

describe('成绩单', () => {
  test('60 courses run onto a second page with the header repeated, page numbers, every course printed', async () => {
    const data = transcript(60, jpeg);
    const r = await renderToBuffer(renderTranscript, data);
    assert.equal(r.pages, 2);
    assert.deepEqual(r.report.overflowed, []);
    assert.deepEqual(r.report.missing, []);
    const text = textOf(r.pdf, 'transcript');
    const flat = text.replace(/[ \t]+/g, '');
    for (const s of ['辽宁开放大学', '学生成绩单', '张三丰', '21010219900517001X', '2121001400123', '会计学', '202701',
      '第1页/共2页', '第2页/共2页', '学生成绩单（续）', '免修免考', '合计：课程60门']) {
      assert.ok(flat.includes(s.replace(/ /g, '')), `missing “${s}”`);
    }
    for (const c of data.courses) {
      if (c.name.length < 20) assert.ok(text.includes(c.name), `course “${c.name}” missing`);
    }
    // The header row is on both pages.
    assert.equal(text.split('\f').filter((page) => page.includes('课程名称') && page.includes('成绩来源')).length, 2);
    const files = pngs(r.pdf, 'transcript');
    assert.equal(files.length, 2);
    for (const f of files) assert.ok(fs.statSync(path.join(dir, f)).size > 1000);
  });

  test('a long course name shrinks to fit its cell and is reported as shrunk, not overflowed', async () => {
    const r = await renderToBuffer(renderTranscript, transcript(12, null));
    assert.equal(r.pages, 1);
    assert.ok(r.report.shrunk.some((s) => s.cell === '课程名称'), JSON.stringify(r.report.shrunk));
    assert.deepEqual(r.report.overflowed, []);
    assert.ok(textOf(r.pdf, 'transcript-nophoto').includes('照片'));
  });
});

describe('入学报名登记表', () => {
  test('every field prints on one page; long address and employer fit their cells', async () => {
    const data = form(jpeg);
    const r = await renderToBuffer(renderEnrollmentForm, data);
    assert.equal(r.pages, 1);
    assert.deepEqual(r.report.overflowed, []);
    const text = textOf(r.pdf, 'form').replace(/\s+/g, '');
    for (const s of ['入学报名登记表', '欧阳娜娜', '210102199503080026', '2421001400456', '满族', '中共党员', '行政管理', '大连市甘井子区教学点',
      '116023', '13800138000', '起止年月', '证明人', '大连市第二十四中学', '联系电话', '欧阳建国', '本人签名', '至今']) {
      assert.ok(text.includes(s), `missing “${s}”`);
    }
    // The long address is all there (wrapped over lines, perhaps smaller), not cut.
    assert.ok(text.includes('一二零八室转人力资源部王老师收'), 'address cut');
    const files = pngs(r.pdf, 'form');
    assert.equal(files.length, 1);
    // The font is embedded as a subset: a one-page form (with a photo) is small.
    assert.ok(r.pdf.length < 200_000, `${r.pdf.length} bytes`);
    assert.match(r.pdf.toString('latin1'), /\/FontFile2/);
  });

  test('a missing photo and missing fields say so in their place; many history rows still fit one page', async () => {
    const data = { ...form(null), mobile: null, ethnicity: null,
      history: Array.from({ length: 12 }, (_, i) => ({ from: `${2000 + i}.09`, to: `${2001 + i}.07`, organisation: `单位${i}`, role: '职员', witness: null })) };
    const r = await renderToBuffer(renderEnrollmentForm, data);
    assert.equal(r.pages, 1);
    assert.deepEqual(r.report.overflowed, []);
    const text = textOf(r.pdf, 'form-missing');
    assert.ok(text.includes('照片'));
    assert.ok(text.includes('未上传'));
    assert.ok(text.includes('单位11'));
    assert.ok(text.includes('（未填写）'));
  });
});
