import { useCallback, useEffect, useRef, useState, type Key, type ReactNode } from 'react';
import { Alert, App as AntApp, Button, Card, Col, Form, Input, Modal, Popconfirm, Row, Space, Table, Tag, Typography } from 'antd';
import type { ColProps, FormInstance, FormItemProps, FormProps, InputProps, TablePaginationConfig, TableProps } from 'antd';
import dayjs from 'dayjs';
import type { Paged } from '../shared/contract.ts';
import type { BulkResult } from '../shared/bulk.ts';
import { stepName } from '../shared/steps.ts';

export const fmtDateTime = (iso: string | null | undefined) => (iso ? dayjs(iso).format('YYYY-MM-DD HH:mm:ss') : '—');

/** 'YYYY-MM-DD' of a dayjs value, or undefined. */
export const day = (d: dayjs.Dayjs | null | undefined) => (d ? d.format('YYYY-MM-DD') : undefined);

/** How a step window stands today: open with days left, not yet open, or over. */
export function windowState(w: { starts_on: string; ends_on: string; effective_ends_on?: string; open?: boolean | null; days_left?: number | null }, today?: string) {
  const ends = w.effective_ends_on ?? w.ends_on;
  const t = today ?? dayjs().format('YYYY-MM-DD');
  const open = w.open ?? (t >= w.starts_on && t <= ends);
  if (open) {
    const left = w.days_left ?? dayjs(ends).diff(dayjs(t), 'day');
    return { kind: 'open' as const, ends, left };
  }
  if (t < w.starts_on) return { kind: 'future' as const, ends, left: dayjs(w.starts_on).diff(dayjs(t), 'day') };
  return { kind: 'past' as const, ends, left: 0 };
}

export function countdownText(s: ReturnType<typeof windowState>): string {
  switch (s.kind) {
    case 'open':
      return s.left <= 0 ? '今天截止' : `距截止还有 ${s.left} 天`;
    case 'future':
      return `${s.left} 天后开始`;
    case 'past':
      return '已结束';
  }
}

export function WindowTag({ state }: { state: ReturnType<typeof windowState> }) {
  switch (state.kind) {
    case 'open':
      return <Tag color="success">办理中</Tag>;
    case 'future':
      return <Tag color="processing">未开始</Tag>;
    case 'past':
      return <Tag>已结束</Tag>;
  }
}

/** The blocks of a page (or of a card) one under another, a middle gap apart, full width. */
export function Stack({ children }: { children: ReactNode }) {
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      {children}
    </Space>
  );
}

/** 原因：… in small grey text on its own line, under a state's tag (不同意, 已取消). */
export function ReasonNote({ reason }: { reason: string }) {
  return (
    <div>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        原因：{reason}
      </Typography.Text>
    </div>
  );
}

/** The page's main action: a primary button right of its title. */
export interface PageAction {
  label: string;
  onClick: () => void;
  disabled?: boolean;
}

/** The title of a page, with `extra` (or the page's main `action`) on its right. */
export function PageTitle({ children, extra, action }: { children: ReactNode; extra?: ReactNode; action?: PageAction | false }) {
  return (
    <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', marginBottom: 16 }}>
      <Typography.Title level={4} style={{ margin: 0 }}>
        {children}
      </Typography.Title>
      <div>
        {action ? (
          <Button type="primary" disabled={action.disabled} onClick={action.onClick}>
            {action.label}
          </Button>
        ) : (
          extra
        )}
      </div>
    </div>
  );
}

/**
 * A text field of a form: when `required` is given, something other than spaces must be written (else that
 * message), then `rules`; at most `maxLength` characters; a text area with a count when `rows` is given.
 */
export function TextField({
  required, rules = [], maxLength, placeholder, rows, input, ...item
}: Omit<FormItemProps, 'required' | 'children'> & {
  required?: string;
  maxLength?: number;
  placeholder?: string;
  rows?: number;
  /** More of the input (type, inputMode …). */
  input?: InputProps;
}) {
  return (
    <Form.Item {...item} rules={required ? [{ required: true, whitespace: true, message: required }, ...rules] : rules}>
      {rows ? (
        <Input.TextArea rows={rows} maxLength={maxLength} showCount placeholder={placeholder} />
      ) : (
        <Input maxLength={maxLength} placeholder={placeholder} {...input} />
      )}
    </Form.Item>
  );
}

/** A filter in one line above a paged list: its fields, then 查询, which shows page 1 of `toFilter(the form's values)`. */
export function InlineFilter<V, F>({
  list, toFilter, children, ...props
}: Omit<FormProps<V>, 'layout' | 'style' | 'children' | 'onFinish'> & {
  list: { loading: boolean; search: (f: F) => Promise<unknown> };
  toFilter: (v: V) => F;
  children: ReactNode;
}) {
  return (
    <Form<V> layout="inline" style={{ marginBottom: 12, rowGap: 8 }} onFinish={(v) => void list.search(toFilter(v))} {...props}>
      {children}
      <Form.Item>
        <Button type="primary" htmlType="submit" loading={list.loading}>
          查询
        </Button>
      </Form.Item>
    </Form>
  );
}

/** A column of a FilterCard's row: a third of the row on wide screens, half on medium ones. */
export const THIRD: ColProps = { xs: 24, md: 12, xl: 8 };

/** One field of a FilterCard in its column (THIRD). */
export function FilterField({ children, ...item }: FormItemProps & { children: ReactNode }) {
  return (
    <Col {...THIRD}>
      <Form.Item {...item}>{children}</Form.Item>
    </Col>
  );
}

/**
 * The filter of a list page: a form in a small card, its fields in one row of columns, 重置 and 查询 in the
 * last column (`buttons`: the whole row unless told). 重置 empties the form, then sets what `resetTo` gives
 * (read before the form empties: it may keep a chosen field).
 */
export function FilterCard<F>({
  form, loading, resetTo, buttons = { xs: 24 }, wrap, labelCol = { flex: '96px' }, children, ...props
}: Omit<FormProps<F>, 'form' | 'children'> & {
  form: FormInstance<F>;
  loading: boolean;
  resetTo?: () => Parameters<FormInstance<F>['setFieldsValue']>[0];
  buttons?: ColProps;
  /** The buttons wrap on a narrow screen. */
  wrap?: boolean;
  children: ReactNode;
}) {
  const reset = () => {
    const keep = resetTo?.();
    form.resetFields();
    if (keep) form.setFieldsValue(keep);
  };
  return (
    <Card size="small">
      <Form<F> form={form} labelCol={labelCol} {...props}>
        <Row gutter={16}>
          {children}
          <Col {...buttons} style={{ textAlign: 'right' }}>
            <Space wrap={wrap}>
              <Button onClick={reset}>重置</Button>
              <Button type="primary" htmlType="submit" loading={loading}>
                查询
              </Button>
            </Space>
          </Col>
        </Row>
      </Form>
    </Card>
  );
}

const bulkTitle = (action: string, r: BulkResult, unit: string) =>
  `${action}：成功 ${r.changed} ${unit}，无需变更 ${r.unchanged} ${unit}，未通过 ${r.refused.length} ${unit}`;

/**
 * What a bulk action did (the shared BulkResult): 成功, 无需变更, and each refusal with its message — the
 * student's 学号 and 姓名 when the server names them (never for a row outside the caller's scope). A live region.
 * `unit` counts the rows: 人 for students, 项 for papers.
 */
export function ActionResultPanel({ action, result, onClose, unit = '人' }: { action: string; result: BulkResult; onClose: () => void; unit?: string }) {
  const { refused } = result;
  const named = refused.some((r) => r.student_no !== undefined);
  return (
    <div role="status" aria-label="操作结果">
      <Alert
        type={refused.length ? 'warning' : 'success'}
        showIcon
        closable={{ onClose }}
        title={bulkTitle(action, result, unit)}
        description={
          refused.length ? (
            <Table
              size="small"
              rowKey="key"
              style={{ marginTop: 8 }}
              // One student may be refused more than once (材料: a refusal per paper).
              dataSource={refused.map((r, key) => ({ ...r, key }))}
              pagination={refused.length > 10 ? { pageSize: 10, size: 'small' } : false}
              columns={[
                ...(named
                  ? [
                      { title: '学号', dataIndex: 'student_no', width: 160, render: (v?: string) => v ?? '—' },
                      { title: '姓名', dataIndex: 'name', width: 100, render: (v?: string) => v ?? '—' },
                    ]
                  : []),
                { title: '未通过原因', dataIndex: 'message' },
              ]}
            />
          ) : undefined
        }
      />
    </div>
  );
}

/**
 * The last bulk action of a page: `show(action, result)` toasts its first line (or `toast`) and keeps it for
 * `panel`, the ActionResultPanel to place on the page; `clear()` removes it (a new query).
 */
export function useBulkResult(unit = '人') {
  const { message } = AntApp.useApp();
  const [shown, setShown] = useState<{ action: string; result: BulkResult } | null>(null);
  const show = (action: string, result: BulkResult, toast = bulkTitle(action, result, unit)) => {
    setShown({ action, result });
    if (result.refused.length) void message.warning(toast);
    else void message.success(toast);
  };
  const clear = () => setShown(null);
  const panel = shown && <ActionResultPanel action={shown.action} result={shown.result} unit={unit} onClose={clear} />;
  return { show, clear, panel };
}

/** A table's 合计 row: 合计 over the first `colSpan` columns, then the totals right-aligned from column index `from`. */
export function TotalsRow({ colSpan, from, totals }: { colSpan?: number; from: number; totals: ReactNode[] }) {
  return (
    <Table.Summary.Row>
      <Table.Summary.Cell index={0} colSpan={colSpan}>
        合计
      </Table.Summary.Cell>
      {totals.map((t, i) => (
        <Table.Summary.Cell key={from + i} index={from + i} align="right">
          {t}
        </Table.Summary.Cell>
      ))}
    </Table.Summary.Row>
  );
}

/**
 * One action at a time: `busy` while it runs. `exclusive(fn)` runs fn unless another action is under way;
 * `run(fn, ok)` also shows `ok` and reloads after fn. Both answer whether fn ran and succeeded
 * (errors are shown by the api client). Without `reload`, `run` reloads nothing.
 */
export function useBusyAction(reload: () => Promise<unknown> = async () => undefined) {
  const { message } = AntApp.useApp();
  const [busy, setBusy] = useState(false);
  const exclusive = async (fn: () => Promise<unknown>) => {
    if (busy) return false;
    setBusy(true);
    try {
      await fn();
      return true;
    } catch {
      return false;
    } finally {
      setBusy(false);
    }
  };
  const run = (fn: () => Promise<unknown>, ok: string) =>
    exclusive(async () => {
      await fn();
      void message.success(ok);
      await reload();
    });
  return { busy, run, exclusive };
}

/** A modal holding one form: 取消 and okText (保存 unless told) in the footer, rendered before it first opens so the form can be filled. */
export function FormModal<T>({
  title,
  open,
  busy,
  okText = '保存',
  onOk,
  onCancel,
  form,
  name,
  width,
  formProps = { layout: 'vertical' },
  children,
}: {
  title: ReactNode;
  open: boolean;
  busy: boolean;
  okText?: string;
  onOk: () => Promise<unknown>;
  onCancel: () => void;
  form: FormInstance<T>;
  name: string;
  width?: number;
  /** Layout of the form; vertical unless told. */
  formProps?: Pick<FormProps<T>, 'layout' | 'labelCol' | 'labelWrap'>;
  children: ReactNode;
}) {
  return (
    <Modal title={title} open={open} width={width} okText={okText} cancelText="取消" confirmLoading={busy} onOk={() => void onOk()} onCancel={onCancel} forceRender>
      <Form<T> form={form} name={name} {...formProps}>
        {children}
      </Form>
    </Modal>
  );
}

/** 启用 for a disabled row; 停用, asked first, for an enabled one. onChange gets the new disabled value. */
export function DisableToggle({ disabled, title, description, onChange }: { disabled: boolean; title: string; description: string; onChange: (disabled: boolean) => Promise<unknown> }) {
  return disabled ? (
    <a onClick={() => void onChange(false)}>启用</a>
  ) : (
    <Popconfirm title={title} description={description} okText="停用" cancelText="取消" okButtonProps={{ danger: true }} onConfirm={() => onChange(true)}>
      <a style={{ color: '#ff4d4f' }}>停用</a>
    </Popconfirm>
  );
}

/**
 * The one paged list of every list page: `search(f)` shows page 1 of f, `reload()` the page on screen,
 * `pagination(showTotal)` drives the table. The first page of the empty filter is read at once, unless `lazy`
 * (a list that means nothing before its filter is chosen: nothing is read before the first search).
 * Only the latest request's answer is shown: a slow answer to an earlier filter never overwrites a newer one.
 * `filter` is the query on screen (what "当前查询的全部学生" sends). Ticks across pages: `useTickedRows`.
 */
export function usePagedList<F extends object, R, P extends Paged<R> = Paged<R>>(
  fetch: (q: F & { page: number; page_size: number }) => Promise<P>,
  { lazy = false, pageSize = 20, initial }: { lazy?: boolean; pageSize?: number; initial?: F } = {},
) {
  const [filter, setFilter] = useState<F>(initial ?? ({} as F));
  const [paging, setPaging] = useState({ page: 1, page_size: pageSize });
  // P: a page may carry more than its rows (预毕业确认 its window, 登记表 the counts per state).
  const [data, setData] = useState<P | null>(null);
  const [loading, setLoading] = useState(false);
  const latest = useRef(0);

  const load = useCallback(
    async (f: F, page: number, page_size: number): Promise<P | null> => {
      const mine = ++latest.current;
      setLoading(true);
      try {
        const res = await fetch({ ...f, page, page_size });
        if (mine !== latest.current) return null;
        setData(res);
        return res;
      } catch {
        return null; // shown by the client
      } finally {
        if (mine === latest.current) setLoading(false);
      }
    },
    [fetch],
  );

  useEffect(() => {
    if (!lazy) void load(initial ?? ({} as F), 1, pageSize);
    // The first read only: later reads are the user's (search, paging).
  }, [load, lazy]);

  const search = (f: F) => {
    setFilter(f);
    setPaging((p) => ({ ...p, page: 1 }));
    return load(f, 1, paging.page_size);
  };

  const reload = () => load(filter, paging.page, paging.page_size);

  const pagination = (showTotal: (total: number) => string): TablePaginationConfig => ({
    current: paging.page,
    pageSize: paging.page_size,
    total: data?.total ?? 0,
    showSizeChanger: true,
    showTotal,
    onChange: (page, page_size) => {
      setPaging({ page, page_size });
      void load(filter, page, page_size);
    },
  });

  return { data, setData, loading, filter, search, reload, pagination };
}

/**
 * A table of rows read at once, loading while `rows` is null: small rows keyed by `id`, unless told otherwise;
 * paged by `pageSize` only when there are more rows than that (else, and by default, on one page).
 */
export function ListTable<R extends object>({
  rows, pageSize, ...props
}: Omit<TableProps<R>, 'dataSource'> & { rows: readonly R[] | null; pageSize?: number }) {
  return (
    <Table<R>
      rowKey="id"
      size="small"
      loading={rows === null}
      dataSource={rows ?? []}
      pagination={pageSize && (rows?.length ?? 0) > pageSize ? { pageSize, size: 'small' } : false}
      {...props}
    />
  );
}

/** What a PagedTable reads of a usePagedList. */
export interface PagedView<R> {
  loading: boolean;
  data: Paged<R> | null;
  pagination: (showTotal: (total: number) => string) => TablePaginationConfig;
}

/** The page sizes of a list of students: 20 to 200 a page. */
export const STUDENT_PAGE_SIZES: TablePaginationConfig = { pageSizeOptions: [20, 50, 100, 200] };

/**
 * The one table of a paged list (a usePagedList): its rows, loading and paging, “共 N {unit}” below; small rows
 * keyed by `id`, unless told otherwise. `paging` adds to the pagination (STUDENT_PAGE_SIZES, no size changer …).
 */
export function PagedTable<R extends object>({
  list, unit, paging, ...props
}: Omit<TableProps<R>, 'dataSource' | 'pagination'> & { list: PagedView<R>; unit: string; paging?: TablePaginationConfig }) {
  return (
    <Table<R>
      rowKey="id"
      size="small"
      loading={list.loading}
      dataSource={list.data?.rows ?? []}
      pagination={{ ...list.pagination((t) => `共 ${t} ${unit}`), ...paging }}
      {...props}
    />
  );
}

/**
 * One dialog that edits one object with a form (a FormModal): `show(target, values)` opens it, reset and
 * filled; `modal(act)` gives the FormModal its open/form/cancel/ok, where 确定 validates the form, runs
 * `act` (e.g. useBusyAction's `run`, which tells whether it succeeded) and closes the dialog on success.
 */
export function useFormDialog<T, V>() {
  const [form] = Form.useForm<V>();
  const [target, setTarget] = useState<T | null>(null);
  const show = (t: T, values?: Parameters<FormInstance<V>['setFieldsValue']>[0]) => {
    form.resetFields();
    if (values) form.setFieldsValue(values);
    setTarget(t);
  };
  const close = () => setTarget(null);
  const modal = (act: (t: T, v: V) => Promise<boolean>) => ({
    open: target !== null,
    form,
    onCancel: close,
    onOk: async () => {
      if (target === null) return;
      const v = await form.validateFields().catch(() => null);
      if (v !== null && (await act(target, v))) close();
    },
  });
  return { form, target, show, close, modal };
}

/** before → after of an audit entry, one line per changed field. */
const FIELD_NAMES: Record<string, string> = {
  name: '名称',
  code: '代码',
  kind: '类型',
  disabled: '停用',
  display_name: '姓名',
  username: '用户名',
  role: '角色',
  node: '单位',
  node_id: '单位',
  parent_id: '上级单位',
  head_teacher_id: '班主任',
  confirm_status: '确认状态',
  confirm_reason: '原因',
  reason: '原因',
  step: '环节',
  starts_on: '开始',
  ends_on: '截止',
  windows: '办理时间',
  task: '任务',
  batch: '批次',
  issue_date: '发证日期',
  is_current: '当前批次',
};

/** Codes shown by their Chinese names. */
const VALUE_NAMES: Record<string, Record<string, string>> = {
  role: { hq_admin: '总部管理员', branch_admin: '分部管理员', tp_admin: '教学点教师', head_teacher: '班主任', student: '学生' },
  kind: { hq: '总部', branch: '分部', tp: '教学点', class: '班级' },
};

function showValue(v: unknown): string {
  if (v === undefined) return '（无）';
  if (v === null) return '空';
  if (v === true) return '是';
  if (v === false) return '否';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

type StepWindow = { step: string; starts_on?: string; ends_on?: string };
const isWindowList = (v: unknown): v is StepWindow[] =>
  Array.isArray(v) && v.every((x) => isRecord(x) && typeof x.step === 'string');
const span = (w: StepWindow | undefined) => (w ? `${w.starts_on ?? '?'}～${w.ends_on ?? '?'}` : '（未设置）');

export function changeLines(before: unknown, after: unknown): string[] {
  if (before == null && after == null) return [];
  // Step windows (设置办理时间): one line per step that changed.
  if ((before == null || isWindowList(before)) && isWindowList(after)) {
    const old = new Map((before ?? []).map((w) => [w.step, w]));
    return after
      .filter((w) => span(old.get(w.step)) !== span(w))
      .map((w) => `${stepName(w.step)}：${before == null ? '' : `${span(old.get(w.step))} → `}${span(w)}`);
  }
  if (!isRecord(before) && !isRecord(after)) return [`${showValue(before)} → ${showValue(after)}`];
  const b = isRecord(before) ? before : {};
  const a = isRecord(after) ? after : {};
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  const lines: string[] = [];
  for (const k of keys) {
    const label = FIELD_NAMES[k] ?? k;
    const show = (v: unknown) =>
      typeof v === 'string' && k === 'step' ? stepName(v) : typeof v === 'string' && VALUE_NAMES[k]?.[v] ? VALUE_NAMES[k][v] : showValue(v);
    const inB = k in b;
    const inA = k in a;
    if (inB && inA) {
      if (JSON.stringify(b[k]) === JSON.stringify(a[k])) continue;
      lines.push(`${label}：${show(b[k])} → ${show(a[k])}`);
    } else if (inA) {
      lines.push(before == null ? `${label}：${show(a[k])}` : `${label}：（无） → ${show(a[k])}`);
    } else {
      // Only in before: for a partial update (PATCH) the field did not change.
      if (after == null) lines.push(`${label}：${show(b[k])} → （删除）`);
    }
  }
  return lines;
}

/**
 * Ticked rows kept across pages, as the rows themselves (a bulk action sends each one's version): spread
 * `selection` into a Table's rowSelection; `setTicked(new Map())` clears.
 */
export function useTickedRows<R extends { id: number }>() {
  const [ticked, setTicked] = useState<Map<number, R>>(new Map());
  const selection = {
    preserveSelectedRowKeys: true,
    selectedRowKeys: [...ticked.keys()],
    onChange: (keys: Key[], rows: (R | undefined)[]) => {
      setTicked((prev) => {
        const next = new Map<number, R>();
        for (const k of keys) {
          const id = Number(k);
          const row = rows.find((x) => x?.id === id) ?? prev.get(id);
          if (row) next.set(id, row);
        }
        return next;
      });
    },
  };
  return { ticked, setTicked, selection };
}
