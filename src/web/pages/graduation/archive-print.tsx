import { useCallback, useState } from 'react';
import { Button, Card, Form } from 'antd';
import { call } from '../../client.ts';
import { recordsApi, type DocFilter, type StudentRow, type StudentStatus } from '../../../shared/contract/records.ts';
import { ExcelExportButton, ExportDialog } from '../../export-dialog.tsx';
import { RunningExports } from '../../running-exports.tsx';
import { useMe } from '../../session.tsx';
import { cleanDocFilter, MajorLevelCols, RecordStudentTable, StudentStatusCol, TickedNote, useFilterChoices } from '../../student-columns.tsx';
import { FilterCard, PageTitle, Stack, usePagedList, useTickedRows } from '../../ui.tsx';
import { BatchTpCols, useOpeningBatch } from './bulk-parts.tsx';

type FilterValues = Pick<DocFilter, 'batch' | 'tp_code' | 'status' | 'major' | 'level'>;

/** The graduates are printed once they are 毕业 (seed 000 step 六.2). */
const DEFAULT_STATUS: StudentStatus = '毕业';

/** 毕业 → 毕业生档案管理 → 学生学籍档案打印: the graduates of a batch, and their 成绩单 (seed 000 step 六). */
export default function ArchivePrintPage() {
  const me = useMe();
  const fixedTp = me.role === 'tp_admin' ? me.node.code : null;
  const [form] = Form.useForm<FilterValues>();
  const { batches, tps, majors } = useFilterChoices({ tps: !fixedTp });
  useOpeningBatch(form, batches);
  /** Ticked rows, kept across pages. */
  const { ticked, setTicked, selection } = useTickedRows<StudentRow>();
  const [printing, setPrinting] = useState(false);

  const fetch = useCallback((query: DocFilter & { page: number; page_size: number }) => call(recordsApi.students, { query }), []);
  // The filter of the rows on screen (what 当前查询的全部学生 means): none before the first search.
  const list = usePagedList<DocFilter, StudentRow>(fetch, { lazy: true });
  const [searched, setSearched] = useState(false);

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
      <Stack>
        <FilterCard<FilterValues>
          form={form}
          name="archive-filter"
          initialValues={{ tp_code: fixedTp ?? undefined, status: DEFAULT_STATUS }}
          onFinish={search}
          loading={list.loading}
          buttons={{ xs: 24, xl: 8 }}
          resetTo={() => ({ tp_code: fixedTp ?? undefined, batch: batches.find((b) => b.is_current)?.code })}
        >
          {/* 函授站代码: the seed's name for the teaching point here (step 六.2). */}
          <BatchTpCols batches={batches} tps={tps} fixedTp={fixedTp} tpLabel="函授站代码" searchBatch />
          <StudentStatusCol />
          <MajorLevelCols majors={majors} />
        </FilterCard>

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
      </Stack>
      <ExportDialog kind="transcripts" open={printing} onClose={() => setPrinting(false)} ticked={[...ticked.keys()]} total={total} filter={list.filter} />
    </>
  );
}
