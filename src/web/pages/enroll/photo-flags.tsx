import { useCallback } from 'react';
import { Link } from 'react-router-dom';
import { Button, Card, Radio, Space, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { call } from '../../client.ts';
import { FLAG_STATUSES, photosApi, type FlagSide, type FlagStatus, type PhotoFlag } from '../../../shared/contract/photos.ts';
import { useMe } from '../../session.tsx';
import { fmtDateTime, PagedTable, usePagedList } from '../../ui.tsx';
import { PhotoImage } from './photo-parts.tsx';

function Side({ s }: { s: FlagSide }) {
  if (s.student_id === null) return <Typography.Text type="secondary">其他单位的学生（如需核实请联系上级管理部门）</Typography.Text>;
  return (
    <Space>
      <PhotoImage id={s.photo_id} width={45} height={60} alt={`${s.name}的照片`} />
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

type Filter = { status: FlagStatus };

/** The same (or a near-identical) picture stored for two students: a person looks and marks it 已核查. */
export default function PhotoFlags() {
  const me = useMe();
  const office = me.role !== 'head_teacher' && me.role !== 'student';
  const fetch = useCallback((query: Filter & { page: number; page_size: number }) => call(photosApi.flags, { query }), []);
  const list = usePagedList<Filter, PhotoFlag>(fetch, { lazy: !office, initial: { status: '待核查' } });

  if (!office) return <Typography.Text type="secondary">疑似重复照片由教学点及以上管理人员核查。</Typography.Text>;

  const review = (id: number) => void call(photosApi.reviewFlag, { params: { id } }).then(list.reload, () => undefined);
  const columns: TableColumnsType<PhotoFlag> = [
    { title: '类型', dataIndex: 'kind', width: 100, render: (k: PhotoFlag['kind'], r) => <Tag color={k === '相同图片' ? 'red' : 'orange'}>{k}{k === '相似图片' ? `（差异 ${r.distance}）` : ''}</Tag> },
    { title: '新上传的照片', key: 'a', render: (_: unknown, r) => <Side s={r.photo} /> },
    { title: '已有照片', key: 'b', render: (_: unknown, r) => <Side s={r.other} /> },
    { title: '发现时间', dataIndex: 'created_at', width: 170, render: (v: string) => fmtDateTime(v) },
    {
      title: '操作',
      key: 'op',
      width: 110,
      render: (_: unknown, r) =>
        r.status === '待核查' ? (
          <Button size="small" onClick={() => review(r.id)}>
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
          value={list.filter.status}
          onChange={(e) => void list.search({ status: e.target.value as FlagStatus })}
          options={[...FLAG_STATUSES]}
        />
        <Typography.Text type="secondary">同一张或几乎相同的图片用于不同学生时列在这里，请核实是否传错了照片；传错的请在学生照片页重新上传。</Typography.Text>
      </Space>
      <PagedTable<PhotoFlag> list={list} unit="条" columns={columns} />
    </Card>
  );
}
