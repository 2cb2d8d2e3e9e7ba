import { useEffect, useState } from 'react';
import { AutoComplete, Card, DatePicker, Form, Input, Tag, Typography } from 'antd';
import type dayjs from 'dayjs';
import { call } from '../../client.ts';
import { oplogApi, type OperationLogEntry, type OplogFilter } from '../../../shared/contract/oplog.ts';
import { changeLines, day, fmtDateTime, InlineFilter, PagedTable, PageTitle, usePagedList } from '../../ui.tsx';

const OBJECT_NAMES: Record<string, string> = { user: '账号', org_node: '单位', batch: '毕业批次', graduate: '毕业生', task: '任务', student: '学生' };

interface FilterValues {
  action?: string;
  actor?: string;
  range?: [dayjs.Dayjs | null, dayjs.Dayjs | null] | null;
}
type Filter = Pick<OplogFilter, 'action' | 'actor' | 'from' | 'to'>;
const fetchLog = (query: Filter & { page: number; page_size: number }) => call(oplogApi.list, { query });

export default function OperationLogPage() {
  const [form] = Form.useForm<FilterValues>();
  const list = usePagedList<Filter, OperationLogEntry>(fetchLog);

  const [actions, setActions] = useState<string[]>([]);
  useEffect(() => {
    call(oplogApi.actions, {}).then(setActions, () => undefined);
  }, []);

  return (
    <>
      <PageTitle>操作日志</PageTitle>
      <Card size="small">
        <InlineFilter<FilterValues, Filter>
          form={form}
          name="oplog-filter"
          list={list}
          toFilter={(v) => ({ action: v.action?.trim() || undefined, actor: v.actor?.trim() || undefined, from: day(v.range?.[0]), to: day(v.range?.[1]) })}
        >
          <Form.Item label="操作" name="action">
            <AutoComplete allowClear placeholder="全部操作" style={{ width: 180 }} options={actions.map((a) => ({ value: a }))} showSearch={{ filterOption: (input, o) => String(o?.value ?? '').includes(input) }} />
          </Form.Item>
          <Form.Item label="操作人" name="actor">
            <Input allowClear placeholder="姓名或用户名" style={{ width: 180 }} />
          </Form.Item>
          <Form.Item label="日期范围" name="range">
            <DatePicker.RangePicker allowEmpty={[true, true]} />
          </Form.Item>
        </InlineFilter>
        <PagedTable<OperationLogEntry>
          list={list}
          unit="条"
          columns={[
            { title: '时间', dataIndex: 'at', width: 170, render: (at: string) => fmtDateTime(at) },
            { title: '操作人', dataIndex: 'actor_name', width: 220 },
            { title: '操作', dataIndex: 'action', width: 150, render: (a: string) => <Tag color="blue">{a}</Tag> },
            {
              title: '对象',
              key: 'object',
              width: 150,
              render: (_: unknown, e) => `${OBJECT_NAMES[e.object_type] ?? e.object_type} ${e.object_id}`,
            },
            {
              title: '变更（前 → 后）',
              key: 'change',
              render: (_: unknown, e) => {
                const lines = changeLines(e.before, e.after);
                if (!lines.length) {
                  return <Typography.Text type="secondary">{e.before != null || e.after != null ? '（内容无变化）' : '—'}</Typography.Text>;
                }
                return (
                  <div style={{ fontSize: 12, lineHeight: 1.6 }}>
                    {lines.map((l, i) => (
                      <div key={i} style={{ wordBreak: 'break-all' }}>
                        {l}
                      </div>
                    ))}
                  </div>
                );
              },
            },
          ]}
        />
      </Card>
    </>
  );
}
