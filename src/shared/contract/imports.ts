/** 审核数据导入 (/api/imports): Excel templates, uploads, check reports and apply — the contract between server and web. */
import { z } from 'zod';
import { defineRoutes, listOf, paging } from '../contract.ts';
import { ADMINS, HQ, type Role } from '../org.ts';
import { windowStatus } from '../window.ts';

export const IMPORT_KINDS = ['students', 'programmes', 'grades_exam', 'grades_practice'] as const;
export const importKind = z.enum(IMPORT_KINDS, '导入类型应为 students、programmes、grades_exam 或 grades_practice');
export type ImportKind = z.infer<typeof importKind>;

/** What the page and the template call each kind, who may load it, and whether it belongs to a graduation batch. */
export const IMPORT_KIND_INFO: Record<ImportKind, { name: string; roles: readonly Role[]; needsBatch: boolean }> = {
  students: { name: '学籍数据', roles: ADMINS, needsBatch: false },
  programmes: { name: '教学计划', roles: HQ, needsBatch: false },
  grades_exam: { name: '期末考试成绩', roles: HQ, needsBatch: true },
  grades_practice: { name: '综合实践环节成绩', roles: ADMINS, needsBatch: true },
};

/** checking → checked | invalid → applying → applied | failed */
export const IMPORT_STATES = ['checking', 'checked', 'invalid', 'applying', 'applied', 'failed'] as const;
export const importState = z.enum(IMPORT_STATES);
export type ImportState = z.infer<typeof importState>;

const batchCode = z.string().regex(/^\d{6}$/, '毕业批次代码为 6 位数字（年月），如 202301');

/** kind and batch may come in the query string or as multipart fields before the file. */
export const uploadQuery = z.object({ kind: importKind.optional(), batch: batchCode.optional() });

export const importParams = z.object({ id: z.uuid('导入编号格式不正确') });
export const kindParams = z.object({ kind: importKind });

export const importSchema = z.object({
  id: z.string(),
  kind: importKind,
  kind_name: z.string(),
  file_name: z.string(),
  batch_code: z.string().nullable(),
  state: importState,
  file_error: z.string().nullable(),
  /** Why the last apply failed (the apply task's message). */
  apply_error: z.string().nullable(),
  total_rows: z.number(),
  error_rows: z.number(),
  applied_rows: z.number().nullable(),
  owner_name: z.string(),
  node_name: z.string(),
  check_task: z.string().nullable(),
  apply_task: z.string().nullable(),
  submission_id: z.number().nullable(),
  created_at: z.string(),
  applied_at: z.string().nullable(),
});
export type ImportFile = z.infer<typeof importSchema>;

export const listQuery = z.object({ kind: importKind.optional(), ...paging(200, 20) });
export const listResponse = listOf(importSchema);

/** One problem of one cell, named by row and column. */
export const cellError = z.object({ column: z.string(), value: z.string(), message: z.string() });
export type CellError = z.infer<typeof cellError>;

export const rowsQuery = z.object({ errors_only: z.enum(['true', 'false']).optional(), ...paging(500, 50) });
export const importRow = z.object({ row_no: z.number(), data: z.record(z.string(), z.unknown()), errors: z.array(cellError) });
export type ImportRowView = z.infer<typeof importRow>;
export const rowsResponse = listOf(importRow);

export const APPLY_MODES = ['all', 'valid'] as const;
export type ApplyMode = (typeof APPLY_MODES)[number];
export const applyBody = z.object({
  /** all: the whole file, refused while any row has an error; valid: only the rows without errors. */
  mode: z.enum(APPLY_MODES, '请选择导入方式：all（全部导入）或 valid（仅导入正确的行）'),
});
export const applyResponse = z.object({ task_id: z.string(), import: importSchema });

export const windowsQuery = z.object({ batch: batchCode });
export const windowsResponse = z.object({
  batch: z.string(),
  today: z.string(),
  /** Some round's 综合实践环节成绩接收时间 is open today (as the server judges it). */
  open: z.boolean(),
  windows: z.array(z.object({ round: z.string(), grades_from: z.string(), grades_to: z.string(), open: z.boolean(), status: windowStatus })),
});
export type GradeWindows = z.infer<typeof windowsResponse>;

export const importsApi = defineRoutes(['数据导入'], {
  upload: { method: 'POST', path: '/api/imports', access: ADMINS, upload: true,
    summary: '上传 Excel 文件（multipart，字段 file；kind、batch 可放在查询串或表单字段中），随后在后台检查', query: uploadQuery, response: importSchema },
  list: { method: 'GET', path: '/api/imports', access: ADMINS, summary: '导入记录（本人上传的，及管理范围内上传的）', query: listQuery, response: listResponse },
  template: { method: 'GET', path: '/api/imports/templates/:kind', access: ADMINS, summary: '下载导入模板（xlsx）', params: kindParams },
  windows: { method: 'GET', path: '/api/imports/windows', access: ADMINS, summary: '综合实践环节成绩接收时间（毕业批次各审核批次）', query: windowsQuery, response: windowsResponse },
  get: { method: 'GET', path: '/api/imports/:id', access: ADMINS, summary: '导入记录：状态、行数、错误数', params: importParams, response: importSchema },
  rows: { method: 'GET', path: '/api/imports/:id/rows', access: ADMINS,
    summary: '逐行检查结果（可只看有错误的行）', params: importParams, query: rowsQuery, response: rowsResponse },
  report: { method: 'GET', path: '/api/imports/:id/report', access: ADMINS, summary: '下载错误报告（xlsx：行、列、值、问题）', params: importParams },
  apply: { method: 'POST', path: '/api/imports/:id/apply', access: ADMINS,
    summary: '导入：全部导入（须无错误）或仅导入正确的行，在后台一次完成', params: importParams, body: applyBody, response: applyResponse },
});
