import { useEffect, useState } from 'react';
import { App as AntApp, Button, Card, Checkbox, Form, Input, Select, Space, Table, Tabs, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import type { Batch } from '../../../shared/contract/batches.ts';
import type { OrgNode } from '../../../shared/contract/org.ts';
import { call, urlOf } from '../../client.ts';
import {
  MATERIAL_ITEMS,
  MATERIAL_STATES,
  materialsApi,
  type ItemState,
  type ListQuery,
  type MarkAction,
  type MaterialFilter,
  type MaterialItem,
  type MaterialRow,
  type MaterialState,
  type NotGraduatingFilter,
  type NotGraduatingRow,
  type SummaryRow,
} from '../../../shared/contract/materials.ts';
import { useMe } from '../../session.tsx';
import { FilterCard, FilterField, fmtDateTime, PagedTable, PageTitle, Stack, useBulkResult, usePagedList } from '../../ui.tsx';
import { BatchTpCols, openingBatch, useOpeningBatch } from './bulk-parts.tsx';
import { useFilterChoices } from '../../student-columns.tsx';
import { ADMINS } from '../../../shared/org.ts';

/**
 * 毕业 → 毕业管理 → 毕业材料提交 (seed 000 step 七): per graduate the 信息采集照片, 成绩单, 入学登记表 and
 * 毕业生登记表 — the teaching point ticks 已备齐 as it prepares them, the school 已接收 as it takes them —
 * the counts per teaching point, and the 未办理毕业学生统计表 (Excel, and a PDF to print and stamp).
 */

const fetchMaterials = (query: ListQuery) => call(materialsApi.list, { query });

function ItemCell({ s }: { s: ItemState }) {
  if (s.received_at) return <Tooltip title={`学校接收：${fmtDateTime(s.received_at)}`}><Tag color="success">已接收</Tag></Tooltip>;
  if (s.prepared_at) return <Tooltip title={`教学点备齐：${fmtDateTime(s.prepared_at)}`}><Tag color="processing">已备齐</Tag></Tooltip>;
  return <Tag>未备齐</Tag>;
}

function Checklist({ batches, tps, fixedTp, school }: { batches: Batch[]; tps: OrgNode[]; fixedTp: string | null; school: boolean }) {
  const { modal } = AntApp.useApp();
  const [form] = Form.useForm<MaterialFilter>();
  const [query, setQuery] = useState<MaterialFilter | null>(null);
  const [ticked, setTicked] = useState<number[]>([]);
  const [items, setItems] = useState<MaterialItem[]>([...MATERIAL_ITEMS]);
  const bulk = useBulkResult('项');
  const list = usePagedList<MaterialFilter, MaterialRow>(fetchMaterials, { lazy: true });
  useOpeningBatch(form, batches);

  const search = (v: MaterialFilter) => {
    const f: MaterialFilter = { batch: v.batch };
    const tp = fixedTp ?? v.tp_code;
    if (tp) f.tp_code = tp;
    if (v.state) f.state = v.state;
    if (v.q?.trim()) f.q = v.q.trim();
    setQuery(f);
    setTicked([]);
    bulk.clear();
    void list.search(f);
  };

  const act = async (action: MarkAction, done: boolean) => {
    if (!query || ticked.length === 0 || items.length === 0) return;
    const label = action === 'receive' ? (done ? '确认接收' : '取消接收') : done ? '标记已备齐' : '取消已备齐';
    const go = async () => {
      const r = await call(materialsApi.mark, {
        body: { action, done, batch: query.batch, items: ticked.flatMap((graduate_id) => items.map((item) => ({ graduate_id, item }))) },
      });
      bulk.show(label, r, `${label}：${r.changed} 项${r.refused.length ? `，${r.refused.length} 项未办理（见下方原因）` : ''}`);
      await list.reload();
    };
    if (done) await go();
    else modal.confirm({ title: `${label}？`, content: `勾选的 ${ticked.length} 名毕业生的 ${items.join('、')}。`, okText: label, cancelText: '返回', onOk: go });
  };

  const columns: TableColumnsType<MaterialRow> = [
    { title: '学号', dataIndex: 'student_no', width: 130 },
    { title: '姓名', dataIndex: 'name', width: 80 },
    { title: '专业', dataIndex: 'major', width: 130, ellipsis: true },
    { title: '教学点', dataIndex: 'tp_name', width: 130, ellipsis: true, render: (n: string, r) => `${r.tp_code} ${n}` },
    ...MATERIAL_ITEMS.map((item) => ({
      title: item,
      key: item,
      width: 100,
      render: (_: unknown, r: MaterialRow) => (
        <Space size={4} direction="vertical">
          <ItemCell s={r.items[item]} />
          {item === '信息采集照片' && !r.has_photo && <Typography.Text type="warning" style={{ fontSize: 12 }}>系统中无照片</Typography.Text>}
          {item === '毕业生登记表' && r.form_state !== '总部已填写' && <Typography.Text type="warning" style={{ fontSize: 12 }}>{r.form_state}</Typography.Text>}
        </Space>
      ),
    })),
  ];

  return (
    <Stack>
      <FilterCard<MaterialFilter>
        form={form}
        name="materials-filter"
        onFinish={search}
        initialValues={{ tp_code: fixedTp ?? undefined }}
        loading={list.loading}
        buttons={{ xs: 24, md: 12, xl: 16 }}
      >
        <BatchTpCols batches={batches} tps={tps} fixedTp={fixedTp} tpLabel="函授站代码" />
        <FilterField label="材料状态" name="state">
          <Select<MaterialState> allowClear placeholder="全部" options={MATERIAL_STATES.map((s) => ({ value: s }))} />
        </FilterField>
        <FilterField label="姓名/学号" name="q">
          <Input allowClear maxLength={40} />
        </FilterField>
      </FilterCard>
      <Card size="small">
        <Space wrap style={{ marginBottom: 12 }}>
          <span>材料</span>
          <Checkbox.Group aria-label="材料" options={MATERIAL_ITEMS.map((i) => ({ value: i, label: i }))} value={items} onChange={(v) => setItems(v as MaterialItem[])} />
          {school ? (
            <>
              <Button type="primary" disabled={!ticked.length || !items.length} onClick={() => void act('receive', true)}>确认接收</Button>
              <Button disabled={!ticked.length || !items.length} onClick={() => void act('receive', false)}>取消接收</Button>
            </>
          ) : (
            <>
              <Button type="primary" disabled={!ticked.length || !items.length} onClick={() => void act('prepare', true)}>标记已备齐</Button>
              <Button disabled={!ticked.length || !items.length} onClick={() => void act('prepare', false)}>取消已备齐</Button>
            </>
          )}
          <Typography.Text type="secondary">{ticked.length ? `已勾选 ${ticked.length} 人` : '勾选毕业生后办理'}</Typography.Text>
        </Space>
        {bulk.panel && <div style={{ marginBottom: 12 }}>{bulk.panel}</div>}
        <PagedTable<MaterialRow>
          list={list}
          unit="人"
          rowKey="graduate_id"
          columns={columns}
          scroll={{ x: 900 }}
          locale={{ emptyText: query ? '没有符合条件的毕业生（只列出预毕业确认中同意毕业的学生）' : '请选择毕业批次后点击“查询”' }}
          rowSelection={{ preserveSelectedRowKeys: true, selectedRowKeys: ticked, onChange: (k) => setTicked(k.map(Number)) }}
        />
      </Card>
    </Stack>
  );
}

function Summary({ batch }: { batch: string | null }) {
  const [rows, setRows] = useState<SummaryRow[] | null>(null);
  useEffect(() => {
    if (batch) call(materialsApi.summary, { query: { batch } }).then((r) => setRows(r.rows), () => undefined);
  }, [batch]);
  const columns: TableColumnsType<SummaryRow> = [
    { title: '教学点', dataIndex: 'tp_name', render: (n: string, r) => `${r.tp_code} ${n}` },
    { title: '毕业生', dataIndex: 'graduates', width: 80 },
    ...MATERIAL_ITEMS.map((i) => ({ title: `${i}（备齐/接收）`, key: i, width: 130, render: (_: unknown, r: SummaryRow) => `${r.prepared[i]} / ${r.received[i]}` })),
    { title: '全部备齐', dataIndex: 'all_prepared', width: 90 },
    { title: '全部接收', dataIndex: 'all_received', width: 90 },
  ];
  return <Table<SummaryRow> rowKey="tp_code" size="small" columns={columns} dataSource={rows ?? []} loading={rows === null && !!batch} scroll={{ x: 900 }} pagination={false} />;
}

function NotGraduating({ batches, tps, fixedTp }: { batches: Batch[]; tps: OrgNode[]; fixedTp: string | null }) {
  const [form] = Form.useForm<NotGraduatingFilter>();
  const [query, setQuery] = useState<NotGraduatingFilter | null>(null);
  const [data, setData] = useState<{ total: number; rows: NotGraduatingRow[] } | null>(null);
  const [loading, setLoading] = useState(false);
  useOpeningBatch(form, batches);
  const search = async (v: NotGraduatingFilter) => {
    const f: NotGraduatingFilter = { batch: v.batch };
    const tp = fixedTp ?? v.tp_code;
    if (tp) f.tp_code = tp;
    if (v.cohort?.trim()) f.cohort = v.cohort.trim();
    setQuery(f);
    setLoading(true);
    try {
      setData(await call(materialsApi.notGraduating, { query: f }));
    } catch {
      // shown by the api client
    } finally {
      setLoading(false);
    }
  };
  return (
    <Stack>
      <FilterCard<NotGraduatingFilter>
        form={form}
        name="not-graduating-filter"
        onFinish={(v) => void search(v)}
        initialValues={{ tp_code: fixedTp ?? undefined }}
        loading={loading}
        buttons={{ span: 24 }}
      >
        <BatchTpCols batches={batches} tps={tps} fixedTp={fixedTp} tpLabel="函授站代码" />
        <FilterField
          label="学籍批次"
          name="cohort"
          tooltip="填写后，该学籍批次中未列入本批次毕业候选的学生也一并列出"
          rules={[{ pattern: /^\s*\d{4}(\d{2})?\s*$/, message: '学籍批次为 4 位年份（如 2021）或 6 位（如 202109）' }]}
        >
          <Input allowClear maxLength={6} placeholder="如 2021，可不填" />
        </FilterField>
      </FilterCard>
      <Card
        size="small"
        title={query ? `未办理毕业学生：${data?.total ?? 0} 人` : '未办理毕业学生统计表'}
        extra={
          <Space>
            <Button href={query ? urlOf(materialsApi.notGraduatingXlsx, { query }) : undefined} disabled={!query}>导出Excel（电子版）</Button>
            <Tooltip title={query && !query.tp_code ? '打印版按教学点制表：请先选择函授站代码' : '打印后加盖教学点公章'}>
              <Button type="primary" href={query?.tp_code ? urlOf(materialsApi.notGraduatingPdf, { query }) : undefined} disabled={!query?.tp_code}>打印统计表（PDF）</Button>
            </Tooltip>
          </Space>
        }
      >
        <Table<NotGraduatingRow>
          rowKey="student_no"
          size="small"
          loading={loading}
          dataSource={data?.rows ?? []}
          scroll={{ x: 900 }}
          locale={{ emptyText: query ? '本批次没有未办理毕业的学生' : '请选择毕业批次后点击“查询”' }}
          columns={[
            { title: '学号', dataIndex: 'student_no', width: 130 },
            { title: '姓名', dataIndex: 'name', width: 80 },
            { title: '专业', dataIndex: 'major', width: 130, ellipsis: true },
            { title: '层次', dataIndex: 'level', width: 60 },
            { title: '学籍批次', dataIndex: 'cohort', width: 80 },
            { title: '教学点', dataIndex: 'tp_name', width: 130, ellipsis: true },
            { title: '未办理原因', dataIndex: 'reason' },
          ]}
          pagination={{ pageSize: 50, showTotal: (t) => `共 ${t} 人` }}
        />
      </Card>
    </Stack>
  );
}

export default function MaterialsPage() {
  const me = useMe();
  const fixedTp = me.role === 'tp_admin' ? me.node.code : null;
  const school = ADMINS.includes(me.role);
  const { batches, tps } = useFilterChoices({ tps: !fixedTp, majors: false });
  const [chosen, setBatch] = useState<string | null>(null);
  const batch = chosen ?? openingBatch(batches);
  return (
    <>
      <PageTitle>毕业材料提交</PageTitle>
      <Typography.Paragraph type="secondary">
        到校提交毕业审核材料：信息采集照片每名学生一联；成绩单每名学生 1 份；入学、毕业生登记表（教学点盖章）每名学生各一份；未办理毕业学生统计表 1 份（纸质版加盖教学点公章，另交一份电子版）。
        {school ? '学校接收时勾选“确认接收”。' : '教学点准备好后勾选“标记已备齐”。'}
      </Typography.Paragraph>
      <Tabs
        items={[
          { key: 'list', label: '材料清单', children: <Checklist batches={batches} tps={tps} fixedTp={fixedTp} school={school} /> },
          {
            key: 'summary',
            label: '各教学点统计',
            children: (
              <Space direction="vertical" style={{ width: '100%' }}>
                <Select style={{ width: 160 }} aria-label="毕业批次" value={batch ?? undefined} onChange={setBatch} options={batches.map((b) => ({ value: b.code, label: b.code }))} />
                <Summary batch={batch} />
              </Space>
            ),
          },
          { key: 'not-graduating', label: '未办理毕业学生统计表', children: <NotGraduating batches={batches} tps={tps} fixedTp={fixedTp} /> },
        ]}
      />
    </>
  );
}
