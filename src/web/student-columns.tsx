/** What the student lists share: the identity columns of a student row and the filter-form items that find one. */
import { AutoComplete, Col, Form, Input, Select, Typography } from 'antd';
import type { TableColumnsType, TablePaginationConfig } from 'antd';
import { Link } from 'react-router-dom';
import type { Batch, OrgNode } from './api.ts';
import type { StudentRow } from './api-records.ts';

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
      <Col xs={24} md={12} xl={8}>
        <MajorFilterItem majors={majors} />
      </Col>
      <Col xs={24} md={12} xl={8}>
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

/** Server-side paging of a list of students: sizes 20–200 and “共 N 人”. */
export function studentPagination(
  paging: { page: number; page_size: number },
  total: number,
  onChange: (page: number, page_size: number) => void,
): TablePaginationConfig {
  return {
    current: paging.page,
    pageSize: paging.page_size,
    total,
    showSizeChanger: true,
    pageSizeOptions: [20, 50, 100, 200],
    showTotal: (t) => `共 ${t} 人`,
    onChange,
  };
}
