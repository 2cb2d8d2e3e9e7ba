import { Table, Typography } from 'antd';
import type { BatchWindow } from '../../../shared/contract/batches.ts';
import { countdownText, WindowTag, type windowState } from '../../ui.tsx';

type WindowState = ReturnType<typeof windowState>;

/** How a step window stands today for the caller's node, exactly as the server judged it (no browser clock). */
export function stateOf(w: BatchWindow): WindowState {
  const ends = w.effective_ends_on ?? w.ends_on;
  if (w.open) return { kind: 'open', ends, left: w.days_left ?? 0 };
  if (w.phase === 'before') return { kind: 'future', ends, left: w.starts_in ?? 0 };
  return { kind: 'past', ends, left: 0 };
}

/** The step windows of one batch (首页, 毕业批次): dates with this unit's extension, state and countdown.
 *  A step without a window has empty dates and shows 未设置. */
export function BatchWindowsTable({ windows, loading, size = 'middle' }: { windows: BatchWindow[]; loading?: boolean; size?: 'small' | 'middle' }) {
  return (
    <Table<BatchWindow>
      rowKey="step"
      size={size}
      loading={loading}
      pagination={false}
      dataSource={windows}
      onRow={(w) => (w.starts_on && w.open ? { style: { background: '#f6ffed' } } : {})}
      columns={[
        { title: '环节', dataIndex: 'no', width: 70, render: (no: string) => <Typography.Text strong>{no}</Typography.Text> },
        { title: '工作内容', dataIndex: 'name' },
        {
          title: '办理时间',
          key: 'dates',
          render: (_: unknown, w) =>
            w.starts_on ? (
              <>
                {w.starts_on} 至 {w.effective_ends_on ?? w.ends_on}
                {w.effective_ends_on && w.effective_ends_on !== w.ends_on && (
                  <Typography.Text type="warning">（本单位已延期，原截止 {w.ends_on}）</Typography.Text>
                )}
              </>
            ) : (
              <Typography.Text type="secondary">未设置</Typography.Text>
            ),
        },
        { title: '状态', key: 'state', width: 100, render: (_: unknown, w) => (w.starts_on ? <WindowTag state={stateOf(w)} /> : null) },
        {
          title: '倒计时',
          key: 'left',
          width: 160,
          render: (_: unknown, w) => {
            if (!w.starts_on) return null;
            const s = stateOf(w);
            return s.kind === 'open'
              ? <Typography.Text strong type={s.left <= 3 ? 'danger' : undefined}>{countdownText(s)}</Typography.Text>
              : <Typography.Text type="secondary">{countdownText(s)}</Typography.Text>;
          },
        },
      ]}
    />
  );
}
