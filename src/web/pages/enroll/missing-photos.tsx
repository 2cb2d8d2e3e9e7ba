import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Button, Card, Form, Input, Select, Space, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { call, urlOf } from '../../client.ts';
import { batchesApi, type Batch } from '../../../shared/contract/batches.ts';
import { photosApi, type MissingRow } from '../../../shared/contract/photos.ts';
import { useMe } from '../../session.tsx';
import { PagedTable, usePagedList } from '../../ui.tsx';

interface Filter {
  batch: string;
  tp_code?: string;
  q?: string;
}

/** Blank fields are left out of the query. */
const clean = (f: Filter): Filter => ({ batch: f.batch, tp_code: f.tp_code || undefined, q: f.q || undefined });

/** 缺照片名单: graduates of a batch without a 毕业证照片, per teaching point; exportable to Excel. */
export default function MissingPhotos() {
  const me = useMe();
  const [form] = Form.useForm<Filter>();
  const [batches, setBatches] = useState<Batch[]>([]);
  const fetch = useCallback((query: Filter & { page: number; page_size: number }) => call(photosApi.missing, { query }), []);
  const list = usePagedList<Filter, MissingRow>(fetch, { lazy: true });
  const { search } = list;
  const chosen = list.filter.batch ? list.filter : null;

  useEffect(() => {
    call(batchesApi.list).then((all) => {
      setBatches(all);
      const cur = (all.find((b) => b.is_current) ?? all[0])?.code;
      if (cur) {
        form.setFieldsValue({ batch: cur });
        void search({ batch: cur });
      }
    }, () => undefined);
    // Once, on opening: later reads are the user's.
  }, [form]);

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
      <Form form={form} layout="inline" onFinish={(v) => void search(clean(v))} style={{ marginBottom: 12, rowGap: 8 }}>
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
            <Button disabled={!chosen} href={chosen ? urlOf(photosApi.missingXlsx, { query: chosen }) : undefined}>
              导出 Excel
            </Button>
          </Space>
        </Form.Item>
      </Form>
      {list.data && (
        <Typography.Paragraph>
          本批次缺少毕业证照片的毕业生：<Typography.Text strong type={list.data.total ? 'danger' : 'success'}>{list.data.total}</Typography.Text> 人。
          照片缺失的毕业生，其学历证书在照片补齐前不能公开查询。
        </Typography.Paragraph>
      )}
      <PagedTable<MissingRow> list={list} unit="人" rowKey="student_id" aria-label="缺照片名单" columns={columns} />
    </Card>
  );
}
