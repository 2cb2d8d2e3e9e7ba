import fs from 'node:fs';
import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { actorOf, serve, type App, type AppContext } from '../platform/http.ts';
import { importLimits, tooLargeMessage } from '../platform/excel.ts';
import { errors } from '../platform/errors.ts';
import { registrationApi as api } from '../../shared/contract/registration.ts';
import * as service from './service.ts';

const tooLarge = (e: unknown) => typeof e === 'object' && e !== null && 'code' in e && e.code === 'FST_REQ_FILE_TOO_LARGE';

/** The uploaded result file (one `file` field); its size is refused before it is read. */
async function readUpload(req: FastifyRequest): Promise<{ fileName: string; content: Buffer }> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > importLimits.maxBytes + 64 * 1024) throw errors.badRequest(tooLargeMessage(declared));
  const part = req.isMultipart() ? await req.file() : undefined;
  if (!part) throw errors.badRequest('请选择学信网返回的注册结果 Excel 文件（.xlsx）后上传。');
  try {
    return { fileName: part.filename || '注册结果.xlsx', content: await part.toBuffer() };
  } catch (e) {
    if (tooLarge(e)) throw errors.badRequest(tooLargeMessage(null));
    throw e;
  }
}

/** 学历电子注册: headquarters acts; branches and teaching points read their own subtree. */
export function registrationRoutes(app: App, { database, jobs }: AppContext) {
  const db = database.db;
  serve(app, api.rounds, (req) => service.rounds(db, actorOf(req), req.query.batch));
  serve(app, api.graduates, (req) => service.graduates(db, actorOf(req), req.query));
  serve(app, api.build, (req) => service.startBuild(db, jobs, actorOf(req), req.body));
  serve(app, api.files, (req) => service.listFiles(db, actorOf(req), req.query.batch));
  serve(app, api.errors, (req) => service.fileErrors(db, actorOf(req), req.params.id, req.query));
  serve(app, api.download, async (req, reply) => {
    const d = await service.openDownload(db, actorOf(req), req.params.id, req.query.format);
    const stream = fs.createReadStream(d.file);
    stream.on('close', () => void d.release());
    return reply
      .header('content-type', d.contentType)
      .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(d.fileName)}`)
      .send(stream);
  });
  serve(app, api.report, (req) => service.report(db, actorOf(req), req.body));
  serve(app, api.setState, (req) => service.setState(db, actorOf(req), req.body));
  serve(app, api.retry, (req) => service.retry(db, actorOf(req), req.body));
  app.register(async (scope) => {
    await scope.register(multipart, { limits: { fileSize: importLimits.maxBytes, files: 1, fields: 5, parts: 6 } });
    serve(scope as App, api.importResults, async (req) => service.importResults(db, actorOf(req), req.query.batch, await readUpload(req)));
  });
  serve(app, api.profile, () => service.getProfile(db));
  serve(app, api.updateProfile, (req) => service.updateProfile(db, actorOf(req), req.body));
  serve(app, api.partnerSeals, () => service.partnerSeals(db));
  serve(app, api.updatePartnerSeal, (req) => service.updatePartnerSeal(db, actorOf(req), req.params.programme, req.body));
  serve(app, api.photoMissing, (req) => service.photoMissing(db, actorOf(req), req.query));
}
