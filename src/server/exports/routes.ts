import fs from 'node:fs';
import { actorOf, serve, type App, type AppContext } from '../platform/http.ts';
import { exportsApi, messagesApi } from '../../shared/contract/exports.ts';
import * as service from './service.ts';

/** The export centre (every multi-document download is a job ending in a message) and 消息. */
export function exportRoutes(app: App, { database, jobs }: AppContext) {
  const db = database.db;
  serve(app, exportsApi.start, (req) => service.start(db, jobs, actorOf(req), req.body));
  serve(app, exportsApi.list, (req) => service.list(db, actorOf(req), req.query));
  serve(app, exportsApi.status, (req) => service.status(db, actorOf(req), req.params.id));
  serve(app, exportsApi.cancel, (req) => service.cancel(db, actorOf(req), req.params.id));
  serve(app, exportsApi.download, async (req, reply) => {
    const d = await service.openDownload(db, actorOf(req), req.params.id);
    const stream = fs.createReadStream(d.file);
    stream.on('close', () => void d.release());
    return reply
      .header('content-type', d.row.content_type)
      .header('content-length', String(d.row.size_bytes))
      .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(d.row.file_name)}`)
      .header('cache-control', 'private, no-store')
      .send(stream);
  });

  serve(app, messagesApi.list, (req) => service.messages(db, actorOf(req), req.query));
  serve(app, messagesApi.unreadCount, (req) => service.unreadCount(db, actorOf(req)));
  serve(app, messagesApi.read, (req) => service.markRead(db, actorOf(req), req.params.id));
  serve(app, messagesApi.readAll, (req) => service.markAllRead(db, actorOf(req)));
}
