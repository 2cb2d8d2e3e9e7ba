import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import ExcelJS from 'exceljs';
import { buildTemplate, parseDateText, readSheet, serialToDate, xlsxProblem, type Column, type SheetResult } from './excel.ts';
import { buildZip, sheetXml, workbookParts, xlsxBomb } from './testdata/xlsx.ts';

const COLS: Column[] = [
  { key: 'no', title: '学号', kind: 'code', required: true, note: '学号', example: '2021001' },
  { key: 'name', title: '姓名', kind: 'text', required: true, note: '姓名', example: '张三' },
  { key: 'id', title: '身份证号', kind: 'idcard', required: true, note: '18 位', example: '210102199005170011' },
  { key: 'entry', title: '入学日期', kind: 'date', required: true, note: '日期', example: '2021-09-01' },
  { key: 'score', title: '成绩', kind: 'number', required: false, note: '分数', example: '85' },
];
const HEADER = COLS.map((c) => c.title);

/** A workbook with the given header and rows; `edit` may touch the sheet before it is written. */
async function xlsx(rows: unknown[][], opts: { header?: string[]; edit?: (ws: ExcelJS.Worksheet) => void } = {}): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('数据');
  ws.addRow(opts.header ?? HEADER);
  for (const r of rows) ws.addRow(r);
  opts.edit?.(ws);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function rowsOf(r: SheetResult) {
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.rows;
}
const fileError = (r: SheetResult) => {
  assert.equal(r.ok, false);
  return r.ok ? '' : r.error;
};

describe('excel: template', () => {
  test('has the header, a 填写说明 sheet, text format for codes and 身份证号, and the example row', async () => {
    const buf = await buildTemplate('学籍', COLS);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
    const [data, help] = wb.worksheets;
    assert.equal(data.name, '学籍');
    assert.deepEqual((data.getRow(1).values as unknown[]).slice(1), HEADER);
    assert.equal(data.getColumn(3).numFmt, '@', '身份证号 is text');
    assert.equal(data.getColumn(1).numFmt, '@', '学号 is text');
    assert.equal(help.name, '填写说明');
    const texts: string[] = [];
    help.eachRow((r) => texts.push((r.values as unknown[]).filter(Boolean).join('|')));
    assert.ok(texts.some((t) => t.startsWith('身份证号|必填|18 位')));
    assert.ok(texts.includes(COLS.map((c) => c.example).join('|')), 'the example row');
    // The template itself reads back as a file without data rows.
    assert.match(fileError(await readSheet(buf, COLS)), /没有数据行/);
  });
});

describe('excel: file-level problems', () => {
  test('not Excel at all, an old .xls, a CSV renamed, an empty file', async () => {
    assert.match(fileError(await readSheet(Buffer.from('学号,姓名\n2021001,张三\n'), COLS)), /不是 Excel（\.xlsx）文件.*请用 Excel 另存为 \.xlsx 后重新上传/);
    const ole = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(512)]);
    assert.match(fileError(await readSheet(ole, COLS)), /旧版 Excel（\.xls）.*另存为 \.xlsx/);
    assert.match(fileError(await readSheet(Buffer.alloc(0), COLS)), /文件是空的/);
    const zipNotXlsx = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(100)]);
    assert.match(fileError(await readSheet(zipNotXlsx, COLS)), /无法作为 Excel 打开/);
  });

  test('too large, by the configured limit', async () => {
    const buf = await xlsx([['1', '张三', '210102199005170011', '2021-09-01', '80']]);
    assert.match(fileError(await readSheet(buf, COLS, { maxBytes: 1000 })), /超过上限 0 MB|超过上限/);
  });

  test('header: missing, unknown and misordered columns are named', async () => {
    const missing = await xlsx([['1', '张三', 'x', '2021-09-01']], { header: ['学号', '姓名', '身份证号', '入学日期'] });
    assert.match(fileError(await readSheet(missing, COLS)), /缺少列：成绩/);
    const unknown = await xlsx([], { header: [...HEADER, '备注'] });
    assert.match(fileError(await readSheet(unknown, COLS)), /无法识别的列：备注（F 列）/);
    const order = await xlsx([['张三', '1']], { header: ['姓名', '学号', '身份证号', '入学日期', '成绩'] });
    assert.match(fileError(await readSheet(order, COLS)), /第 1 列（A 列）应为“学号”，实为“姓名”/);
    const empty = await xlsx([], { header: [] });
    assert.match(fileError(await readSheet(empty, COLS)), /第一个工作表是空的|第 1 行没有列名/);
  });

  test('a header with a required mark or full-width spaces still matches', async () => {
    const buf = await xlsx([['1', '张三', '210102199005170011', '2021-09-01', '']], { header: ['学号*', '姓　名', '身份证号', '入学日期', '成绩'] });
    assert.equal(rowsOf(await readSheet(buf, COLS)).length, 1);
  });
});

describe('excel: cells', () => {
  test('dates as real dates, serial numbers and text forms become YYYY-MM-DD', async () => {
    const buf = await xlsx([
      ['1', 'a', '210102199005170011', new Date(Date.UTC(2021, 8, 1))],
      ['2', 'b', '210102199005170011', 44440],
      ['3', 'c', '210102199005170011', '2021/9/1'],
      ['4', 'd', '210102199005170011', '2021年9月1日'],
      ['5', 'e', '210102199005170011', '20210901'],
      ['6', 'f', '210102199005170011', 20210901],
      ['7', 'g', '210102199005170011', '２０２１－０９－０１'],
      ['8', 'h', '210102199005170011', '2021-02-30'],
    ]);
    const rows = rowsOf(await readSheet(buf, COLS));
    assert.deepEqual(rows.slice(0, 7).map((r) => [r.values.entry, r.errors.length]), Array(7).fill(['2021-09-01', 0]));
    assert.match(rows[7].errors[0].message, /第 9 行“入学日期”列：日期无法识别，请写成 2021-09-01 的形式/);
  });

  test('full-width digits and letters are normalised, spaces trimmed, a lower-case x upper-cased', async () => {
    const buf = await xlsx([['　２０２１００１ ', ' 张三 ', '21010219900517001x', '2021-09-01', '８５']]);
    const [r] = rowsOf(await readSheet(buf, COLS));
    assert.deepEqual(r.values, { no: '2021001', name: '张三', id: '21010219900517001X', entry: '2021-09-01', score: '85' });
    assert.deepEqual(r.errors, []);
  });

  test('a 身份证号 stored as a number or in scientific notation is refused with the fix', async () => {
    const buf = await xlsx([
      ['1', 'a', 210102199005170011, '2021-09-01'],
      ['2', 'b', '2.10102E+17', '2021-09-01'],
    ]);
    const [num, sci] = rowsOf(await readSheet(buf, COLS));
    assert.equal(num.errors.length, 1);
    assert.match(num.errors[0].message, /第 2 行“身份证号”列：身份证号被 Excel 存成了数字，后几位已经丢失.*请把该列设为文本格式后重新输入/);
    assert.equal(num.errors[0].value, '2.10102E+17');
    assert.match(sci.errors[0].message, /科学计数法（2\.10102E\+17）.*请把该列设为文本格式后重新输入/);
  });

  test('formulas are refused, merged cells named with their master', async () => {
    const buf = await xlsx([
      ['1', 'a', '210102199005170011', '2021-09-01', 80],
      ['2', 'b', '210102199005170011', '2021-09-01', 70],
      ['3', 'c', '210102199005170011', '2021-09-01', 60],
    ], {
      edit: (ws) => {
        ws.getCell('E2').value = { formula: 'E3+10', result: 80 } as ExcelJS.CellFormulaValue;
        ws.mergeCells('B3:B4');
      },
    });
    const rows = rowsOf(await readSheet(buf, COLS));
    assert.match(rows[0].errors[0].message, /第 2 行“成绩”列：该单元格是公式，请复制后选择性粘贴为数值/);
    assert.match(rows[1].errors[0].message, /第 3 行“姓名”列是合并单元格（B3:B4），请取消合并/);
    assert.match(rows[2].errors[0].message, /第 4 行“姓名”列是合并单元格（B3:B4）/);
  });

  test('empty rows are skipped; row numbers are the sheet’s', async () => {
    const buf = await xlsx([['1', 'a', '210102199005170011', '2021-09-01'], [], ['  ', ''], ['4', 'd', '210102199005170011', '2021-09-01']]);
    assert.deepEqual(rowsOf(await readSheet(buf, COLS)).map((r) => r.rowNo), [2, 5]);
  });

  test('date helpers', () => {
    assert.equal(serialToDate(44440), '2021-09-01');
    assert.equal(serialToDate(59), '1900-02-28');
    assert.equal(serialToDate(60), null, 'Excel’s phantom 1900-02-29');
    assert.equal(serialToDate(61), '1900-03-01');
    assert.equal(parseDateText('2021.9.1'), '2021-09-01');
    assert.equal(parseDateText('2021-9-31'), null);
    assert.equal(parseDateText('2021-09-01 00:00:00'), '2021-09-01');
  });
});

/** exceljs's own reader left `tmp-<pid>-*` files (the inflated sheet) in the system's temp folder. */
const tempFiles = () => fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith(`tmp-${process.pid}-`)).length;

/** Runs `work`, sampling the resident set size meanwhile: the result, the time taken and the growth at the peak. */
async function measured<T>(work: () => Promise<T>): Promise<{ result: T; ms: number; growthMb: number }> {
  const before = process.memoryUsage.rss();
  let peak = before;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 1);
  const start = performance.now();
  try {
    const result = await work();
    const ms = performance.now() - start;
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, ms, growthMb: (peak - before) / 1024 / 1024 };
  } finally {
    clearInterval(timer);
  }
}

describe('excel: hostile files', () => {
  const GiB = 1024 * 1024 * 1024;

  test('the issue’s file: ~3 MB whose worksheet inflates to 1 GiB (17 million rows) is refused at once, in memory, at upload too', async () => {
    const bomb = xlsxBomb(HEADER);
    assert.ok(bomb.xlsx.length < 5 * 1024 * 1024 && bomb.unpacked > GiB * 0.99, `${bomb.xlsx.length} → ${bomb.unpacked}`);
    const temps = tempFiles();
    const { result, ms, growthMb } = await measured(() => readSheet(bomb.xlsx, COLS));
    assert.match(fileError(result), /解压后是压缩前的 \d+ 倍.*疑似压缩炸弹.*已拒绝。请用 Excel 打开该文件/);
    // Target 2 s and 100 MB; measured ~20 ms and ~0 MB.
    assert.ok(ms < 2000, `refused in ${ms.toFixed(0)} ms`);
    assert.ok(growthMb < 100, `memory grew by ${growthMb.toFixed(0)} MB`);
    assert.equal(tempFiles(), temps, 'no temporary file');
    // The upload's own check says the same before anything is stored.
    assert.match((await xlsxProblem(bomb.xlsx)) ?? '', /疑似压缩炸弹/);
  });

  test('the same file with a zip that lies about the sheet’s size is stopped while inflating', async () => {
    for (const [lie, declaredSize, message] of [
      ['a tiny size', () => 100_000, /实际解压后比它声明的大小更大（疑似压缩炸弹）/],
      ['a believable size (90 × packed)', (packed: number) => packed * 90, /解压后是压缩前的 \d+ 倍.*疑似压缩炸弹/],
    ] as const) {
      const bomb = xlsxBomb(HEADER, { declaredSize });
      assert.equal(await xlsxProblem(bomb.xlsx), null, `${lie}: the directory alone looks fine`);
      const temps = tempFiles();
      const { result, ms, growthMb } = await measured(() => readSheet(bomb.xlsx, COLS));
      assert.match(fileError(result), message, lie);
      // Measured 0.1–0.8 s on a machine at load 20; the limit leaves room for a slower one.
      assert.ok(ms < 6000, `${lie}: refused in ${ms.toFixed(0)} ms`);
      assert.ok(growthMb < 100, `${lie}: memory grew by ${growthMb.toFixed(0)} MB`);
      assert.equal(tempFiles(), temps, `${lie}: no temporary file`);
    }
  });

  test('a workbook as Excel and exceljs write it (sheet before shared strings) leaves no temporary file', async () => {
    const buf = await xlsx([['1', '张三', '210102199005170011', '2021-09-01', '80']]);
    const temps = tempFiles();
    assert.equal(rowsOf(await readSheet(buf, COLS)).length, 1);
    assert.equal(tempFiles(), temps);
  });

  test('limits: rows, parts and unpacked size, each named with what to do', async () => {
    const buf = await xlsx([1, 2, 3].map((i) => [String(i), '张三', '210102199005170011', '2021-09-01', '80']));
    assert.equal(rowsOf(await readSheet(buf, COLS, { limits: { maxRows: 3 } })).length, 3);
    assert.match(fileError(await readSheet(buf, COLS, { limits: { maxRows: 2 } })), /数据超过 2 行，超过单次导入的上限。请把数据分成几个文件分别上传/);
    assert.match(fileError(await readSheet(buf, COLS, { limits: { maxEntries: 5 } })), /内含 \d+ 个部件，超过上限 5 个.*疑似压缩炸弹/);
    assert.match(fileError(await readSheet(buf, COLS, { limits: { maxUnpackedBytes: 4096 } })), /解压后为 .* MB，超过上限 0 MB（疑似压缩炸弹）/);
    // A row beyond what a worksheet holds: not saved by Excel, whatever the limit on data rows.
    const sheet = sheetXml(HEADER, []).toString().replace('</sheetData>', '<row r="1048577"><c r="A1048577" t="inlineStr"><is><t>1</t></is></c></row></sheetData>');
    const beyond = buildZip([...workbookParts(), { name: 'xl/worksheets/sheet1.xml', data: Buffer.from(sheet) }]);
    assert.match(fileError(await readSheet(beyond, COLS)), /行数超过了 Excel 的上限 1048576 行/);
  });

  test('a hand-written workbook with inline strings and long Chinese text reads whole (characters split between chunks)', async () => {
    const name = '欧阳'.repeat(3000); // far longer than one inflated chunk
    const buf = buildZip([...workbookParts(), { name: 'xl/worksheets/sheet1.xml', data: sheetXml(HEADER, [['1', name, '210102199005170011', '2021-09-01', '80']]) }]);
    const [r] = rowsOf(await readSheet(buf, COLS));
    assert.equal(r.values.name, name);
  });
});
