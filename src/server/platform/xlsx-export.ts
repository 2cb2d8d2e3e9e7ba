import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { FastifyReply } from 'fastify';

export interface ExportColumn<T> { header: string; width?: number; value: (row: T) => string | number | null }

/**
 * Streams an Excel list to the client while its rows are still being read, a page at a time:
 * exceljs's streaming writer commits each row, so memory stays flat whatever the list's length.
 * Text cells stay text (学号 and 身份证号 must not become numbers in Excel).
 */
export function sendWorkbook<T>(reply: FastifyReply, fileName: string, sheetName: string, columns: ExportColumn<T>[],
  pages: AsyncIterable<T[]>): FastifyReply {
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
