import { useCallback, useEffect, useState } from 'react';
import { Alert, App as AntApp, Card, Select } from 'antd';
import { call } from '../../client.ts';
import { recordsApi, SORT_KEYS, SORTS, type SortKey, type SortOrderRow } from '../../../shared/contract/records.ts';
import { fmtDateTime, ListTable, PageTitle, Stack } from '../../ui.tsx';

const SORT_OPTIONS = SORT_KEYS.map((k) => ({ value: k, label: SORTS[k] }));

/** 系统管理 → 文档排序标准: each teaching point's 默认排序方式 of its documents (seed 000 step 五, 注意). */
export default function SortOrdersPage() {
  const { message } = AntApp.useApp();
  const [rows, setRows] = useState<SortOrderRow[] | null>(null);
  const [saving, setSaving] = useState<string | null>(null);

  const load = useCallback(async () => {
    setRows((await call(recordsApi.sortOrders)).rows);
  }, []);
  useEffect(() => {
    load().catch(() => setRows([]));
  }, [load]);

  const save = async (row: SortOrderRow, sort: SortKey) => {
    setSaving(row.tp_code);
    try {
      const saved = await call(recordsApi.setSortOrder, { params: { tp_code: row.tp_code }, body: { sort } });
      setRows((rs) => rs?.map((r) => (r.tp_code === saved.tp_code ? saved : r)) ?? rs);
      void message.success(`已将 ${row.tp_name} 的默认排序方式设为“${SORTS[sort]}”。`);
    } catch {
      // shown by the api client
    } finally {
      setSaving(null);
    }
  };

  return (
    <div style={{ maxWidth: 900 }}>
      <PageTitle>文档排序标准</PageTitle>
      <Stack>
        <Alert
          type="info"
          showIcon
          title="入学登记表、毕业生登记表、成绩单和档案袋按同一标准排序，避免封装档案时匹配困难。"
          description="导出这些文档时，未另选排序方式的，按教学点在此设置的默认排序方式排列；导出的文件按此顺序编号（如 0001_学号_姓名.pdf）。"
        />
        <Card size="small">
          <ListTable<SortOrderRow>
            rows={rows}
            rowKey="tp_code"
            pagination={rows && rows.length > 50 ? { pageSize: 50, showTotal: (t) => `共 ${t} 个教学点` } : false}
            locale={{ emptyText: '没有可设置的教学点' }}
            scroll={{ x: 560 }}
            columns={[
              { title: '教学点代码', dataIndex: 'tp_code', width: 110 },
              { title: '教学点', dataIndex: 'tp_name' },
              {
                title: '默认排序方式',
                dataIndex: 'sort',
                width: 170,
                render: (sort: SortKey, r) => (
                  <Select<SortKey>
                    aria-label={`${r.tp_name} 默认排序方式`}
                    style={{ width: 150 }}
                    value={sort}
                    loading={saving === r.tp_code}
                    disabled={saving !== null}
                    options={SORT_OPTIONS}
                    onChange={(s) => void save(r, s)}
                  />
                ),
              },
              { title: '更新时间', dataIndex: 'updated_at', width: 170, render: (t: string | null) => (t ? fmtDateTime(t) : '未设置（系统默认）') },
            ]}
          />
        </Card>
      </Stack>
    </div>
  );
}
