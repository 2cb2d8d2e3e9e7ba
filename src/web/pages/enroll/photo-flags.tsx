import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Button, Card, Image, Radio, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import type { Paged } from '../../api.ts';
import { useMe } from '../../session.tsx';
import { fmtDateTime } from '../../ui.tsx';
import { photosApi, type FlagSide, type PhotoFlag } from './photo-api.ts';

function Side({ s }: { s: FlagSide }) {
  if (s.student_id === null) return <Typography.Text type="secondary">其他单位的学生（如需核实请联系上级管理部门）</Typography.Text>;
  return (
    <Space>
      <Image width={45} height={60} src={photosApi.thumbUrl(s.photo_id)} preview={{ src: photosApi.imageUrl(s.photo_id) }} alt={`${s.name}的照片`} />
      <span>
        <Link to={`/enroll/students/${s.student_id}/photos`}>{s.name}</Link>
        <br />
        <Typography.Text type="secondary">
          {s.student_no}，{s.tp_name}
        </Typography.Text>
      </span>
    </Space>
  );
}

/** The same (or a near-identical) picture stored for two students: a person looks and marks it 已核查. */
export default function PhotoFlags() {
  const me = useMe();
  const [status, setStatus] = useState<'待核查' | '已核查'>('待核查');
  const [paging, setPaging] = useState({ page: 1, page_size: 20 });
  const [data, setData] = useState<Paged<PhotoFlag> | null>(null);
  const [loading, setLoading] = useState(false);
  const office = me.role !== 'head_teacher' && me.role !== 'student';

  const load = useCallback(async () => {
    if (!office) return;
    setLoading(true);
    try {
      setData(await photosApi.flags({ status, ...paging }));
    } catch {
      // shown by the client
    } finally {
      setLoading(false);
    }
  }, [status, paging, office]);
  useEffect(() => {
    void load();
  }, [load]);

  if (!office) return <Typography.Text type="secondary">疑似重复照片由教学点及以上管理人员核查。</Typography.Text>;

  const columns: TableColumnsType<PhotoFlag> = [
    { title: '类型', dataIndex: 'kind', width: 100, render: (k: string, r) => <Tag color={k === '相同图片' ? 'red' : 'orange'}>{k}{k === '相似图片' ? `（差异 ${r.distance}）` : ''}</Tag> },
    { title: '新上传的照片', key: 'a', render: (_: unknown, r) => <Side s={r.photo} /> },
    { title: '已有照片', key: 'b', render: (_: unknown, r) => <Side s={r.other} /> },
    { title: '发现时间', dataIndex: 'created_at', width: 170, render: (v: string) => fmtDateTime(v) },
    {
      title: '操作',
      key: 'op',
      width: 110,
      render: (_: unknown, r) =>
        r.status === '待核查' ? (
          <Button size="small" onClick={() => void photosApi.reviewFlag(r.id).then(load, () => undefined)}>
            标记为已核查
          </Button>
        ) : (
          '已核查'
        ),
    },
  ];

  return (
    <Card size="small">
      <Space style={{ marginBottom: 12 }}>
        <Radio.Group
          optionType="button"
          value={status}
          onChange={(e) => {
            setStatus(e.target.value as '待核查' | '已核查');
            setPaging((p) => ({ ...p, page: 1 }));
          }}
          options={['待核查', '已核查']}
        />
        <Typography.Text type="secondary">同一张或几乎相同的图片用于不同学生时列在这里，请核实是否传错了照片；传错的请在学生照片页重新上传。</Typography.Text>
      </Space>
      <Table<PhotoFlag>
        rowKey="id"
        size="small"
        loading={loading}
        columns={columns}
        dataSource={data?.rows ?? []}
        pagination={{ current: paging.page, pageSize: paging.page_size, total: data?.total ?? 0, onChange: (page, page_size) => setPaging({ page, page_size }) }}
      />
    </Card>
  );
}
