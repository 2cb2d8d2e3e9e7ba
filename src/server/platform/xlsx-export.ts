import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { FastifyReply } from 'fastify';

type Cell = string | number | null;
export interface ExportColumn<T> { header: string; width?: number; value: (row: T) => Cell }

/** The columns every list of students shows alike: a row's field, with its header and width. */
const STUDENT_FIELDS = {
  student_no: ['学号', 16], name: ['姓名', 10], gender: ['性别', 6], level: ['层次', 6], major: ['专业', 20], cohort: ['学籍批次', 8],
  tp_code: ['教学点代码', 10], tp_name: ['教学点', 20], confirm_status: ['预毕业确认', 10],
} as const;
type StudentField = keyof typeof STUDENT_FIELDS;

/** A column of a list: written out, or a field of STUDENT_FIELDS by its name (`[name, width]` for another width). */
export type SheetColumn<T> = ExportColumn<T> | (StudentField & keyof T) | [StudentField & keyof T, number];

function columnOf<T>(c: SheetColumn<T>): ExportColumn<T> {
  if (!Array.isArray(c) && typeof c === 'object') return c;
  const [field, width]: [StudentField & keyof T, number] = Array.isArray(c) ? c : [c, STUDENT_FIELDS[c][1]];
  return { header: STUDENT_FIELDS[field][0], width, value: (r) => (r[field] as Cell | undefined) ?? null };
}

/**
 * Streams an Excel list to the client while its rows are still being read, a page at a time:
 * exceljs's streaming writer commits each row, so memory stays flat whatever the list's length.
 * Text cells stay text (学号 and 身份证号 must not become numbers in Excel).
 */
export function sendWorkbook<T>(reply: FastifyReply, fileName: string, sheetName: string, sheetColumns: SheetColumn<T>[],
  pages: AsyncIterable<T[]>): FastifyReply {
  const columns = sheetColumns.map(columnOf);
  const out = new PassThrough();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: false, useStyles: true });
  const ws = wb.addWorksheet(sheetName);
  ws.columns = columns.map((c) => ({ header: c.header, width: c.width ?? 14, style: { numFmt: '@' } }));
  ws.getRow(1).font = { bold: true };
  ws.getRow(1).commit();
  void (async () => {
    try {
      for await (const page of pages) {
        for (const row of page) ws.addRow(columns.map((c) => c.value(row))).commit();
      }
      ws.commit();
      await wb.commit();
    } catch (e) {
      // The client sees a truncated download rather than a file that looks whole.
      out.destroy(e instanceof Error ? e : new Error(String(e)));
    }
  })();
  return reply
    .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(fileName)}`)
    .send(out);
}
