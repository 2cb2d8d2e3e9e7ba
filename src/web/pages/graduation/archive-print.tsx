import { useCallback, useEffect, useMemo, useState } from 'react';
import { Button, Card, Col, Form, Row, Select, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { api, type Batch, type OrgNode } from '../../api.ts';
import { recordsApi, STUDENT_STATUSES, type DocumentFilter, type StudentFilter, type StudentRow, type StudentStatus } from '../../api-records.ts';
import { ExcelExportButton, ExportDialog } from '../../export-dialog.tsx';
import { RunningExports } from '../../running-exports.tsx';
import { useMe } from '../../session.tsx';
import { BatchFilterItem, MajorLevelCols, recordCardPath, studentColumns, TpFilterItem } from '../../student-columns.tsx';
import { FilterButtons, PageTitle, usePagedList } from '../../ui.tsx';

type FilterValues = Pick<DocumentFilter, 'batch' | 'tp_code' | 'status' | 'major' | 'level'>;

const STATUS_COLORS: Record<string, string> = { 在籍: 'processing', 毕业: 'success', 退学: 'error', 休学: 'warning' };
/** The graduates are printed once they are 毕业 (seed 000 step 六.2). */
const DEFAULT_STATUS: StudentStatus = '毕业';

function cleanFilter(v: FilterValues, fixedTp: string | null): DocumentFilter {
  const f: DocumentFilter = {};
  if (v.batch) f.batch = v.batch;
  const tp = fixedTp ?? v.tp_code;
  if (tp) f.tp_code = tp;
  if (v.status) f.status = v.status;
  if (v.major?.trim()) f.major = v.major.trim();
  if (v.level) f.level = v.level;
  return f;
}

/** 毕业 → 毕业生档案管理 → 学生学籍档案打印: the graduates of a batch, and their 成绩单 (seed 000 step 六). */
export default function ArchivePrintPage() {
  const me = useMe();
  const fixedTp = me.role === 'tp_admin' ? me.node.code : null;
  const [form] = Form.useForm<FilterValues>();
  const [batches, setBatches] = useState<Batch[]>([]);
  const [tps, setTps] = useState<OrgNode[]>([]);
  const [majors, setMajors] = useState<string[]>([]);
  /** The filter of the rows on screen (what 当前查询的全部学生 means). */
  const [filter, setFilter] = useState<DocumentFilter | null>(null);
  /** Ticked rows, kept across pages. */
  const [ticked, setTicked] = useState<number[]>([]);
  const [printing, setPrinting] = useState(false);

  const fetch = useCallback((q: StudentFilter & { page: number; page_size: number }) => recordsApi.students(q), []);
  const list = usePagedList<StudentFilter, StudentRow>(fetch, { lazy: true });

  useEffect(() => {
    api.batches().then((l) => {
      setBatches(l);
      const current = l.find((b) => b.is_current) ?? l[0];
      if (current && !form.getFieldValue('batch')) form.setFieldsValue({ batch: current.code });
    }, () => undefined);
    if (!fixedTp) api.nodes({ kind: 'tp' }).then(setTps, () => undefined);
    api.majors().then((l) => setMajors([...new Set(l.map((m) => m.major))]), () => undefined);
  }, [form, fixedTp]);

  const search = (v: FilterValues) => {
    const f = cleanFilter(v, fixedTp);
    setFilter(f);
    setTicked([]);
    list.search(f);
  };

  const columns: TableColumnsType<StudentRow> = useMemo(
    () => [
      ...studentColumns<StudentRow>({ link: (r) => r.id, to: recordCardPath, widths: { student_no: 132, name: 84, gender: 50, id_number: 170, cohort: 80, level: 56, major: 150, tp: 140 } }),
      { title: '学籍状态', dataIndex: 'status', width: 80, render: (s: string) => <Tag color={STATUS_COLORS[s]}>{s}</Tag> },
    ],
    [],
  );

  const total = list.data?.total ?? 0;
  return (
    <>
      <PageTitle>学生学籍档案打印</PageTitle>
      <RunningExports announce style={{ marginBottom: 16 }} />
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        <Card size="small">
          <Form<FilterValues>
            form={form}
            name="archive-filter"
            labelCol={{ flex: '96px' }}
            initialValues={{ tp_code: fixedTp ?? undefined, status: DEFAULT_STATUS }}
            onFinish={search}
          >
            <Row gutter={16}>
              <Col xs={24} md={12} xl={8}>
                <BatchFilterItem batches={batches} search />
              </Col>
              <Col xs={24} md={12} xl={8}>
                {/* 函授站代码: the seed's name for the teaching point here (step 六.2). */}
                <TpFilterItem label="函授站代码" fixedTp={fixedTp} fixedName={me.node.name} tps={tps} />
              </Col>
              <Col xs={24} md={12} xl={8}>
                <Form.Item label="学籍状态" name="status">
                  <Select allowClear placeholder="全部" options={STUDENT_STATUSES.map((s) => ({ value: s }))} />
                </Form.Item>
              </Col>
              <MajorLevelCols majors={majors} />
              <Col xs={24} xl={8} style={{ textAlign: 'right' }}>
                <FilterButtons
                  loading={list.loading}
                  onReset={() => {
                    form.resetFields();
                    const current = batches.find((b) => b.is_current);
                    form.setFieldsValue({ tp_code: fixedTp ?? undefined, batch: current?.code });
                  }}
                />
              </Col>
            </Row>
          </Form>
        </Card>

        <Card size="small">
          <div style={{ display: 'flex', flexWrap: 'wrap', gap: 12, alignItems: 'center', marginBottom: 12 }}>
            <Button type="primary" disabled={!filter || total === 0} onClick={() => setPrinting(true)}>
              成绩单打印
            </Button>
            <ExcelExportButton filter={filter ?? {}} disabled={!filter || total === 0} />
            <Typography.Text type="secondary">
              {ticked.length ? `已勾选 ${ticked.length} 人` : '勾选学生，或在打印时选择“当前查询的全部学生”'}
              {ticked.length > 0 && (
                <Button type="link" size="small" onClick={() => setTicked([])}>
                  清除勾选
                </Button>
              )}
            </Typography.Text>
          </div>
          <Table<StudentRow>
            rowKey="id"
            size="small"
            loading={list.loading}
            columns={columns}
            dataSource={list.data?.rows ?? []}
            scroll={{ x: 1000 }}
            locale={{ emptyText: filter ? '没有符合查询条件的学生' : '请选择毕业批次和函授站代码，点击“查询”' }}
            rowSelection={{
              fixed: true,
              preserveSelectedRowKeys: true,
              selectedRowKeys: ticked,
              onChange: (keys) => setTicked(keys.map(Number)),
            }}
            pagination={{ ...list.pagination((t) => `共 ${t} 人`), pageSizeOptions: [20, 50, 100, 200] }}
          />
        </Card>
      </Space>
      <ExportDialog kind="transcripts" open={printing} onClose={() => setPrinting(false)} ticked={ticked} total={total} filter={filter ?? {}} />
    </>
  );
}
