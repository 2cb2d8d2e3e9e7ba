import multipart from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { App, AppContext } from '../platform/http.ts';
import { actorOf } from '../platform/http.ts';
import { errors } from '../platform/errors.ts';
import { ADMINS } from '../platform/scope.ts';
import { importLimits, tooLargeMessage } from '../platform/excel.ts';
import type { ImportKind } from '../platform/tables-audit.ts';
import * as service from './service.ts';
import {
  applyBody, applyResponse, importKind, importParams, importSchema, kindParams, listQuery, listResponse, rowsQuery, rowsResponse,
  uploadQuery, windowsQuery, windowsResponse,
} from './schema.ts';

const tags = ['数据导入'];
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function sendXlsx(reply: FastifyReply, fileName: string, content: Buffer) {
  return reply
    .header('content-type', XLSX)
    .header('content-disposition', `attachment; filename="download.xlsx"; filename*=UTF-8''${encodeURIComponent(fileName)}`)
    .send(content);
}

/** The uploaded file and the fields sent before it. Size is refused before anything is read or parsed. */
async function readUpload(req: FastifyRequest): Promise<{ fileName: string; content: Buffer; fields: Record<string, string> }> {
  const declared = Number(req.headers['content-length'] ?? 0);
  // A multipart body carries a little more than the file: allow for its boundaries and fields.
  if (declared > importLimits.maxBytes + 64 * 1024) throw errors.importTooLarge(tooLargeMessage(declared));
  if (!req.isMultipart()) throw errors.importNoFile();
  const part = await req.file();
  if (!part) throw errors.importNoFile();
  let content: Buffer;
  try {
    content = await part.toBuffer();
  } catch (e: any) {
    if (e?.code === 'FST_REQ_FILE_TOO_LARGE') throw errors.importTooLarge(tooLargeMessage(null));
    throw e;
  }
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(part.fields)) {
    const f = [v].flat()[0] as { type?: string; value?: unknown } | undefined;
    if (f?.type === 'field' && typeof f.value === 'string') fields[k] = f.value;
  }
  return { fileName: part.filename || '未命名.xlsx', content, fields };
}

export function importRoutes(app: App, { database, jobs }: AppContext) {
  const db = database.db;

  // The upload lives in its own context with the multipart parser, limited to one file of IMPORT_MAX_MB.
  app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: importLimits.maxBytes, files: 1, fields: 10, parts: 12 } });
    scope.withTypeProvider<ZodTypeProvider>().post('/api/imports', {
      config: { access: ADMINS },
      schema: {
        tags, summary: '上传 Excel 文件（multipart，字段 file；kind、batch 可放在查询串或表单字段中），随后在后台检查',
        querystring: uploadQuery, response: { 200: importSchema },
      },
    }, async (req) => {
      const actor = actorOf(req);
      const file = await readUpload(req);
      const kind = req.query.kind ?? importKind.optional().catch(undefined).parse(file.fields.kind);
      const batch = req.query.batch ?? (/^\d{6}$/.test(file.fields.batch ?? '') ? file.fields.batch : undefined);
      return service.upload(db, jobs, actor, { kind: kind as ImportKind | undefined, batch, fileName: file.fileName, content: file.content });
    });
  });

  app.get('/api/imports', {
    config: { access: ADMINS },
    schema: { tags, summary: '导入记录（本人上传的，及管理范围内上传的）', querystring: listQuery, response: { 200: listResponse } },
  }, (req) => service.list(db, actorOf(req), req.query));

  app.get('/api/imports/templates/:kind', {
    config: { access: ADMINS },
    schema: { tags, summary: '下载导入模板（xlsx）', params: kindParams },
  }, async (req, reply) => {
    const t = await service.template(req.params.kind);
    return sendXlsx(reply, t.fileName, t.content);
  });

  app.get('/api/imports/windows', {
    config: { access: ADMINS },
    schema: { tags, summary: '综合实践环节成绩接收时间（毕业批次各审核批次）', querystring: windowsQuery, response: { 200: windowsResponse } },
  }, (req) => service.gradeWindows(db, req.query.batch));

  app.get('/api/imports/:id', {
    config: { access: ADMINS },
    schema: { tags, summary: '导入记录：状态、行数、错误数', params: importParams, response: { 200: importSchema } },
  }, (req) => service.get(db, actorOf(req), req.params.id));

  app.get('/api/imports/:id/rows', {
    config: { access: ADMINS },
    schema: { tags, summary: '逐行检查结果（可只看有错误的行）', params: importParams, querystring: rowsQuery, response: { 200: rowsResponse } },
  }, (req) => service.rows(db, actorOf(req), req.params.id, req.query));

  app.get('/api/imports/:id/report', {
    config: { access: ADMINS },
    schema: { tags, summary: '下载错误报告（xlsx：行、列、值、问题）', params: importParams },
  }, async (req, reply) => {
    const r = await service.report(db, actorOf(req), req.params.id);
    return sendXlsx(reply, r.fileName, r.content);
  });

  app.post('/api/imports/:id/apply', {
    config: { access: ADMINS },
    schema: { tags, summary: '导入：全部导入（须无错误）或仅导入正确的行，在后台一次完成', params: importParams, body: applyBody, response: { 200: applyResponse } },
  }, (req) => service.requestApply(db, jobs, actorOf(req), req.params.id, req.body.mode));
}
