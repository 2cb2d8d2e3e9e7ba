import { useCallback, useEffect, useMemo, useState } from 'react';
import { Alert, Button, Card, Col, Drawer, Form, Grid, Input, Select, Skeleton, Space, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { call } from '../../client.ts';
import {
  FORM_STATES,
  formsApi,
  type FormFilter,
  type FormPage,
  type FormRow,
  type FormState,
  type FormView,
  type ListFilter,
  type OpinionKind,
  type Phrase,
} from '../../../shared/contract/forms.ts';
import type { BulkResult } from '../../../shared/bulk.ts';
import { batchesApi, type Batch, type BatchWindow } from '../../../shared/contract/batches.ts';
import { orgApi, type OrgNode } from '../../../shared/contract/org.ts';
import { ADMINS } from '../../../shared/org.ts';
import { ExportDialog } from '../../export-dialog.tsx';
import { RunningExports } from '../../running-exports.tsx';
import { useMe } from '../../session.tsx';
import { MajorFilterItem, TickedTable, TpFilterItem, useFilterChoices } from '../../student-columns.tsx';
import { countdownText, FilterCard, FilterField, fmtDateTime, PageTitle, Stack, THIRD, useBulkResult, usePagedList, useTickedRows, windowState } from '../../ui.tsx';
import { ActionBar } from './bulk-parts.tsx';
import { FormSheet, StateTag } from './graduate-form-sheet.tsx';
import { OpinionsModal, PhrasesDrawer, ReturnModal } from './graduate-forms-actions.tsx';

/** 毕业批次 “无”: the forms not yet filed under a batch (before the school's opinion). */
const NONE = 'none';

type FilterValues = FormFilter;
type Dialog = 'opinions' | 'approve' | 'return' | 'export' | 'phrases' | null;

const fetchForms = (query: ListFilter) => call(formsApi.list, { query });

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
  const narrow = Grid.useBreakpoint().md === false;
  const admin = ADMINS.includes(me.role);
  const headTeacher = me.role === 'head_teacher';
  const fixedTp = me.role === 'tp_admin' ? me.node.code : null;
  const fixedClass = headTeacher ? me.node.code : null;
  /** The opinions this role writes (a head teacher: only 班主任意见, for their class). */
  const writes: OpinionKind[] = admin ? ['学校意见'] : headTeacher ? ['班主任意见'] : ['班主任意见', '函授站意见'];

  const [form] = Form.useForm<FilterValues>();
  // A head teacher's teaching point is fixed by their class: no list of teaching points.
  const { batches, tps, majors } = useFilterChoices({ tps: !(fixedTp ?? fixedClass) });
  const [classes, setClasses] = useState<OrgNode[]>([]);
  const [phrases, setPhrases] = useState<Phrase[]>([]);
  /** The form's first filter, and the seed's first query (四.2): 毕业批次 “无”, the teaching point's own code. */
  const initial: FilterValues = { batch: NONE, tp_code: fixedTp ?? undefined, class_code: fixedClass ?? undefined };
  const list = usePagedList<FormFilter, FormRow, FormPage>(fetchForms, { pageSize: 50, initial: cleanFilter(initial, { tp: fixedTp, cls: fixedClass }) });
  const data = list.data;
  /** The filter of the rows on screen (what 当前查询的全部学生 means). */
  const query = list.filter;
  /** Ticked forms, kept across pages. */
  const { ticked, setTicked, selection: tickSelection } = useTickedRows<FormRow>();
  const [dialog, setDialog] = useState<Dialog>(null);
  const bulk = useBulkResult();
  const [viewing, setViewing] = useState<{ id: number; form: FormView | null; failed?: boolean } | null>(null);
  const [current, setCurrent] = useState<Batch | null>(null);
  const formTp = Form.useWatch('tp_code', form);

  const loadPhrases = useCallback(() => {
    call(formsApi.phrases).then((r) => setPhrases(r.rows), () => undefined);
  }, []);

  const search = (v: FilterValues) => {
    setTicked(new Map());
    bulk.clear();
    void list.search(cleanFilter(v, { tp: fixedTp, cls: fixedClass }));
  };

  useEffect(() => {
    if (!headTeacher) call(orgApi.nodes, { query: { kind: 'class' } }).then(setClasses, () => undefined);
    loadPhrases();
    // Once, on opening.
  }, []);

  // The window as it stands for this unit (extensions count): teaching points and head teachers only.
  const currentCode = batches.find((b) => b.is_current)?.code;
  useEffect(() => {
    if (currentCode && !admin) call(batchesApi.get, { params: { code: currentCode } }).then(setCurrent, () => undefined);
  }, [currentCode, admin]);

  /** 班级: those of the chosen teaching point (a teaching point sees only its own). */
  const classOptions = useMemo(() => {
    const tp = formTp ? tps.find((t) => t.code === formTp) : undefined;
    return classes.filter((c) => !tp || c.parent_id === tp.id).map((c) => ({ value: c.code, label: `${c.code} ${c.name}` }));
  }, [classes, tps, formTp]);

  const pickState = (state: FormState) => {
    form.setFieldsValue({ state });
    search(form.getFieldsValue());
  };

  const finished = (action: string, r: BulkResult) => {
    setDialog(null);
    bulk.show(action, r);
    setTicked(new Map());
    void list.reload();
  };

  const sendBack = async (reason: string) => {
    try {
      const items = [...ticked.values()].map((x) => ({ id: x.id, version: x.version }));
      const r = await call(formsApi.sendBack, { body: { items, reason } });
      finished('退回', r);
      return true;
    } catch {
      return false;
    }
  };

  const open = (id: number) => {
    setViewing({ id, form: null });
    call(formsApi.one, { params: { id } }).then(
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
      <Stack>
        <FilterCard<FilterValues>
          form={form}
          name="graduate-forms-filter"
          initialValues={initial}
          onFinish={search}
          loading={list.loading}
          resetTo={() => initial}
        >
          <FilterField label="毕业批次" name="batch" extra="“无”：尚未填写学校意见的登记表">
            <Select
              allowClear
              placeholder="全部"
              showSearch={{ optionFilterProp: 'label' }}
              options={[
                { value: NONE, label: '无' },
                ...batches.map((b) => ({ value: b.code, label: `${b.code}${b.is_current ? '（当前）' : ''}` })),
              ]}
            />
          </FilterField>
          <Col {...THIRD}>
            {headTeacher ? (
              <Form.Item label="函授站代码" extra="本班所在函授站">
                <Input disabled value={data?.rows[0]?.tp_code ?? ''} />
              </Form.Item>
            ) : (
              <TpFilterItem label="函授站代码" fixedTp={fixedTp} fixedName={me.node.name} tps={tps} />
            )}
          </Col>
          <FilterField label="登记表状态" name="state">
            <Select allowClear placeholder="全部" options={FORM_STATES.map((s) => ({ value: s, label: s }))} />
          </FilterField>
          <Col {...THIRD}>
            <MajorFilterItem majors={majors} />
          </Col>
          <Col {...THIRD}>
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
          <FilterField label="学号/姓名" name="q">
            <Input allowClear placeholder="学号、姓名或身份证号" />
          </FilterField>
        </FilterCard>

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

        {bulk.panel}

        <section aria-label="登记表名单">
          <Card size="small">
            <ActionBar
              aside={
                <Typography.Text type="secondary">
                  {ticked.size ? `已勾选 ${ticked.size} 人` : '勾选学生后填写意见'}
                  {ticked.size > 0 && (
                    <Button type="link" size="small" onClick={() => setTicked(new Map())}>
                      清除勾选
                    </Button>
                  )}
                </Typography.Text>
              }
            >
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
                <Button disabled={total === 0} onClick={() => setDialog('export')}>
                  下载毕业生登记表
                </Button>
                <Button onClick={() => setDialog('phrases')}>常用意见</Button>
              </Space>
            </ActionBar>
            <TickedTable<FormRow>
              list={list}
              columns={columns}
              scroll={{ x: 1200 }}
              emptyText="没有符合查询条件的登记表"
              onRow={(r) => ({
                style: { cursor: 'pointer' },
                onClick: (e) => {
                  // The tick box and links do their own thing.
                  if ((e.target as HTMLElement).closest('.ant-table-selection-column, a, button, input, label')) return;
                  open(r.id);
                },
              })}
              selection={tickSelection}
            />
          </Card>
        </section>
      </Stack>

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
      <ExportDialog kind="graduate-forms" open={dialog === 'export'} onClose={() => setDialog(null)} ticked={[...ticked.keys()]} total={total} filter={query} />
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
