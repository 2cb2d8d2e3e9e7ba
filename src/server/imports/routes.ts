import multipart from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { actorOf, serve, type App, type AppContext } from '../platform/http.ts';
import { importLimits, tooLargeMessage } from '../platform/excel.ts';
import { importKind, importsApi as api } from '../../shared/contract/imports.ts';
import { importErrors } from './errors.ts';
import * as service from './service.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function sendXlsx(reply: FastifyReply, fileName: string, content: Buffer) {
  return reply
    .header('content-type', XLSX)
    .header('content-disposition', `attachment; filename="download.xlsx"; filename*=UTF-8''${encodeURIComponent(fileName)}`)
    .send(content);
}

const tooLarge = (e: unknown) => typeof e === 'object' && e !== null && 'code' in e && e.code === 'FST_REQ_FILE_TOO_LARGE';

/** The uploaded file and the fields sent before it. Size is refused before anything is read or parsed. */
async function readUpload(req: FastifyRequest): Promise<{ fileName: string; content: Buffer; fields: Record<string, string> }> {
  const declared = Number(req.headers['content-length'] ?? 0);
  // A multipart body carries a little more than the file: allow for its boundaries and fields.
  if (declared > importLimits.maxBytes + 64 * 1024) throw importErrors.importTooLarge(tooLargeMessage(declared));
  if (!req.isMultipart()) throw importErrors.importNoFile();
  const part = await req.file();
  if (!part) throw importErrors.importNoFile();
  let content: Buffer;
  try {
    content = await part.toBuffer();
  } catch (e) {
    if (tooLarge(e)) throw importErrors.importTooLarge(tooLargeMessage(null));
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
    serve(scope as App, api.upload, async (req) => {
      const file = await readUpload(req);
      const kind = req.query.kind ?? importKind.optional().catch(undefined).parse(file.fields.kind);
      const batch = req.query.batch ?? (/^\d{6}$/.test(file.fields.batch ?? '') ? file.fields.batch : undefined);
      return service.upload(db, jobs, actorOf(req), { kind, batch, fileName: file.fileName, content: file.content });
    });
  });

  serve(app, api.list, (req) => service.list(db, actorOf(req), req.query));
  serve(app, api.template, async (req, reply) => {
    const t = await service.template(req.params.kind);
    return sendXlsx(reply, t.fileName, t.content);
  });
  serve(app, api.windows, (req) => service.gradeWindows(db, req.query.batch));
  serve(app, api.get, (req) => service.get(db, actorOf(req), req.params.id));
  serve(app, api.rows, (req) => service.rows(db, actorOf(req), req.params.id, req.query));
  serve(app, api.report, async (req, reply) => {
    const r = await service.report(db, actorOf(req), req.params.id);
    return sendXlsx(reply, r.fileName, r.content);
  });
  serve(app, api.apply, (req) => service.requestApply(db, jobs, actorOf(req), req.params.id, req.body.mode));
}
