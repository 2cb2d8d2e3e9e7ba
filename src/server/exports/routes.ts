import fs from 'node:fs';
import type { App, AppContext } from '../platform/http.ts';
import { actorOf } from '../platform/http.ts';
import { STAFF } from '../platform/scope.ts';
import * as service from './service.ts';
import {
  exportIdParam, exportsPage, exportsQuery, exportStatus, messageIdParam, messagesPage, messagesQuery, ok, startBody, started, unreadCount,
} from './schema.ts';

const exportTags = ['导出中心'];
const messageTags = ['消息'];

/** The export centre (every multi-document download is a job ending in a message) and 消息. */
export function exportRoutes(app: App, { database, jobs }: AppContext) {
  const db = database.db;

  app.post('/api/exports', {
    config: { access: STAFF },
    schema: { tags: exportTags, summary: '发起导出（后台任务；完成后在“消息”中下载）', body: startBody, response: { 200: started } },
  }, (req) => service.start(db, jobs, actorOf(req), req.body));

  app.get('/api/exports', {
    config: { access: 'any' },
    schema: { tags: exportTags, summary: '我的导出：进度、预计剩余时间与文件', querystring: exportsQuery, response: { 200: exportsPage } },
  }, (req) => service.list(db, actorOf(req), req.query));

  app.get('/api/exports/:id', {
    config: { access: 'any' },
    schema: { tags: exportTags, summary: '一个导出的进度（含预计剩余秒数）与文件', params: exportIdParam, response: { 200: exportStatus } },
  }, (req) => service.status(db, actorOf(req), req.params.id));

  app.post('/api/exports/:id/cancel', {
    config: { access: 'any' },
    schema: { tags: exportTags, summary: '取消导出（发起人或其上级管理员）', params: exportIdParam, response: { 200: exportStatus } },
  }, (req) => service.cancel(db, actorOf(req), req.params.id));

  app.get('/api/exports/:id/download', {
    config: { access: 'any' },
    schema: { tags: exportTags, summary: '下载导出文件（发起人或其上级管理员；过期后 410）', params: exportIdParam },
  }, async (req, reply) => {
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

  app.get('/api/messages', {
    config: { access: 'any' },
    schema: { tags: messageTags, summary: '我的消息（最新在前）', querystring: messagesQuery, response: { 200: messagesPage } },
  }, (req) => service.messages(db, actorOf(req), req.query));

  app.get('/api/messages/unread-count', {
    config: { access: 'any' },
    schema: { tags: messageTags, summary: '未读消息数', response: { 200: unreadCount } },
  }, (req) => service.unreadCount(db, actorOf(req)));

  app.post('/api/messages/:id/read', {
    config: { access: 'any' },
    schema: { tags: messageTags, summary: '标为已读', params: messageIdParam, response: { 200: ok } },
  }, (req) => service.markRead(db, actorOf(req), req.params.id));

  app.post('/api/messages/read-all', {
    config: { access: 'any' },
    schema: { tags: messageTags, summary: '全部标为已读', response: { 200: ok } },
  }, (req) => service.markAllRead(db, actorOf(req)));
}
