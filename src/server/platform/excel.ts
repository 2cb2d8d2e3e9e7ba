import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import zlib from 'node:zlib';
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

/** The most rows an Excel worksheet has (Excel 2007 and later). */
const EXCEL_ROWS = 1_048_576;

/** How much an .xlsx may hold: it is a zip, and a zip can unpack to a thousand times its size. */
export interface XlsxLimits {
  /** More parts than this: refused before anything is inflated (a workbook from Excel has a few dozen). */
  maxEntries: number;
  /** Unpacked bytes of all parts, declared (checked first) and actually inflated (checked while inflating). */
  maxUnpackedBytes: number;
  /** Unpacked ÷ packed of one part above this is a bomb (Excel's own files: 5–20). */
  maxRatio: number;
  /** Data rows of the sheet. */
  maxRows: number;
}

const MB = 1024 * 1024;

export const importLimits: { maxBytes: number } & XlsxLimits = {
  /** IMPORT_MAX_MB: the largest file accepted, in MB. */
  maxBytes: Math.round(Number(process.env.IMPORT_MAX_MB || 20) * MB),
  maxEntries: 1000,
  /** IMPORT_MAX_UNPACKED_MB: a 20 MB file of grades written by Excel unpacks to about 250 MB. */
  maxUnpackedBytes: Math.round(Number(process.env.IMPORT_MAX_UNPACKED_MB || 500) * MB),
  maxRatio: 100,
  /** IMPORT_MAX_ROWS: by default as many as one Excel worksheet can hold below its header. */
  maxRows: Math.round(Number(process.env.IMPORT_MAX_ROWS || EXCEL_ROWS - 1)),
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

/** The .xlsx as a whole is refused (a bomb, too large unpacked, damaged); the message says why and what to do. */
export class XlsxRefused extends Error {}

const DAMAGED = `文件无法作为 Excel 打开（可能已损坏，或是其他格式的压缩包）。${SAVE_AS_XLSX}。`;
const BOMB_FIX = '请用 Excel 打开该文件，删除空白行和多余的工作表后另存为新的 .xlsx 文件再上传；数据较多时请分成几个文件分别上传。';

interface Part { compressedSize: number; declaredSize: number; method: number; crc32: number; offset: number; encrypted: boolean }

/**
 * The zip's central directory, checked before anything is inflated: the number of parts, their declared
 * unpacked sizes (one by one against the ratio, all together against the limit) and parts sharing data.
 */
async function listParts(buffer: Buffer, limits: XlsxLimits): Promise<Map<string, Part>> {
  const zf = await new Promise<yauzl.ZipFile>((resolve, reject) => {
    yauzl.fromBuffer(buffer, { lazyEntries: true, validateEntrySizes: false }, (err, z) => (err || !z ? reject(new XlsxRefused(DAMAGED)) : resolve(z)));
  });
  if (zf.entryCount > limits.maxEntries) {
    zf.close();
    throw new XlsxRefused(`文件内含 ${zf.entryCount} 个部件，超过上限 ${limits.maxEntries} 个，不是正常保存的 Excel 文件（疑似压缩炸弹），已拒绝。${BOMB_FIX}`);
  }
  const parts = new Map<string, Part>();
  let declared = 0;
  await new Promise<void>((resolve, reject) => {
    zf.on('error', () => reject(new XlsxRefused(DAMAGED)));
    zf.on('end', () => resolve());
    zf.on('entry', (e: yauzl.Entry) => {
      const part: Part = { compressedSize: e.compressedSize, declaredSize: e.uncompressedSize, method: e.compressionMethod,
        crc32: e.crc32, offset: e.relativeOffsetOfLocalHeader, encrypted: (e.generalPurposeBitFlag & 1) !== 0 };
      declared += e.uncompressedSize;
      if (part.declaredSize > MB && part.declaredSize > Math.max(1, part.compressedSize) * limits.maxRatio) {
        reject(bombRatio(e.fileName, part.declaredSize, part.compressedSize));
        return;
      }
      parts.set(e.fileName, part);
      zf.readEntry();
    });
    zf.readEntry();
  }).finally(() => zf.close());
  if (declared > limits.maxUnpackedBytes) throw tooLargeUnpacked(declared, limits);
  // Parts whose data overlap share bytes to multiply what comes out (a "non-recursive" bomb).
  const byOffset = [...parts.values()].sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < byOffset.length; i++) {
    if (byOffset[i].offset < byOffset[i - 1].offset + 30 + byOffset[i - 1].compressedSize) {
      throw new XlsxRefused(`文件结构异常（多个部件共用同一段数据，疑似压缩炸弹），已拒绝。${BOMB_FIX}`);
    }
  }
  return parts;
}

/** Unpacked beyond the limit: by the directory (the declared total is known) or while inflating (it is not). */
const tooLargeUnpacked = (declared: number | null, limits: XlsxLimits) =>
  new XlsxRefused(`文件解压后${declared != null ? `为 ${mb(declared)}，` : ''}超过上限 ${mb(limits.maxUnpackedBytes)}（疑似压缩炸弹），已拒绝。${BOMB_FIX}`);

const bombRatio = (name: string, unpacked: number, packed: number) =>
  new XlsxRefused(`文件中的“${name}”解压后是压缩前的 ${Math.floor(unpacked / Math.max(1, packed))} 倍，远超正常的 Excel 文件（疑似压缩炸弹），已拒绝。${BOMB_FIX}`);

/** From this much output on, the ratio so far is judged (a small part may compress well by chance). */
const RATIO_FROM = 128 * 1024;

/**
 * One part's text, inflated a slice at a time under the limits: the actual bytes are counted as they come
 * out — against the declared size, the ratio to the packed bytes consumed so far, and the budget left for
 * the whole file — so a bomb whose headers lie stops within its first few hundred kilobytes. Nothing touches the disk.
 */
async function* inflatePart(buffer: Buffer, name: string, part: Part, budget: { left: number }, limits: XlsxLimits): AsyncGenerator<string> {
  if (part.encrypted) throw new XlsxRefused(`文件设置了密码（已加密），无法读取。请在 Excel 中取消密码后另存为 .xlsx 再上传。`);
  if (part.method !== 0 && part.method !== 8) throw new XlsxRefused(DAMAGED);
  const h = part.offset;
  if (h + 30 > buffer.length || buffer.readUInt32LE(h) !== 0x04034b50) throw new XlsxRefused(DAMAGED);
  const start = h + 30 + buffer.readUInt16LE(h + 26) + buffer.readUInt16LE(h + 28);
  if (start + part.compressedSize > buffer.length) throw new XlsxRefused(DAMAGED);
  const packed = buffer.subarray(start, start + part.compressedSize);
  // Small slices: the ratio is judged on the packed bytes taken so far, a slice at a time.
  const SLICE = 8 * 1024;
  const slices = function* () {
    for (let i = 0; i < packed.length; i += SLICE) yield packed.subarray(i, i + SLICE);
  };
  const inflate = part.method === 8 ? zlib.createInflateRaw() : null;
  const source: AsyncIterable<Buffer> | Iterable<Buffer> = inflate ? Readable.from(slices(), { highWaterMark: 1 }).pipe(inflate) : slices();
  const decoder = new StringDecoder('utf8');
  let out = 0;
  let crc = 0;
  try {
    for await (const chunk of source) {
      out += chunk.length;
      budget.left -= chunk.length;
      if (budget.left < 0) throw tooLargeUnpacked(null, limits);
      if (out > part.declaredSize) throw new XlsxRefused(`文件中的“${name}”实际解压后比它声明的大小更大（疑似压缩炸弹），已拒绝。${BOMB_FIX}`);
      // bytesWritten: the packed bytes the inflater has taken so far.
      const consumed = inflate ? inflate.bytesWritten : out;
      if (out > RATIO_FROM && out > Math.max(1, consumed) * limits.maxRatio) throw bombRatio(name, out, consumed);
      crc = zlib.crc32(chunk, crc);
      const text = decoder.write(chunk); // a character split between chunks stays whole
      if (text) yield text;
    }
  } catch (e) {
    throw e instanceof XlsxRefused ? e : new XlsxRefused(DAMAGED);
  } finally {
    inflate?.destroy();
  }
  if (out !== part.declaredSize || crc !== part.crc32) throw new XlsxRefused(DAMAGED);
  const rest = decoder.end();
  if (rest) yield rest;
}

/**
 * What exceljs's streaming reader does with a workbook, driven here part by part in the order it needs
 * them (relationships, workbook, styles, shared strings, then the sheet). Its own driver reads the zip as
 * it comes and, since Excel writes the shared strings after the sheets, first copies each inflated sheet
 * to a temporary file (`tmp-<pid>-*` in the system's temp folder, removed only when the whole workbook
 * has been read), with no limit on what it inflates.
 */
interface ExcelJsParts {
  _parseRels(entry: Readable): Promise<void>;
  _parseWorkbook(entry: Readable): Promise<void>;
  _parseStyles(entry: Readable): Promise<void>;
  _parseSharedStrings(entry: Readable): AsyncGenerator<unknown>;
  _parseWorksheet(iterator: AsyncIterable<string>, sheetNo: string): Generator<{ eventType: string; value: ExcelJS.stream.xlsx.WorksheetReader }>;
  workbookRels?: { Id: string; Target: string }[];
  model?: { sheets?: { rId: string }[] };
}

/** The first worksheet as Excel shows it: the first of the workbook's sheets, through its relationship. */
function firstSheetPath(reader: ExcelJsParts, parts: Map<string, Part>): string | null {
  const rId = reader.model?.sheets?.[0]?.rId;
  const target = reader.workbookRels?.find((r) => r.Id === rId)?.Target;
  if (target) {
    const path = target.startsWith('/') ? target.slice(1) : `xl/${target}`;
    if (parts.has(path)) return path;
  }
  // Without a usable relationship: the lowest-numbered sheet, as exceljs would find it.
  const sheets = [...parts.keys()].filter((n) => /^xl\/worksheets\/sheet\d+\.xml$/.test(n));
  return sheets.sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]))[0] ?? null;
}

const asBuffer = (bytes: Buffer | Uint8Array) =>
  // PGlite hands bytea back as a plain Uint8Array; yauzl needs a Buffer (a view, not a copy).
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * Whether an uploaded file can be taken for a check: a file-level problem (fileProblem), or a zip that
 * is no xlsx or is a bomb by its own directory. Cheap: nothing is inflated.
 */
export async function xlsxProblem(bytes: Buffer | Uint8Array, opts: { maxBytes?: number; limits?: Partial<XlsxLimits> } = {}): Promise<string | null> {
  const buffer = asBuffer(bytes);
  const problem = fileProblem(buffer, opts.maxBytes);
  if (problem) return problem;
  try {
    await listParts(buffer, { ...importLimits, ...opts.limits });
    return null;
  } catch (e) {
    return e instanceof XlsxRefused ? e.message : DAMAGED;
  }
}

/**
 * The rows of an .xlsx's first worksheet, as exceljs reads them, under the limits: any reader of an
 * uploaded workbook goes through here (or readSheet). A file refused as a whole throws XlsxRefused, its
 * message saying why and what to do; `merges` collects the sheet's merged ranges once all rows are read.
 */
export async function* worksheetRows(bytes: Buffer | Uint8Array, opts: { limits?: Partial<XlsxLimits>; merges?: Set<string> } = {}): AsyncGenerator<ExcelJS.Row> {
  const buffer = asBuffer(bytes);
  const limits: XlsxLimits = { ...importLimits, ...opts.limits };
  const streams: Readable[] = [];
  try {
    const parts = await listParts(buffer, limits);
    const budget = { left: limits.maxUnpackedBytes };
    const text = (name: string, tap?: (s: string) => void): Readable | null => {
      const part = parts.get(name);
      if (!part) return null;
      const gen = inflatePart(buffer, name, part, budget, limits);
      const s = Readable.from(tap ? (async function* () { for await (const t of gen) { tap(t); yield t; } })() : gen, { highWaterMark: 1 });
      streams.push(s);
      return s;
    };
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([]), {
      worksheets: 'emit', sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', entries: 'ignore',
    }) as unknown as ExcelJsParts;
    const rels = text('xl/_rels/workbook.xml.rels');
    const workbook = text('xl/workbook.xml');
    if (!rels || !workbook) throw new XlsxRefused(DAMAGED);
    await reader._parseRels(rels);
    await reader._parseWorkbook(workbook);
    const styles = text('xl/styles.xml');
    if (styles) await reader._parseStyles(styles);
    const shared = text('xl/sharedStrings.xml');
    if (shared) for await (const _ of reader._parseSharedStrings(shared)) { /* cached on the reader */ }

    const sheetPath = firstSheetPath(reader, parts);
    if (!sheetPath) return;
    // exceljs's streaming reader skips merged ranges: they are picked out of the sheet's XML as it passes,
    // keeping a short tail so that a tag split between chunks is still seen.
    let tail = '';
    const sheet = text(sheetPath, opts.merges && ((chunk) => {
      const t = tail + chunk;
      for (const m of t.matchAll(/<mergeCell\s+ref="([A-Z]+\d+:[A-Z]+\d+)"/g)) opts.merges!.add(m[1]);
      const cut = t.lastIndexOf('<');
      tail = cut >= 0 && t.length - cut < 200 ? t.slice(cut) : '';
    }))!;
    const ws = reader._parseWorksheet(sheet, /(\d+)\.xml$/.exec(sheetPath)?.[1] ?? '1').next().value!.value;
    let elements = 0;
    let withValues = 0;
    for await (const row of ws) {
      // Row elements beyond what a worksheet can hold, or repeated: not a file Excel saved.
      if (++elements > EXCEL_ROWS || row.number > EXCEL_ROWS) {
        throw new XlsxRefused(`工作表的行数超过了 Excel 的上限 ${EXCEL_ROWS} 行，不是 Excel 正常保存的文件（疑似压缩炸弹），已拒绝。${BOMB_FIX}`);
      }
      if (row.number > 1 && row.hasValues && ++withValues > limits.maxRows) {
        throw new XlsxRefused(`文件的数据超过 ${limits.maxRows} 行，超过单次导入的上限。请把数据分成几个文件分别上传。`);
      }
      yield row;
    }
  } catch (e) {
    throw e instanceof XlsxRefused ? e : new XlsxRefused(DAMAGED);
  } finally {
    for (const s of streams) s.destroy();
  }
}

/**
 * Reads the first worksheet against the expected columns. A problem with the file as a whole comes back
 * as `{ ok: false, error }`; otherwise every non-empty row with its values (trimmed, NFKC-normalised,
 * dates as YYYY-MM-DD) and the problems of its cells. Missing required values are the caller's to judge
 * with the rest of a row's rules.
 *
 * The sheet is streamed: exceljs's in-memory workbook costs ~4 KB per row (2.9 GB for a 20 MB file of
 * 1.1 million grades); streamed, only the rows' strings are kept. The zip is read from memory under the
 * limits (importLimits), and nothing is written to disk.
 */
export async function readSheet(bytes: Buffer | Uint8Array, columns: Column[], opts: { maxBytes?: number; limits?: Partial<XlsxLimits> } = {}): Promise<SheetResult> {
  const buffer = asBuffer(bytes);
  const problem = fileProblem(buffer, opts.maxBytes);
  if (problem) return { ok: false, error: problem };

  const rows: SheetRow[] = [];
  const merges = new Set<string>();
  let headerError: string | null | undefined; // undefined: no header row seen yet
  try {
    for await (const row of worksheetRows(buffer, { limits: opts.limits, merges })) {
      if (headerError === undefined) {
        headerError = row.number === 1 ? checkHeader(row, columns) : '第 1 行没有列名。请下载最新模板，按模板的列名和列顺序填写（第 1 行为列名）。';
        if (headerError) break;
        continue;
      }
      const r = readRow(row, columns);
      if (r) rows.push(r);
    }
  } catch (e) {
    return { ok: false, error: e instanceof XlsxRefused ? e.message : DAMAGED };
  }
  if (headerError === undefined) {
    return { ok: false, error: '文件中没有数据：第一个工作表是空的。请在模板的第一个工作表中填写数据后重新上传。' };
  }
  if (headerError) return { ok: false, error: headerError };
  if (rows.length === 0) return { ok: false, error: '文件中没有数据行：请从第 2 行起填写数据后重新上传。' };
  markMerged(rows, columns, [...merges]);
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
