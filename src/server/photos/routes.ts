import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { actorOf, serve, type App, type AppContext } from '../platform/http.ts';
import { tempDir } from '../platform/files.ts';
import { sendWorkbook } from '../platform/xlsx-export.ts';
import { maskIdCard } from '../../shared/idcard.ts';
import { photosApi as api } from '../../shared/contract/photos.ts';
import { photoErrors } from './errors.ts';
import * as service from './service.ts';

const MAX_SINGLE_PHOTO = 10 * 1024 * 1024;

/** The uploaded zip, streamed to a temp file under DATA_DIR: never held in memory, whatever its size. */
async function receiveZip(req: FastifyRequest, maxBytes: number): Promise<{ file: string; name: string }> {
  const part = req.isMultipart() ? await req.file({ limits: { fileSize: maxBytes, files: 1 } }) : undefined;
  if (!part) throw photoErrors.noFile();
  const file = path.join(tempDir(), `upload-${crypto.randomUUID()}.zip`);
  try {
    await pipeline(part.file, fs.createWriteStream(file));
    if (part.file.truncated) throw photoErrors.zipTooLarge(Math.round(maxBytes / 1024 / 1024));
    const head = Buffer.alloc(4);
    const fd = await fs.promises.open(file, 'r');
    await fd.read(head, 0, 4, 0).finally(() => fd.close());
    // PK\3\4 (a zip with entries) or PK\5\6 (an empty one, refused by the check with its own message).
    if (head[0] !== 0x50 || head[1] !== 0x4b || !((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6))) throw photoErrors.notZip();
    return { file, name: part.filename || 'photos.zip' };
  } catch (e) {
    await fs.promises.rm(file, { force: true });
    throw e;
  }
}

/** The one photo of the student card, read into memory: it is at most 10 MB. */
async function receivePhoto(req: FastifyRequest): Promise<Buffer> {
  const part = req.isMultipart() ? await req.file({ limits: { fileSize: MAX_SINGLE_PHOTO, files: 1 } }) : undefined;
  if (!part) throw photoErrors.noFile();
  return part.toBuffer().catch((e: { code?: string }) => {
    if (e.code === 'FST_REQ_FILE_TOO_LARGE') throw photoErrors.rejected(`文件超过 ${MAX_SINGLE_PHOTO / 1024 / 1024} MB`);
    throw e;
  });
}

const kb = (bytes: number | null) => (bytes == null ? null : Math.round(bytes / 102.4) / 10);

export function photoRoutes(app: App, { database, jobs }: AppContext) {
  const db = database.db;

  serve(app, api.types, () => service.listTypes(db));
  serve(app, api.updateType, (req) => service.updateType(db, actorOf(req), req.params.code, req.body));
  serve(app, api.uploads, (req) => service.listUploads(db, actorOf(req), req.query));
  serve(app, api.report, (req) => service.report(db, actorOf(req), req.params.id, req.query));
  serve(app, api.save, (req) => service.save(db, jobs, actorOf(req), req.params.id));
  serve(app, api.student, (req) => service.studentPhotos(db, actorOf(req), req.params.id));
  serve(app, api.missing, (req) => service.missingList(db, actorOf(req), req.query));
  serve(app, api.flags, (req) => service.flagList(db, actorOf(req), req.query));
  serve(app, api.reviewFlag, (req) => service.reviewFlag(db, actorOf(req), req.params.id));

  serve(app, api.reportXlsx, async (req, reply) => {
    const { upload, rows } = await service.reportRows(db, actorOf(req), req.params.id);
    return sendWorkbook(reply, `电子照片检查结果-${upload.file_name.replace(/\.zip$/i, '')}.xlsx`, '检查结果', [
      { header: '序号', width: 8, value: (r) => r.seq },
      { header: '文件名', width: 30, value: (r) => r.entry_name },
      { header: '身份证号', width: 22, value: (r) => r.id_number },
      'student_no',
      { header: '姓名', width: 10, value: (r) => r.student_name },
      { header: '结果', width: 8, value: (r) => r.verdict },
      { header: '原因', width: 60, value: (r) => r.reason },
      { header: '大小(KB)', width: 10, value: (r) => kb(r.size_bytes) },
      { header: '重复图片提示', width: 40, value: (r) => r.duplicate_note },
    ], rows);
  });

  serve(app, api.missingXlsx, async (req, reply) => {
    const rows = await service.exportMissing(db, actorOf(req), req.query);
    return sendWorkbook(reply, `缺照片名单-${req.query.batch}.xlsx`, '缺照片名单', [
      ['tp_code', 12], 'tp_name', 'student_no', 'name',
      { header: '身份证号', width: 22, value: (r) => maskIdCard(r.id_number) },
      ['level', 8], 'major', ['confirm_status', 12],
    ], rows);
  });

  /** The picture itself, original or thumbnail: the browser may keep it a day. */
  const jpeg = (size: 'full' | 'thumb') => async (req: FastifyRequest & { params: { id: number } }, reply: FastifyReply) =>
    reply.header('content-type', 'image/jpeg').header('cache-control', 'private, max-age=86400')
      .send(await service.photoBytes(db, actorOf(req), req.params.id, size));
  serve(app, api.image, jpeg('full'));
  serve(app, api.thumb, jpeg('thumb'));

  // Multipart only here: every other route keeps refusing anything but JSON.
  void app.register(async (files: App) => {
    await files.register(multipart, { limits: { files: 1, fields: 5, parts: 6 } });

    serve(files, api.upload, async (req) => {
      const actor = actorOf(req);
      // Refused before a 600 MB upload is received, not after.
      await service.beforeUpload(db, actor, req.query.photo_type);
      return service.startUpload(db, jobs, actor, req.query.photo_type, await receiveZip(req, service.uploadLimits().maxZipBytes));
    });

    serve(files, api.uploadOne, async (req) => {
      const actor = actorOf(req);
      // Whose photo first: a student outside the subtree is "not found" before any byte is read.
      await service.studentPhotos(db, actor, req.params.id);
      return service.uploadSingle(db, jobs, actor, req.params.id, req.query.photo_type, await receivePhoto(req));
    });
  });
}
