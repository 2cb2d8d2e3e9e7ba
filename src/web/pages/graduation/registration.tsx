import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Alert, App as AntApp, Button, Card, Form, Input, Progress, Radio, Select, Space, Tabs, Tag, Tooltip, Typography, Upload } from 'antd';
import type { TableColumnsType } from 'antd';
import dayjs from 'dayjs';
import { call, messagesChanged, upload as uploadFile } from '../../client.ts';
import { tasksApi, type Task } from '../../../shared/contract/tasks.ts';
import {
  REGISTRATION_STATES,
  registrationApi,
  type GraduatesFilter,
  type RegistrationFile,
  type RegistrationGraduate,
  type RegistrationRounds,
  type RegistrationSelection,
  type RegistrationState,
  type ResultsSummary,
} from '../../../shared/contract/registration.ts';
import { useMe } from '../../session.tsx';
import { recordCardPath, studentColumns, TickedNote, TickedTable, useFilterChoices } from '../../student-columns.tsx';
import { day, FilterCard, FilterField, FormModal, PagedTable, PageTitle, ReasonNote, Stack, STUDENT_PAGE_SIZES, useBulkResult, useBusyAction, useFormDialog, usePagedList, useTickedRows } from '../../ui.tsx';
import { ActionBar, BatchTpCols, ReasonModal, useOpeningBatch } from './bulk-parts.tsx';
import {
  BuildResult,
  FileCell,
  FilesTab,
  ImportResultPanel,
  PartnerSealsTab,
  PhotoMissingTab,
  ProfileTab,
  ReportDateItem,
  RoundsCard,
  StateTag,
  type ReportValues,
} from './registration-parts.tsx';

/**
 * 毕业 → 学历注册 (seed 003 二.4, 四.2, 四.7): headquarters builds the 学信网 graduate data of a batch (证书编号, DBF
 * and Excel), marks it 已上报, imports 学信网's result; every published audit round shows its deadline, 15 working
 * days after publication. Branches and teaching points see the same lists for their own graduates, read-only.
 */

type FilterValues = Partial<GraduatesFilter>;

const FINISHED = new Set(['done', 'failed', 'cancelled']);

function cleanFilter(v: FilterValues, fixedTp: string | null): GraduatesFilter {
  const f: GraduatesFilter = { batch: v.batch! };
  const tp = fixedTp ?? v.tp_code;
  if (tp) f.tp_code = tp;
  if (v.round) f.round = v.round;
  if (v.state) f.state = v.state;
  if (v.q?.trim()) f.q = v.q.trim();
  return f;
}

const fetchGraduates = (query: GraduatesFilter & { page: number; page_size: number }) => call(registrationApi.graduates, { query });

/** What 标记已上报 applies to: a whole file, the ticked graduates or the current query. */
interface ReportTarget {
  batch: string;
  what: string;
  selection: RegistrationSelection;
}

export default function RegistrationPage() {
  const me = useMe();
  const hq = me.role === 'hq_admin';
  const fixedTp = me.role === 'tp_admin' ? me.node.code : null;
  const { message, modal } = AntApp.useApp();
  const [form] = Form.useForm<FilterValues>();
  const { batches, tps } = useFilterChoices({ tps: !fixedTp, majors: false });
  useOpeningBatch(form, batches);
  const formBatch = Form.useWatch('batch', form) as string | undefined;
  const batch = formBatch ?? null;

  const list = usePagedList<GraduatesFilter, RegistrationGraduate>(fetchGraduates, { lazy: true, pageSize: 50 });
  /** The query on screen (what 当前查询的全部学生 means); null before the first. */
  const query = list.filter.batch ? list.filter : null;
  const { ticked, setTicked, selection: tickSelection } = useTickedRows<RegistrationGraduate>();
  const [scope, setScope] = useState<'selected' | 'all'>('selected');
  const bulk = useBulkResult();

  const [rounds, setRounds] = useState<RegistrationRounds | null>(null);
  const [roundsLoading, setRoundsLoading] = useState(false);
  const [files, setFiles] = useState<RegistrationFile[] | null>(null);
  const [building, setBuilding] = useState<Task | null>(null);
  const [built, setBuilt] = useState<{ file: RegistrationFile | null; error: string | null } | null>(null);
  const [imported, setImported] = useState<ResultsSummary | null>(null);
  const [failing, setFailing] = useState(false);
  const [tab, setTab] = useState('graduates');
  const reporting = useFormDialog<ReportTarget, ReportValues>();
  const timer = useRef<number | undefined>(undefined);

  const loadRounds = useCallback(async () => {
    if (!batch) return;
    setRoundsLoading(true);
    try {
      const r = await call(registrationApi.rounds, { query: { batch } });
      // A slower answer for a batch no longer chosen is dropped.
      setRounds((prev) => (form.getFieldValue('batch') === r.batch ? r : prev));
    } catch {
      setRounds(null);
    } finally {
      setRoundsLoading(false);
    }
  }, [batch, form]);

  const loadFiles = useCallback(async (): Promise<RegistrationFile[]> => {
    if (!batch) return [];
    try {
      const r = await call(registrationApi.files, { query: { batch } });
      setFiles(r.rows);
      return r.rows;
    } catch {
      setFiles([]);
      return [];
    }
  }, [batch]);

  const search = (v: FilterValues) => {
    if (!v.batch) return;
    setTicked(new Map());
    bulk.clear();
    void list.search(cleanFilter(v, fixedTp));
  };
  // The effect below searches with the latest form and list, without running again on every render.
  const searchRef = useRef(search);
  searchRef.current = search;

  // A batch chosen (at opening, or another one): its rounds and files, and its graduates at once.
  useEffect(() => {
    if (!batch) return;
    setRounds(null);
    setFiles(null);
    setBuilt(null);
    setImported(null);
    void loadRounds();
    void loadFiles();
    if (form.getFieldValue('round')) form.setFieldValue('round', undefined);
    searchRef.current({ ...form.getFieldsValue(), batch, round: undefined });
  }, [batch, loadRounds, loadFiles, form]);

  useEffect(() => () => window.clearTimeout(timer.current), []);

  /** After an action: the list on screen, the counts of the rounds and of the files. */
  const refresh = async () => {
    setTicked(new Map());
    await Promise.all([list.reload(), loadRounds(), loadFiles()]);
  };

  const { busy, exclusive } = useBusyAction();

  // ——— 生成注册数据: a task; polled until it ends, then its file and row errors ———

  const poll = (taskId: string) => {
    call(tasksApi.get, { params: { id: taskId } }).then(
      async (t) => {
        setBuilding(t);
        if (!FINISHED.has(t.state)) {
          timer.current = window.setTimeout(() => poll(taskId), 1000);
          return;
        }
        setBuilding(null);
        messagesChanged();
        if (t.state === 'done') {
          const all = await loadFiles();
          const file = all.find((f) => f.task_id === taskId) ?? null;
          setBuilt({ file, error: file ? null : '生成任务已完成，但未找到生成的文件，请刷新页面后查看“注册数据文件”。' });
          if (file) void message.success(`注册数据已生成：写入 ${file.written} 人${file.errors ? `，${file.errors} 人有错误` : ''}。`);
        } else {
          setBuilt({ file: null, error: t.error ?? (t.state === 'cancelled' ? '生成任务已取消。' : '后台任务失败，请重新生成。') });
        }
        setTicked(new Map());
        await Promise.all([list.reload(), loadRounds()]);
      },
      () => setBuilding(null),
    );
  };

  const startBuild = () => {
    if (!batch) return;
    const round = form.getFieldValue('round') as number | undefined;
    const roundName = round ? rounds?.rounds.find((r) => r.id === round)?.name : undefined;
    void modal.confirm({
      title: '生成注册数据？',
      content: (
        <>
          毕业批次 {batch}
          {roundName ? ` 审核批次“${roundName}”` : ''} 中待注册的毕业生：逐项检查学信网字段，编制证书编号，写出 DBF 和 Excel 文件。
          有错误的学生不写入文件，仍为待注册，改正后重新生成即可。完成后在“消息”中也有通知。
        </>
      ),
      okText: '生成',
      cancelText: '取消',
      onOk: () =>
        exclusive(async () => {
          setBuilt(null);
          const r = await call(registrationApi.build, { body: round ? { batch, round } : { batch } });
          messagesChanged();
          setBuilding({ id: r.task_id, kind: '', title: r.title, state: 'queued', progress: 0, total: 0, eta_seconds: null, result: null, error: null, created_at: '', finished_at: null });
          poll(r.task_id);
        }),
    });
  };

  // ——— Bulk actions on the ticked graduates or the whole query ———

  const selection = (): RegistrationSelection | null => {
    if (!query) return null;
    if (scope === 'all') return { all: true, filter: query };
    const items = [...ticked.values()].map((r) => ({ id: r.id, version: r.version }));
    return items.length ? { items } : null;
  };
  const scopeCount = scope === 'all' ? (list.data?.total ?? 0) : ticked.size;
  const scopeText = scope === 'all' ? `当前查询的全部学生（${scopeCount} 人）` : `勾选的学生（${scopeCount} 人）`;

  const bulkAct = (label: string, fn: (batch: string, sel: RegistrationSelection) => Promise<Parameters<typeof bulk.show>[1]>) =>
    exclusive(async () => {
      const sel = selection();
      if (!query || !sel) return;
      const r = await fn(query.batch, sel);
      bulk.show(label, r);
      await refresh();
    });

  const confirmThen = (label: string, text: string, go: () => Promise<unknown>) => {
    if (scope !== 'all') {
      void go();
      return;
    }
    void modal.confirm({ title: `对${scopeText}执行“${label}”？`, content: text, okText: '确定', cancelText: '取消', onOk: go });
  };

  const setRegistered = () =>
    confirmThen('设为已注册', '学信网已注册成功的学生。状态不符的学生会逐一列出，不会被更改。', () =>
      bulkAct('设为已注册', (b, sel) => call(registrationApi.setState, { body: { batch: b, selection: sel, state: '已注册' } })));

  const retry = () =>
    confirmThen('重新注册', '注册失败、信息已改正的学生回到待注册，下次生成注册数据时重新写入。', () =>
      bulkAct('重新注册', (b, sel) => call(registrationApi.retry, { body: { batch: b, selection: sel } })));

  // The server's today (Beijing): a browser elsewhere may be a day behind or ahead.
  const serverToday = () => dayjs(rounds?.today);

  const openReport = () => {
    const sel = selection();
    if (!query || !sel) return;
    reporting.show({ batch: query.batch, what: scopeText, selection: sel }, { reported_on: serverToday() });
  };
  const reportFile = (f: RegistrationFile) =>
    reporting.show({ batch: f.batch, what: `文件 ${f.file_name} 中已生成的学生（${f.counts.已生成} 人）`, selection: { file_id: f.id } }, { reported_on: serverToday() });
  const submitReport = (t: ReportTarget, v: ReportValues) =>
    exclusive(async () => {
      const r = await call(registrationApi.report, { body: { batch: t.batch, selection: t.selection, reported_on: day(v.reported_on)! } });
      bulk.show('标记已上报', r);
      setTab('graduates');
      await refresh();
    });

  const importResults = (file: File) =>
    exclusive(async () => {
      if (!batch) return;
      setImported(null);
      const r = await uploadFile(registrationApi.importResults, file, { query: { batch } });
      setImported(r);
      if (r.applied) void message.success(`已导入注册结果：已注册 ${r.registered} 人，注册失败 ${r.failed} 人。`);
      else void message.warning(`注册结果中有 ${r.errors.length} 行错误，全部未导入。`);
      await refresh();
    });

  // ——— The list ———

  const columns: TableColumnsType<RegistrationGraduate> = useMemo(
    () => [
      ...studentColumns<RegistrationGraduate>({
        link: (r) => r.student_id,
        to: recordCardPath,
        widths: { student_no: 132, name: 80, id_number: 160, level: 50, major: 130, tp: 120 },
      }),
      { title: '审核批次', dataIndex: 'round_name', width: 80, render: (n: string | null) => n ?? '—' },
      { title: '证书编号', dataIndex: 'certificate_no', width: 170, render: (n: string | null) => n ?? <Typography.Text type="secondary">—</Typography.Text> },
      {
        title: '注册状态',
        dataIndex: 'state',
        width: 150,
        render: (s: RegistrationState, r) => (
          <>
            <StateTag state={s} />
            {r.errors.map((e) => (
              <div key={`${e.field}-${e.message}`}>
                <Typography.Text type="danger" style={{ fontSize: 12 }}>
                  {e.field}：{e.message}
                </Typography.Text>
              </div>
            ))}
          </>
        ),
      },
      { title: '所在文件', dataIndex: 'file_name', width: 150, render: (n: string | null) => <FileCell name={n} /> },
      { title: '上报日期', dataIndex: 'reported_on', width: 100, render: (d: string | null) => d ?? '—' },
      {
        title: '失败原因',
        dataIndex: 'failure_reason',
        minWidth: 140,
        render: (x: string | null) => (x ? <ReasonNote reason={x} /> : <Typography.Text type="secondary">—</Typography.Text>),
      },
      {
        title: '合作高校盖章',
        dataIndex: 'partner_seal',
        width: 130,
        render: (p: string | null) =>
          p ? (
            <Tooltip title="毕业证书须加盖合作高校公章：学历注册照常办理，证书待盖章后办理（通知 四.2）">
              <Tag color="purple">{p}</Tag>
            </Tooltip>
          ) : null,
      },
      {
        title: '照片',
        dataIndex: 'photo_missing',
        width: 80,
        render: (m: boolean) =>
          m ? (
            <Tooltip title="缺毕业照片：学信网暂不可公开查询">
              <Tag color="warning">缺照片</Tag>
            </Tooltip>
          ) : null,
      },
    ],
    [],
  );

  const roundOptions = (rounds?.batch === batch ? rounds.rounds : []).map((r) => ({ value: r.id, label: r.name }));
  const actionsDisabled = !query || busy || scopeCount === 0;
  const emptyText = query ? '没有符合条件的毕业生（审核结果发布后，通过审核的毕业生列在这里）' : '请选择毕业批次后点击“查询”';

  const graduatesTab = (
    <section aria-label="毕业生名单">
      {hq ? (
        <ActionBar
          aside={
            <Space wrap>
              <Button type="primary" disabled={actionsDisabled} onClick={openReport}>
                标记已上报
              </Button>
              <Button disabled={actionsDisabled} onClick={setRegistered}>
                设为已注册
              </Button>
              <Button danger disabled={actionsDisabled} onClick={() => setFailing(true)}>
                设为注册失败
              </Button>
              <Button disabled={actionsDisabled} onClick={retry}>
                重新注册
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
                { value: 'selected', label: `勾选的学生（${ticked.size}）` },
                { value: 'all', label: `当前查询的全部学生（${query ? (list.data?.total ?? 0) : 0}）` },
              ]}
            />
            <TickedNote count={ticked.size} hint="" onClear={() => setTicked(new Map())} />
          </Space>
        </ActionBar>
      ) : (
        <Alert type="info" showIcon style={{ marginBottom: 12 }} title="学历电子注册由总部办理；这里列出本单位毕业生的证书编号和注册状态。注册失败的学生，请按失败原因核实信息后联系总部。" />
      )}
      {hq ? (
        <TickedTable<RegistrationGraduate> list={list} columns={columns} scroll={{ x: 1700 }} emptyText={emptyText} selection={tickSelection} />
      ) : (
        <PagedTable<RegistrationGraduate> list={list} unit="人" paging={STUDENT_PAGE_SIZES} columns={columns} scroll={{ x: 1700 }} locale={{ emptyText }} />
      )}
    </section>
  );

  const buildPercent = building && building.total > 0 ? Math.floor((building.progress / building.total) * 100) : 0;

  return (
    <>
      <PageTitle
        extra={
          hq && (
            <Space wrap>
              <Upload
                accept=".xlsx"
                showUploadList={false}
                disabled={!batch || busy}
                beforeUpload={(file) => {
                  void importResults(file);
                  return false;
                }}
              >
                <Tooltip title="学信网返回的注册结果（Excel）：身份证号 或 证书编号、结果（已注册/注册失败）、原因">
                  <Button disabled={!batch || busy}>导入注册结果</Button>
                </Tooltip>
              </Upload>
              <Button type="primary" disabled={!batch || busy || building !== null} onClick={startBuild}>
                生成注册数据
              </Button>
            </Space>
          )
        }
      >
        学历注册
      </PageTitle>
      <Stack>
        <FilterCard<FilterValues>
          form={form}
          name="registration-filter"
          initialValues={{ tp_code: fixedTp ?? undefined }}
          onFinish={search}
          loading={list.loading}
          buttons={{ xs: 24, md: 12, xl: 8 }}
          resetTo={() => ({ batch: form.getFieldValue('batch') as string | undefined, tp_code: fixedTp ?? undefined })}
        >
          <BatchTpCols batches={batches} tps={tps} fixedTp={fixedTp} tpLabel="函授站代码" />
          <FilterField label="审核批次" name="round">
            <Select allowClear placeholder="全部（已发布的）" options={roundOptions} />
          </FilterField>
          <FilterField label="注册状态" name="state">
            <Select allowClear placeholder="全部" options={REGISTRATION_STATES.map((value) => ({ value }))} />
          </FilterField>
          <FilterField label="学号/姓名" name="q">
            <Input allowClear maxLength={40} placeholder="学号、姓名、身份证号或证书编号" />
          </FilterField>
        </FilterCard>

        <RoundsCard data={rounds} loading={roundsLoading} hq={hq} />

        {building && (
          <Card size="small" title={building.title || '生成注册数据'}>
            <div aria-label="生成进度">
              <Tag color="processing">{building.state === 'queued' ? '排队中' : '生成中'}</Tag>
              <Progress percent={buildPercent} size="small" status="active" format={() => `${building.progress}/${building.total || '…'}`} />
            </div>
          </Card>
        )}
        {built && <BuildResult file={built.file} error={built.error} hq={hq} onClose={() => setBuilt(null)} />}
        {imported && <ImportResultPanel result={imported} onClose={() => setImported(null)} />}
        {bulk.panel}

        <Card size="small">
          <Tabs
            activeKey={tab}
            onChange={setTab}
            items={[
              { key: 'graduates', label: '毕业生名单', children: graduatesTab },
              { key: 'files', label: '注册数据文件', children: <FilesTab files={files} hq={hq} onReport={reportFile} /> },
              { key: 'photos', label: '缺照片（学信网暂不可公开查询）', children: <PhotoMissingTab batch={query?.batch ?? null} tpCode={query?.tp_code} /> },
              { key: 'seals', label: '合作高校盖章专业', children: <PartnerSealsTab hq={hq} /> },
              ...(hq ? [{ key: 'profile', label: '导出方案', children: <ProfileTab hq={hq} /> }] : []),
            ]}
          />
        </Card>
      </Stack>

      {/* Busy only while open: a hidden modal whose button turns loading and back keeps antd's leave motion on it. */}
      <FormModal<ReportValues> title="标记已上报" busy={busy && reporting.target !== null} okText="标记已上报" name="report" {...reporting.modal(submitReport)}>
        <Typography.Paragraph>{reporting.target ? `范围：${reporting.target.what}。` : ''}已生成的学生改为“已上报”。</Typography.Paragraph>
        <ReportDateItem today={rounds?.today} />
      </FormModal>

      <ReasonModal
        title={`设为注册失败（${scopeText}）`}
        open={failing}
        okText="设为注册失败"
        label="学信网给出的失败原因"
        short="原因"
        required="请填写学信网给出的注册失败原因"
        placeholder="如：身份证号与姓名不匹配"
        extra="改正学生信息后，点“重新注册”使其回到待注册。"
        name="registration-failed"
        onCancel={() => setFailing(false)}
        onSubmit={async (reason) => {
          const ok = await bulkAct('设为注册失败', (b, sel) => call(registrationApi.setState, { body: { batch: b, selection: sel, state: '注册失败', reason } }));
          if (ok) setFailing(false);
          return ok;
        }}
      />
    </>
  );
}
