import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App, AppContext } from '../platform/http.ts';
import { actorOf } from '../platform/http.ts';
import { errors } from '../platform/errors.ts';
import { tempDir } from '../platform/files.ts';
import { recordOperation } from '../platform/oplog.ts';
import { OFFICES, STAFF } from '../platform/scope.ts';
import { maskIdCard } from '../../shared/idcard.ts';
import * as service from './service.ts';
import { sendWorkbook } from '../platform/xlsx-export.ts';
import {
  entriesQuery, flagParam, flagsPage, flagsQuery, missingPage, missingQuery, photoParam, photoTypeSchema, saveResult, singleUploadResult,
  studentParam, studentPhotos, typeParam, updateTypeBody, uploadIdParam, uploadQuery, uploadReport, uploadsPage, uploadsQuery, uploadStarted,
} from './schema.ts';

const tags = ['电子照片管理'];
const ok = z.object({ ok: z.literal(true) });
const MAX_SINGLE_PHOTO = 10 * 1024 * 1024;

/** The uploaded zip, streamed to a temp file under DATA_DIR: never held in memory, whatever its size. */
async function receiveZip(req: FastifyRequest, maxBytes: number): Promise<{ file: string; name: string }> {
  const part = req.isMultipart() ? await req.file({ limits: { fileSize: maxBytes, files: 1 } }) : undefined;
  if (!part) throw errors.photoNoFile();
  const file = path.join(tempDir(), `upload-${crypto.randomUUID()}.zip`);
  try {
    await pipeline(part.file, fs.createWriteStream(file));
    if (part.file.truncated) throw errors.photoZipTooLarge(Math.round(maxBytes / 1024 / 1024));
    const head = Buffer.alloc(4);
    const fd = await fs.promises.open(file, 'r');
    await fd.read(head, 0, 4, 0).finally(() => fd.close());
    // PK\3\4 (a zip with entries) or PK\5\6 (an empty one, refused by the check with its own message).
    if (head[0] !== 0x50 || head[1] !== 0x4b || !((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6))) throw errors.photoNotZip();
    return { file, name: part.filename || 'photos.zip' };
  } catch (e) {
    await fs.promises.rm(file, { force: true });
    throw e;
  }
}

export function photoRoutes(app: App, { database, jobs }: AppContext) {
  const db = database.db;

  app.get('/api/photos/types', {
    config: { access: 'any' },
    schema: { tags, summary: '上传图片类型及其图片限制', response: { 200: z.array(photoTypeSchema) } },
  }, () => service.listTypes(db));

  app.put('/api/photos/types/:code', {
    config: { access: ['hq_admin'] },
    schema: { tags, summary: '设置图片限制，或新增图片类型（总部）', params: typeParam, body: updateTypeBody, response: { 200: photoTypeSchema } },
  }, (req) => service.updateType(db, actorOf(req), req.params.code, req.body));

  app.get('/api/photos/uploads', {
    config: { access: OFFICES },
    schema: { tags, summary: '最近的批量上传（本单位及下级）', querystring: uploadsQuery, response: { 200: uploadsPage } },
  }, (req) => service.listUploads(db, actorOf(req), req.query));

  app.get('/api/photos/uploads/:id', {
    config: { access: OFFICES },
    schema: { tags, summary: '批量上传的检查进度与逐个文件的检查结果', params: uploadIdParam, querystring: entriesQuery, response: { 200: uploadReport } },
  }, (req) => service.report(db, actorOf(req), req.params.id, req.query));

  app.get('/api/photos/uploads/:id/report.xlsx', {
    config: { access: OFFICES },
    schema: { tags, summary: '下载检查结果（Excel）', params: uploadIdParam },
  }, async (req, reply) => {
    const { upload, rows } = await service.reportRows(db, actorOf(req), req.params.id);
    type R = { seq: number; entry_name: string; id_number: string | null; student_no: string | null; student_name: string | null; verdict: string; reason: string; size_bytes: number | null; duplicate_note: string | null };
    return sendWorkbook<R>(reply, `电子照片检查结果-${upload.file_name.replace(/\.zip$/i, '')}.xlsx`, '检查结果', [
      { header: '序号', width: 8, value: (r) => r.seq },
      { header: '文件名', width: 30, value: (r) => r.entry_name },
      { header: '身份证号', width: 22, value: (r) => r.id_number },
      { header: '学号', width: 16, value: (r) => r.student_no },
      { header: '姓名', width: 10, value: (r) => r.student_name },
      { header: '结果', width: 8, value: (r) => r.verdict },
      { header: '原因', width: 60, value: (r) => r.reason },
      { header: '大小(KB)', width: 10, value: (r) => (r.size_bytes == null ? null : Math.round(r.size_bytes / 102.4) / 10) },
      { header: '重复图片提示', width: 40, value: (r) => r.duplicate_note },
    ], rows as AsyncIterable<R[]>);
  });

  app.post('/api/photos/uploads/:id/save', {
    config: { access: OFFICES },
    schema: { tags, summary: '保存：把检查通过的照片一次性全部保存', params: uploadIdParam, response: { 200: saveResult } },
  }, (req) => service.save(db, jobs, actorOf(req), req.params.id));

  app.get('/api/photos/students/:id', {
    config: { access: 'any' },
    schema: { tags, summary: '学籍卡：学生各类照片的当前照片及历史', params: studentParam, response: { 200: studentPhotos } },
  }, (req) => service.studentPhotos(db, actorOf(req), req.params.id));

  app.get('/api/photos/:id/image', {
    config: { access: 'any' },
    schema: { tags, summary: '照片原图（JPEG，已去除 EXIF）', params: photoParam },
  }, async (req, reply) => {
    const bytes = await service.photoBytes(db, actorOf(req), req.params.id, 'full');
    return reply.header('content-type', 'image/jpeg').header('cache-control', 'private, max-age=86400').send(bytes);
  });

  app.get('/api/photos/:id/thumb', {
    config: { access: 'any' },
    schema: { tags, summary: '照片缩略图（JPEG，120×160）', params: photoParam },
  }, async (req, reply) => {
    const bytes = await service.photoBytes(db, actorOf(req), req.params.id, 'thumb');
    return reply.header('content-type', 'image/jpeg').header('cache-control', 'private, max-age=86400').send(bytes);
  });

  app.get('/api/photos/missing', {
    config: { access: STAFF },
    schema: { tags, summary: '缺照片名单：本批次毕业生中没有毕业证照片的学生', querystring: missingQuery, response: { 200: missingPage } },
  }, (req) => service.missingList(db, actorOf(req), req.query));

  app.get('/api/photos/missing.xlsx', {
    config: { access: STAFF },
    schema: { tags, summary: '导出缺照片名单（Excel）', querystring: missingQuery.omit({ page: true, page_size: true }) },
  }, async (req, reply) => {
    const actor = actorOf(req);
    const rows = await service.missingRows(db, actor, req.query);
    await recordOperation(db, actor, [{ action: '导出缺照片名单', objectType: 'export', objectId: req.query.batch, nodePath: actor.nodePath, after: req.query }]);
    type R = { student_no: string; name: string; id_number: string; major: string; level: string; tp_code: string; tp_name: string; confirm_status: string };
    return sendWorkbook<R>(reply, `缺照片名单-${req.query.batch}.xlsx`, '缺照片名单', [
      { header: '教学点代码', width: 12, value: (r) => r.tp_code },
      { header: '教学点', width: 20, value: (r) => r.tp_name },
      { header: '学号', width: 16, value: (r) => r.student_no },
      { header: '姓名', width: 10, value: (r) => r.name },
      { header: '身份证号', width: 22, value: (r) => maskIdCard(r.id_number) },
      { header: '层次', width: 8, value: (r) => r.level },
      { header: '专业', width: 20, value: (r) => r.major },
      { header: '预毕业确认', width: 12, value: (r) => r.confirm_status },
    ], rows as AsyncIterable<R[]>);
  });

  app.get('/api/photos/flags', {
    config: { access: OFFICES },
    schema: { tags, summary: '疑似重复照片（同一或相似图片用于不同学生），待人工核查', querystring: flagsQuery, response: { 200: flagsPage } },
  }, (req) => service.flagList(db, actorOf(req), req.query));

  app.post('/api/photos/flags/:id/review', {
    config: { access: OFFICES },
    schema: { tags, summary: '标记为已核查', params: flagParam, response: { 200: ok } },
  }, (req) => service.reviewFlag(db, actorOf(req), req.params.id));

  // Multipart only here: every other route keeps refusing anything but JSON.
  void app.register(async (files: App) => {
    await files.register(multipart, { limits: { files: 1, fields: 5, parts: 6 } });

    files.post('/api/photos/uploads', {
      config: { access: OFFICES },
      schema: {
        tags, summary: '批量上传电子照片：一个 ZIP 压缩包（multipart/form-data，字段 file），检查在后台进行',
        querystring: uploadQuery, response: { 200: uploadStarted },
      },
    }, async (req) => {
      const actor = actorOf(req);
      // Refused before a 600 MB upload is received, not after.
      await service.beforeUpload(db, actor, req.query.photo_type);
      const { file, name } = await receiveZip(req, service.uploadLimits().maxZipBytes);
      try {
        return await service.startUpload(db, jobs, actor, req.query.photo_type, name, file);
      } finally {
        await fs.promises.rm(file, { force: true });
      }
    });

    files.post('/api/photos/students/:id', {
      config: { access: OFFICES },
      schema: { tags, summary: '学籍卡：上传或更换一张照片（multipart/form-data，字段 file）', params: studentParam, querystring: uploadQuery, response: { 200: singleUploadResult } },
    }, async (req) => {
      const actor = actorOf(req);
      // Whose photo first: a student outside the subtree is "not found" before any byte is read.
      await service.studentPhotos(db, actor, req.params.id);
      const part = req.isMultipart() ? await req.file({ limits: { fileSize: MAX_SINGLE_PHOTO, files: 1 } }) : undefined;
      if (!part) throw errors.photoNoFile();
      const data = await part.toBuffer().catch((e: { code?: string }) => {
        if (e.code === 'FST_REQ_FILE_TOO_LARGE') throw errors.photoRejected(`文件超过 ${MAX_SINGLE_PHOTO / 1024 / 1024} MB`);
        throw e;
      });
      return service.uploadSingle(db, jobs, actor, req.params.id, req.query.photo_type, data);
    });
  });
}
