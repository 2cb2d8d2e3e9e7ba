import { useCallback, useState } from 'react';
import { Button, Card, Col, Form, Input, Select, Space, Tag, Tooltip } from 'antd';
import type { TableColumnsType } from 'antd';
import { call } from '../../client.ts';
import { recordsApi, SORT_KEYS, SORTS, type DocFilter, type SortKey, type StudentFilter, type StudentRow } from '../../../shared/contract/records.ts';
import { useMe } from '../../session.tsx';
import { ExcelExportButton, ExportDialog } from '../../export-dialog.tsx';
import { RunningExports } from '../../running-exports.tsx';
import { cleanDocFilter, MajorLevelCols, RecordStudentTable, StudentStatusCol, TickedNote, TpFilterItem, useFilterChoices } from '../../student-columns.tsx';
import { FilterCard, FilterField, fmtDateTime, PageTitle, Stack, THIRD, usePagedList, useTickedRows } from '../../ui.tsx';
import { ADMINS } from '../../../shared/org.ts';

/** The filter form; 排序方式 sits above the table. */
type FilterValues = DocFilter;

const ENROLL_FORM_COLUMN: TableColumnsType<StudentRow> = [
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
];

/** 学籍 → 查询统计 → 学籍卡查询 (seed 000 step 五). */
export default function StudentsPage() {
  const me = useMe();
  // A teaching point sees its own students; headquarters and branches choose a teaching point.
  const fixedTp = me.role === 'tp_admin' ? me.node.code : null;
  const choosesTp = ADMINS.includes(me.role);
  const [form] = Form.useForm<FilterValues>();
  const { tps, majors } = useFilterChoices({ batches: false, tps: choosesTp });
  const [sort, setSort] = useState<SortKey>('student_no');
  const [filter, setFilter] = useState<DocFilter>({});
  /** Ticked rows, kept across pages (for 下载报名登记表). */
  const { ticked, setTicked, selection } = useTickedRows<StudentRow>();
  const [exporting, setExporting] = useState(false);

  const fetch = useCallback((query: StudentFilter & { page: number; page_size: number }) => call(recordsApi.students, { query }), []);
  const list = usePagedList<StudentFilter, StudentRow>(fetch);

  const search = (f: DocFilter, s: SortKey) => {
    setFilter(f);
    setTicked(new Map());
    void list.search({ ...f, sort: s });
  };

  return (
    <>
      <PageTitle>学籍卡查询</PageTitle>
      <RunningExports announce style={{ marginBottom: 16 }} />
      <Stack>
        <FilterCard<FilterValues>
          form={form}
          name="records-filter"
          initialValues={{ tp_code: fixedTp ?? undefined }}
          onFinish={(v) => search(cleanDocFilter(v, fixedTp), sort)}
          loading={list.loading}
          buttons={{ xs: 24, md: fixedTp || choosesTp ? 24 : 12, xl: fixedTp || choosesTp ? 24 : 8 }}
          resetTo={() => ({ tp_code: fixedTp ?? undefined })}
        >
          <FilterField
            label="学籍批次"
            name="cohort"
            rules={[{ pattern: /^\s*\d{4}(\d{2})?\s*$/, message: '学籍批次为 4 位年份（如 2021）或 6 位（如 202109）' }]}
          >
            <Input allowClear placeholder="如 2021 或 202109" maxLength={6} inputMode="numeric" />
          </FilterField>
          <StudentStatusCol />
          <MajorLevelCols majors={majors} />
          {(fixedTp || choosesTp) && (
            <Col {...THIRD}>
              <TpFilterItem fixedTp={fixedTp} fixedName={me.node.name} tps={tps} />
            </Col>
          )}
          <FilterField label="姓名/学号" name="q" tooltip="按姓名、学号或身份证号精确查找">
            <Input allowClear placeholder="姓名、学号或身份证号" maxLength={40} />
          </FilterField>
        </FilterCard>

        <Card size="small">
          <div style={{ display: 'flex', flexWrap: 'wrap', gap: 12, alignItems: 'center', justifyContent: 'space-between', marginBottom: 12 }}>
            <Space wrap>
              <Button type="primary" disabled={!list.data?.total} onClick={() => setExporting(true)}>
                下载报名登记表
              </Button>
              <ExcelExportButton filter={filter} sort={sort} disabled={!list.data?.total} />
              <TickedNote count={ticked.size} hint="可勾选学生（翻页后保留勾选）" onClear={() => setTicked(new Map())} />
            </Space>
            <Space wrap>
              <span>排序方式</span>
              <Select<SortKey>
                aria-label="排序方式"
                style={{ width: 150 }}
                value={sort}
                options={SORT_KEYS.map((k) => ({ value: k, label: SORTS[k] }))}
                onChange={(s) => {
                  setSort(s);
                  search(filter, s);
                }}
              />
            </Space>
          </div>
          <RecordStudentTable list={list} selection={selection} extra={ENROLL_FORM_COLUMN} scrollX={1080} emptyText="没有符合查询条件的学生" />
        </Card>
      </Stack>
      <ExportDialog kind="enroll-forms" open={exporting} onClose={() => setExporting(false)} ticked={[...ticked.keys()]} total={list.data?.total ?? 0} filter={filter} />
    </>
  );
}
