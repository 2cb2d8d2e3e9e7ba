import { useCallback, useEffect, useState } from 'react';
import { Badge, Button, Empty, Space, Table, Tag, Typography } from 'antd';
import { api, messagesChanged, type Message } from '../api.ts';
import { RunningExports } from '../running-exports.tsx';
import { fmtDateTime, PageTitle } from '../ui.tsx';

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

  // The bell is told by RunningExports; the list shows the new message.
  const onFinished = useCallback(() => {
    void load().catch(() => {});
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
      <RunningExports onFinished={onFinished} style={{ marginBottom: 16 }} />
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
