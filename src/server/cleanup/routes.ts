import fs from 'node:fs';
import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { actorOf, serve, type App, type AppContext } from '../platform/http.ts';
import { sendWorkbook } from '../platform/xlsx-export.ts';
import { cleanupApi as api } from '../../shared/contract/cleanup.ts';
import { cleanupErrors } from './errors.ts';
import * as service from './service.ts';

/** The written application, read into memory: at most 10 MB. */
async function receiveApplication(req: FastifyRequest): Promise<{ data: Buffer; name: string }> {
  const max = service.applicationLimit();
  const part = req.isMultipart() ? await req.file({ limits: { fileSize: max, files: 1 } }) : undefined;
  if (!part) throw cleanupErrors.noFile();
  const data = await part.toBuffer().catch((e: { code?: string }) => {
    if (e.code === 'FST_REQ_FILE_TOO_LARGE') throw cleanupErrors.fileTooLarge(max / 1024 / 1024);
    throw e;
  });
  return { data, name: part.filename || '书面申请' };
}

const attachment = (name: string) => `attachment; filename*=UTF-8''${encodeURIComponent(name)}`;

/** 学籍 → 学籍清理: headquarters runs campaigns and decides; branches submit; everyone sees their own subtree. */
export function cleanupRoutes(app: App, { database, jobs }: AppContext) {
  const db = database.db;
  serve(app, api.campaigns, (req) => service.listCampaigns(db, actorOf(req)));
  serve(app, api.campaign, (req) => service.getCampaign(db, actorOf(req), req.params.id));
  serve(app, api.createCampaign, (req) => service.createCampaign(db, actorOf(req), req.body));
  serve(app, api.updateCampaign, (req) => service.updateCampaign(db, actorOf(req), req.params.id, req.body));
  serve(app, api.candidates, (req) => service.candidates(db, actorOf(req), req.params.id, req.query));
  serve(app, api.submit, (req) => service.submit(db, actorOf(req), req.params.id, req.body));
  serve(app, api.decide, (req) => service.decide(db, actorOf(req), req.params.id, req.body));
  serve(app, api.previewSummary, (req) => service.previewSummary(db, actorOf(req), req.params.id));
  serve(app, api.preview, (req) => service.preview(db, actorOf(req), req.params.id, req.query));
  serve(app, api.run, (req) => service.requestRun(db, jobs, actorOf(req), req.params.id));
  serve(app, api.withdrawals, (req) => service.withdrawals(db, actorOf(req), req.params.id, req.query));

  serve(app, api.application, async (req, reply) => {
    const f = await service.applicationFile(db, actorOf(req), req.params.id);
    return reply.header('content-type', f.content_type).header('cache-control', 'private, no-store')
      .header('content-disposition', `inline; filename*=UTF-8''${encodeURIComponent(f.file_name)}`).send(f.data);
  });

  serve(app, api.withdrawalsDbf, async (req, reply) => {
    const f = await service.writeWithdrawalDbf(db, actorOf(req), req.params.id);
    const stream = fs.createReadStream(f.file);
    stream.on('close', () => void service.removeTemp(f.file));
    return reply.header('content-type', 'application/x-dbf').header('cache-control', 'private, no-store')
      .header('content-disposition', attachment(f.name)).send(stream);
  });

  serve(app, api.withdrawalsXlsx, async (req, reply) => {
    const actor = actorOf(req);
    const c = await service.assertRun(db, req.params.id);
    return sendWorkbook(reply, `学信网退学数据-${c.name}.xlsx`, '退学', [
      { header: 'KSH', width: 18, value: (r) => r.KSH },
      { header: 'XH', width: 18, value: (r) => r.XH },
      { header: 'XM', width: 12, value: (r) => r.XM },
      { header: 'SFZH', width: 22, value: (r) => r.SFZH },
      { header: 'ZXLX', width: 8, value: (r) => r.ZXLX },
      { header: 'PZRQ', width: 12, value: (r) => r.PZRQ.replaceAll('-', '') },
      { header: 'WH', width: 30, value: (r) => r.WH },
    ], service.withdrawalRecords(db, actor, req.params.id));
  });

  // Multipart only here: every other route keeps refusing anything but JSON.
  void app.register(async (files: App) => {
    await files.register(multipart, { limits: { files: 1, fields: 5, parts: 6 } });
    serve(files, api.uploadApplication, async (req) => {
      const actor = actorOf(req);
      // Refused before the file is received when the list is closed.
      await service.beforeUpload(db, req.params.id);
      return service.uploadApplication(db, actor, req.params.id, await receiveApplication(req));
    });
  });
}
