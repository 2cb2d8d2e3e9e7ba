import { useCallback, useEffect, useMemo, useState } from 'react';
import { Button, Card, Col, Form, Input, Row, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { api, type OrgNode } from '../../api.ts';
import { recordsApi, SORTS, STUDENT_STATUSES, type SortKey, type StudentFilter, type StudentRow } from '../../api-records.ts';
import { useMe } from '../../session.tsx';
import { ExcelExportButton, ExportDialog } from '../../export-dialog.tsx';
import { RunningExports } from '../../running-exports.tsx';
import { MajorLevelCols, recordCardPath, studentColumns, TpFilterItem } from '../../student-columns.tsx';
import { FilterButtons, fmtDateTime, PageTitle, usePagedList } from '../../ui.tsx';

/** The filter form; 排序方式 sits above the table. */
type FilterValues = Omit<StudentFilter, 'sort'>;

const STATUS_COLORS: Record<string, string> = { 在籍: 'processing', 毕业: 'success', 退学: 'error', 休学: 'warning' };

function cleanFilter(v: FilterValues, fixedTp: string | null): Omit<StudentFilter, 'sort'> {
  const f: FilterValues = {};
  if (v.cohort?.trim()) f.cohort = v.cohort.trim();
  if (v.status) f.status = v.status;
  if (v.major?.trim()) f.major = v.major.trim();
  if (v.level) f.level = v.level;
  const tp = fixedTp ?? v.tp_code;
  if (tp) f.tp_code = tp;
  if (v.q?.trim()) f.q = v.q.trim();
  return f;
}

/** 学籍 → 查询统计 → 学籍卡查询 (seed 000 step 五). */
export default function StudentsPage() {
  const me = useMe();
  // A teaching point sees its own students; headquarters and branches choose a teaching point.
  const fixedTp = me.role === 'tp_admin' ? me.node.code : null;
  const choosesTp = me.role === 'hq_admin' || me.role === 'branch_admin';
  const [form] = Form.useForm<FilterValues>();
  const [tps, setTps] = useState<OrgNode[]>([]);
  const [majors, setMajors] = useState<string[]>([]);
  const [sort, setSort] = useState<SortKey>('student_no');
  const [filter, setFilter] = useState<FilterValues>({});
  /** Ticked rows, kept across pages (for 下载报名登记表). */
  const [ticked, setTicked] = useState<number[]>([]);
  const [exporting, setExporting] = useState(false);

  const fetch = useCallback((q: StudentFilter & { page: number; page_size: number }) => recordsApi.students(q), []);
  const list = usePagedList<StudentFilter, StudentRow>(fetch);

  useEffect(() => {
    if (choosesTp) api.nodes({ kind: 'tp' }).then(setTps, () => undefined);
    api.majors().then((l) => setMajors([...new Set(l.map((m) => m.major))]), () => undefined);
  }, [choosesTp]);

  const search = (v: FilterValues, s: SortKey = sort) => {
    const f = cleanFilter(v, fixedTp);
    setFilter(f);
    setTicked([]);
    list.search({ ...f, sort: s });
  };

  const columns: TableColumnsType<StudentRow> = useMemo(
    () => [
      ...studentColumns<StudentRow>({ link: (r) => r.id, to: recordCardPath, widths: { student_no: 132, name: 84, gender: 50, id_number: 170, cohort: 80, level: 56, major: 150, tp: 140 } }),
      { title: '学籍状态', dataIndex: 'status', width: 80, render: (s: string) => <Tag color={STATUS_COLORS[s]}>{s}</Tag> },
      {
        title: '入学登记表',
        dataIndex: 'enroll_form_status',
        width: 96,
        render: (s: string, r) => (
          <Tooltip title={r.enroll_form_updated_at ? `更新时间：${fmtDateTime(r.enroll_form_updated_at)}` : undefined}>
            <Tag color={s === '已更新' ? 'success' : 'default'}>{s}</Tag>
          </Tooltip>
        ),
      },
    ],
    [],
  );

  return (
    <>
      <PageTitle>学籍卡查询</PageTitle>
      <RunningExports announce style={{ marginBottom: 16 }} />
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        <Card size="small">
          <Form<FilterValues> form={form} name="records-filter" labelCol={{ flex: '96px' }} initialValues={{ tp_code: fixedTp ?? undefined }} onFinish={(v) => search(v)}>
            <Row gutter={16}>
              <Col xs={24} md={12} xl={8}>
                <Form.Item
                  label="学籍批次"
                  name="cohort"
                  rules={[{ pattern: /^\s*\d{4}(\d{2})?\s*$/, message: '学籍批次为 4 位年份（如 2021）或 6 位（如 202109）' }]}
                >
                  <Input allowClear placeholder="如 2021 或 202109" maxLength={6} inputMode="numeric" />
                </Form.Item>
              </Col>
              <Col xs={24} md={12} xl={8}>
                <Form.Item label="学籍状态" name="status">
                  <Select allowClear placeholder="全部" options={STUDENT_STATUSES.map((s) => ({ value: s }))} />
                </Form.Item>
              </Col>
              <MajorLevelCols majors={majors} />
              {(fixedTp || choosesTp) && (
                <Col xs={24} md={12} xl={8}>
                  <TpFilterItem fixedTp={fixedTp} fixedName={me.node.name} tps={tps} />
                </Col>
              )}
              <Col xs={24} md={12} xl={8}>
                <Form.Item label="姓名/学号" name="q" tooltip="按姓名、学号或身份证号精确查找">
                  <Input allowClear placeholder="姓名、学号或身份证号" maxLength={40} />
                </Form.Item>
              </Col>
              <Col xs={24} md={fixedTp || choosesTp ? 24 : 12} xl={fixedTp || choosesTp ? 24 : 8} style={{ textAlign: 'right' }}>
                <FilterButtons
                  loading={list.loading}
                  onReset={() => {
                    form.resetFields();
                    form.setFieldsValue({ tp_code: fixedTp ?? undefined });
                  }}
                />
              </Col>
            </Row>
          </Form>
        </Card>

        <Card size="small">
          <div style={{ display: 'flex', flexWrap: 'wrap', gap: 12, alignItems: 'center', justifyContent: 'space-between', marginBottom: 12 }}>
            <Space wrap>
              <Button type="primary" disabled={!list.data?.total} onClick={() => setExporting(true)}>
                下载报名登记表
              </Button>
              <ExcelExportButton filter={filter} sort={sort} disabled={!list.data?.total} />
              <Typography.Text type="secondary">
                {ticked.length ? `已勾选 ${ticked.length} 人` : '可勾选学生（翻页后保留勾选）'}
                {ticked.length > 0 && (
                  <Button type="link" size="small" onClick={() => setTicked([])}>
                    清除勾选
                  </Button>
                )}
              </Typography.Text>
            </Space>
            <Space wrap>
              <span>排序方式</span>
              <Select<SortKey>
                aria-label="排序方式"
                style={{ width: 150 }}
                value={sort}
                options={(Object.keys(SORTS) as SortKey[]).map((k) => ({ value: k, label: SORTS[k] }))}
                onChange={(s) => {
                  setSort(s);
                  setTicked([]);
                  list.search({ ...filter, sort: s });
                }}
              />
            </Space>
          </div>
          <Table<StudentRow>
            rowKey="id"
            size="small"
            loading={list.loading}
            columns={columns}
            dataSource={list.data?.rows ?? []}
            scroll={{ x: 1080 }}
            locale={{ emptyText: '没有符合查询条件的学生' }}
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
      <ExportDialog kind="enroll-forms" open={exporting} onClose={() => setExporting(false)} ticked={ticked} total={list.data?.total ?? 0} filter={filter} />
    </>
  );
}
