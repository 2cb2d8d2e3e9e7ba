/**
 * The caller's exports under way, shown on 消息 and on the pages that start them (学籍卡查询, 学生学籍档案打印):
 * a bar with the count and 预计剩余时间, and 取消.
 */
import { useCallback, useEffect, useRef, useState, type CSSProperties } from 'react';
import { App as AntApp, Button, Card, Popconfirm, Progress, Space, Typography } from 'antd';
import { call, messagesChanged } from './client.ts';
import { exportsApi, type ExportStatus, type Started } from '../shared/contract/exports.ts';

const EXPORT_STARTED = 'gm:export-started';

/** Starts an export of `kind` (a job; the file comes in 消息): the 消息 bell and the progress card are told. */
export async function startExport(kind: string, fields: object = {}): Promise<Started> {
  const r = await call(exportsApi.start, { body: { ...fields, kind } });
  messagesChanged();
  exportStarted(r.task_id);
  return r;
}

/**
 * Tells the progress card that an export started. It is watched by id: an export that finishes before the
 * first poll never shows in the active list, and would otherwise leave the 消息 bell waiting for its next poll.
 */
export const exportStarted = (taskId: string) => window.dispatchEvent(new CustomEvent<string>(EXPORT_STARTED, { detail: taskId }));

/** 预计剩余时间 in words: "约 3 分 20 秒". */
export function etaText(seconds: number | null): string {
  if (seconds == null) return '正在估算…';
  if (seconds < 5) return '即将完成';
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  if (m >= 60) return `约 ${Math.floor(m / 60)} 小时 ${m % 60} 分`;
  return m ? `约 ${m} 分 ${s} 秒` : `约 ${s} 秒`;
}

/** Tells whoever listens how an export ended. */
async function finishedWith(id: string, t: { onFinished?: (x: ExportStatus) => void; announce: boolean; message: ReturnType<typeof AntApp.useApp>['message'] }) {
  // Silent: the export may be gone (removed by an administrator); nothing to tell then.
  const x = await call(exportsApi.status, { params: { id } }, { silent: true }).catch(() => null);
  if (!x) return;
  t.onFinished?.(x);
  if (!t.announce) return;
  if (x.state === 'done') void t.message.success(`${x.title}已完成，可在右上角“消息”中下载。`, 6);
  else if (x.state === 'failed') void t.message.error(`${x.title}失败：${x.error ?? '请重新导出。'}`, 8);
}

/**
 * Polls every 2 s while an export runs (and once when one starts). When one leaves the list its message is
 * there: the bell is told, `onFinished` gets its final status, and with `announce` a toast says how it ended.
 */
export function RunningExports({ onFinished, announce = false, style }: { onFinished?: (x: ExportStatus) => void; announce?: boolean; style?: CSSProperties }) {
  const { message } = AntApp.useApp();
  const [rows, setRows] = useState<ExportStatus[]>([]);
  const known = useRef(new Set<string>());
  // Read at the end of an export, so a parent's new callback does not restart the polling.
  const told = useRef({ onFinished, announce, message });
  told.current = { onFinished, announce, message };

  const load = useCallback(async () => {
    const r = await call(exportsApi.list, { query: { active: 'true', page_size: 20 } });
    const now = new Set(r.rows.map((x) => x.id));
    const gone = [...known.current].filter((id) => !now.has(id));
    known.current = now;
    setRows(r.rows);
    if (gone.length) {
      messagesChanged();
      await Promise.all(gone.map((id) => finishedWith(id, told.current)));
    }
  }, []);

  const active = rows.length > 0;
  useEffect(() => {
    void load().catch(() => {});
    const onStarted = (e: Event) => {
      known.current.add((e as CustomEvent<string>).detail);
      void load().catch(() => {});
    };
    window.addEventListener(EXPORT_STARTED, onStarted);
    return () => window.removeEventListener(EXPORT_STARTED, onStarted);
  }, [load]);
  useEffect(() => {
    if (!active) return;
    const timer = window.setInterval(() => void load().catch(() => {}), 2000);
    return () => window.clearInterval(timer);
  }, [active, load]);

  if (!active) return null;
  return (
    <Card size="small" title="进行中的导出" role="region" aria-label="进行中的导出" style={style}>
      <Space orientation="vertical" style={{ width: '100%' }}>
        {rows.map((x) => (
          <div key={x.id} style={{ display: 'flex', gap: 16, alignItems: 'center', flexWrap: 'wrap' }}>
            <Typography.Text strong style={{ minWidth: 140 }}>
              {x.title}
            </Typography.Text>
            <div style={{ flex: 1, minWidth: 200 }}>
              <Progress percent={x.total ? Math.floor((x.progress / x.total) * 100) : 0} status="active" size="small" aria-label={`${x.title} 进度`} />
            </div>
            <Typography.Text type="secondary">
              {x.state === 'queued' ? '排队中' : `${x.progress} / ${x.total}，预计剩余时间：${etaText(x.eta_seconds)}`}
            </Typography.Text>
            <Popconfirm
              title="取消这次导出？"
              description="已处理的部分不会保留。"
              okText="取消导出"
              cancelText="继续导出"
              onConfirm={async () => {
                await call(exportsApi.cancel, { params: { id: x.id } });
                void message.info('已取消导出。');
                await load();
              }}
            >
              <Button size="small" danger>
                取消
              </Button>
            </Popconfirm>
          </div>
        ))}
      </Space>
    </Card>
  );
}
