import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Alert, App as AntApp, Button, Card, Col, Drawer, Form, Grid, Input, Row, Select, Skeleton, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { api, isAdmin, type ActionResult, type Batch, type BatchWindow, type OrgNode } from '../../api.ts';
import { FORM_STATES, formsApi, type FormFilter, type FormPage, type FormRow, type FormState, type FormView, type OpinionKind, type Phrase } from '../../api-forms.ts';
import { ExportDialog } from '../../export-dialog.tsx';
import { RunningExports } from '../../running-exports.tsx';
import { useMe } from '../../session.tsx';
import { MajorFilterItem, studentPagination, TpFilterItem } from '../../student-columns.tsx';
import { ActionResultPanel, countdownText, FilterButtons, fmtDateTime, PageTitle, useTickedRows, windowState } from '../../ui.tsx';
import { FormSheet, StateTag } from './graduate-form-sheet.tsx';
import { OpinionsModal, PhrasesDrawer, ReturnModal } from './graduate-forms-actions.tsx';

/** 毕业批次 “无”: the forms not yet filed under a batch (before the school's opinion). */
const NONE = 'none';

type FilterValues = FormFilter;
type Dialog = 'opinions' | 'approve' | 'return' | 'export' | 'phrases' | null;

function cleanFilter(v: FilterValues, fixed: { tp: string | null; cls: string | null }): FormFilter {
  const f: FormFilter = {};
  if (v.batch) f.batch = v.batch;
  const tp = fixed.tp ?? v.tp_code;
  if (tp) f.tp_code = tp;
  if (v.state) f.state = v.state;
  if (v.major?.trim()) f.major = v.major.trim();
  const cls = fixed.cls ?? v.class_code;
  if (cls) f.class_code = cls;
  if (v.q?.trim()) f.q = v.q.trim();
  return f;
}

/** 填写毕业生登记表意见 of the current batch, as it stands for the caller's unit (seed 000 四: 2022-10-10～10-23). */
function OpinionsWindow({ batch, window: w }: { batch: string; window: BatchWindow | undefined }) {
  if (!w) return <Alert type="warning" showIcon title={`毕业批次 ${batch} 尚未设置“填写毕业生登记表意见”的办理时间，请联系总部设置。`} />;
  const state = windowState(w);
  const span = `${w.starts_on} 至 ${state.ends}`;
  if (state.kind === 'open') return <Alert type="success" showIcon title={`填写毕业生登记表意见（${batch}）：${span}，${countdownText(state)}`} />;
  return (
    <Alert
      type="warning"
      showIcon
      title={`填写毕业生登记表意见（${batch}）：${span}，${countdownText(state)}。`}
      description="不在办理时间内不能填写意见或退回；如需延期办理，请联系总部为本单位延长办理时间。"
    />
  );
}

/** Which opinions are written: 班主任, 函授站, 学校, each ticked or not. */
function OpinionsWritten({ r }: { r: FormRow }) {
  const one = (label: string, text: string | null) => (
    <Tooltip key={label} title={text ?? `${label}意见未填写`}>
      <Tag color={text ? 'success' : 'default'} style={{ marginInlineEnd: 4 }}>
        {label} {text ? '✓' : '—'}
      </Tag>
    </Tooltip>
  );
  return (
    <span aria-label="已填写的意见">
      {one('班主任', r.head_teacher_opinion)}
      {one('函授站', r.tp_opinion)}
      {one('学校', r.school_opinion)}
    </span>
  );
}

/**
 * 毕业 → 毕业管理 → 毕业生登记表管理 (seed 000 四): the teaching point (and a class's head teacher) finds the
 * submitted forms under 毕业批次 “无” and 函授站未填写, writes 班主任意见 and 函授站意见 for many at once;
 * the branch writes 学校意见 (总部已填写); the teaching point then queries 总部已填写 and downloads them.
 */
export default function GraduateFormsPage() {
  const me = useMe();
  const { message } = AntApp.useApp();
  const narrow = Grid.useBreakpoint().md === false;
  const admin = isAdmin(me.role);
  const headTeacher = me.role === 'head_teacher';
  const fixedTp = me.role === 'tp_admin' ? me.node.code : null;
  const fixedClass = headTeacher ? me.node.code : null;
  /** The opinions this role writes (a head teacher: only 班主任意见, for their class). */
  const writes: OpinionKind[] = admin ? ['学校意见'] : headTeacher ? ['班主任意见'] : ['班主任意见', '函授站意见'];

  const [form] = Form.useForm<FilterValues>();
  const [batches, setBatches] = useState<Batch[]>([]);
  const [tps, setTps] = useState<OrgNode[]>([]);
  const [classes, setClasses] = useState<OrgNode[]>([]);
  const [majors, setMajors] = useState<string[]>([]);
  const [phrases, setPhrases] = useState<Phrase[]>([]);
  /** The filter of the rows on screen (what 当前查询的全部学生 means). */
  const [query, setQuery] = useState<FormFilter | null>(null);
  const [paging, setPaging] = useState({ page: 1, page_size: 50 });
  const [data, setData] = useState<FormPage | null>(null);
  const [loading, setLoading] = useState(false);
  /** Ticked forms, kept across pages. */
  const { ticked: ticked, setTicked: setTicked, selection: tickSelection } = useTickedRows<FormRow>();
  const [dialog, setDialog] = useState<Dialog>(null);
  const [result, setResult] = useState<{ action: string; result: ActionResult } | null>(null);
  const [viewing, setViewing] = useState<{ id: number; form: FormView | null; failed?: boolean } | null>(null);
  const [current, setCurrent] = useState<Batch | null>(null);
  const requestNo = useRef(0);
  const formTp = Form.useWatch('tp_code', form);

  const loadPhrases = useCallback(() => {
    formsApi.phrases().then((r) => setPhrases(r.rows), () => undefined);
  }, []);

  const load = useCallback(async (f: FormFilter, page: number, page_size: number) => {
    const no = ++requestNo.current;
    setLoading(true);
    try {
      const res = await formsApi.list({ ...f, page, page_size });
      if (no === requestNo.current) setData(res);
    } catch {
      // shown by the api client
    } finally {
      if (no === requestNo.current) setLoading(false);
    }
  }, []);

  const search = useCallback(
    (v: FilterValues) => {
      const f = cleanFilter(v, { tp: fixedTp, cls: fixedClass });
      setQuery(f);
      setPaging((p) => ({ ...p, page: 1 }));
      setTicked(new Map());
      setResult(null);
      void load(f, 1, paging.page_size);
    },
    [fixedTp, fixedClass, load, paging.page_size],
  );

  useEffect(() => {
    api.batches().then((l) => {
      setBatches(l);
      // The window as it stands for this unit (extensions count): teaching points and head teachers only.
      const cur = l.find((b) => b.is_current);
      if (cur && !admin) api.batch(cur.code).then(setCurrent, () => undefined);
    }, () => undefined);
    if (!fixedTp && !headTeacher) api.nodes({ kind: 'tp' }).then(setTps, () => undefined);
    if (!headTeacher) api.nodes({ kind: 'class' }).then(setClasses, () => undefined);
    api.majors().then((l) => setMajors([...new Set(l.map((m) => m.major))]), () => undefined);
    loadPhrases();
    // The seed's first query (四.2): 毕业批次 “无”, the teaching point's own code.
    search(form.getFieldsValue());
    // Once, on opening.
  }, []);

  /** 班级: those of the chosen teaching point (a teaching point sees only its own). */
  const classOptions = useMemo(() => {
    const tp = formTp ? tps.find((t) => t.code === formTp) : undefined;
    return classes.filter((c) => !tp || c.parent_id === tp.id).map((c) => ({ value: c.code, label: `${c.code} ${c.name}` }));
  }, [classes, tps, formTp]);

  const pickState = (state: FormState) => {
    form.setFieldsValue({ state });
    search(form.getFieldsValue());
  };

  const reload = () => (query ? load(query, paging.page, paging.page_size) : Promise.resolve());

  const finished = (action: string, r: ActionResult) => {
    setDialog(null);
    setResult({ action, result: r });
    const text = `${action}：成功 ${r.changed} 人，无需变更 ${r.unchanged} 人，未通过 ${r.refused.length} 人`;
    if (r.refused.length) void message.warning(text);
    else void message.success(text);
    setTicked(new Map());
    void reload();
  };

  const sendBack = async (reason: string) => {
    try {
      const r = await formsApi.sendBack(
        [...ticked.values()].map((x) => ({ id: x.id, version: x.version })),
        reason,
      );
      finished('退回', r);
      return true;
    } catch {
      return false;
    }
  };

  const open = (id: number) => {
    setViewing({ id, form: null });
    formsApi.one(id).then(
      (f) => setViewing((v) => (v?.id === id ? { id, form: f } : v)),
      () => setViewing((v) => (v?.id === id ? { id, form: null, failed: true } : v)),
    );
  };

  const columns: TableColumnsType<FormRow> = useMemo(
    () => [
      { title: '学号', dataIndex: 'student_no', width: 132, fixed: 'left' },
      {
        title: '姓名',
        dataIndex: 'name',
        width: 80,
        render: (n: string, r) => (
          <a
            onClick={(e) => {
              e.stopPropagation();
              open(r.id);
            }}
          >
            {n}
          </a>
        ),
      },
      { title: '性别', dataIndex: 'gender', width: 50 },
      { title: '层次', dataIndex: 'level', width: 50 },
      { title: '专业', dataIndex: 'major', width: 130 },
      {
        title: '班级',
        dataIndex: 'class_name',
        width: 150,
        render: (n: string | null, r) => (
          <>
            <div>{n ?? '—'}</div>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {r.tp_code} {r.tp_name}
            </Typography.Text>
          </>
        ),
      },
      { title: '毕业批次', dataIndex: 'batch_code', width: 80, render: (b: string | null) => b ?? '无' },
      {
        title: '登记表状态',
        dataIndex: 'state',
        width: 120,
        render: (s: FormState, r) => (
          <>
            <StateTag state={s} />
            {s === '学生未填写' && r.return_reason && (
              <div>
                <Typography.Text type="danger" style={{ fontSize: 12 }}>
                  已退回：{r.return_reason}
                </Typography.Text>
              </div>
            )}
          </>
        ),
      },
      { title: '提交时间', dataIndex: 'submitted_at', width: 150, render: (t: string | null) => (t ? fmtDateTime(t) : '—') },
      { title: '意见', key: 'opinions', width: 230, render: (_: unknown, r) => <OpinionsWritten r={r} /> },
    ],
    [],
  );

  const total = data?.total ?? 0;
  const tickedRows = [...ticked.values()];
  const none = ticked.size === 0;
  const counts = data?.counts;

  return (
    <>
      <PageTitle>毕业生登记表管理</PageTitle>
      <RunningExports announce style={{ marginBottom: 16 }} />
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        <Card size="small">
          <Form<FilterValues>
            form={form}
            name="graduate-forms-filter"
            labelCol={{ flex: '96px' }}
            initialValues={{ batch: NONE, tp_code: fixedTp ?? undefined, class_code: fixedClass ?? undefined }}
            onFinish={search}
          >
            <Row gutter={16}>
              <Col xs={24} md={12} xl={8}>
                <Form.Item label="毕业批次" name="batch" extra="“无”：尚未填写学校意见的登记表">
                  <Select
                    allowClear
                    placeholder="全部"
                    showSearch={{ optionFilterProp: 'label' }}
                    options={[
                      { value: NONE, label: '无' },
                      ...batches.map((b) => ({ value: b.code, label: `${b.code}${b.is_current ? '（当前）' : ''}` })),
                    ]}
                  />
                </Form.Item>
              </Col>
              <Col xs={24} md={12} xl={8}>
                {headTeacher ? (
                  <Form.Item label="函授站代码" extra="本班所在函授站">
                    <Input disabled value={data?.rows[0]?.tp_code ?? ''} />
                  </Form.Item>
                ) : (
                  <TpFilterItem label="函授站代码" fixedTp={fixedTp} fixedName={me.node.name} tps={tps} />
                )}
              </Col>
              <Col xs={24} md={12} xl={8}>
                <Form.Item label="登记表状态" name="state">
                  <Select allowClear placeholder="全部" options={FORM_STATES.map((s) => ({ value: s, label: s }))} />
                </Form.Item>
              </Col>
              <Col xs={24} md={12} xl={8}>
                <MajorFilterItem majors={majors} />
              </Col>
              <Col xs={24} md={12} xl={8}>
                {headTeacher ? (
                  <Form.Item label="班级" name="class_code" extra={me.node.name}>
                    <Input disabled />
                  </Form.Item>
                ) : (
                  <Form.Item label="班级" name="class_code">
                    <Select allowClear showSearch={{ optionFilterProp: 'label' }} placeholder="全部班级" options={classOptions} />
                  </Form.Item>
                )}
              </Col>
              <Col xs={24} md={12} xl={8}>
                <Form.Item label="学号/姓名" name="q">
                  <Input allowClear placeholder="学号、姓名或身份证号" />
                </Form.Item>
              </Col>
              <Col xs={24} style={{ textAlign: 'right' }}>
                <FilterButtons
                  loading={loading}
                  onReset={() => {
                    form.resetFields();
                    form.setFieldsValue({ batch: NONE, tp_code: fixedTp ?? undefined, class_code: fixedClass ?? undefined });
                  }}
                />
              </Col>
            </Row>
          </Form>
        </Card>

        {counts && (
          <section aria-label="各状态人数">
            <Space wrap size={[16, 8]}>
              {FORM_STATES.map((s) => (
                <Button key={s} type={query?.state === s ? 'primary' : 'default'} ghost={query?.state === s} onClick={() => pickState(s)}>
                  {s}：{counts[s]} 人
                </Button>
              ))}
            </Space>
          </section>
        )}

        {current && <OpinionsWindow batch={current.code} window={current.windows.find((w) => w.step === 'opinions')} />}

        {result && <ActionResultPanel action={result.action} result={result.result} onClose={() => setResult(null)} />}

        <section aria-label="登记表名单">
          <Card size="small">
            <div style={{ display: 'flex', flexWrap: 'wrap', gap: 12, alignItems: 'center', justifyContent: 'space-between', marginBottom: 12 }}>
              <Space wrap>
                {!admin && (
                  <Button type="primary" disabled={none} onClick={() => setDialog('opinions')}>
                    填写意见
                  </Button>
                )}
                {admin && (
                  <Button type="primary" disabled={none} onClick={() => setDialog('approve')}>
                    学校意见
                  </Button>
                )}
                {me.role === 'tp_admin' && (
                  <Button danger disabled={none} onClick={() => setDialog('return')}>
                    退回
                  </Button>
                )}
                <Button disabled={!query || total === 0} onClick={() => setDialog('export')}>
                  下载毕业生登记表
                </Button>
                <Button onClick={() => setDialog('phrases')}>常用意见</Button>
              </Space>
              <Typography.Text type="secondary">
                {ticked.size ? `已勾选 ${ticked.size} 人` : '勾选学生后填写意见'}
                {ticked.size > 0 && (
                  <Button type="link" size="small" onClick={() => setTicked(new Map())}>
                    清除勾选
                  </Button>
                )}
              </Typography.Text>
            </div>
            <Table<FormRow>
              rowKey="id"
              size="small"
              loading={loading}
              columns={columns}
              dataSource={data?.rows ?? []}
              scroll={{ x: 1200 }}
              locale={{ emptyText: query ? '没有符合查询条件的登记表' : '请选择查询条件，点击“查询”' }}
              onRow={(r) => ({
                style: { cursor: 'pointer' },
                onClick: (e) => {
                  // The tick box and links do their own thing.
                  if ((e.target as HTMLElement).closest('.ant-table-selection-column, a, button, input, label')) return;
                  open(r.id);
                },
              })}
              rowSelection={{
                fixed: true,
                ...tickSelection,
              }}
              pagination={studentPagination({ page: data?.page ?? paging.page, page_size: paging.page_size }, total, (page, page_size) => {
                if (!query) return;
                setPaging({ page, page_size });
                void load(query, page, page_size);
              })}
            />
          </Card>
        </section>
      </Space>

      <OpinionsModal
        open={dialog === 'opinions' || dialog === 'approve'}
        mode={dialog === 'approve' ? 'approve' : 'opinions'}
        kinds={writes}
        rows={tickedRows}
        phrases={phrases}
        onCancel={() => setDialog(null)}
        onDone={(r) => finished(admin ? '学校意见' : '填写意见', r)}
      />
      <ReturnModal open={dialog === 'return'} count={ticked.size} onCancel={() => setDialog(null)} onReturn={sendBack} />
      <PhrasesDrawer
        open={dialog === 'phrases'}
        kinds={admin ? ['班主任意见', '函授站意见', '学校意见'] : headTeacher ? ['班主任意见'] : ['班主任意见', '函授站意见']}
        phrases={phrases}
        canEdit={!headTeacher}
        onClose={() => setDialog(null)}
        onChanged={loadPhrases}
      />
      <ExportDialog kind="graduate-forms" open={dialog === 'export'} onClose={() => setDialog(null)} ticked={[...ticked.keys()]} total={total} filter={query ?? {}} />
      <Drawer
        title={viewing?.form ? `毕业生登记表：${viewing.form.identity.name}（${viewing.form.identity.student_no}）` : '毕业生登记表'}
        open={viewing !== null}
        onClose={() => setViewing(null)}
        size={narrow ? '100%' : 880}
      >
        {viewing?.form || viewing?.failed ? <FormSheet form={viewing.form} narrow={narrow} /> : <Skeleton active />}
      </Drawer>
    </>
  );
}
