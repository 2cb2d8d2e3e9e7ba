import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Alert, App as AntApp, Button, Card, Form, Input, Radio, Select, Space, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { call } from '../../client.ts';
import { auditApi } from '../../../shared/contract/audit.ts';
import { batchesApi } from '../../../shared/contract/batches.ts';
import {
  CONFIRM_STATUSES,
  confirmationApi,
  type Candidate,
  type CandidatePage,
  type ConfirmFilter,
  type ConfirmStatus,
  type ConfirmWindow,
  type ListFilter,
  type Selection,
  type TpCount,
} from '../../../shared/contract/confirmation.ts';
import { useMe } from '../../session.tsx';
import { MajorLevelCols, studentColumns, TickedTable, useFilterChoices } from '../../student-columns.tsx';
import { FilterCard, FilterField, fmtDateTime, ListTable, PageTitle, ReasonNote, Stack, TotalsRow, useBulkResult, usePagedList, useTickedRows } from '../../ui.tsx';
import { ActionBar, BatchTpCols, ReasonModal, useOpeningBatch } from './bulk-parts.tsx';

type Action = 'agree' | 'disagree' | 'undo';
const ACTION_LABELS: Record<Action, string> = { agree: '同意毕业', disagree: '不同意', undo: '撤销确认' };

/** The filter form: the filter before a batch is chosen. */
type FilterValues = Partial<ConfirmFilter>;

const STATUS_COLORS: Record<ConfirmStatus, string> = { 待确认: 'default', 同意毕业: 'success', 不同意: 'error' };

function cleanFilter(v: FilterValues, fixedTp: string | null): ConfirmFilter {
  const f: ConfirmFilter = { batch: v.batch! };
  const tp = fixedTp ?? v.tp_code;
  if (tp) f.tp_code = tp;
  if (v.major?.trim()) f.major = v.major.trim();
  if (v.level) f.level = v.level;
  if (v.status) f.status = v.status;
  if (v.eligible) f.eligible = v.eligible;
  if (v.q?.trim()) f.q = v.q.trim();
  return f;
}

function WindowNotice({ batch, window }: { batch: string; window: ConfirmWindow | null | undefined }) {
  if (window === undefined) return null;
  if (window === null) {
    return <Alert type="warning" showIcon title={`毕业批次 ${batch} 尚未设置“预毕业确认”的办理时间，请联系总部设置。`} />;
  }
  if (!window.open) {
    return (
      <Alert
        type="warning"
        showIcon
        title={`“预毕业确认”的办理时间为 ${window.starts_on} 至 ${window.ends_on}，当前不在办理时间内。`}
        description="如需延期办理，请联系总部为本单位延长办理时间。"
      />
    );
  }
  const left = window.days_left ?? 0;
  return (
    <Alert
      type="success"
      showIcon
      title={
        <span>
          预毕业确认办理时间：{window.starts_on} 至 {window.ends_on}，
          <Typography.Text strong type={left <= 3 ? 'danger' : undefined}>
            {left <= 0 ? '今天是最后一天' : `距截止还有 ${left} 天`}
          </Typography.Text>
        </span>
      }
    />
  );
}

function CountsCard({ counts, onPick }: { counts: TpCount[] | null; onPick: (tpCode: string) => void }) {
  const sum = (k: keyof TpCount) => (counts ?? []).reduce((s, c) => s + Number(c[k]), 0);
  return (
    <Card size="small" title="各教学点预毕业确认情况">
      <ListTable<TpCount>
        rows={counts}
        pageSize={10}
        rowKey="tp_id"
        columns={[
          { title: '分部', dataIndex: 'branch_name' },
          {
            title: '教学点代码',
            dataIndex: 'tp_code',
            render: (code: string) => (
              <Tooltip title="按此教学点查询">
                <a onClick={() => onPick(code)}>{code}</a>
              </Tooltip>
            ),
          },
          { title: '教学点', dataIndex: 'tp_name' },
          { title: '候选人数', dataIndex: 'candidates', align: 'right' },
          { title: '符合条件', dataIndex: 'eligible', align: 'right' },
          { title: '同意毕业', dataIndex: 'agreed', align: 'right' },
          { title: '不同意', dataIndex: 'refused', align: 'right' },
          { title: '待确认', dataIndex: 'pending', align: 'right' },
        ]}
        summary={() =>
          counts && counts.length > 1 ? (
            <TotalsRow colSpan={3} from={3} totals={[sum('candidates'), sum('eligible'), sum('agreed'), sum('refused'), sum('pending')]} />
          ) : null
        }
      />
    </Card>
  );
}

const fetchCandidates = (query: ListFilter) => call(confirmationApi.list, { query });

export default function ConfirmPage() {
  const me = useMe();
  const { modal } = AntApp.useApp();
  const fixedTp = me.role === 'tp_admin' ? me.node.code : null;
  const [form] = Form.useForm<FilterValues>();

  const { batches, tps, majors } = useFilterChoices({ tps: !fixedTp });
  useOpeningBatch(form, batches);
  const list = usePagedList<ConfirmFilter, Candidate, CandidatePage>(fetchCandidates, { lazy: true, pageSize: 50 });
  const data = list.data;
  /** The filter of the rows on screen (what 当前查询的全部学生 means); null before the first query. */
  const query = list.filter.batch ? list.filter : null;
  const { ticked: selected, setTicked: setSelected, selection: tickSelection } = useTickedRows<Candidate>();
  const [scope, setScope] = useState<'selected' | 'all'>('selected');
  const [busy, setBusy] = useState<Action | 'urgent' | 'not-urgent' | null>(null);
  const busyRef = useRef(false);
  const bulk = useBulkResult();
  const [counts, setCounts] = useState<TpCount[] | null>(null);
  const [disagreeOpen, setDisagreeOpen] = useState(false);
  /** The confirm window of the batch chosen in the filter, before any query. */
  const [batchWindow, setBatchWindow] = useState<{ batch: string; window: ConfirmWindow | null } | null>(null);
  const formBatch = Form.useWatch('batch', form);

  // The window of the chosen batch, as it stands for this user's node.
  useEffect(() => {
    if (!formBatch) return;
    let stale = false;
    call(batchesApi.get, { params: { code: formBatch } }).then((b) => {
      if (stale) return;
      const w = b.windows.find((x) => x.step === 'confirm');
      setBatchWindow({
        batch: b.code,
        window: w ? { starts_on: w.starts_on, ends_on: w.effective_ends_on ?? w.ends_on, open: w.open ?? false, days_left: w.open ? (w.days_left ?? 0) : null } : null,
      });
    }, () => undefined);
    return () => {
      stale = true;
    };
  }, [formBatch]);

  const loadCounts = useCallback(
    (batch: string) => {
      if (fixedTp) return;
      setCounts(null);
      call(confirmationApi.counts, { query: { batch } }).then(setCounts, () => setCounts([]));
    },
    [fixedTp],
  );

  const search = (v: FilterValues) => {
    if (!v.batch) return;
    const f = cleanFilter(v, fixedTp);
    setSelected(new Map());
    bulk.clear();
    void list.search(f);
    loadCounts(f.batch);
  };

  const pickTp = (code: string) => {
    form.setFieldsValue({ tp_code: code });
    search(form.getFieldsValue());
  };

  const windowShown: ConfirmWindow | null | undefined =
    data && query ? data.window : batchWindow && batchWindow.batch === formBatch ? batchWindow.window : undefined;
  const windowBatch = data && query ? query.batch : (formBatch ?? '');
  // A teaching point cannot act outside its window; above it, the server judges each teaching point's own window.
  const closedForMe = !!fixedTp && !!query && !!data && (data.window === null || !data.window.open);

  const selection = (): Selection | null => {
    if (!query) return null;
    if (scope === 'all') return { all: true, filter: query };
    const items = [...selected.values()].map((r) => ({ id: r.id, version: r.version }));
    return items.length ? { items } : null;
  };

  const act = async (action: Action, reason?: string): Promise<boolean> => {
    const sel = selection();
    if (busyRef.current || !query || !sel) return false;
    busyRef.current = true;
    setBusy(action);
    try {
      const r =
        action === 'agree'
          ? await call(confirmationApi.agree, { body: { batch: query.batch, selection: sel } })
          : action === 'disagree'
            ? await call(confirmationApi.disagree, { body: { batch: query.batch, selection: sel, reason: reason ?? '' } })
            : await call(confirmationApi.undo, { body: { batch: query.batch, selection: sel } });
      bulk.show(ACTION_LABELS[action], r);
      setSelected(new Map());
      await list.reload();
      loadCounts(query.batch);
      return true;
    } catch {
      return false;
    } finally {
      busyRef.current = false;
      setBusy(null);
    }
  };

  const scopeCount = scope === 'all' ? (data?.total ?? 0) : selected.size;

  // 加急 (seed 003 二.3): 专科 graduates continuing to 本科 are audited early; the ticked rows only.
  const markUrgent = async (urgent: boolean) => {
    if (busyRef.current || !query || selected.size === 0) return;
    busyRef.current = true;
    setBusy(urgent ? 'urgent' : 'not-urgent');
    try {
      const r = await call(auditApi.urgent, { body: { batch: query.batch, graduate_ids: [...selected.keys()], urgent } });
      bulk.show(urgent ? '标记加急' : '取消加急', r);
      setSelected(new Map());
      await list.reload();
    } catch {
      // the api client has shown the server's message
    } finally {
      busyRef.current = false;
      setBusy(null);
    }
  };

  const start = (action: Action) => {
    if (busyRef.current) return;
    if (action === 'disagree') {
      setDisagreeOpen(true);
      return;
    }
    if (scope === 'all') {
      void modal.confirm({
        title: `对当前查询的全部学生执行“${ACTION_LABELS[action]}”？`,
        content: `共 ${scopeCount} 名学生。不符合条件或已被他人修改的学生会逐一列出，不会被更改。`,
        okText: '确定',
        cancelText: '取消',
        onOk: () => act(action),
      });
      return;
    }
    void act(action);
  };

  const columns: TableColumnsType<Candidate> = useMemo(
    () => [
      ...studentColumns<Candidate>({
        link: (r) => r.student_id,
        widths: { student_no: 132, name: 72, gender: 50, id_number: 156, cohort: 76, level: 50, major: 130, tp: 110 },
      }),
      {
        title: '是否符合毕业条件',
        dataIndex: 'eligible',
        width: 84,
        render: (e: boolean, r) => (
          <Tooltip title={`已获 ${r.credits_earned}/${r.credits_required} 学分`}>
            {e ? <Tag color="success">符合</Tag> : <Tag color="error">不符合</Tag>}
          </Tooltip>
        ),
      },
      {
        title: '原因',
        dataIndex: 'reasons',
        minWidth: 160,
        render: (rs: string[]) => (rs.length ? rs.join('；') : <Typography.Text type="secondary">—</Typography.Text>),
      },
      {
        title: '确认状态',
        dataIndex: 'confirm_status',
        width: 104,
        render: (s: ConfirmStatus, r) => (
          <Tooltip title={r.confirmed_at ? `确认时间：${fmtDateTime(r.confirmed_at)}` : undefined}>
            <Tag color={STATUS_COLORS[s]}>{s}</Tag>
            {r.urgent && <Tag color="orange">加急</Tag>}
            {s === '不同意' && r.confirm_reason && <ReasonNote reason={r.confirm_reason} />}
          </Tooltip>
        ),
      },
    ],
    [],
  );

  const actionsDisabled = !query || busy !== null || scopeCount === 0 || closedForMe;

  return (
    <>
      <PageTitle>预毕业确认</PageTitle>
      <Stack>
        <FilterCard<FilterValues>
          form={form}
          name="filter"
          labelCol={{ flex: '110px' }}
          initialValues={{ tp_code: fixedTp ?? undefined }}
          onFinish={search}
          loading={list.loading}
          buttons={{ xs: 24, md: 12, xl: 16 }}
          resetTo={() => ({ batch: form.getFieldValue('batch') as string | undefined, tp_code: fixedTp ?? undefined })}
        >
          <BatchTpCols batches={batches} tps={tps} fixedTp={fixedTp} tpLabel="本教学点代码" />
          <MajorLevelCols majors={majors} />
          <FilterField label="确认状态" name="status">
            <Select allowClear placeholder="全部" options={CONFIRM_STATUSES.map((value) => ({ value }))} />
          </FilterField>
          <FilterField label="是否符合条件" name="eligible">
            <Select
              allowClear
              placeholder="全部"
              options={[
                { value: 'true', label: '符合' },
                { value: 'false', label: '不符合' },
              ]}
            />
          </FilterField>
          <FilterField label="学号/姓名" name="q">
            <Input allowClear placeholder="学号或姓名" />
          </FilterField>
        </FilterCard>

        {!fixedTp && query && <CountsCard counts={counts} onPick={pickTp} />}

        <WindowNotice batch={windowBatch} window={windowShown} />

        {bulk.panel}

        <section aria-label="学生名单">
          <Card size="small">
            <ActionBar
              aside={
                <Space wrap>
                  <Button type="primary" disabled={actionsDisabled} loading={busy === 'agree'} onClick={() => start('agree')}>
                    同意毕业
                  </Button>
                  <Button danger disabled={actionsDisabled} loading={busy === 'disagree'} onClick={() => start('disagree')}>
                    不同意
                  </Button>
                  <Button disabled={actionsDisabled} loading={busy === 'undo'} onClick={() => start('undo')}>
                    撤销确认
                  </Button>
                  <Tooltip title="专科毕业生续读本科：提前审核，审核数据单独上报（仅对勾选的学生）">
                    <Button disabled={busy !== null || selected.size === 0} loading={busy === 'urgent'} onClick={() => void markUrgent(true)}>
                      标记加急
                    </Button>
                  </Tooltip>
                  <Button disabled={busy !== null || selected.size === 0} loading={busy === 'not-urgent'} onClick={() => void markUrgent(false)}>
                    取消加急
                  </Button>
                </Space>
              }
            >
              <Space wrap>
                <span>操作范围：</span>
                <Radio.Group
                  value={scope}
                  onChange={(e) => setScope(e.target.value as 'selected' | 'all')}
                  options={[
                    { value: 'selected', label: `勾选的学生（${selected.size}）` },
                    { value: 'all', label: `当前查询的全部学生（${query ? (data?.total ?? 0) : 0}）` },
                  ]}
                />
              </Space>
            </ActionBar>
            <TickedTable<Candidate>
              list={list}
              columns={columns}
              scroll={{ x: 1180 }}
              emptyText={query ? '没有符合查询条件的学生' : '请选择毕业批次和本教学点代码，点击“查询”'}
              selection={{
                columnWidth: 64,
                columnTitle: (box) => (
                  <Space size={4}>
                    {box}
                    <span>勾选</span>
                  </Space>
                ),
                ...tickSelection,
              }}
            />
          </Card>
        </section>
      </Stack>

      <ReasonModal
        title={`不同意毕业（${scope === 'all' ? '当前查询的全部学生' : '勾选的学生'}，共 ${scopeCount} 人）`}
        open={disagreeOpen}
        okText="确定"
        label="不同意的原因"
        short="原因"
        required="请填写不同意的原因"
        placeholder="如：学生本人申请暂缓毕业"
        name="disagree"
        onCancel={() => setDisagreeOpen(false)}
        onSubmit={async (reason) => {
          const ok = await act('disagree', reason);
          if (ok) setDisagreeOpen(false);
          return ok;
        }}
      />
    </>
  );
}
