import { FORM_FIELDS } from '../../shared/graduate-form.ts';
import { A4, mm, textWidth, type Box, type PdfCanvas } from '../platform/pdf.ts';
import { GREY, LABEL_W, MARGIN, WIDTH, identityBlock, personRows, sideLabel, titled, underline, type PersonOnForm } from './layout.ts';

/**
 * 毕业生登记表 (seed 000 二 and 四.5): two A4 pages, so that duplex prints it on one sheet.
 * Page 1: school and title, the ruled identity block with the 2-inch 毕业证照片 top-right, and the 自我鉴定
 * filling the rest of the page with the student's signature line. Page 2: 学习总结, 实践总结, 奖励情况,
 * 惩处情况, then the 班主任意见, 函授站意见 and 学校意见 with their signature, stamp and date lines.
 * Pure: it draws the record it is given. A missing identity field prints "（未填写）" in grey; an opinion
 * not yet written prints ruled lines to write on by hand.
 */

/** One opinion as written online: its text and, when known, the date it was written (YYYY-MM-DD or an ISO time). */
export interface FormOpinion {
  text: string;
  date?: string | null;
}

export interface GraduateFormData extends PersonOnForm {
  /** The full 身份证号: the form goes into the graduate's archive. */
  idCard: string | null;
  /** 层次 (专科, 专科起点本科 …) */
  level: string | null;
  /** 专业 */
  programme: string | null;
  /** 入学时间, as the record says it (e.g. "2024秋" or "2024-09"). */
  enrolledOn: string | null;
  /** 毕业时间 (e.g. "2027-01"). */
  graduationDate: string | null;
  /** 毕业批次 (e.g. "202701"). */
  batch: string | null;
  /** 学习形式; every student of the platform studies in 开放教育, the default. */
  studyMode?: string;
  /** 教学点 (the seed's 函授站). */
  teachingPoint: string | null;
  /** 班级 */
  className: string | null;
  /** 工作单位 */
  employer: string | null;
  /** 通讯地址 */
  address: string | null;
  /** 联系电话 */
  phone: string | null;
  /** The 毕业证照片 (JPEG); null prints the box with 未上传. */
  photo: Buffer | null;
  /** The student's parts, keyed as FORM_FIELDS; '' leaves the box blank to write by hand. */
  self_assessment: string;
  study_summary: string;
  practice_summary: string;
  rewards: string;
  punishments: string;
  opinions: { head_teacher?: FormOpinion | null; tp?: FormOpinion | null; school?: FormOpinion | null };
}

/** Above the page number ("第 1 页 / 共 2 页" at 12 mm from the foot). */
const BOTTOM = A4.height - mm(18);
/** 五号 */
const TEXT_SIZE = 10.5;
/** The height of a signature/date line at the foot of a box. */
const SIGN_H = mm(8.5);

export function renderGraduateForm(pdf: PdfCanvas, f: GraduateFormData): void {
  pageOne(pdf, f);
  pageTwo(pdf, f);
}

function pageOne(pdf: PdfCanvas, f: GraduateFormData): void {
  let y = titled(pdf, f.school, '毕 业 生 登 记 表', 16, mm(11));

  // Three label/value pairs a row; the photo box is a 2-inch photo (35 × 49 mm) over the first five rows.
  const g = identityBlock(pdf, y, mm(35), [mm(9.8), mm(9.8), mm(9.8), mm(9.8), mm(9.8), mm(10), mm(10), mm(12)], [
    ...personRows(f),
    [['身份证号', f.idCard, 3], ['层次', f.level]],
    [['专业', f.programme, 3], ['学习形式', f.studyMode ?? '开放教育']],
    [['入学时间', f.enrolledOn], ['毕业时间', f.graduationDate], ['毕业批次', f.batch]],
    [['教学点', f.teachingPoint, 3], ['班级', f.className, 2]],
    [['工作单位', f.employer, 3], ['联系电话', f.phone, 2]],
    [['通讯地址', f.address, 6]],
  ]);
  pdf.photo(g.box(0, 6, 5, 1), f.photo);
  y = g.bottom;

  // 自我鉴定 takes the rest of the page: at 五号 about 42 characters a line and 32 lines, so 800 characters
  // in 21 paragraphs fit as they are and only an unusual shape of text has to shrink.
  const box = textBox(pdf, y, BOTTOM - y, FORM_FIELDS.self_assessment.label, f.self_assessment, { signed: true });
  signLine(pdf, box, '本人签名：', null);
}

function pageTwo(pdf: PdfCanvas, f: GraduateFormData): void {
  pdf.newPage();
  // Whose form this is, should the two pages be printed on separate sheets.
  pdf.text(`姓名：${f.name}    学号：${f.studentNo}`, MARGIN, mm(10), { size: 9, color: GREY, align: 'right', width: WIDTH });
  let y = mm(16);

  // 263 mm for seven boxes: at 五号 (42 characters a line) the summaries hold 9 lines, 奖励/惩处 4, the
  // opinions 5 above their signature lines; a part at its limit shrinks a little (400 characters in
  // 10 lines to 9.5 pt), and the worst shapes the limits allow still fit at 6 pt (the test tries them).
  const parts: [keyof typeof FORM_FIELDS, number][] = [
    ['study_summary', 49], ['practice_summary', 49], ['rewards', 27], ['punishments', 27],
  ];
  for (const [key, h] of parts) {
    textBox(pdf, y, mm(h), FORM_FIELDS[key].label, f[key]);
    y += mm(h);
  }

  const opinionH = (BOTTOM - y) / 3;
  const o = f.opinions;
  const boxes: [string, FormOpinion | null | undefined, string | null][] = [
    ['班主任意见', o.head_teacher, '班主任签名：'],
    ['函授站意见', o.tp, null],
    ['学校意见', o.school, null],
  ];
  for (const [label, opinion, signer] of boxes) {
    const box = textBox(pdf, y, opinionH, label, opinion?.text ?? '', { signed: true, handLines: true });
    signLine(pdf, box, signer, opinion?.text.trim() ? (opinion.date ?? null) : null);
    y += opinionH;
  }
}

/**
 * A ruled box with its name running down a narrow first column (one character a line, as on the paper
 * form) and the text at 五号, shrinking to fit (above the signature line of a `signed` box), never drawn outside.
 * Returns the box of the content column. An empty box stays blank to write in, or, with `handLines`,
 * gets pale ruled lines.
 */
function textBox(pdf: PdfCanvas, y: number, h: number, label: string, text: string, opts: { signed?: boolean; handLines?: boolean } = {}): Box {
  sideLabel(pdf, { x: MARGIN, y, w: LABEL_W, h }, label);
  const box: Box = { x: MARGIN + LABEL_W, y, w: WIDTH - LABEL_W, h };
  pdf.cell(box, '', {});
  const room: Box = { x: box.x, y: box.y + mm(1), w: box.w, h: h - mm(1) - (opts.signed ? SIGN_H : mm(1)) };
  if (text.trim() !== '') {
    pdf.cell(room, text.trim(), { border: false, valign: 'top', size: TEXT_SIZE, minSize: 6, pad: mm(1.5), name: label });
  } else if (opts.handLines) {
    const doc = pdf.doc;
    doc.lineWidth(0.4).strokeColor('#bbbbbb');
    for (let ly = room.y + mm(9); ly <= room.y + room.h - mm(1); ly += mm(8)) {
      doc.moveTo(room.x + mm(4), ly).lineTo(room.x + room.w - mm(4), ly);
    }
    doc.stroke().strokeColor('black');
  }
  return box;
}

/**
 * The signature (or stamp) and date line at the foot of a box: "本人签名：＿＿＿  年  月  日", or
 * "（盖章）  年  月  日" when nobody signs by name. A date written online goes on the line.
 */
function signLine(pdf: PdfCanvas, box: Box, signer: string | null, date: string | null): void {
  const y = box.y + box.h - mm(7);
  const dateW = mm(42);
  const dateX = box.x + box.w - mm(6) - dateW;
  pdf.text(dateText(date), dateX, y, { size: 10.5, align: 'right', width: dateW });
  if (signer) {
    const lineW = mm(32);
    const lineX = dateX - mm(8) - lineW;
    const labelW = textWidth(signer, 10.5);
    pdf.text(signer, lineX - labelW, y, { size: 10.5 });
    underline(pdf, lineX, y, lineW);
  } else {
    pdf.text('（盖章）', dateX - mm(30), y, { size: 10.5 });
  }
}

const CN_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' });

/**
 * "2026 年 10 月 15 日" from a day or an ISO time (a time is the day in China: 23:30Z is the next morning
 * there); blanks to fill by hand without one. Anything else prints as given.
 */
function dateText(date: string | null): string {
  const d = date?.trim() ?? '';
  if (d === '') return '年      月      日';
  const day = /^\d{4}-\d{2}-\d{2}T/.test(d) && !Number.isNaN(Date.parse(d)) ? CN_DAY.format(new Date(d)) : d;
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(day);
  return m ? `${m[1]} 年 ${Number(m[2])} 月 ${Number(m[3])} 日` : d;
}
