import { A4, Grid, mm, type Box, type PdfCanvas, type TableColumn } from '../platform/pdf.ts';

/**
 * The drawing the printed documents share: the A4 frame, the school over the title, the ruled identity block
 * of label/value pairs beside the photo, a box named down its narrow first column, the line to sign on, and
 * a closing block kept together on one page.
 */

export const MARGIN = mm(15);
export const WIDTH = A4.width - 2 * MARGIN;
/** How low a closing block may reach: just above the page number ("第 i 页 / 共 n 页" at 12 mm from the foot). */
export const FOOT_BOTTOM = A4.height - mm(16);
/** What a field the record lacks prints, so that a gap is visible on paper rather than a blank that looks deliberate. */
export const MISSING = '（未填写）';
export const GREY = '#666666';
/** The width of a label column. */
export const LABEL_W = mm(20);
/** A label cell: centred on a pale ground. */
export const LABEL = { align: 'center' as const, size: 10, fill: '#f4f4f4' };

/** A table's columns from [title, width in mm, alignment when not centred]. */
export const columns = (...cols: [title: string, widthMm: number, align?: 'left'][]): TableColumn[] =>
  cols.map(([title, w, align]) => (align ? { title, width: mm(w), align } : { title, width: mm(w) }));

/** Starts the document's first page with the school over the title, both centred; returns the y `gap` below the title. */
export function titled(pdf: PdfCanvas, school: string, title: string, size: number, gap: number): number {
  pdf.newPage();
  let y = MARGIN;
  pdf.text(school, MARGIN, y, { size: 16, align: 'center', width: WIDTH, bold: true });
  y += mm(8);
  pdf.text(title, MARGIN, y, { size, align: 'center', width: WIDTH, bold: true });
  return y + gap;
}

/** One label and its value, the value `span` columns wide (one unless said). */
export type Field = [label: string, value: string | null | undefined, span?: number];

/**
 * The ruled identity block: label/value pairs, three a row, and the photo column at the right; rows of the
 * given heights from `y`. A value the record lacks prints （未填写）, in grey unless `plainMissing`.
 */
export function identityBlock(pdf: PdfCanvas, y: number, photoW: number, rowHeights: number[], rows: Field[][], opts: { plainMissing?: boolean } = {}): Grid {
  const value = (WIDTH - photoW - 3 * LABEL_W) / 3;
  const grid = new Grid(MARGIN, y, [LABEL_W, value, LABEL_W, value, LABEL_W, value, photoW], rowHeights);
  rows.forEach((fields, row) => {
    let col = 0;
    for (const [label, v, span = 1] of fields) {
      pdf.cell(grid.box(row, col), label, LABEL);
      const box = grid.box(row, col + 1, 1, span);
      if (v != null && v.trim() !== '') pdf.cell(box, v, { size: 10, name: label });
      else pdf.cell(box, MISSING, opts.plainMissing ? { size: 10, name: label } : { size: 9, color: GREY, name: label });
      col += 1 + span;
    }
  });
  return grid;
}

/** Who a printed form is about: the fields the 入学报名登记表 and the 毕业生登记表 both start with. */
export interface PersonOnForm {
  school: string;
  name: string;
  gender: string | null;
  /** YYYY-MM-DD */
  birthDate: string | null;
  /** 民族 */
  ethnicity: string | null;
  /** 政治面貌 */
  politicalStatus: string | null;
  studentNo: string;
}

/** The two rows both forms start with: 姓名 性别 出生日期 / 民族 政治面貌 学号. */
export const personRows = (f: PersonOnForm): Field[][] => [
  [['姓名', f.name], ['性别', f.gender], ['出生日期', f.birthDate]],
  [['民族', f.ethnicity], ['政治面貌', f.politicalStatus], ['学号', f.studentNo]],
];

/** A box's name running down its narrow first column, one character a line, as on the paper forms. */
export function sideLabel(pdf: PdfCanvas, box: Box, label: string): void {
  pdf.cell(box, [...label].join('\n'), { ...LABEL, size: 10.5, name: label });
}

/** A line to sign (or write) on, under text set at `y`. */
export function underline(pdf: PdfCanvas, x: number, y: number, w: number): void {
  pdf.doc.lineWidth(0.5).strokeColor('black').moveTo(x, y + mm(4.2)).lineTo(x + w, y + mm(4.2)).stroke();
}

/**
 * Where a closing block of `height` goes (totals, signatures: they stay together): at `y` under the table,
 * or, if it would not fit above the page number, at the top of a new page that `continued()` heads.
 */
export function keepTogether(pdf: PdfCanvas, y: number, height: number, continued: () => number): number {
  if (y + height <= FOOT_BOTTOM) return y;
  pdf.newPage();
  return continued();
}
