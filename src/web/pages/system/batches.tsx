import { useCallback, useEffect, useRef, useState } from 'react';
import { Alert, App as AntApp, Button, Card, DatePicker, Form, Modal, Popconfirm, Progress, Select, Space, Switch, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { KIND_NAMES } from '../../../shared/org.ts';
import { call } from '../../client.ts';
import { batchesApi, type Batch, type BatchWindow } from '../../../shared/contract/batches.ts';
import { eligibilityApi } from '../../../shared/contract/eligibility.ts';
import { orgApi, type OrgNode } from '../../../shared/contract/org.ts';
import { tasksApi, type Task, type TaskState } from '../../../shared/contract/tasks.ts';
import { STEPS, type StepKey } from '../../../shared/steps.ts';
import { useMe } from '../../session.tsx';
import { day, FormModal, ListTable, PageTitle, TextField, useBusyAction, useFormDialog } from '../../ui.tsx';
import { BatchWindowsTable } from './batch-windows.tsx';

type Range = [dayjs.Dayjs | null, dayjs.Dayjs | null] | null | undefined;

interface CreateValues {
  code: string;
  name?: string;
  issue_date: dayjs.Dayjs;
  closing_date?: dayjs.Dayjs | null;
  exemption_deadline?: dayjs.Dayjs | null;
  is_current?: boolean;
}

interface ExtendValues {
  step: StepKey;
  node_id: number;
  ends_on: dayjs.Dayjs;
  reason: string;
}

const TASK_STATES: Record<TaskState, string> = { queued: '排队中', running: '计算中', done: '已完成', failed: '失败', cancelled: '已取消' };

/** The windows of one batch as they stand for the user's node (extensions included), as the server judges them. */
function WindowsTable({ code }: { code: string }) {
  const [batch, setBatch] = useState<Batch | null>(null);
  useEffect(() => {
    call(batchesApi.get, { params: { code } }).then(setBatch, () => undefined);
  }, [code]);
  const byStep = new Map((batch?.windows ?? []).map((w) => [w.step, w]));
  const rows = STEPS.map((s): BatchWindow => byStep.get(s.key) ?? { step: s.key, no: s.no, name: s.name, starts_on: '', ends_on: '' });
  return <BatchWindowsTable windows={rows} loading={!batch} size="small" />;
}

export default function BatchesPage() {
  const me = useMe();
  const hq = me.role === 'hq_admin';
  const { message } = AntApp.useApp();
  const [batches, setBatches] = useState<Batch[] | null>(null);
  const [nodes, setNodes] = useState<OrgNode[]>([]);
  const creating = useFormDialog<true, CreateValues>();
  const editing = useFormDialog<Batch, Record<string, Range>>();
  const extending = useFormDialog<Batch, ExtendValues>();
  const [task, setTask] = useState<Task | null>(null);
  const [taskOpen, setTaskOpen] = useState(false);
  const [reloadKey, setReloadKey] = useState(0);
  const polling = useRef<number | null>(null);

  const load = useCallback(async () => {
    try {
      setBatches(await call(batchesApi.list));
      setReloadKey((k) => k + 1);
    } catch {
      setBatches((b) => b ?? []);
    }
  }, []);

  useEffect(() => {
    void load();
    if (hq) call(orgApi.nodes).then(setNodes, () => undefined);
    return () => {
      if (polling.current !== null) window.clearTimeout(polling.current);
    };
  }, [load, hq]);

  const { busy, run, exclusive } = useBusyAction(load);

  const create = (_: true, v: CreateValues) => {
    const body = {
      code: v.code.trim(),
      name: v.name?.trim() || undefined,
      issue_date: day(v.issue_date)!,
      closing_date: day(v.closing_date) ?? null,
      exemption_deadline: day(v.exemption_deadline) ?? null,
      is_current: !!v.is_current,
      windows: [],
    };
    return run(() => call(batchesApi.create, { body }), `已创建毕业批次 ${body.code}，请设置各环节的办理时间。`);
  };

  const openEditing = (b: Batch) => {
    const values: Record<string, Range> = {};
    for (const s of STEPS) {
      const w = b.windows.find((x) => x.step === s.key);
      values[s.key] = w ? [dayjs(w.starts_on), dayjs(w.ends_on)] : undefined;
    }
    editing.show(b, values);
  };

  const saveWindows = async ({ code }: Batch, v: Record<string, Range>) => {
    const windows = STEPS.flatMap((s) => {
      const r = v[s.key];
      return r && r[0] && r[1] ? [{ step: s.key, starts_on: day(r[0])!, ends_on: day(r[1])! }] : [];
    });
    if (!windows.length) {
      void message.warning('请至少设置一个环节的办理时间。');
      return false;
    }
    return run(() => call(batchesApi.setWindows, { params: { code }, body: { windows } }), `已保存毕业批次 ${code} 的办理时间。`);
  };

  const extend = ({ code }: Batch, v: ExtendValues) => {
    const node = nodes.find((n) => n.id === v.node_id);
    return run(
      () => call(batchesApi.extend, { params: { code }, body: { step: v.step, node_id: v.node_id, ends_on: day(v.ends_on)!, reason: v.reason.trim() } }),
      `已为“${node?.name ?? ''}”延长办理时间至 ${day(v.ends_on)}。`,
    );
  };

  const poll = (id: string) => {
    call(tasksApi.get, { params: { id } }).then(
      (t) => {
        setTask(t);
        if (t.state === 'done' || t.state === 'failed' || t.state === 'cancelled') {
          polling.current = null;
          if (t.state === 'done') void message.success('毕业资格已重新计算。');
          return;
        }
        polling.current = window.setTimeout(() => poll(id), 1000);
      },
      () => {
        polling.current = null;
      },
    );
  };

  const recompute = async (b: Batch) => {
    await exclusive(async () => {
      const { task_id } = await call(eligibilityApi.recompute, { params: { code: b.code } });
      setTask({ id: task_id, kind: '', title: `重新计算毕业批次 ${b.code} 的毕业资格`, state: 'queued', progress: 0, total: 0, eta_seconds: null, result: null, error: null, created_at: '', finished_at: null });
      setTaskOpen(true);
      poll(task_id);
    });
  };

  const taskDone = task && (task.state === 'done' || task.state === 'failed' || task.state === 'cancelled');
  const taskResult = task?.result as { graduates?: number } | null | undefined;

  return (
    <>
      <PageTitle action={hq && { label: '新建毕业批次', onClick: () => creating.show(true) }}>毕业批次</PageTitle>
      {!hq && <Alert type="info" showIcon style={{ marginBottom: 16 }} title="毕业批次及各环节的办理时间由总部设置；如需延期办理，请联系总部为本单位延长时间。" />}
      <Card size="small">
        <ListTable<Batch>
          rows={batches}
          rowKey="code"
          size="middle"
          expandable={{
            expandedRowRender: (b) => <WindowsTable key={`${b.code}-${reloadKey}`} code={b.code} />,
            defaultExpandedRowKeys: [],
          }}
          columns={[
            {
              title: '批次代码',
              dataIndex: 'code',
              width: 120,
              render: (c: string, b) => (
                <Space size={4}>
                  <Typography.Text strong>{c}</Typography.Text>
                  {b.is_current && <Tag color="blue">当前</Tag>}
                </Space>
              ),
            },
            { title: '名称', dataIndex: 'name' },
            { title: '发证日期', dataIndex: 'issue_date', width: 120 },
            { title: '免修免考申请截止', dataIndex: 'exemption_deadline', width: 150, render: (d: string | null) => d ?? '—' },
            { title: '批次关闭日期', dataIndex: 'closing_date', width: 130, render: (d: string | null) => d ?? '—' },
            { title: '已设置环节', key: 'n', width: 110, render: (_: unknown, b) => `${b.windows.length} / ${STEPS.length}` },
            ...(hq
              ? [
                  {
                    title: '操作',
                    key: 'op',
                    width: 320,
                    render: (_: unknown, b: Batch) => (
                      <Space size="small">
                        <a onClick={() => openEditing(b)}>设置办理时间</a>
                        <a onClick={() => extending.show(b)}>延长办理时间</a>
                        <Popconfirm
                          title={`重新计算毕业批次 ${b.code} 的毕业资格？`}
                          description="按最新成绩和教学计划重新核查该批次全部候选学生，在后台进行。"
                          okText="开始计算"
                          cancelText="取消"
                          onConfirm={() => recompute(b)}
                        >
                          <a>重新计算毕业资格</a>
                        </Popconfirm>
                      </Space>
                    ),
                  },
                ]
              : []),
          ]}
        />
      </Card>

      <FormModal title="新建毕业批次" busy={busy} {...creating.modal(create)} name="create-batch">
        <TextField
          label="批次代码"
          name="code"
          extra="年月 YYYYMM，如 202707"
          rules={[
            { required: true, message: '请填写批次代码' },
            { pattern: /^\d{4}(0[1-9]|1[0-2])$/, message: '毕业批次代码为年月 YYYYMM，如 202301' },
          ]}
          maxLength={6}
        />
        <TextField label="名称" name="name" extra="不填则为“YYYY年M月毕业批次”" maxLength={50} />
        <Form.Item label="发证日期" name="issue_date" rules={[{ required: true, message: '请选择发证日期' }]}>
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item label="免修免考申请截止" name="exemption_deadline">
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item label="批次关闭日期" name="closing_date">
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item label="设为当前批次" name="is_current" valuePropName="checked">
          <Switch />
        </Form.Item>
      </FormModal>

      <FormModal
        title={editing.target ? `设置毕业批次 ${editing.target.code} 的办理时间` : ''}
        width={640}
        busy={busy}
        {...editing.modal(saveWindows)}
        name="batch-windows"
        formProps={{ labelCol: { flex: '230px' }, labelWrap: true }}
      >
        {STEPS.map((s) => (
          <Form.Item key={s.key} label={`${s.no}、${s.name}`} name={s.key} style={{ marginBottom: 12 }}>
            <DatePicker.RangePicker />
          </Form.Item>
        ))}
      </FormModal>

      <FormModal
        title={extending.target ? `延长办理时间（毕业批次 ${extending.target.code}）` : ''}
        busy={busy}
        {...extending.modal(extend)}
        name="extend-window"
      >
        <Form.Item label="环节" name="step" rules={[{ required: true, message: '请选择环节' }]}>
          <Select
            options={STEPS.map((s) => {
              const w = extending.target?.windows.find((x) => x.step === s.key);
              return { value: s.key, label: `${s.no}、${s.name}${w ? `（${w.starts_on} 至 ${w.ends_on}）` : '（未设置）'}`, disabled: !w };
            })}
          />
        </Form.Item>
        <Form.Item label="单位" name="node_id" rules={[{ required: true, message: '请选择单位' }]} extra="延期对该单位及其下级单位有效。">
          <Select
            showSearch={{ optionFilterProp: 'label' }}
            options={nodes.filter((n) => n.kind === 'branch' || n.kind === 'tp').map((n) => ({ value: n.id, label: `${n.code} ${n.name}（${KIND_NAMES[n.kind]}）` }))}
          />
        </Form.Item>
        <Form.Item label="延长至" name="ends_on" rules={[{ required: true, message: '请选择新的截止日期' }]}>
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
        <TextField label="延期原因" name="reason" required="请填写延期原因" rules={[{ min: 2, message: '请填写延期原因' }, { max: 200 }]} rows={2} maxLength={200} />
      </FormModal>

      <Modal
        title={task?.title ?? '后台任务'}
        open={taskOpen}
        onCancel={() => setTaskOpen(false)}
        footer={
          <Button type={taskDone ? 'primary' : 'default'} onClick={() => setTaskOpen(false)}>
            {taskDone ? '完成' : '在后台继续'}
          </Button>
        }
      >
        {task && (
          <Space orientation="vertical" style={{ width: '100%' }}>
            <div>状态：{TASK_STATES[task.state] ?? task.state}</div>
            <Progress
              percent={task.state === 'done' ? 100 : task.total ? Math.round((task.progress / task.total) * 100) : 0}
              status={task.state === 'failed' ? 'exception' : task.state === 'done' ? 'success' : 'active'}
            />
            {task.state === 'done' && taskResult?.graduates !== undefined && <div>已核查 {taskResult.graduates} 名候选学生。</div>}
            {task.error && <Alert type="error" showIcon title={task.error} />}
          </Space>
        )}
      </Modal>
    </>
  );
}
