import { useCallback, useEffect, useRef, useState } from 'react';
import { App as AntApp, Badge, Button, Card, Empty, Popconfirm, Progress, Space, Table, Tag, Typography } from 'antd';
import { api, messagesChanged, type ExportStatus, type Message } from '../api.ts';
import { fmtDateTime, PageTitle } from '../ui.tsx';

/** 预计剩余时间 in words: "约 3 分 20 秒". */
export function etaText(seconds: number | null): string {
  if (seconds == null) return '正在估算…';
  if (seconds < 5) return '即将完成';
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  if (m >= 60) return `约 ${Math.floor(m / 60)} 小时 ${m % 60} 分`;
  return m ? `约 ${m} 分 ${s} 秒` : `约 ${s} 秒`;
}

/** The exports under way: a bar with count and 预计剩余时间, and 取消. Polls while any runs. */
function RunningExports({ onFinished }: { onFinished: () => void }) {
  const { message } = AntApp.useApp();
  const [rows, setRows] = useState<ExportStatus[]>([]);
  const known = useRef(new Set<string>());
  const load = useCallback(async () => {
    const r = await api.exports({ active: true, page_size: 20 });
    const now = new Set(r.rows.map((x) => x.id));
    // One that left the list finished (or failed): its message is there now.
    if ([...known.current].some((id) => !now.has(id))) onFinished();
    known.current = now;
    setRows(r.rows);
  }, [onFinished]);
  useEffect(() => {
    void load().catch(() => {});
    const timer = window.setInterval(() => void load().catch(() => {}), 2000);
    return () => window.clearInterval(timer);
  }, [load]);

  if (rows.length === 0) return null;
  return (
    <Card size="small" title="进行中的导出" style={{ marginBottom: 16 }}>
      <Space direction="vertical" style={{ width: '100%' }}>
        {rows.map((x) => (
          <div key={x.id} style={{ display: 'flex', gap: 16, alignItems: 'center', flexWrap: 'wrap' }}>
            <Typography.Text strong style={{ minWidth: 140 }}>{x.title}</Typography.Text>
            <div style={{ flex: 1, minWidth: 200 }}>
              <Progress percent={x.total ? Math.floor((x.progress / x.total) * 100) : 0} status="active" size="small"
                aria-label={`${x.title} 进度`} />
            </div>
            <Typography.Text type="secondary">
              {x.state === 'queued' ? '排队中' : `${x.progress} / ${x.total}，预计剩余时间：${etaText(x.eta_seconds)}`}
            </Typography.Text>
            <Popconfirm title="取消这次导出？" description="已处理的部分不会保留。" okText="取消导出" cancelText="继续导出"
              onConfirm={async () => {
                await api.cancelExport(x.id);
                void message.info('已取消导出。');
                await load();
              }}>
              <Button size="small" danger>取消</Button>
            </Popconfirm>
          </div>
        ))}
      </Space>
    </Card>
  );
}

export default function MessagesPage() {
  const [page, setPage] = useState(1);
  const [data, setData] = useState<{ total: number; unread: number; rows: Message[] }>({ total: 0, unread: 0, rows: [] });
  const [loading, setLoading] = useState(false);
  const pageSize = 20;

  const load = useCallback(async () => {
    setLoading(true);
    try {
      setData(await api.messages({ page, page_size: pageSize }));
    } finally {
      setLoading(false);
    }
  }, [page]);
  useEffect(() => {
    void load().catch(() => {});
  }, [load]);

  const onFinished = useCallback(() => {
    void load().catch(() => {});
    messagesChanged();
  }, [load]);

  const read = async (m: Message) => {
    if (m.read_at) return;
    await api.readMessage(m.id);
    messagesChanged();
    await load();
  };

  return (
    <>
      <PageTitle extra={
        <Button disabled={data.unread === 0} onClick={async () => {
          await api.readAllMessages();
          messagesChanged();
          await load();
        }}>全部标为已读</Button>
      }>
        消息 {data.unread > 0 && <Badge count={data.unread} style={{ marginInlineStart: 8 }} />}
      </PageTitle>
      <RunningExports onFinished={onFinished} />
      <Table<Message>
        rowKey="id"
        size="middle"
        loading={loading}
        dataSource={data.rows}
        locale={{ emptyText: <Empty description="暂无消息。导出完成后，下载链接会出现在这里。" /> }}
        pagination={{ current: page, pageSize, total: data.total, onChange: setPage, showTotal: (n) => `共 ${n} 条` }}
        columns={[
          {
            title: '状态', width: 80,
            render: (_, m) => (m.read_at ? <Typography.Text type="secondary">已读</Typography.Text> : <Badge status="processing" text="未读" />),
          },
          {
            title: '消息',
            render: (_, m) => (
              <Space direction="vertical" size={0}>
                <Typography.Text strong={!m.read_at} type={m.kind === 'export_failed' ? 'danger' : undefined}>{m.title}</Typography.Text>
                <Typography.Text type="secondary">{m.body}</Typography.Text>
              </Space>
            ),
          },
          { title: '时间', width: 180, render: (_, m) => fmtDateTime(m.created_at) },
          {
            title: '操作', width: 180,
            render: (_, m) => (
              <Space>
                {m.link_state === 'download' && m.link && (
                  <Typography.Link href={m.link} onClick={() => void read(m).catch(() => {})}>下载</Typography.Link>
                )}
                {m.link_state === 'expired' && <Tag>已过期，请重新导出</Tag>}
                {!m.read_at && <Button type="link" size="small" style={{ padding: 0 }} onClick={() => void read(m).catch(() => {})}>标为已读</Button>}
              </Space>
            ),
          },
        ]}
      />
    </>
  );
}
