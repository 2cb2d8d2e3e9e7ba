import { useCallback, useEffect, useState } from 'react';
import { Button, Card, Col, Form, Row, Space } from 'antd';
import { api, type Batch, type OrgNode } from '../../api.ts';
import { call } from '../../client.ts';
import { recordsApi, type DocFilter, type StudentRow, type StudentStatus } from '../../../shared/contract/records.ts';
import { ExcelExportButton, ExportDialog } from '../../export-dialog.tsx';
import { RunningExports } from '../../running-exports.tsx';
import { useMe } from '../../session.tsx';
import { BatchFilterItem, cleanDocFilter, MajorLevelCols, RecordStudentTable, StudentStatusCol, TickedNote, TpFilterItem } from '../../student-columns.tsx';
import { FilterButtons, PageTitle, usePagedList, useTickedRows } from '../../ui.tsx';

type FilterValues = Pick<DocFilter, 'batch' | 'tp_code' | 'status' | 'major' | 'level'>;

/** The graduates are printed once they are 毕业 (seed 000 step 六.2). */
const DEFAULT_STATUS: StudentStatus = '毕业';

/** 毕业 → 毕业生档案管理 → 学生学籍档案打印: the graduates of a batch, and their 成绩单 (seed 000 step 六). */
export default function ArchivePrintPage() {
  const me = useMe();
  const fixedTp = me.role === 'tp_admin' ? me.node.code : null;
  const [form] = Form.useForm<FilterValues>();
  const [batches, setBatches] = useState<Batch[]>([]);
  const [tps, setTps] = useState<OrgNode[]>([]);
  const [majors, setMajors] = useState<string[]>([]);
  /** Ticked rows, kept across pages. */
  const { ticked, setTicked, selection } = useTickedRows<StudentRow>();
  const [printing, setPrinting] = useState(false);

  const fetch = useCallback((query: DocFilter & { page: number; page_size: number }) => call(recordsApi.students, { query }), []);
  // The filter of the rows on screen (what 当前查询的全部学生 means): none before the first search.
  const list = usePagedList<DocFilter, StudentRow>(fetch, { lazy: true });
  const [searched, setSearched] = useState(false);

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
    setSearched(true);
    setTicked(new Map());
    void list.search(cleanDocFilter(v, fixedTp));
  };

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
              <StudentStatusCol />
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
            <Button type="primary" disabled={!searched || total === 0} onClick={() => setPrinting(true)}>
              成绩单打印
            </Button>
            <ExcelExportButton filter={list.filter} disabled={!searched || total === 0} />
            <TickedNote count={ticked.size} hint="勾选学生，或在打印时选择“当前查询的全部学生”" onClear={() => setTicked(new Map())} />
          </div>
          <RecordStudentTable
            list={list}
            selection={selection}
            scrollX={1000}
            emptyText={searched ? '没有符合查询条件的学生' : '请选择毕业批次和函授站代码，点击“查询”'}
          />
        </Card>
      </Space>
      <ExportDialog kind="transcripts" open={printing} onClose={() => setPrinting(false)} ticked={[...ticked.keys()]} total={total} filter={list.filter} />
    </>
  );
}
