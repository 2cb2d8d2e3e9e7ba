import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import type { Jobs } from '../platform/jobs.ts';
import { STAFF, requireRole } from '../platform/scope.ts';
import { maskIdCard } from '../../shared/idcard.ts';
import { STUDENTS_XLSX, studentsExportPayload, type SortKey, type StudentsExportPayload } from '../../shared/contract/records.ts';
import { exportSettings, registerExport, type ExportKind } from '../exports/service.ts';
import { docOrder, studentsQuery } from './service.ts';
import { recordErrors } from './errors.ts';

/**
 * 学生名单导出: the list of 学籍卡查询 (any filter, in its 排序方式) as Excel, streamed row by row through
 * the export centre, so 200,000 rows never sit in memory. 学号 and 身份证号 are text cells; a value that
 * starts with = + - @ stays text, never a formula.
 */

export { STUDENTS_XLSX };
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const CN_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' });

interface ListRow {
  student_no: string; name: string; gender: string; id_number: string; cohort: string; level: string; major: string;
  tp_code: string; tp_name: string; status: string; entry_date: unknown; enroll_form_status: string;
}

const COLUMNS: { header: string; width: number; value: (r: ListRow) => string }[] = [
  { header: '学号', width: 16, value: (r) => r.student_no }, { header: '姓名', width: 10, value: (r) => r.name },
  { header: '性别', width: 6, value: (r) => r.gender }, { header: '身份证号', width: 22, value: (r) => maskIdCard(r.id_number) },
  { header: '学籍批次', width: 10, value: (r) => r.cohort }, { header: '层次', width: 8, value: (r) => r.level },
  { header: '专业', width: 18, value: (r) => r.major }, { header: '教学点代码', width: 12, value: (r) => r.tp_code },
  { header: '教学点', width: 20, value: (r) => r.tp_name }, { header: '学籍状态', width: 10, value: (r) => r.status },
  { header: '入学日期', width: 12, value: (r) => String(r.entry_date).slice(0, 10) },
  { header: '入学登记表', width: 10, value: (r) => r.enroll_form_status },
];

/** The column a sort pages by (after it, 学号 breaks ties; 学号 is unique). */
const SORT_COLUMN: Record<SortKey, 's.student_no' | 's.id_number' | 's.name' | 's.major'> = {
  student_no: 's.student_no', id_number: 's.id_number', name: 's.name', major: 's.major',
};

const studentsExport: ExportKind<StudentsExportPayload> = {
  title: () => '学生名单导出',
  payload: studentsExportPayload,
  async check(db, actor, p) {
    requireRole(actor, STAFF, '学生名单导出');
    const { n } = await studentsQuery(db, actor, p.filter).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    if (Number(n) === 0) throw recordErrors.noStudents();
    if (Number(n) > exportSettings.maxRows) throw recordErrors.tooManyStudents(Number(n), exportSettings.maxRows);
  },
  async produce(ctx) {
    const base = () => studentsQuery(ctx.db, ctx.owner, ctx.payload.filter);
    const total = Number((await base().select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    if (!(await ctx.progress(0, total))) return null;
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: ctx.file, useSharedStrings: false, useStyles: true });
    const ws = wb.addWorksheet('学生名单');
    // Text cells: 学号 and 身份证号 must not become numbers, and "=…" is written as text, never a formula.
    ws.columns = COLUMNS.map((c) => ({ header: c.header, width: c.width, style: { numFmt: '@' } }));
    ws.getRow(1).font = { bold: true };
    ws.getRow(1).commit();
    const col = SORT_COLUMN[ctx.payload.sort];
    let done = 0;
    let last: { key: string; no: string } | null = null;
    let cancelled = false;
    // Keyset pages in the chosen order: PGlite's streamQuery would load the whole result at once.
    for (;;) {
      let q = docOrder(base(), ctx.payload.sort).select(['s.student_no', 's.name', 's.gender', 's.id_number', 's.cohort', 's.level', 's.major', 's.status',
        's.entry_date', 's.enroll_form_status', 'tp.code as tp_code', 'tp.name as tp_name', sql<string>`${sql.ref(col)}`.as('sort_key')]);
      if (last) {
        const after = last;
        q = col === 's.student_no'
          ? q.where('s.student_no', '>', after.no)
          : q.where(sql<boolean>`(${sql.ref(col)}, s.student_no) > (${after.key}, ${after.no})`);
      }
      const page = await q.limit(exportSettings.pageSize).execute();
      if (page.length === 0) break;
      for (const r of page) ws.addRow(COLUMNS.map((c) => c.value(r) ?? '')).commit();
      const end = page[page.length - 1];
      last = { key: end.sort_key, no: end.student_no };
      done += page.length;
      if (exportSettings.pageDelayMs) await new Promise((r) => setTimeout(r, exportSettings.pageDelayMs));
      if (!(await ctx.progress(done, Math.max(total, done)))) {
        cancelled = true;
        break;
      }
    }
    // Closed even when cancelled: the writer holds the temp file open until then.
    ws.commit();
    await wb.commit();
    if (cancelled) return null;
    const day = CN_DAY.format(new Date()).replaceAll('-', '');
    return { fileName: `学生名单-${day}.xlsx`, contentType: XLSX_TYPE, count: done };
  },
};

export function registerRecordExports(jobs: Jobs): void {
  registerExport(jobs, STUDENTS_XLSX, studentsExport);
}
