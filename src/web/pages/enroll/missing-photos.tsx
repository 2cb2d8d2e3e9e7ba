import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Button, Card, Form, Input, Select, Space, Table, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { api, type Batch, type Paged } from '../../api.ts';
import { useMe } from '../../session.tsx';
import { photosApi, type MissingRow } from './photo-api.ts';

interface Filter {
  batch?: string;
  tp_code?: string;
  q?: string;
}

/** 缺照片名单: graduates of a batch without a 毕业证照片, per teaching point; exportable to Excel. */
export default function MissingPhotos() {
  const me = useMe();
  const [form] = Form.useForm<Filter>();
  const [batches, setBatches] = useState<Batch[]>([]);
  const [filter, setFilter] = useState<Filter | null>(null);
  const [paging, setPaging] = useState({ page: 1, page_size: 20 });
  const [data, setData] = useState<Paged<MissingRow> | null>(null);
  const [loading, setLoading] = useState(false);

  useEffect(() => {
    api.batches().then((list) => {
      setBatches(list);
      const cur = (list.find((b) => b.is_current) ?? list[0])?.code;
      if (cur) {
        form.setFieldsValue({ batch: cur });
        setFilter({ batch: cur });
      }
    }, () => undefined);
  }, [form]);

  const load = useCallback(async () => {
    if (!filter?.batch) return;
    setLoading(true);
    try {
      setData(await photosApi.missing({ batch: filter.batch, tp_code: filter.tp_code || undefined, q: filter.q || undefined, ...paging }));
    } catch {
      // shown by the client
    } finally {
      setLoading(false);
    }
  }, [filter, paging]);
  useEffect(() => {
    void load();
  }, [load]);

  const columns: TableColumnsType<MissingRow> = [
    { title: '教学点', key: 'tp', render: (_: unknown, r) => `${r.tp_name}（${r.tp_code}）` },
    { title: '学号', dataIndex: 'student_no', width: 140 },
    { title: '姓名', dataIndex: 'name', width: 100 },
    { title: '身份证号', dataIndex: 'id_number_masked', width: 190 },
    { title: '层次', dataIndex: 'level', width: 70 },
    { title: '专业', dataIndex: 'major' },
    { title: '预毕业确认', dataIndex: 'confirm_status', width: 100 },
    ...(me.role === 'head_teacher' ? [] : [{ title: '操作', key: 'op', width: 100, render: (_: unknown, r: MissingRow) => <Link to={`/enroll/students/${r.student_id}/photos`}>上传照片</Link> }]),
  ];

  return (
    <Card size="small">
      <Form
        form={form}
        layout="inline"
        onFinish={(v) => {
          setPaging((p) => ({ ...p, page: 1 }));
          setFilter({ ...v });
        }}
        style={{ marginBottom: 12, rowGap: 8 }}
      >
        <Form.Item name="batch" label="毕业批次" rules={[{ required: true, message: '请选择毕业批次' }]}>
          <Select aria-label="毕业批次" style={{ width: 200 }} options={batches.map((b) => ({ value: b.code, label: `${b.name}${b.is_current ? '（当前）' : ''}` }))} />
        </Form.Item>
        {me.node.kind !== 'tp' && me.node.kind !== 'class' && (
          <Form.Item name="tp_code" label="教学点代码">
            <Input allowClear style={{ width: 140 }} />
          </Form.Item>
        )}
        <Form.Item name="q" label="姓名/学号/身份证号">
          <Input allowClear style={{ width: 180 }} />
        </Form.Item>
        <Form.Item>
          <Space>
            <Button type="primary" htmlType="submit">
              查询
            </Button>
            <Button disabled={!filter?.batch} href={filter?.batch ? photosApi.missingUrl({ batch: filter.batch, tp_code: filter.tp_code || undefined, q: filter.q || undefined }) : undefined}>
              导出 Excel
            </Button>
          </Space>
        </Form.Item>
      </Form>
      {data && (
        <Typography.Paragraph>
          本批次缺少毕业证照片的毕业生：<Typography.Text strong type={data.total ? 'danger' : 'success'}>{data.total}</Typography.Text> 人。
          照片缺失的毕业生，其学历证书在照片补齐前不能公开查询。
        </Typography.Paragraph>
      )}
      <Table<MissingRow>
        rowKey="student_id"
        size="small"
        aria-label="缺照片名单"
        loading={loading}
        columns={columns}
        dataSource={data?.rows ?? []}
        pagination={{
          current: paging.page,
          pageSize: paging.page_size,
          total: data?.total ?? 0,
          showSizeChanger: true,
          showTotal: (n) => `共 ${n} 人`,
          onChange: (page, page_size) => setPaging({ page, page_size }),
        }}
      />
    </Card>
  );
}
