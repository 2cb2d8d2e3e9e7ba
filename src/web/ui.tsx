import { useCallback, useEffect, useRef, useState, type Key, type ReactNode } from 'react';
import { Alert, App as AntApp, Button, Form, Modal, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import type { FormInstance, FormProps, TablePaginationConfig } from 'antd';
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

export function PageTitle({ children, extra }: { children: ReactNode; extra?: ReactNode }) {
  return (
    <div style={{ display: 'flex', alignItems: 'center', justifyContent: 'space-between', marginBottom: 16 }}>
      <Typography.Title level={4} style={{ margin: 0 }}>
        {children}
      </Typography.Title>
      <div>{extra}</div>
    </div>
  );
}

/** The 查询 button of an inline filter form. */
export function QueryButtonItem({ loading }: { loading: boolean }) {
  return (
    <Form.Item>
      <Button type="primary" htmlType="submit" loading={loading}>
        查询
      </Button>
    </Form.Item>
  );
}

/** The 重置 and 查询 buttons of a filter form. */
export function FilterButtons({ loading, onReset, wrap }: { loading: boolean; onReset: () => void; wrap?: boolean }) {
  return (
    <Space wrap={wrap}>
      <Button onClick={onReset}>重置</Button>
      <Button type="primary" htmlType="submit" loading={loading}>
        查询
      </Button>
    </Space>
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
 * (errors are shown by the api client).
 */
export function useBusyAction(reload: () => Promise<unknown>) {
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
