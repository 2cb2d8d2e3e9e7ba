import { A4, mm, type PdfCanvas } from '../platform/pdf.ts';
import { MARGIN, MISSING, WIDTH, columns, identityBlock, keepTogether, titled } from './layout.ts';

/**
 * 成绩单: school and title, the student block with the photo top-right, every course in a ruled table
 * (the header row repeated on each continuation page), the totals and the graduation batch. Pure: it
 * draws the plain data it is given; the export decides which students and in what order.
 */

export interface TranscriptCourse {
  /** 学期, as the record says it (e.g. "2023秋"). */
  term: string;
  name: string;
  /** 课程类别 (统设必修, 选修, 综合实践 …). */
  category: string;
  credits: number;
  /** A mark (86), a grade word (优秀, 合格), or null when there is none yet. */
  score: number | string | null;
  passed: boolean;
  /** 成绩来源: 考试, 免修免考, 学分互认, 补考 … */
  source: string;
}

export interface TranscriptData {
  school: string;
  student: {
    name: string;
    gender: string | null;
    studentNo: string;
    /** The full 身份证号: the transcript is one of the documents that carries it. */
    idCard: string;
    level: string | null;
    programme: string | null;
    teachingPoint: string | null;
    /** 入学批次 / 学籍批次 (e.g. "2021秋"). */
    cohort: string | null;
  };
  photo: Buffer | null;
  courses: TranscriptCourse[];
  totals: {
    creditsEarned: number;
    /** 毕业最低学分, when the programme states one. */
    creditsRequired: number | null;
    coursesPassed: number;
  };
  graduationBatch: string | null;
  /** 打印日期, YYYY-MM-DD. */
  printedOn: string;
}

const BOTTOM = A4.height - mm(20);

const COLUMNS = columns(['序号', 10], ['课程名称', 58, 'left'], ['学期', 18], ['课程类别', 24], ['学分', 12], ['成绩', 14], ['是否通过', 16], ['成绩来源', 28]);

const orMissing = (v: string | null) => (v == null || v.trim() === '' ? MISSING : v);
const num = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

export function renderTranscript(pdf: PdfCanvas, t: TranscriptData): void {
  const s = t.student;
  let y = titled(pdf, t.school, '学 生 成 绩 单', 14, mm(10));

  // 4 rows × 9 mm beside a 27 × 36 mm photo (a 2-inch photo, scaled).
  const g = identityBlock(pdf, y, mm(28), [mm(9), mm(9), mm(9), mm(9)], [
    [['姓名', s.name], ['性别', s.gender], ['学号', s.studentNo]],
    [['身份证号', s.idCard, 3], ['层次', s.level]],
    [['专业', s.programme, 3], ['入学批次', s.cohort]],
    [['教学点', s.teachingPoint, 3], ['毕业批次', t.graduationBatch]],
  ], { plainMissing: true });
  pdf.photo(g.box(0, 6, 4, 1), t.photo);
  y = g.bottom + mm(4);

  const rows = t.courses.map((c, i) => [
    String(i + 1), c.name, c.term, c.category, num(c.credits),
    c.score == null ? '—' : typeof c.score === 'number' ? num(c.score) : c.score,
    c.passed ? '通过' : '未通过', c.source,
  ]);
  // A continuation page says whose transcript it is before the repeated header row.
  const continued = () => {
    pdf.text(`${t.school}  学生成绩单（续）`, MARGIN, MARGIN, { size: 12, align: 'center', width: WIDTH, bold: true });
    pdf.text(`姓名：${s.name}    学号：${s.studentNo}    身份证号：${s.idCard}`, MARGIN, MARGIN + mm(8), { size: 9.5 });
    return MARGIN + mm(14);
  };
  y = pdf.table(MARGIN, y, BOTTOM, COLUMNS, rows, { rowHeight: mm(5.6), headerHeight: mm(7), size: 9, continued });

  // The totals, the batch and the stamp line stay together: if they would not fit under the table, they
  // go to a new page. They may reach lower than the table's rows, down to just above the page number.
  y = keepTogether(pdf, y, mm(24), continued) + mm(2);
  const required = t.totals.creditsRequired == null ? '' : `，毕业最低学分 ${num(t.totals.creditsRequired)}`;
  pdf.cell({ x: MARGIN, y, w: WIDTH, h: mm(8) },
    `合计：课程 ${t.courses.length} 门，通过 ${t.totals.coursesPassed} 门；已获学分 ${num(t.totals.creditsEarned)}${required}。`,
    { size: 10, name: '合计' });
  y += mm(10);
  pdf.text(`毕业批次：${orMissing(t.graduationBatch)}`, MARGIN, y, { size: 10 });
  pdf.text(`打印日期：${t.printedOn}`, MARGIN, y, { size: 10, align: 'right', width: WIDTH });
  y += mm(7);
  pdf.text('学校（盖章）', MARGIN, y, { size: 10, align: 'right', width: WIDTH - mm(10) });
}
