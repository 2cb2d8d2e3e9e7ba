import { useCallback, useState } from 'react';
import { Badge, Button, Empty, Space, Tag, Typography } from 'antd';
import { call, messagesChanged } from '../client.ts';
import { messagesApi, type Message } from '../../shared/contract/exports.ts';
import { RunningExports } from '../running-exports.tsx';
import { fmtDateTime, PagedTable, PageTitle, usePagedList } from '../ui.tsx';

export default function MessagesPage() {
  const [unread, setUnread] = useState(0);
  const fetch = useCallback(async (query: { page: number; page_size: number }) => {
    const r = await call(messagesApi.list, { query });
    setUnread(r.unread);
    return r;
  }, []);
  const list = usePagedList<object, Message>(fetch);
  const { reload } = list;

  // The bell is told by RunningExports; the list shows the new message.
  const onFinished = useCallback(() => void reload(), [reload]);

  const read = async (m: Message) => {
    if (m.read_at) return;
    await call(messagesApi.read, { params: { id: m.id } });
    messagesChanged();
    await list.reload();
  };

  return (
    <>
      <PageTitle extra={
        <Button disabled={unread === 0} onClick={async () => {
          await call(messagesApi.readAll);
          messagesChanged();
          await list.reload();
        }}>全部标为已读</Button>
      }>
        消息 {unread > 0 && <Badge count={unread} style={{ marginInlineStart: 8 }} />}
      </PageTitle>
      <RunningExports onFinished={onFinished} style={{ marginBottom: 16 }} />
      <PagedTable<Message>
        list={list}
        unit="条"
        paging={{ showSizeChanger: false }}
        size="middle"
        locale={{ emptyText: <Empty description="暂无消息。导出完成后，下载链接会出现在这里。" /> }}
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
