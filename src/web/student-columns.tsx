/** What the student lists share: the identity columns of a student row and the filter-form items that find one. */
import { useEffect, useMemo, useState } from 'react';
import { AutoComplete, Button, Col, Form, Input, Select, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import type { TableRowSelection } from 'antd/es/table/interface';
import { Link } from 'react-router-dom';
import { batchesApi, type Batch } from '../shared/contract/batches.ts';
import { orgApi, type OrgNode } from '../shared/contract/org.ts';
import { programmesApi } from '../shared/contract/programmes.ts';
import { STUDENT_STATUSES, type DocFilter, type StudentRow } from '../shared/contract/records.ts';
import { call } from './client.ts';
import { FilterField, PagedTable, type PagedView, STUDENT_PAGE_SIZES, THIRD } from './ui.tsx';

/** The fields of a row that the identity columns show. */
export type StudentIdentity = Pick<StudentRow, 'student_no' | 'name' | 'id_number_masked' | 'level' | 'major' | 'tp_code' | 'tp_name'> &
  Partial<Pick<StudentRow, 'gender' | 'cohort'>> & { branch_name?: string };

/** Column widths; a column whose width is left out is not shown (性别, 学籍批次, 分部). */
export interface StudentColumnWidths {
  student_no: number;
  name: number;
  gender?: number;
  id_number: number;
  cohort?: number;
  level: number;
  major: number;
  branch?: number;
  tp: number;
}

/** 教学点: the code, and the name below it in small grey text. */
export function tpColumn<T extends Pick<StudentIdentity, 'tp_code' | 'tp_name'>>(width: number): TableColumnsType<T>[number] {
  return {
    title: '教学点',
    key: 'tp',
    width,
    render: (_: unknown, r: T) => (
      <>
        <div>{r.tp_code}</div>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {r.tp_name}
        </Typography.Text>
      </>
    ),
  };
}

/** Where a student's name leads: 毕业准备情况, or the 学籍卡. */
export const readinessPath = (id: number) => `/graduation/readiness/${id}`;
export const recordCardPath = (id: number) => `/records/students/${id}`;

/**
 * 学号, 姓名 (a link, to the student's 毕业准备情况 unless `to` says otherwise), [性别], 身份证号, [学籍批次], 层次,
 * 专业, [分部], 教学点. `link` gives the student id of a row; `fixed` pins 学号 to the left.
 */
export function studentColumns<T extends StudentIdentity>({
  link,
  to = readinessPath,
  widths: w,
  fixed = true,
}: {
  link: (r: T) => number;
  to?: (id: number) => string;
  widths: StudentColumnWidths;
  fixed?: boolean;
}): TableColumnsType<T> {
  const cols: TableColumnsType<T> = [
    fixed ? { title: '学号', dataIndex: 'student_no', width: w.student_no, fixed: 'left' } : { title: '学号', dataIndex: 'student_no', width: w.student_no },
    { title: '姓名', dataIndex: 'name', width: w.name, render: (n: string, r: T) => <Link to={to(link(r))}>{n}</Link> },
  ];
  if (w.gender !== undefined) cols.push({ title: '性别', dataIndex: 'gender', width: w.gender });
  cols.push({ title: '身份证号', dataIndex: 'id_number_masked', width: w.id_number });
  if (w.cohort !== undefined) cols.push({ title: '学籍批次', dataIndex: 'cohort', width: w.cohort });
  cols.push({ title: '层次', dataIndex: 'level', width: w.level }, { title: '专业', dataIndex: 'major', width: w.major });
  if (w.branch !== undefined) cols.push({ title: '分部', dataIndex: 'branch_name', width: w.branch });
  cols.push(tpColumn<T>(w.tp));
  return cols;
}

/**
 * The teaching-point filter item (field `tp_code`): a teaching point sees its own code, fixed;
 * above it, a searchable select of the teaching points.
 */
export function TpFilterItem({ label = '教学点代码', fixedTp, fixedName, tps }: { label?: string; fixedTp: string | null; fixedName: string; tps: OrgNode[] }) {
  return fixedTp ? (
    <Form.Item label={label} name="tp_code" extra={fixedName}>
      <Input disabled />
    </Form.Item>
  ) : (
    <Form.Item label={label} name="tp_code">
      <Select allowClear showSearch={{ optionFilterProp: 'label' }} placeholder="全部教学点" options={tps.map((t) => ({ value: t.code, label: `${t.code} ${t.name}` }))} />
    </Form.Item>
  );
}

/** The 专业 filter item (field `major`): free text with the known majors offered. */
export function MajorFilterItem({ majors }: { majors: string[] }) {
  return (
    <Form.Item label="专业" name="major">
      <AutoComplete
        allowClear
        placeholder="全部专业"
        options={majors.map((m) => ({ value: m }))}
        showSearch={{ filterOption: (input, o) => String(o?.value ?? '').includes(input) }}
      />
    </Form.Item>
  );
}

/** The 层次 filter item (field `level`). */
export function LevelFilterItem() {
  return (
    <Form.Item label="层次" name="level">
      <Select allowClear placeholder="全部" options={[{ value: '专科' }, { value: '本科' }]} />
    </Form.Item>
  );
}

/** 专业 then 层次, each in a column of a filter form's row (a third of the row on wide screens). */
export function MajorLevelCols({ majors }: { majors: string[] }) {
  return (
    <>
      <Col {...THIRD}>
        <MajorFilterItem majors={majors} />
      </Col>
      <Col {...THIRD}>
        <LevelFilterItem />
      </Col>
    </>
  );
}

/** 毕业批次 of a filter form (required): the batches by code and name, the current one marked. */
export function BatchFilterItem({ batches, search = false }: { batches: Batch[]; search?: boolean }) {
  return (
    <Form.Item label="毕业批次" name="batch" rules={[{ required: true, message: '请选择毕业批次' }]}>
      <Select
        placeholder="请选择毕业批次"
        showSearch={search ? { optionFilterProp: 'label' } : undefined}
        labelRender={(p) => {
          const b = batches.find((x) => x.code === p.value);
          return b ? `${b.code}${b.is_current ? '（当前批次）' : ''}` : p.label;
        }}
        options={batches.map((b) => ({ value: b.code, label: `${b.code} ${b.name}${b.is_current ? '（当前）' : ''}` }))}
      />
    </Form.Item>
  );
}

/**
 * What the filters offer, each read once unless left out: the batches, the teaching points (not for a
 * teaching point, whose own is fixed) and the names of the majors.
 */
export function useFilterChoices({ batches: withBatches = true, tps: withTps = true, majors: withMajors = true } = {}) {
  const [batches, setBatches] = useState<Batch[]>([]);
  const [tps, setTps] = useState<OrgNode[]>([]);
  const [majors, setMajors] = useState<string[]>([]);
  useEffect(() => {
    if (withBatches) call(batchesApi.list).then(setBatches, () => undefined);
    if (withTps) call(orgApi.nodes, { query: { kind: 'tp' } }).then(setTps, () => undefined);
    if (withMajors) call(programmesApi.majors).then((l) => setMajors([...new Set(l.map((m) => m.major))]), () => undefined);
  }, [withBatches, withTps, withMajors]);
  return { batches, tps, majors };
}

// ——— The 学籍 lists (学籍卡查询, 学生学籍档案打印): the same rows, ticks and filter ———

/** The filter of a 学籍 list as the server takes it: text trimmed, empty fields left out; a teaching point's own code. */
export function cleanDocFilter(v: DocFilter, fixedTp: string | null): DocFilter {
  const text = (s: string | undefined) => s?.trim() || undefined;
  const all: DocFilter = {
    cohort: text(v.cohort), status: v.status, major: text(v.major), level: v.level, tp_code: fixedTp ?? v.tp_code, q: text(v.q), batch: v.batch,
  };
  return Object.fromEntries(Object.entries(all).filter(([, x]) => x)) as DocFilter;
}

const NO_COLUMNS: TableColumnsType<StudentRow> = [];
const STATUS_COLORS: Record<string, string> = { 在籍: 'processing', 毕业: 'success', 退学: 'error', 休学: 'warning' };

/** 学籍状态 of a filter form (field `status`), in a column (a third of the row on wide screens). */
export function StudentStatusCol() {
  return (
    <FilterField label="学籍状态" name="status">
      <Select allowClear placeholder="全部" options={STUDENT_STATUSES.map((s) => ({ value: s }))} />
    </FilterField>
  );
}

/** How many rows are ticked (kept across pages), and 清除勾选; `hint` while none is. */
export function TickedNote({ count, hint, onClear }: { count: number; hint: string; onClear: () => void }) {
  return (
    <Typography.Text type="secondary">
      {count ? `已勾选 ${count} 人` : hint}
      {count > 0 && (
        <Button type="link" size="small" onClick={onClear}>
          清除勾选
        </Button>
      )}
    </Typography.Text>
  );
}

/** The students of a 学籍 list: identity (the name leads to the 学籍卡), 学籍状态, `extra` columns; ticks kept across pages. */
export function RecordStudentTable({ list, selection, extra = NO_COLUMNS, scrollX, emptyText }: {
  list: PagedView<StudentRow>;
  selection: TableRowSelection<StudentRow>;
  extra?: TableColumnsType<StudentRow>;
  scrollX: number;
  emptyText: string;
}) {
  const columns: TableColumnsType<StudentRow> = useMemo(
    () => [
      ...studentColumns<StudentRow>({ link: (r) => r.id, to: recordCardPath, widths: { student_no: 132, name: 84, gender: 50, id_number: 170, cohort: 80, level: 56, major: 150, tp: 140 } }),
      { title: '学籍状态', dataIndex: 'status', width: 80, render: (s: string) => <Tag color={STATUS_COLORS[s]}>{s}</Tag> },
      ...extra,
    ],
    [extra],
  );
  return <TickedTable<StudentRow> list={list} selection={selection} columns={columns} scroll={{ x: scrollX }} emptyText={emptyText} />;
}

/** A paged list of students to tick (ticks kept across pages: `selection` of useTickedRows), 20 to 200 a page. */
export function TickedTable<R extends { id: number }>({
  selection, emptyText, ...props
}: Omit<Parameters<typeof PagedTable<R>>[0], 'unit' | 'paging' | 'rowSelection'> & { selection: TableRowSelection<R> | undefined; emptyText: string }) {
  return <PagedTable<R> unit="人" paging={STUDENT_PAGE_SIZES} locale={{ emptyText }} rowSelection={{ fixed: true, ...selection }} {...props} />;
}
