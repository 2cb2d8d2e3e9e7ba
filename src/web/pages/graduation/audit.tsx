import { useCallback, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Col,
  DatePicker,
  Descriptions,
  Form,
  Progress,
  Radio,
  Row,
  Select,
  Space,
  Statistic,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import type { TableColumnsType } from 'antd';
import dayjs from 'dayjs';
import { batchesApi, type Batch } from '../../../shared/contract/batches.ts';
import { tasksApi, type Task } from '../../../shared/contract/tasks.ts';
import { call, urlOf } from '../../client.ts';
import {
  auditApi,
  ROUND_KINDS,
  type AuditRound,
  type AuditRounds,
  type ReportResult,
  type RoundKind,
  type RoundStatus,
  type UrgentDeadlineInput,
} from '../../../shared/contract/audit.ts';
import { useMe } from '../../session.tsx';
import { day, fmtDateTime, FormModal, PageTitle, ReasonNote, Stack, TextField, useBusyAction, useFormDialog } from '../../ui.tsx';

type Range = [dayjs.Dayjs | null, dayjs.Dayjs | null] | null | undefined;

interface RoundValues {
  name: string;
  kind: RoundKind;
  dates: Range;
  grades?: Range;
}

interface DeadlineValues {
  how: 'date' | 'spring';
  urgent_deadline?: dayjs.Dayjs | null;
  spring_enrollment_deadline?: dayjs.Dayjs | null;
}

const STATUS_COLORS: Record<RoundStatus, string> = { 未开始: 'default', 审核中: 'processing', 已审核: 'success', 已取消: 'error' };
const FINISHED = new Set(['done', 'failed', 'cancelled']);

/** A round's run in progress: the task polled once a second until it ends. */
interface RunState {
  task: Task;
}

export default function AuditPage() {
  const me = useMe();
  const hq = me.role === 'hq_admin';
  const reporter = me.role === 'branch_admin' || me.role === 'tp_admin';
  const { message, modal } = AntApp.useApp();
  const [batches, setBatches] = useState<Batch[]>([]);
  const [batch, setBatch] = useState<string | undefined>(undefined);
  const [data, setData] = useState<AuditRounds | null>(null);
  const [loading, setLoading] = useState(false);
  const rounds = useFormDialog<AuditRound | 'new', RoundValues>();
  const cancelling = useFormDialog<AuditRound, { reason: string }>();
  const deadline = useFormDialog<true, DeadlineValues>();
  const [report, setReport] = useState<{ urgent: boolean; result: ReportResult } | null>(null);
  const [runs, setRuns] = useState<Map<number, RunState>>(new Map());
  const timers = useRef(new Map<number, number>());
  const deadlineHow = Form.useWatch('how', deadline.form);

  useEffect(() => {
    call(batchesApi.list).then((list) => {
      setBatches(list);
      setBatch((b) => b ?? (list.find((x) => x.is_current) ?? list[0])?.code);
    }, () => undefined);
    const pending = timers.current;
    return () => {
      for (const t of pending.values()) window.clearTimeout(t);
      pending.clear();
    };
  }, []);

  const load = useCallback(async () => {
    if (!batch) return;
    setLoading(true);
    try {
      setData(await call(auditApi.rounds, { query: { batch } }));
    } catch {
      setData(null);
    } finally {
      setLoading(false);
    }
  }, [batch]);

  useEffect(() => {
    setReport(null);
    void load();
  }, [load]);

  const { busy, run, exclusive } = useBusyAction(load);

  const poll = useCallback(
    (roundId: number, taskId: string) => {
      call(tasksApi.get, { params: { id: taskId } }).then(
        (t) => {
          setRuns((m) => new Map(m).set(roundId, { task: t }));
          if (FINISHED.has(t.state)) {
            timers.current.delete(roundId);
            if (t.state === 'done') {
              const r = t.result as { audited?: number; results?: number } | null;
              void message.success(`审核完成：本批次共有 ${r?.results ?? 0} 名毕业生的审核结果。`);
            } else {
              void message.error(t.error ? `审核未完成：${t.error}` : '审核未完成，请稍后重试。');
            }
            void load();
            return;
          }
          timers.current.set(roundId, window.setTimeout(() => poll(roundId, taskId), 1000));
        },
        () => timers.current.delete(roundId),
      );
    },
    [load, message],
  );

  const startRun = (r: AuditRound) =>
    exclusive(async () => {
      const { task_id } = await call(auditApi.runRound, { params: { id: r.id } });
      setRuns((m) =>
        new Map(m).set(r.id, {
          task: { id: task_id, kind: '', title: r.name, state: 'queued', progress: 0, total: 0, eta_seconds: null, result: null, error: null, created_at: '', finished_at: null },
        }),
      );
      void load();
      poll(r.id, task_id);
    });

  const openRound = (r: AuditRound | 'new') => {
    const t = dayjs();
    rounds.show(
      r,
      r === 'new'
        ? { kind: '常规', dates: [t, t.add(30, 'day')] }
        : {
            name: r.name,
            kind: r.kind,
            dates: [dayjs(r.starts_on), dayjs(r.ends_on)],
            grades: r.grades_from && r.grades_to ? [dayjs(r.grades_from), dayjs(r.grades_to)] : undefined,
          },
    );
  };

  const submitRound = async (editing: AuditRound | 'new', v: RoundValues) => {
    if (!batch || !v.dates?.[0] || !v.dates[1]) return false;
    const body = {
      name: v.name.trim(),
      starts_on: day(v.dates[0])!,
      ends_on: day(v.dates[1])!,
      grades_from: day(v.grades?.[0]) ?? null,
      grades_to: day(v.grades?.[1]) ?? null,
    };
    return editing === 'new'
      ? run(() => call(auditApi.createRound, { body: { ...body, batch, kind: v.kind } }), `已新建审核批次“${body.name}”。`)
      : run(() => call(auditApi.updateRound, { params: { id: editing.id }, body }), `已修改审核批次“${body.name}”。`);
  };

  const submitCancel = (r: AuditRound, v: { reason: string }) =>
    run(() => call(auditApi.cancelRound, { params: { id: r.id }, body: { reason: v.reason.trim() } }), `已取消审核批次“${r.name}”。`);

  const publish = (r: AuditRound) => {
    void modal.confirm({
      title: `发布审核批次“${r.name}”的审核结果？`,
      content: `通过 ${r.passed} 人，不通过 ${r.failed} 人。发布后各分部、教学点即可查看本单位学生的审核结果，本批次不能再修改或重新审核。`,
      okText: '发布',
      cancelText: '取消',
      onOk: () => run(() => call(auditApi.publishRound, { params: { id: r.id } }), `已发布审核批次“${r.name}”的审核结果。`),
    });
  };

  const reportData = (urgent: boolean) => {
    if (!batch) return;
    const what = urgent ? '加急（续读本科）审核数据' : '毕业审核数据';
    const n = urgent ? data?.waiting.urgent : data?.waiting.unreported;
    void modal.confirm({
      title: `上报${what}？`,
      content: (
        <>
          将本单位在毕业批次 {batch} 中已“同意毕业”且尚未上报的{urgent ? '加急' : ''}学生{n != null && !urgent ? `（${n} 人）` : ''}
          一次上报总部。总部按上报先后顺序审核，请尽量将学生集中后一次上报。
        </>
      ),
      okText: '上报',
      cancelText: '取消',
      onOk: () =>
        exclusive(async () => {
          const result = await call(auditApi.report, { body: { batch, urgent } });
          setReport({ urgent, result });
          if (result.graduates > 0) void message.success(`已上报 ${result.graduates} 名学生的${what}。`);
          else void message.info('没有需要上报的学生。');
          await load();
        }),
    });
  };

  const submitDeadline = async (_: true, v: DeadlineValues) => {
    if (!batch) return false;
    const body: UrgentDeadlineInput =
      v.how === 'spring'
        ? { urgent_deadline: null, spring_enrollment_deadline: day(v.spring_enrollment_deadline)! }
        : { urgent_deadline: day(v.urgent_deadline) ?? null };
    return exclusive(async () => {
      const r = await call(auditApi.urgentDeadline, { params: { code: batch }, body });
      void message.success(r.urgent_deadline ? `加急审核数据上报截止日期已设为 ${r.urgent_deadline}。` : '已清除加急审核数据上报截止日期。');
      await load();
    });
  };

  const b = data?.batch;
  const closed = !!b?.closed;

  const columns: TableColumnsType<AuditRound> = [
    { title: '名称', dataIndex: 'name', width: 110, render: (n: string) => <Typography.Text strong>{n}</Typography.Text> },
    { title: '类型', dataIndex: 'kind', width: 70, render: (k: RoundKind) => (k === '加急' ? <Tag color="orange">加急</Tag> : <Tag>常规</Tag>) },
    { title: '审核时间', key: 'dates', width: 200, render: (_: unknown, r) => `${r.starts_on} 至 ${r.ends_on}` },
    {
      title: '综合实践环节成绩接收时间',
      key: 'grades',
      width: 200,
      render: (_: unknown, r) => (r.grades_from ? `${r.grades_from} 至 ${r.grades_to}` : <Typography.Text type="secondary">—</Typography.Text>),
    },
    {
      title: '状态',
      dataIndex: 'status',
      width: 200,
      render: (s: RoundStatus, r) => {
        const running = runs.get(r.id);
        if (running && !FINISHED.has(running.task.state)) {
          const t = running.task;
          const percent = t.total > 0 ? Math.floor((t.progress / t.total) * 100) : 0;
          return (
            <div aria-label="审核进度">
              <Tag color="processing">{t.state === 'queued' ? '排队中' : '审核中'}</Tag>
              <Progress percent={percent} size="small" format={() => `${t.progress}/${t.total || '…'}`} />
            </div>
          );
        }
        return (
          <>
            <Tag color={STATUS_COLORS[s]}>{s}</Tag>
            {r.published_at && <Tag color="blue">已发布</Tag>}
            {s === '已取消' && r.cancel_reason && <ReasonNote reason={r.cancel_reason} />}
          </>
        );
      },
    },
    {
      title: '已审核人数',
      key: 'count',
      width: 150,
      render: (_: unknown, r) =>
        r.audited_count || r.passed || r.failed ? (
          <span>
            {r.passed + r.failed} 人（<Typography.Text type="success">通过 {r.passed}</Typography.Text> / <Typography.Text type="danger">不通过 {r.failed}</Typography.Text>）
          </span>
        ) : (
          <Typography.Text type="secondary">—</Typography.Text>
        ),
    },
    { title: '发布时间', dataIndex: 'published_at', width: 160, render: (d: string | null) => (d ? fmtDateTime(d) : <Typography.Text type="secondary">未发布</Typography.Text>) },
    {
      title: '操作',
      key: 'op',
      width: hq ? 300 : 100,
      render: (_: unknown, r) => {
        const results = (r.status === '已审核' || r.published_at) && (
          <Link to={`/graduation/audit/rounds/${r.id}?batch=${encodeURIComponent(r.batch_code)}`}>查看结果</Link>
        );
        if (!hq) return results;
        const running = runs.get(r.id);
        const isRunning = !!running && !FINISHED.has(running.task.state);
        const editable = !r.published_at && r.status !== '已取消';
        return (
          <Space size="small" wrap>
            {editable && !isRunning && (
              <a
                onClick={() => {
                  if (busy || closed) return;
                  void startRun(r);
                }}
                aria-disabled={busy || closed}
              >
                {r.status === '已审核' ? '重新审核' : '开始审核'}
              </a>
            )}
            {r.status === '已审核' && !r.published_at && !isRunning && <a onClick={() => publish(r)}>发布结果</a>}
            {editable && !isRunning && <a onClick={() => openRound(r)}>修改</a>}
            {editable && r.status === '未开始' && !isRunning && (
              <a
                style={{ color: '#ff4d4f' }}
                onClick={() => {
                  cancelling.show(r);
                }}
              >
                取消
              </a>
            )}
            {results}
          </Space>
        );
      },
    },
  ];

  return (
    <>
      <PageTitle action={hq && { label: '新建审核批次', disabled: !batch || closed, onClick: () => openRound('new') }}>毕业审核</PageTitle>
      <Stack>
        <Card size="small">
          <Row gutter={[16, 12]} align="middle">
            <Col xs={24} md={10} xl={8}>
              <Space>
                <label htmlFor="audit-batch">毕业批次</label>
                <Select
                  id="audit-batch"
                  aria-label="毕业批次"
                  style={{ minWidth: 240 }}
                  value={batch}
                  onChange={setBatch}
                  placeholder="请选择毕业批次"
                  options={batches.map((x) => ({ value: x.code, label: `${x.code} ${x.name}${x.is_current ? '（当前）' : ''}` }))}
                />
              </Space>
            </Col>
            <Col xs={24} md={14} xl={16}>
              {b && (
                <Descriptions
                  size="small"
                  column={{ xs: 1, sm: 1, md: 3 }}
                  items={[
                    {
                      key: 'closing',
                      label: '截止日期',
                      children: (
                        <Space size={4}>
                          {b.closing_date ?? '未设置'}
                          {closed && <Tag color="error">已截止</Tag>}
                        </Space>
                      ),
                    },
                    { key: 'exempt', label: '免修免考截止日期', children: b.exemption_deadline ?? '未设置' },
                    {
                      key: 'urgent',
                      label: '加急截止日期',
                      children: (
                        <Space size={4}>
                          {b.urgent_deadline ?? '未设置'}
                          {!b.urgent_window.open && <Tag>已截止</Tag>}
                          {hq && (
                            <a
                              onClick={() => {
                                deadline.show(true, { how: 'spring', urgent_deadline: b.urgent_deadline ? dayjs(b.urgent_deadline) : null });
                              }}
                            >
                              设置
                            </a>
                          )}
                        </Space>
                      ),
                    },
                  ]}
                />
              )}
            </Col>
          </Row>
        </Card>

        {closed && b && (
          <Alert type="warning" showIcon title={`毕业批次 ${b.code} 的毕业审核已于 ${b.closing_date} 截止，不能再上报或审核进该批次。`} />
        )}

        {data && (
          <Card size="small" title={hq ? '待审核情况（已同意毕业、尚未通过审核的学生）' : '本单位待审核情况'}>
            <Row gutter={[16, 16]} align="middle">
              <Col xs={8} md={4}>
                <Statistic title="已上报待审核" value={data.waiting.reported} suffix="人" />
              </Col>
              <Col xs={8} md={4}>
                <Statistic title="未上报" value={data.waiting.unreported} suffix="人" />
              </Col>
              <Col xs={8} md={4}>
                <Statistic title="加急" value={data.waiting.urgent} suffix="人" />
              </Col>
              <Col xs={24} md={12} style={{ textAlign: 'right' }}>
                <Space wrap>
                  {reporter && (
                    <>
                      <Button type="primary" disabled={closed || busy} onClick={() => reportData(false)}>
                        上报毕业审核数据
                      </Button>
                      <Button disabled={closed || busy} onClick={() => reportData(true)}>
                        上报加急审核数据
                      </Button>
                    </>
                  )}
                  <Tooltip title="续读本科的专科毕业生（加急）的审核数据，单独导出">
                    <Button href={batch ? urlOf(auditApi.urgentXlsx, { query: { batch } }) : undefined} disabled={!batch}>
                      导出加急审核数据
                    </Button>
                  </Tooltip>
                </Space>
              </Col>
            </Row>
            {report && (
              <div role="status" aria-label="上报结果" style={{ marginTop: 12 }}>
                <Alert
                  type={report.result.graduates > 0 ? 'success' : 'info'}
                  showIcon
                  closable={{ onClose: () => setReport(null) }}
                  title={
                    report.result.graduates > 0
                      ? `已上报${report.urgent ? '加急' : '毕业'}审核数据：${report.result.graduates} 名学生，上报时间 ${fmtDateTime(report.result.submitted_at)}，上报编号 ${report.result.submission_id}。`
                      : `没有需要上报的学生：本单位已同意毕业的${report.urgent ? '加急' : ''}学生均已上报。`
                  }
                />
              </div>
            )}
          </Card>
        )}

        <Card size="small" title="审核批次">
          {!hq && <Alert type="info" showIcon style={{ marginBottom: 12 }} title="总部发布审核结果后，这里列出审核批次及本单位学生的审核结果。" />}
          <Table<AuditRound>
            rowKey="id"
            size="small"
            loading={loading}
            columns={columns}
            dataSource={data?.rounds ?? []}
            pagination={false}
            scroll={{ x: 1300 }}
            locale={{ emptyText: hq ? '本毕业批次还没有审核批次，请点击“新建审核批次”' : '暂无已发布的审核结果' }}
          />
        </Card>
      </Stack>

      <FormModal<RoundValues>
        title={rounds.target === 'new' ? '新建审核批次' : `修改审核批次“${rounds.target?.name ?? ''}”`}
        busy={busy}
        {...rounds.modal(submitRound)}
        name="round"
      >
        <TextField label="名称" name="name" required="请填写审核批次名称，如“第一批”" rules={[{ min: 2, max: 20, message: '名称 2～20 个字' }]} placeholder="如：第一批" maxLength={20} />
        <Form.Item label="类型" name="kind" extra="加急：只审核标记为续读本科的专科毕业生。">
          <Radio.Group disabled={rounds.target !== 'new'} options={ROUND_KINDS.map((k) => ({ value: k, label: k }))} />
        </Form.Item>
        <Form.Item label="审核时间" name="dates" rules={[{ required: true, message: '请选择审核时间' }]}>
          <DatePicker.RangePicker style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item label="综合实践环节成绩接收时间" name="grades" extra="分部在此时间内上报综合实践环节成绩（可不填）。">
          <DatePicker.RangePicker style={{ width: '100%' }} />
        </Form.Item>
      </FormModal>

      <FormModal<{ reason: string }>
        title={`取消审核批次“${cancelling.target?.name ?? ''}”`}
        busy={busy}
        okText="确定取消"
        {...cancelling.modal(submitCancel)}
        name="cancelRound"
      >
        <TextField label="取消原因" name="reason" required="请填写取消原因" rules={[{ min: 2, message: '原因至少 2 个字' }]} rows={3} maxLength={200} placeholder="如：寒假期间不安排毕业审核" />
      </FormModal>

      <FormModal<DeadlineValues>
        title="设置加急审核数据上报截止日期"
        busy={busy}
        {...deadline.modal(submitDeadline)}
        name="urgentDeadline"
      >
        <Form.Item name="how" label="设置方式">
          <Radio.Group
            options={[
              { value: 'spring', label: '由春季招生截止日期推算' },
              { value: 'date', label: '直接填写日期' },
            ]}
          />
        </Form.Item>
        {deadlineHow === 'date' ? (
          <Form.Item label="加急截止日期" name="urgent_deadline" extra="留空则清除截止日期。">
            <DatePicker style={{ width: '100%' }} />
          </Form.Item>
        ) : (
          <Form.Item
            label="春季招生截止日期"
            name="spring_enrollment_deadline"
            rules={[{ required: true, message: '请选择春季招生截止日期' }]}
            extra="加急审核数据的上报截止日期为春季招生截止日期前一周的周一（由系统推算）。"
          >
            <DatePicker style={{ width: '100%' }} />
          </Form.Item>
        )}
      </FormModal>
    </>
  );
}
