import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { FORM_FIELDS, FORM_FIELD_KEYS, OPINION_MAX } from '../../shared/graduate-form.ts';
import { renderToBuffer } from '../platform/pdf.ts';
import { renderGraduateForm, type GraduateFormData } from './graduate-form.ts';
import { notGraduatingPdfOptions, renderNotGraduating, type NotGraduatingData } from './not-graduating.ts';

/** 毕业生登记表 and 未办理毕业学生统计表 as printed: the text is there (pdftotext), the pages render
 *  (pdftoppm), and no text was cut to fit its box, even at the longest a student may write. */

const SAMPLE = '本人在开放大学学习期间，认真学习专业知识，遵守学校纪律，积极参加各项活动，按时完成作业与考试；'
  + '工作中勤奋踏实，注意理论联系实际，2023年取得初级会计师（CPA备考中）资格，能力有了明显提高。';

/**
 * `max` characters in `breaks + 1` paragraphs: the first `breaks` of `len` characters each (as many as there
 * are characters for), the last the rest. A `len` a little over one printed line doubles the lines a
 * paragraph takes; a `len` of 1 spends every line break on a line of its own: the shapes that need most room.
 */
function shaped(max: number, breaks: number, len: number): string {
  const chars = [...SAMPLE.repeat(Math.ceil(max / [...SAMPLE].length) + 1)];
  const paras: string[] = [];
  let used = 0;
  for (let i = 0; i <= breaks; i++) {
    const n = i === breaks ? max - used : Math.min(len, max - used);
    paras.push(chars.slice(used, used + n).join(''));
    used += n;
  }
  return paras.join('\n');
}

function form(photo: Buffer | null, over: Partial<GraduateFormData> = {}): GraduateFormData {
  return {
    school: '辽宁开放大学', name: '王𠀾', gender: '男', birthDate: '1990-05-17', ethnicity: '满族', politicalStatus: '中共党员',
    idCard: '21010219900517001X', studentNo: '2421001400456', level: '专科起点本科', programme: '行政管理',
    enrolledOn: '2024秋', graduationDate: '2027-01', batch: '202701', teachingPoint: '大连市甘井子区教学点',
    className: '24秋行政管理本1班', employer: '大连市甘井子区凌水街道社区卫生服务中心', phone: '13800138000',
    address: '辽宁省大连市甘井子区凌水街道软件园路八十号大连理工大学科技园区B座十二层一二零八室',
    photo,
    self_assessment: '两年半来我按时参加面授辅导和网上学习，完成了全部课程。\n今后我将继续努力。',
    study_summary: '通过系统学习，掌握了行政管理的基本理论。', practice_summary: '在社区卫生服务中心完成了社会调查。',
    rewards: '2025年获校级优秀学员。', punishments: '',
    opinions: {
      head_teacher: { text: '该生学习刻苦，遵守纪律，成绩合格，同意毕业。', date: '2026-10-15T17:00:00Z' },
      tp: { text: '情况属实，同意上报。' },
    },
    ...over,
  };
}

function statistics(rows: number): NotGraduatingData {
  return {
    school: '辽宁开放大学', tpCode: '2101401', tpName: '大连市甘井子区教学点', batch: '202301', cohort: '2021秋', printedOn: '2026-11-22',
    rows: Array.from({ length: rows }, (_, i) => ({
      studentNo: `21210014${String(i).padStart(5, '0')}`, name: i === 3 ? '王𠀾' : `学生${i}`,
      major: i % 5 === 0 ? '计算机科学与技术' : '行政管理', level: i % 2 ? '专科' : '专科起点本科', cohort: i === 8 ? null : '2021秋',
      reason: i % 7 === 0
        ? '课程学分未修满：尚缺统设必修课程《管理学基础》《经济数学基础》共8学分，且毕业论文（设计）未通过答辩'
        : '本人申请延期毕业',
    })),
  };
}

let dir: string;
let jpeg: Buffer;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'graduate-form-test-'));
  jpeg = await sharp({ create: { width: 330, height: 480, channels: 3, background: { r: 90, g: 140, b: 200 } } }).jpeg().toBuffer();
});
// KEEP_TEST_FILES=1 keeps the PDFs and PNGs to look at (the path is printed).
after(() => (process.env.KEEP_TEST_FILES ? console.log(`files kept in ${dir}`) : fs.rmSync(dir, { recursive: true, force: true })));

/** The text of each page, spaces removed in drawing order (-raw: a label running down its column stays together). */
function pagesOf(pdf: Buffer, name: string): string[] {
  const file = path.join(dir, `${name}.pdf`);
  fs.writeFileSync(file, pdf);
  const text = execFileSync('pdftotext', ['-raw', file, '-'], { encoding: 'utf8' });
  return text.split('\f').filter((p) => p.trim() !== '').map((p) => p.replace(/\s+/g, ''));
}

/** Renders page 1 at 50 dpi; returns the PNG's size in bytes. */
function firstPagePng(pdf: Buffer, name: string): number {
  const file = path.join(dir, `${name}.pdf`);
  fs.writeFileSync(file, pdf);
  execFileSync('pdftoppm', ['-r', '50', '-png', '-f', '1', '-l', '1', '-singlefile', file, path.join(dir, name)]);
  return fs.statSync(path.join(dir, `${name}.png`)).size;
}

const includesAll = (text: string, wanted: string[]) => {
  for (const s of wanted) assert.ok(text.includes(s.replace(/\s+/g, '')), `missing “${s}”`);
};

describe('毕业生登记表', () => {
  test('two pages: the identity block and 自我鉴定, then the summaries and the three opinions', async () => {
    const r = await renderToBuffer(renderGraduateForm, form(jpeg));
    assert.equal(r.pages, 2);
    assert.deepEqual(r.report.overflowed, []);
    assert.deepEqual(r.report.missing, [], 'the 生僻字 comes from a fallback font');
    const [one, two] = pagesOf(r.pdf, 'form');
    includesAll(one, ['辽宁开放大学', '毕 业 生 登 记 表', '王𠀾', '姓名', '性别', '出生日期', '1990-05-17', '民族', '满族', '政治面貌',
      '身份证号', '21010219900517001X', '学号', '2421001400456', '层次', '专科起点本科', '专业', '行政管理', '入学时间', '2024秋',
      '毕业时间', '2027-01', '毕业批次', '202701', '学习形式', '开放教育', '教学点', '大连市甘井子区教学点', '班级', '24秋行政管理本1班',
      '工作单位', '联系电话', '13800138000', '通讯地址', '一二零八室', '自\n我\n鉴\n定', '今后我将继续努力', '本人签名', '第 1 页 / 共 2 页']);
    includesAll(two, ['学\n习\n总\n结', '实\n践\n总\n结', '奖\n励\n情\n况', '惩\n处\n情\n况', '班\n主\n任\n意\n见',
      '函\n授\n站\n意\n见', '学\n校\n意\n见', '行政管理的基本理论', '社会调查', '优秀学员',
      '该生学习刻苦，遵守纪律，成绩合格，同意毕业。', '班主任签名', '情况属实，同意上报。', '（盖章）', '第 2 页 / 共 2 页']);
    // The 班主任's date written online is printed on the date line, as a day in China (17:00Z is the next morning there).
    assert.ok(two.includes('2026年10月16日'), 'opinion date');
    assert.ok(firstPagePng(r.pdf, 'form') > 1000);
  });

  test('every part at its maximum, in the shapes that take most lines, fits its box (shrunk, never cut)', async () => {
    const opinion = (len: number) => ({ text: shaped(OPINION_MAX, 4, len), date: '2026-10-20' });
    // 1: a line break on every other character; 45: paragraphs just over a line at 五号; 76: at 6 pt.
    for (const len of [1, 20, 45, 76, 400]) {
      const texts = Object.fromEntries(FORM_FIELD_KEYS.map((k) => [k, shaped(FORM_FIELDS[k].max, FORM_FIELDS[k].lines, len)]));
      const data = form(jpeg, { ...texts, opinions: { head_teacher: opinion(len), tp: opinion(len), school: opinion(len) } });
      for (const k of FORM_FIELD_KEYS) {
        assert.equal([...data[k]].length - FORM_FIELDS[k].lines, FORM_FIELDS[k].max);
      }
      const r = await renderToBuffer(renderGraduateForm, data);
      assert.equal(r.pages, 2, `len ${len}`);
      assert.deepEqual(r.report.overflowed.map((o) => o.cell), [], `len ${len}`);
      if (len === 45) {
        // Every character is on paper: the last words of each box are there.
        const [one, two] = pagesOf(r.pdf, 'form-max');
        assert.ok(one.includes(data.self_assessment.split('\n').at(-1)!.slice(-12)), '自我鉴定 cut');
        for (const k of FORM_FIELD_KEYS.filter((key) => key !== 'self_assessment')) {
          assert.ok(two.includes(data[k].split('\n').at(-1)!.slice(-12)), `${FORM_FIELDS[k].label} cut`);
        }
        assert.ok(two.includes('2026年10月20日'));
      }
    }
  });

  test('a missing photo, missing fields and unwritten opinions say so; 800 characters in one paragraph stay at 五号', async () => {
    const data = form(null, {
      ethnicity: null, politicalStatus: ' ', className: null, employer: null, idCard: null,
      self_assessment: SAMPLE.repeat(Math.ceil(800 / SAMPLE.length)).slice(0, 800),
      opinions: {},
    });
    const r = await renderToBuffer(renderGraduateForm, data);
    assert.equal(r.pages, 2);
    assert.deepEqual(r.report.overflowed, []);
    assert.ok(!r.report.shrunk.some((s) => s.cell === '自我鉴定'), JSON.stringify(r.report.shrunk));
    const [one, two] = pagesOf(r.pdf, 'form-missing');
    includesAll(one, ['照片', '（未上传）']);
    assert.equal(one.split('（未填写）').length - 1, 5);
    // No opinion yet: the boxes are there with their signature, stamp and blank date lines to fill by hand.
    includesAll(two, ['班主任签名：', '（盖章）']);
    assert.equal(two.split('年月日').length - 1, 3);
    assert.ok(firstPagePng(r.pdf, 'form-missing') > 1000);
  });
});

describe('未办理毕业学生统计表', () => {
  test('120 students run over pages with the header row and page numbers on each, then 合计 and the signature line', async () => {
    const data = statistics(120);
    const r = await renderToBuffer(renderNotGraduating, data, notGraduatingPdfOptions);
    assert.ok(r.pages >= 4, `${r.pages} pages`);
    assert.deepEqual(r.report.overflowed, []);
    assert.deepEqual(r.report.missing, []);
    // The long reason is drawn smaller within its cell rather than cut.
    assert.ok(r.report.shrunk.some((s) => s.cell === '未办理原因'));
    const pages = pagesOf(r.pdf, 'statistics');
    assert.equal(pages.length, r.pages);
    pages.forEach((p, i) => {
      includesAll(p, ['序号', '学号', '姓名', '专业', '层次', '学籍批次', '未办理原因', `第 ${i + 1} 页 / 共 ${r.pages} 页`,
        '教学点：2101401 大连市甘井子区教学点', '毕业批次：202301', '学籍批次：2021秋', '制表日期：2026-11-22']);
      assert.ok(p.includes(i === 0 ? '未办理毕业学生统计表' : '未办理毕业学生统计表（续）'));
    });
    const all = pages.join('');
    for (const row of data.rows) assert.ok(all.includes(row.studentNo), row.studentNo);
    includesAll(all, ['王𠀾', '计算机科学与技术', '本人申请延期毕业']);
    const last = pages[pages.length - 1];
    includesAll(last, ['合计：120 人', '制表人：', '审核人：', '教学点（盖章）', '年 月 日']);
    assert.ok(!pages.slice(0, -1).some((p) => p.includes('合计')));
    assert.ok(firstPagePng(r.pdf, 'statistics') > 1000);
  });

  test('nobody missing: the table says 无 and 合计：0 人, on one numbered page', async () => {
    const r = await renderToBuffer(renderNotGraduating, { ...statistics(0), cohort: null }, notGraduatingPdfOptions);
    assert.equal(r.pages, 1);
    const [page] = pagesOf(r.pdf, 'statistics-empty');
    includesAll(page, ['未办理毕业学生统计表', '学籍批次：全部', '未办理原因', '无', '合计：0 人', '教学点（盖章）', '第 1 页 / 共 1 页']);
    assert.ok(firstPagePng(r.pdf, 'statistics-empty') > 1000);
  });
});
