import { A4, mm, type PdfCanvas, type RenderOptions } from '../platform/pdf.ts';
import { MARGIN, WIDTH, columns, keepTogether, underline } from './layout.ts';

/**
 * 未办理毕业学生统计表 (seed 000 七.4: handed in on paper with the teaching point's stamp, and as a file):
 * A4 portrait, the title and a header line saying whose list it is, the students in a ruled table whose
 * header row is repeated on every page, then 合计 and the lines to sign and stamp. An empty list prints
 * one row 「无」 and 合计：0 人: a signed statement that nobody is missing. Pure: it draws what it is given.
 */

export interface NotGraduatingRow {
  studentNo: string;
  name: string;
  major: string | null;
  level: string | null;
  /** 学籍批次 (e.g. "2021秋"). */
  cohort: string | null;
  /** 未办理原因, free text; a long one wraps and shrinks within its cell. */
  reason: string;
}

export interface NotGraduatingData {
  /** 学校/分部 */
  school: string;
  tpCode: string;
  tpName: string;
  /** 毕业批次 (e.g. "202301"). */
  batch: string;
  /** The 学籍批次 the list was drawn for; null: every cohort. */
  cohort: string | null;
  /** 制表日期, YYYY-MM-DD. */
  printedOn: string;
  rows: NotGraduatingRow[];
}

/** The page numbers go on every page, a one-page list too: the stamped copy is counted by pages. */
export const notGraduatingPdfOptions: RenderOptions = { pageNumbers: 'always' };

/** The rows stop above the page number ("第 i 页 / 共 n 页" at 12 mm from the foot). */
const BOTTOM = A4.height - mm(20);
const ROW_H = mm(8);

const COLUMNS = columns(['序号', 10], ['学号', 28], ['姓名', 18], ['专业', 30], ['层次', 20], ['学籍批次', 16], ['未办理原因', 58, 'left']);

const orDash = (v: string | null) => (v == null || v.trim() === '' ? '—' : v);

export function renderNotGraduating(pdf: PdfCanvas, d: NotGraduatingData): void {
  const heading = (title: string) => {
    let y = MARGIN;
    pdf.text(title, MARGIN, y, { size: 16, align: 'center', width: WIDTH, bold: true });
    y += mm(10);
    pdf.text(`学校/分部：${d.school}    教学点：${d.tpCode} ${d.tpName}`, MARGIN, y, { size: 10 });
    y += mm(6);
    pdf.text(`毕业批次：${d.batch}    学籍批次：${d.cohort ?? '全部'}`, MARGIN, y, { size: 10 });
    pdf.text(`制表日期：${d.printedOn}`, MARGIN, y, { size: 10, align: 'right', width: WIDTH });
    return y + mm(7);
  };
  pdf.newPage();
  let y = heading('未办理毕业学生统计表');
  const continued = () => heading('未办理毕业学生统计表（续）');

  const rows = d.rows.map((r, i) => [
    String(i + 1), r.studentNo, r.name, orDash(r.major), orDash(r.level), orDash(r.cohort), r.reason.trim() === '' ? '（未注明）' : r.reason.trim(),
  ]);
  y = pdf.table(MARGIN, y, BOTTOM, COLUMNS, rows, { rowHeight: ROW_H, headerHeight: mm(8), size: 9.5, continued });
  if (rows.length === 0) {
    pdf.cell({ x: MARGIN, y, w: WIDTH, h: ROW_H }, '无', { align: 'center', size: 10.5, name: '无' });
    y += ROW_H;
  }

  // 合计 and the signature line stay together, under the table or at the top of a page of their own.
  y = keepTogether(pdf, y, mm(23), continued) + mm(4);
  pdf.text(`合计：${d.rows.length} 人`, MARGIN, y, { size: 11 });
  y += mm(10);
  pdf.text('制表人：', MARGIN, y, { size: 10.5 });
  underline(pdf, MARGIN + mm(15), y, mm(28));
  pdf.text('审核人：', MARGIN + mm(48), y, { size: 10.5 });
  underline(pdf, MARGIN + mm(63), y, mm(28));
  pdf.text('教学点（盖章）', MARGIN + mm(98), y, { size: 10.5 });
  pdf.text('年      月      日', MARGIN, y, { size: 10.5, align: 'right', width: WIDTH - mm(2) });
}

