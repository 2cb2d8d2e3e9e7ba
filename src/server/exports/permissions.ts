import fs from 'node:fs';
import path from 'node:path';
import { exportsApi, messagesApi } from '../../shared/contract/exports.ts';
import { fileStore } from '../platform/files.ts';
import { listed, perProbe, STAFF, type PermissionRows, type ProbeSetup } from '../testing/permissions.ts';

// 消息与导出: per probe, a finished export with its file in the run's store and its message, owned as the
// probe task is (the actor's own, or someone's under the subject's class).
const finished = perProbe<{ taskId: string; messageId: number }>();

export async function setup({ t, probes }: ProbeSetup): Promise<void> {
  for (const p of probes) {
    const probeTask = await t.db.selectFrom('task').select(['owner_id', 'node_path']).where('id', '=', p.taskId).executeTakeFirstOrThrow();
    const task = await t.db.insertInto('task').values({
      kind: 'students.xlsx', title: '学生名单导出', owner_id: probeTask.owner_id, node_path: probeTask.node_path, payload: '{}', state: 'done', progress: 1, total: 1,
      started_at: new Date(), finished_at: new Date(),
    }).returning('id').executeTakeFirstOrThrow();
    const tmp = path.join(process.env.DATA_DIR!, `probe-${task.id}.xlsx`);
    fs.writeFileSync(tmp, 'probe');
    await fileStore().putUpload(task.id, tmp);
    await t.db.insertInto('export_file').values({
      task_id: task.id, owner_id: probeTask.owner_id!, node_path: probeTask.node_path, kind: 'students.xlsx', file_name: '权限测试.xlsx', size_bytes: 5,
      content_type: 'application/octet-stream', item_count: 1, expires_at: new Date(Date.now() + 86_400_000),
    }).execute();
    const m = await t.db.insertInto('message').values({
      recipient_id: probeTask.owner_id!, kind: 'export_done', title: '学生名单导出 已完成', body: `探针 ${p.label}`, link: `/api/exports/${task.id}/download`, task_id: task.id,
    }).returning('id').executeTakeFirstOrThrow();
    finished.set(p, { taskId: task.id, messageId: m.id });
  }
}

export const rows: PermissionRows = {
  'POST /api/exports': { access: STAFF, check: { kind: 'global' }, request: () => ({ method: 'POST', url: '/api/exports', body: { kind: 'students.xlsx', filter: {} } }) }, // runs in the background: exports.test.ts follows one to its file
  'GET /api/exports': { access: 'any', check: listed(exportsApi.list, (j, p) => j.rows.some((r) => r.id === finished.of(p).taskId)), request: () => ({ method: 'GET', url: '/api/exports?page_size=100' }) },
  'GET /api/exports/:id': { access: 'any', check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/exports/${finished.of(p).taskId}` }) },
  'POST /api/exports/:id/cancel': { access: 'any', check: { kind: 'object' }, request: (p) => ({ method: 'POST', url: `/api/exports/${finished.of(p).taskId}/cancel` }) }, // finished probes: found, and left as they are
  'GET /api/exports/:id/download': { access: 'any', check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/exports/${finished.of(p).taskId}/download` }) },
  'GET /api/messages': { access: 'any', check: listed(messagesApi.list, (j, p) => j.rows.some((m) => m.id === finished.of(p).messageId)), request: () => ({ method: 'GET', url: '/api/messages?page_size=100' }) },
  'GET /api/messages/unread-count': { access: 'any', check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/messages/unread-count' }) },
  'POST /api/messages/:id/read': { access: 'any', check: { kind: 'object' }, request: (p) => ({ method: 'POST', url: `/api/messages/${finished.of(p).messageId}/read` }) },
  'POST /api/messages/read-all': { access: 'any', check: { kind: 'global' }, request: () => ({ method: 'POST', url: '/api/messages/read-all' }) },
};
