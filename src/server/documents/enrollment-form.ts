import { A4, Grid, mm, type PdfCanvas } from '../platform/pdf.ts';
import { LABEL, LABEL_W, MARGIN, WIDTH, identityBlock, personRows, sideLabel, titled, underline, type PersonOnForm } from './layout.ts';

/**
 * 入学报名登记表: one A4 page laid out as the paper form — title, the ruled identity block with the photo
 * top-right, 学习与工作经历 and 家庭成员 as ruled row blocks, then the 本人承诺 with signature and date lines
 * and the 教学点审核意见. Pure: it draws the record it is given. A field the record lacks prints as
 * "（未填写）" in its place, so a gap is visible on paper rather than a blank that looks deliberate.
 */

export interface HistoryRow {
  /** 起止年月, e.g. "2015.09" and "2018.07" (to: null = 至今). */
  from: string;
  to: string | null;
  /** 学校或工作单位 */
  organisation: string;
  /** 职务 / 学历 */
  role: string | null;
  /** 证明人 */
  witness: string | null;
}

export interface FamilyRow {
  /** 称谓 (父亲, 配偶 …) */
  relation: string;
  name: string;
  employer: string | null;
  phone: string | null;
}

export interface EnrollmentFormData extends PersonOnForm {
  /** The full 身份证号: this form is one of the documents that carries it. */
  idCard: string;
  /** 学籍批次 (e.g. "2024秋") */
  cohort: string | null;
  /** 层次 (专科, 专科起点本科 …) */
  level: string | null;
  programme: string | null;
  teachingPoint: string | null;
  /** 通讯地址 */
  address: string | null;
  postcode: string | null;
  mobile: string | null;
  /** 工作单位 */
  employer: string | null;
  history: HistoryRow[];
  family: FamilyRow[];
  photo: Buffer | null;
  /** When the student submitted the form online (YYYY-MM-DD): printed on the date line; null leaves it to fill by hand. */
  signedOn: string | null;
}

const BOTTOM = A4.height - mm(18);
const ROW_MM = 7.5;

export function renderEnrollmentForm(pdf: PdfCanvas, f: EnrollmentFormData): void {
  let y = titled(pdf, f.school, '入 学 报 名 登 记 表', 15, mm(10));

  // Identity block: label/value pairs in three columns, the photo (28 × 36 mm) over the first four rows.
  const g = identityBlock(pdf, y, mm(28), [mm(9), mm(9), mm(9), mm(9), mm(9), mm(12), mm(10)], [
    ...personRows(f),
    [['身份证号', f.idCard, 3], ['学籍批次', f.cohort]],
    [['层次', f.level], ['专业', f.programme, 3]],
    [['教学点', f.teachingPoint, 3], ['手机', f.mobile, 2]],
    [['通讯地址', f.address, 3], ['邮编', f.postcode, 2]],
    [['工作单位', f.employer, 6]],
  ]);
  pdf.photo(g.box(0, 6, 4, 1), f.photo);
  y = g.bottom;

  // The two row blocks share the room left above the promise and review blocks: at least 5 and 4 rows
  // (blank ones to fill by hand), rows made lower when a long history needs more of them.
  const promiseH = mm(24);
  const reviewH = mm(22);
  const historyRows = Math.max(5, f.history.length);
  const familyRows = Math.max(4, f.family.length);
  const room = BOTTOM - y - promiseH - reviewH;
  const rowH = Math.min(mm(ROW_MM), room / (historyRows + familyRows + 2));

  const block = (title: string, cols: { title: string; width: number }[], rows: (string | null)[][], count: number) => {
    const heights = [rowH, ...Array.from({ length: count }, () => rowH)];
    const bg = new Grid(MARGIN, y, [LABEL_W, ...cols.map((c) => c.width)], heights);
    sideLabel(pdf, bg.box(0, 0, count + 1, 1), title);
    cols.forEach((c, i) => pdf.cell(bg.box(0, i + 1), c.title, { ...LABEL, size: 9.5, name: c.title }));
    for (let r = 0; r < count; r++) {
      cols.forEach((c, i) => {
        const v = rows[r]?.[i] ?? '';
        pdf.cell(bg.box(r + 1, i + 1), v ?? '', { size: 9.5, minSize: 5, align: i === 0 ? 'center' : 'left', name: `${title} ${c.title}` });
      });
    }
    y = bg.bottom;
  };
  const sub = WIDTH - LABEL_W;
  block('学习与工作经历', [
    { title: '起止年月', width: mm(34) },
    { title: '学校或工作单位', width: sub - mm(34) - mm(30) - mm(26) },
    { title: '职务/学历', width: mm(30) },
    { title: '证明人', width: mm(26) },
  ], f.history.map((h) => [`${h.from} — ${h.to ?? '至今'}`, h.organisation, h.role, h.witness]), historyRows);
  block('家庭成员', [
    { title: '称谓', width: mm(20) },
    { title: '姓名', width: mm(26) },
    { title: '工作单位', width: sub - mm(20) - mm(26) - mm(40) },
    { title: '联系电话', width: mm(40) },
  ], f.family.map((m) => [m.relation, m.name, m.employer, m.phone]), familyRows);

  // 本人承诺: the lines are for a pen; an online submission's date is printed on its line.
  pdf.cell({ x: MARGIN, y, w: WIDTH, h: promiseH }, '', {});
  pdf.text('本人承诺：以上所填信息真实、准确、完整，如有不实，本人愿承担由此产生的一切后果。', MARGIN + mm(3), y + mm(3), { size: 10 });
  const signY = y + promiseH - mm(8);
  pdf.text('本人签名：', MARGIN + mm(60), signY, { size: 10 });
  underline(pdf, MARGIN + mm(78), signY, mm(34));
  pdf.text(`日期：${f.signedOn ?? '        年      月      日'}`, MARGIN + mm(120), signY, { size: 10 });
  y += promiseH;

  pdf.cell({ x: MARGIN, y, w: WIDTH, h: reviewH }, '', {});
  pdf.text('教学点审核意见：', MARGIN + mm(3), y + mm(3), { size: 10 });
  pdf.text('审核人：              （盖章）        日期：        年      月      日', MARGIN + mm(60), y + reviewH - mm(8), { size: 10 });
}
