import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Alert, App as AntApp, Button, Card, Descriptions, Popconfirm, Progress, Radio, Select, Space, Table, Tag, Typography, Upload } from 'antd';
import type { TableColumnsType } from 'antd';
import { batchesApi, type Batch } from '../../../shared/contract/batches.ts';
import { tasksApi, type Task } from '../../../shared/contract/tasks.ts';
import { call, upload as uploadFile, urlOf } from '../../client.ts';
import {
  IMPORT_KIND_INFO,
  IMPORT_KINDS,
  importsApi,
  type ApplyMode,
  type GradeWindows,
  type ImportFile,
  type ImportKind,
  type ImportRowView,
  type ImportState,
} from '../../../shared/contract/imports.ts';
import { useMe } from '../../session.tsx';
import { fmtDateTime, PagedTable, PageTitle, Stack, usePagedList } from '../../ui.tsx';

const STATE: Record<ImportState, { text: string; color: string }> = {
  checking: { text: '检查中', color: 'processing' },
  checked: { text: '已检查', color: 'blue' },
  invalid: { text: '有错误', color: 'error' },
  applying: { text: '导入中', color: 'processing' },
  applied: { text: '已导入', color: 'success' },
  failed: { text: '导入失败', color: 'error' },
};

const busyState = (s: ImportState | undefined) => s === 'checking' || s === 'applying';

/** One line of the report: a problem of one cell. */
interface ReportLine {
  key: string;
  row_no: number;
  column: string;
  value: string;
  message: string;
}

function WindowsNotice({ w }: { w: GradeWindows | null }) {
  if (!w) return null;
  if (w.windows.length === 0) {
    return <Alert type="warning" showIcon title={`毕业批次 ${w.batch} 尚未设置综合实践环节成绩的接收时间，请联系总部。`} />;
  }
  const text = w.windows.map((x) => `${x.round} ${x.grades_from} 至 ${x.grades_to}`).join('；');
  return w.open ? (
    <Alert type="success" showIcon title={`综合实践环节成绩接收时间：${text}。当前在接收时间内。`} />
  ) : (
    <Alert type="warning" showIcon title={`综合实践环节成绩接收时间为：${text}。当前不在接收时间内，请在接收时间内上报，或联系总部。`} />
  );
}

const NO_ROWS = { total: 0, rows: [] as ImportRowView[] };

function ReportTable({ file }: { file: ImportFile }) {
  // Nothing to read while the file is checked, or when no row has an error.
  const quiet = file.state === 'checking' || file.error_rows === 0;
  const fetch = useCallback(
    (q: { page: number; page_size: number }) =>
      quiet ? Promise.resolve(NO_ROWS) : call(importsApi.rows, { params: { id: file.id }, query: { errors_only: 'true', ...q } }),
    // A new state or error count of the file reads its rows again.
    [file.id, quiet, file.state, file.error_rows],
  );
  const list = usePagedList<object, ImportRowView>(fetch, { pageSize: 20 });
  const lines = useMemo<ReportLine[]>(
    () =>
      (list.data?.rows ?? []).flatMap((row) =>
        row.errors.map((e, i) => ({ key: `${row.row_no}-${i}`, row_no: row.row_no, column: e.column, value: e.value, message: e.message })),
      ),
    [list.data],
  );

  if (file.error_rows === 0) return null;
  return (
    <Table<ReportLine>
      size="small"
      rowKey="key"
      loading={list.loading}
      dataSource={lines}
      columns={[
        { title: '行', dataIndex: 'row_no', width: 70 },
        { title: '列', dataIndex: 'column', width: 140 },
        { title: '值', dataIndex: 'value', width: 200, render: (v: string) => v || <Typography.Text type="secondary">（空）</Typography.Text> },
        { title: '问题', dataIndex: 'message' },
      ]}
      pagination={{ ...list.pagination((n) => `有错误的行共 ${n} 行`), showSizeChanger: undefined }}
    />
  );
}

function CurrentImport({ file, task, onApply, busy }: { file: ImportFile; task: Task | null; onApply: (mode: ApplyMode) => void; busy: boolean }) {
  const s = STATE[file.state];
  const valid = file.total_rows - file.error_rows;
  const canApply = file.state === 'checked' || file.state === 'failed';
  const percent = task && task.total > 0 ? Math.round((task.progress / task.total) * 100) : 0;
  return (
    <Card size="small" title={`导入：${file.file_name}`} extra={<Tag color={s.color}>{s.text}</Tag>}>
      <Stack>
        <Descriptions size="small" column={4}>
          <Descriptions.Item label="类型">{file.kind_name}</Descriptions.Item>
          {file.batch_code && <Descriptions.Item label="毕业批次">{file.batch_code}</Descriptions.Item>}
          <Descriptions.Item label="数据行">{file.total_rows}</Descriptions.Item>
          <Descriptions.Item label="有错误的行">{file.error_rows}</Descriptions.Item>
          {file.applied_rows != null && <Descriptions.Item label="已导入">{file.applied_rows} 行</Descriptions.Item>}
          {file.applied_at && <Descriptions.Item label="导入时间">{fmtDateTime(file.applied_at)}</Descriptions.Item>}
        </Descriptions>
        {busyState(file.state) && (
          <div aria-label="进度">
            <Typography.Text>{file.state === 'checking' ? '正在逐行检查文件…' : '正在导入，全部成功才会生效…'}</Typography.Text>
            <Progress percent={percent} status="active" />
          </div>
        )}
        {file.file_error && <Alert type="error" showIcon title="文件无法导入" description={file.file_error} />}
        {file.apply_error && <Alert type="error" showIcon title="导入失败，未做任何更改" description={file.apply_error} />}
        {file.state === 'applied' && <Alert type="success" showIcon title={`已导入 ${file.applied_rows} 行，并已记录本次上报。`} />}
        {file.state !== 'checking' && file.state !== 'applied' && file.total_rows > 0 && (
          <Alert
            type={file.error_rows ? 'warning' : 'success'}
            showIcon
            title={file.error_rows ? `共 ${file.total_rows} 行，其中 ${file.error_rows} 行有错误。请按下表修改后重新上传，或仅导入正确的 ${valid} 行。` : `共 ${file.total_rows} 行，检查全部通过，可以导入。`}
          />
        )}
        <Space wrap>
          <Button type="primary" disabled={!canApply || file.error_rows > 0 || busy} loading={busy} onClick={() => onApply('all')}>
            全部导入
          </Button>
          <Popconfirm
            title="仅导入正确的行？"
            description={`将导入 ${valid} 行，有错误的 ${file.error_rows} 行不导入。`}
            okText="导入"
            cancelText="取消"
            disabled={!canApply || valid === 0 || file.error_rows === 0 || busy}
            onConfirm={() => onApply('valid')}
          >
            <Button disabled={!canApply || valid === 0 || file.error_rows === 0 || busy}>仅导入正确的行</Button>
          </Popconfirm>
          <Button href={urlOf(importsApi.report, { params: { id: file.id } })} disabled={file.state === 'checking' || (!file.error_rows && !file.file_error)}>
            下载错误报告
          </Button>
        </Space>
        <ReportTable file={file} />
      </Stack>
    </Card>
  );
}

export default function ImportsPage() {
  const me = useMe();
  const { message } = AntApp.useApp();
  const kinds = useMemo(() => IMPORT_KINDS.filter((k) => IMPORT_KIND_INFO[k].roles.includes(me.role)), [me.role]);
  const [kind, setKind] = useState<ImportKind>(kinds[0] ?? 'students');
  const def = IMPORT_KIND_INFO[kind];
  const [batches, setBatches] = useState<Batch[]>([]);
  const [batch, setBatch] = useState<string | undefined>();
  const [windows, setWindows] = useState<GradeWindows | null>(null);
  const [current, setCurrent] = useState<ImportFile | null>(null);
  const [task, setTask] = useState<Task | null>(null);
  const [uploading, setUploading] = useState(false);
  const [applying, setApplying] = useState(false);
  const fetchHistory = useCallback((query: { page: number; page_size: number }) => call(importsApi.list, { query }), []);
  const history = usePagedList<object, ImportFile>(fetchHistory, { pageSize: 10 });
  // The poll below reads the latest reload without restarting its timer on every render.
  const reloadHistory = useRef(history.reload);
  reloadHistory.current = history.reload;
  const loadHistory = useCallback(() => void reloadHistory.current(), []);

  useEffect(() => {
    call(batchesApi.list).then((list) => {
      setBatches(list);
      setBatch((b) => b ?? (list.find((x) => x.is_current) ?? list[0])?.code);
    }, () => undefined);
  }, []);

  useEffect(() => {
    if (kind !== 'grades_practice' || !batch) {
      setWindows(null);
      return;
    }
    let stale = false;
    call(importsApi.windows, { query: { batch } }).then((w) => !stale && setWindows(w), () => undefined);
    return () => {
      stale = true;
    };
  }, [kind, batch]);

  // While the file is checked or applied in the background: poll it and its task's progress.
  useEffect(() => {
    if (!current || !busyState(current.state)) return;
    const taskId = current.state === 'checking' ? current.check_task : current.apply_task;
    const timer = setInterval(() => {
      void (async () => {
        try {
          const tk = taskId ? await call(tasksApi.get, { params: { id: taskId } }) : null;
          setTask(tk);
          const next = await call(importsApi.get, { params: { id: current.id } });
          // The job gave up (it is retried a few times first): show why instead of waiting forever.
          if (tk?.state === 'failed' && busyState(next.state)) {
            setCurrent({ ...next, state: 'failed', apply_error: tk.error ?? '后台任务失败，请重新上传。' });
            return;
          }
          setCurrent(next);
          if (!busyState(next.state)) {
            loadHistory();
            if (next.state === 'applied') void message.success(`导入完成：${next.applied_rows} 行`);
          }
        } catch {
          // shown by the client
        }
      })();
    }, 1000);
    return () => clearInterval(timer);
  }, [current, loadHistory, message]);

  const upload = async (file: File) => {
    if (def.needsBatch && !batch) {
      void message.warning('请先选择毕业批次');
      return;
    }
    setUploading(true);
    try {
      const f = await uploadFile(importsApi.upload, file, { query: { kind, batch: def.needsBatch ? batch : undefined } });
      setTask(null);
      setCurrent(f);
      loadHistory();
    } catch {
      // shown by the client
    } finally {
      setUploading(false);
    }
  };

  const apply = async (mode: ApplyMode) => {
    if (!current || applying) return;
    setApplying(true);
    try {
      const r = await call(importsApi.apply, { params: { id: current.id }, body: { mode } });
      setTask(null);
      setCurrent(r.import);
    } catch {
      // shown by the client
    } finally {
      setApplying(false);
    }
  };

  const historyColumns: TableColumnsType<ImportFile> = [
    { title: '上传时间', dataIndex: 'created_at', width: 170, render: (v: string) => fmtDateTime(v) },
    { title: '类型', dataIndex: 'kind_name', width: 130 },
    { title: '文件', dataIndex: 'file_name', render: (v: string, r) => <a onClick={() => { setTask(null); setCurrent(r); }}>{v}</a> },
    { title: '批次', dataIndex: 'batch_code', width: 80, render: (v: string | null) => v ?? '—' },
    { title: '行数', dataIndex: 'total_rows', width: 70, align: 'right' },
    { title: '错误行', dataIndex: 'error_rows', width: 70, align: 'right' },
    { title: '状态', dataIndex: 'state', width: 90, render: (s: ImportState) => <Tag color={STATE[s].color}>{STATE[s].text}</Tag> },
    { title: '上传人', key: 'owner', width: 160, render: (_: unknown, r) => `${r.owner_name}（${r.node_name}）` },
  ];

  return (
    <>
      <PageTitle>审核数据导入</PageTitle>
      <Stack>
        <Card size="small" title="上传 Excel 文件">
          <Stack>
            <Space wrap>
              <span>数据类型：</span>
              <Radio.Group
                aria-label="数据类型"
                value={kind}
                onChange={(e) => setKind(e.target.value as ImportKind)}
                options={kinds.map((k) => ({ value: k, label: IMPORT_KIND_INFO[k].name }))}
                optionType="button"
              />
            </Space>
            {def.needsBatch && (
              <Space wrap>
                <span>毕业批次：</span>
                <Select
                  aria-label="毕业批次"
                  style={{ width: 200 }}
                  value={batch}
                  onChange={setBatch}
                  options={batches.map((b) => ({ value: b.code, label: `${b.name}${b.is_current ? '（当前）' : ''}` }))}
                />
              </Space>
            )}
            {kind === 'grades_practice' && <WindowsNotice w={windows} />}
            <Space wrap>
              <Button href={urlOf(importsApi.template, { params: { kind } })}>下载模板</Button>
              <Upload
                accept=".xlsx"
                showUploadList={false}
                beforeUpload={(file) => {
                  void upload(file);
                  return false;
                }}
              >
                <Button type="primary" loading={uploading}>
                  选择文件并上传
                </Button>
              </Upload>
              <Typography.Text type="secondary">按模板填写，保存为 .xlsx；上传后系统逐行检查，检查无误后再导入。</Typography.Text>
            </Space>
          </Stack>
        </Card>
        {current && <CurrentImport file={current} task={task} onApply={(m) => void apply(m)} busy={applying} />}
        <Card size="small" title="导入记录">
          <PagedTable<ImportFile> list={history} unit="个文件" paging={{ showSizeChanger: false }} loading={history.data === null} columns={historyColumns} />
        </Card>
      </Stack>
    </>
  );
}
