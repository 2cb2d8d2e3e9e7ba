import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import yauzl from 'yauzl';

/**
 * The one Excel helper: templates to download, and uploaded sheets read into plain strings with
 * every problem a teacher can make in Excel named by row and column, in Chinese.
 */

/** One problem in one cell, said so a teacher can fix it in Excel. */
export interface CellError { column: string; value: string; message: string }

export type ColumnKind =
  /** Free text (姓名, 专业). */
  | 'text'
  /** A code kept as typed (学号, 课程代码, 教学点代码): stored as text so leading zeros survive. */
  | 'code'
  /** 身份证号: 18 characters; a number in Excel has already lost digits. */
  | 'idcard'
  /** A calendar date, normalised to YYYY-MM-DD. */
  | 'date'
  /** A number (学分, 成绩); a word is left for the kind to judge. */
  | 'number';

export interface Column {
  key: string;
  /** The header in the sheet, exactly. */
  title: string;
  kind: ColumnKind;
  required: boolean;
  /** What to write, for the 填写说明 sheet. */
  note: string;
  example: string;
  width?: number;
}

export interface SheetRow {
  /** The row number as Excel shows it. */
  rowNo: number;
  values: Record<string, string>;
  errors: CellError[];
}

export type SheetResult = { ok: true; rows: SheetRow[] } | { ok: false; error: string };

export const importLimits = {
  /** IMPORT_MAX_MB: the largest file accepted, in MB. */
  maxBytes: Math.round(Number(process.env.IMPORT_MAX_MB || 20) * 1024 * 1024),
};

export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} MB`;

export function tooLargeMessage(bytes: number | null, maxBytes = importLimits.maxBytes): string {
  return `文件${bytes != null ? `大小为 ${mb(bytes)}，` : ''}超过上限 ${mb(maxBytes)}。请删除空白行、图片和多余的工作表，或把数据分成几个文件分别上传。`;
}

const SAVE_AS_XLSX = '请用 Excel 另存为 .xlsx 后重新上传';
const TEXT_FORMAT_FIX = '请把该列设为文本格式后重新输入';

// ---------------------------------------------------------------------------------------------
// Template

export async function buildTemplate(sheetName: string, columns: Column[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = '毕业管理平台';
  const ws = wb.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = columns.map((c) => ({
    header: c.title,
    key: c.key,
    width: c.width ?? Math.max(12, c.title.length * 2 + 4, c.example.length + 4),
    // Text format for everything but numbers and dates: Excel then keeps 身份证号, 学号 and codes as typed
    // instead of turning them into numbers (and 18-digit numbers into 2.10102E+17).
    style: c.kind === 'number' || c.kind === 'date' ? {} : { numFmt: '@' },
  }));
  const header = ws.getRow(1);
  header.font = { bold: true };
  columns.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: c.required ? 'FFFFE7BA' : 'FFF0F0F0' } };
    cell.note = `${c.required ? '必填' : '选填'}：${c.note}`;
  });

  const help = wb.addWorksheet('填写说明');
  help.columns = [
    { header: '列名', key: 'title', width: 16 },
    { header: '是否必填', key: 'required', width: 10 },
    { header: '填写说明', key: 'note', width: 70 },
    { header: '示例', key: 'example', width: 28, style: { numFmt: '@' } },
  ];
  help.getRow(1).font = { bold: true };
  for (const c of columns) help.addRow({ title: c.title, required: c.required ? '必填' : '选填', note: c.note, example: c.example });
  help.addRow({});
  const general = [
    `在“${sheetName}”工作表中从第 2 行起逐行填写，一行一条记录；不要改动第 1 行的列名和列的顺序。`,
    '不要合并单元格，不要使用公式（如需引用，请复制后“选择性粘贴”为数值）。',
    '身份证号、学号和各类代码请保持文本格式；日期写成 2021-09-01 即可。',
    `文件请保存为 .xlsx 格式，大小不超过 ${mb(importLimits.maxBytes)}。`,
    '下面一行是示例，仅供参考，请勿填入数据工作表：',
  ];
  for (const line of general) help.addRow({ title: line });
  // The example, laid out like the data sheet. It stays here, not in the data sheet, so that a template
  // uploaded with the example left in does not import a made-up student.
  const titles = help.addRow(columns.map((c) => c.title));
  titles.font = { bold: true };
  const example = help.addRow(columns.map((c) => c.example));
  example.eachCell((cell) => { cell.numFmt = '@'; });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

// ---------------------------------------------------------------------------------------------
// Reading

/** What the first bytes say the file is: an xlsx is a zip; an old .xls is an OLE compound file. */
function sniff(buf: Buffer): 'zip' | 'xls' | 'other' {
  if (buf.length >= 4 && buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 0x03 && buf[3] === 0x04) return 'zip';
  if (buf.length >= 8 && buf.subarray(0, 8).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]))) return 'xls';
  return 'other';
}

/** Full-width digits and letters to half-width, ideographic spaces to spaces, invisible characters out. */
export function normaliseText(s: string): string {
  return s.normalize('NFKC').replace(/[\u200b-\u200d\ufeff]/g, '').replace(/\s+/g, ' ').trim();
}

/** Header cells compare without a required mark (*) or spaces a user may have added. */
const headerKey = (s: string) => normaliseText(s).replace(/[*＊]/g, '').replace(/\s/g, '');

function pad(n: number, len = 2) {
  return String(n).padStart(len, '0');
}

function validDate(y: number, m: number, d: number): string | null {
  if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1 || d > 31) return null;
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return null;
  return `${y}-${pad(m)}-${pad(d)}`;
}

/** Excel's serial day number (1900 system, with its phantom 1900-02-29) to YYYY-MM-DD. */
export function serialToDate(serial: number): string | null {
  if (!Number.isFinite(serial) || serial < 1 || serial > 100_000 || Math.floor(serial) === 60) return null;
  const days = Math.floor(serial) - (serial >= 61 ? 1 : 0);
  const d = new Date(Date.UTC(1899, 11, 31) + days * 86_400_000);
  return validDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
}

/** Dates typed as text in the forms people use: 2021-09-01, 2021/9/1, 2021.9.1, 2021年9月1日, 20210901. */
export function parseDateText(s: string): string | null {
  const t = s.replace(/\s/g, '');
  let m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(t) ?? /^(\d{4})年(\d{1,2})月(\d{1,2})日?$/.exec(t) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(t);
  if (m) return validDate(Number(m[1]), Number(m[2]), Number(m[3]));
  // A date with a time of day (2021-09-01 00:00:00), as some systems export it.
  m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[T ]?\d{1,2}:\d{2}(:\d{2})?$/.exec(s.trim());
  if (m) return validDate(Number(m[1]), Number(m[2]), Number(m[3]));
  return null;
}

function dateOf(d: Date): string {
  // exceljs hands dates over as UTC midnight of the calendar day shown in Excel.
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

type Raw = { kind: 'empty' } | { kind: 'text'; text: string } | { kind: 'number'; n: number } | { kind: 'date'; date: Date } | { kind: 'problem'; value: string; message: string };

/** A cell's value as exceljs gives it, unwrapped; a formula is refused here. */
function rawOf(cell: ExcelJS.Cell): Raw {
  const v = cell.value as ExcelJS.CellValue;
  if (v == null || v === '') return { kind: 'empty' };
  if (typeof v === 'string') return { kind: 'text', text: v };
  if (typeof v === 'number') return { kind: 'number', n: v };
  if (typeof v === 'boolean') return { kind: 'text', text: v ? 'TRUE' : 'FALSE' };
  if (v instanceof Date) return { kind: 'date', date: v };
  if (typeof v === 'object') {
    if ('formula' in v || 'sharedFormula' in v) {
      const result = (v as ExcelJS.CellFormulaValue).result;
      return { kind: 'problem', value: result == null ? '' : String(result instanceof Date ? dateOf(result) : typeof result === 'object' ? '' : result), message: '该单元格是公式，请复制后选择性粘贴为数值' };
    }
    if ('richText' in v) return { kind: 'text', text: v.richText.map((r) => r.text).join('') };
    if ('error' in v) return { kind: 'problem', value: String(v.error), message: `该单元格的值是错误 ${String(v.error)}，请改为正确的值` };
    if ('text' in v) return { kind: 'text', text: String((v as ExcelJS.CellHyperlinkValue).text) };
  }
  return { kind: 'text', text: String(v) };
}

/** A number as Excel would show it in a General cell, without float noise (12.5, not 12.499999999). */
function numberText(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(12)));
}

/** One cell to its string, or the problem with it. */
function convert(raw: Raw, col: Column): { value: string } | { value: string; message: string } {
  switch (raw.kind) {
    case 'empty':
      return { value: '' };
    case 'problem':
      return { value: raw.value, message: raw.message };
    case 'date':
      if (col.kind === 'date') return { value: dateOf(raw.date) };
      // A code or number Excel turned into a date (1-2 → 1月2日): say what it became.
      return { value: dateOf(raw.date), message: `该单元格被 Excel 识别成了日期，${TEXT_FORMAT_FIX}` };
    case 'number': {
      const shown = numberText(raw.n);
      if (col.kind === 'date') {
        const d = serialToDate(raw.n);
        if (d && raw.n >= 10_000) return { value: d }; // serial numbers of real dates (1927 onwards)
        const asText = parseDateText(shown); // 20210901 typed into a General cell
        return asText ? { value: asText } : { value: shown, message: '日期无法识别，请写成 2021-09-01 的形式' };
      }
      if (col.kind === 'idcard') {
        // Excel keeps 15 significant digits: an 18-digit 身份证号 stored as a number has lost its last ones.
        return { value: raw.n >= 1e15 ? raw.n.toExponential(5).replace('e+', 'E+') : shown,
          message: `身份证号被 Excel 存成了数字，后几位已经丢失，无法还原。${TEXT_FORMAT_FIX}` };
      }
      if (col.kind === 'code' && (Math.abs(raw.n) >= 1e15 || !Number.isInteger(raw.n))) {
        return { value: shown, message: `该代码被 Excel 存成了数字，可能已经改变。${TEXT_FORMAT_FIX}` };
      }
      return { value: shown };
    }
    case 'text': {
      const text = normaliseText(raw.text);
      if (text === '') return { value: '' };
      switch (col.kind) {
        case 'date': {
          const d = parseDateText(text);
          return d ? { value: d } : { value: text, message: '日期无法识别，请写成 2021-09-01 的形式' };
        }
        case 'idcard':
          if (/^\d(\.\d+)?E\+?\d+$/i.test(text)) {
            return { value: text, message: `身份证号是科学计数法（${text}），后几位已经丢失，无法还原。${TEXT_FORMAT_FIX}` };
          }
          return { value: text.replace(/\s/g, '').toUpperCase() };
        case 'code':
          if (/^\d(\.\d+)?E\+?\d+$/i.test(text)) {
            return { value: text, message: `该代码是科学计数法（${text}），已无法还原。${TEXT_FORMAT_FIX}` };
          }
          return { value: text.replace(/\s/g, '') };
        case 'number':
        case 'text':
          return { value: text };
      }
    }
  }
}

const colLetter = (n: number): string => (n <= 26 ? String.fromCharCode(64 + n) : colLetter(Math.floor((n - 1) / 26)) + String.fromCharCode(65 + ((n - 1) % 26)));

/** What is wrong with the file before opening it: too large, empty, or not an .xlsx at all. */
export function fileProblem(buffer: Buffer, maxBytes = importLimits.maxBytes): string | null {
  if (buffer.length > maxBytes) return tooLargeMessage(buffer.length, maxBytes);
  if (buffer.length === 0) return '文件是空的（0 字节），请选择填好数据的 Excel 文件。';
  const kind = sniff(buffer);
  if (kind === 'xls') return `这是旧版 Excel（.xls）文件，系统只接受 .xlsx 文件。${SAVE_AS_XLSX}。`;
  if (kind !== 'zip') return `文件不是 Excel（.xlsx）文件（可能是改了扩展名的 CSV、文本或其他文件）。${SAVE_AS_XLSX}。`;
  return null;
}

/**
 * Reads the first worksheet against the expected columns. A problem with the file as a whole comes back
 * as `{ ok: false, error }`; otherwise every non-empty row with its values (trimmed, NFKC-normalised,
 * dates as YYYY-MM-DD) and the problems of its cells. Missing required values are the caller's to judge
 * with the rest of a row's rules.
 *
 * The sheet is streamed: exceljs's in-memory workbook costs ~4 KB per row (2.9 GB for a 20 MB file of
 * 1.1 million grades); streamed, only the rows' strings are kept.
 */
export async function readSheet(bytes: Buffer | Uint8Array, columns: Column[], opts: { maxBytes?: number } = {}): Promise<SheetResult> {
  // PGlite hands bytea back as a plain Uint8Array; yauzl needs a Buffer (a view, not a copy).
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const problem = fileProblem(buffer, opts.maxBytes);
  if (problem) return { ok: false, error: problem };

  const rows: SheetRow[] = [];
  let sheetId: number | null = null;
  let headerError: string | null | undefined; // undefined: no header row seen yet
  try {
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([buffer]), {
      worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore',
    });
    for await (const ws of reader) {
      sheetId = (ws as unknown as { id: number }).id;
      for await (const row of ws) {
        if (headerError === undefined) {
          headerError = row.number === 1 ? checkHeader(row, columns) : '第 1 行没有列名。请下载最新模板，按模板的列名和列顺序填写（第 1 行为列名）。';
          if (headerError) break;
          continue;
        }
        const r = readRow(row, columns);
        if (r) rows.push(r);
      }
      break; // the first worksheet only
    }
  } catch {
    return { ok: false, error: `文件无法作为 Excel 打开（可能已损坏，或是其他格式的压缩包）。${SAVE_AS_XLSX}。` };
  }
  if (sheetId === null || headerError === undefined) {
    return { ok: false, error: '文件中没有数据：第一个工作表是空的。请在模板的第一个工作表中填写数据后重新上传。' };
  }
  if (headerError) return { ok: false, error: headerError };
  if (rows.length === 0) return { ok: false, error: '文件中没有数据行：请从第 2 行起填写数据后重新上传。' };
  markMerged(rows, columns, await mergesOf(buffer, sheetId));
  return { ok: true, rows };
}

function readRow(row: ExcelJS.Row, columns: Column[]): SheetRow | null {
  const r = row.number;
  const values: Record<string, string> = {};
  const errors: CellError[] = [];
  let any = false;
  columns.forEach((col, i) => {
    const out = convert(rawOf(row.getCell(i + 1)), col);
    values[col.key] = out.value;
    if (out.value !== '') any = true;
    if ('message' in out) {
      any = true;
      errors.push({ column: col.title, value: out.value, message: `第 ${r} 行“${col.title}”列：${out.message}` });
    }
  });
  // A row of spaces or formatting only is not a row.
  return any ? { rowNo: r, values, errors } : null;
}

/** Merged ranges of a worksheet ('B3:B4'), read from its XML: exceljs's streaming reader skips them. */
async function mergesOf(buffer: Buffer, sheetId: number): Promise<string[]> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(buffer, { lazyEntries: true }, (err, z) => (err ? reject(err) : resolve(z))));
  const target = `xl/worksheets/sheet${sheetId}.xml`;
  return new Promise<string[]>((resolve, reject) => {
    const found: string[] = [];
    zip.on('error', reject);
    zip.on('end', () => resolve(found));
    zip.on('entry', (entry: yauzl.Entry) => {
      if (entry.fileName !== target) {
        zip.readEntry();
        return;
      }
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        // Scan chunk by chunk, keeping a short tail so that a tag split between chunks is still seen.
        let tail = '';
        stream.on('data', (chunk: Buffer) => {
          const text = tail + chunk.toString('latin1');
          for (const m of text.matchAll(/<mergeCell\s+ref="([A-Z]+\d+:[A-Z]+\d+)"/g)) found.push(m[1]);
          const cut = text.lastIndexOf('<');
          tail = cut >= 0 && text.length - cut < 200 ? text.slice(cut) : '';
        });
        stream.on('error', reject);
        stream.on('end', () => {
          zip.close();
          resolve([...new Set(found)]);
        });
      });
    });
    zip.readEntry();
  });
}

const colNumber = (letters: string) => [...letters].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0);

/** Every cell of the data rows inside a merged range gets an error naming the range. */
function markMerged(rows: SheetRow[], columns: Column[], merges: string[]) {
  if (merges.length === 0) return;
  const byNo = new Map(rows.map((r) => [r.rowNo, r]));
  for (const range of merges) {
    const m = /^([A-Z]+)(\d+):([A-Z]+)(\d+)$/.exec(range);
    if (!m) continue;
    const [left, top, right, bottom] = [colNumber(m[1]), Number(m[2]), colNumber(m[3]), Number(m[4])];
    const masterValue = byNo.get(top)?.values[columns[left - 1]?.key ?? ''] ?? '';
    for (let r = Math.max(top, 2); r <= bottom; r++) {
      const row = byNo.get(r);
      if (!row) continue;
      for (let c = left; c <= Math.min(right, columns.length); c++) {
        const col = columns[c - 1];
        row.errors.push({ column: col.title, value: r === top && c === left ? masterValue : '',
          message: `第 ${r} 行“${col.title}”列是合并单元格（${range}），请取消合并，并在每一行填写完整的值` });
      }
    }
  }
  for (const r of rows) r.errors.sort((a, b) => columns.findIndex((c) => c.title === a.column) - columns.findIndex((c) => c.title === b.column));
}

/** The header row must be the template's columns, in the template's order; name what differs. */
function checkHeader(header: ExcelJS.Row, columns: Column[]): string | null {
  const found: { title: string; at: number }[] = [];
  const width = Math.max(header.cellCount, columns.length);
  for (let c = 1; c <= width; c++) {
    const raw = rawOf(header.getCell(c));
    const text = raw.kind === 'text' ? headerKey(raw.text) : raw.kind === 'number' ? String(raw.n) : raw.kind === 'problem' ? headerKey(raw.value) : '';
    if (text) found.push({ title: text, at: c });
  }
  const expected = columns.map((c) => headerKey(c.title));
  const fix = '请下载最新模板，按模板的列名和列顺序填写（第 1 行为列名）。';
  if (found.length === 0) return `第 1 行没有列名。${fix}`;
  const foundTitles = found.map((f) => f.title);
  const missing = columns.filter((c) => !foundTitles.includes(headerKey(c.title))).map((c) => c.title);
  const unknown = found.filter((f) => !expected.includes(f.title)).map((f) => `${f.title}（${colLetter(f.at)} 列）`);
  const parts: string[] = [];
  if (missing.length) parts.push(`缺少列：${missing.join('、')}`);
  if (unknown.length) parts.push(`无法识别的列：${unknown.join('、')}`);
  if (parts.length) return `表头与模板不一致：${parts.join('；')}。${fix}`;
  const dup = foundTitles.find((t, i) => foundTitles.indexOf(t) !== i);
  if (dup) return `表头中“${dup}”列出现了两次。${fix}`;
  for (let i = 0; i < columns.length; i++) {
    if (found[i].title !== expected[i] || found[i].at !== i + 1) {
      return `列的顺序与模板不一致：第 ${i + 1} 列（${colLetter(i + 1)} 列）应为“${columns[i].title}”，实为“${found[i].at === i + 1 ? found[i].title : '空白'}”。${fix}`;
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Writing a plain table (error reports)

export async function buildTable(sheetName: string, headers: { title: string; width?: number }[], rows: (string | number)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheetName, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = headers.map((h) => ({ header: h.title, width: h.width ?? 16, style: { numFmt: '@' } }));
  ws.getRow(1).font = { bold: true };
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
