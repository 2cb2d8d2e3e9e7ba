import { useCallback, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import {
  Alert,
  App as AntApp,
  AutoComplete,
  Button,
  Card,
  Col,
  DatePicker,
  Descriptions,
  Empty,
  Form,
  Grid,
  Input,
  List,
  Popconfirm,
  Radio,
  Row,
  Select,
  Skeleton,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { TableColumnsType } from 'antd';
import dayjs from 'dayjs';
import { call } from '../../client.ts';
import { auditApi, type AuditException, type ExceptionInput, type ExceptionKind } from '../../../shared/contract/audit.ts';
import { eligibilityApi, LEVELS, RULE_KEYS, RULE_NAMES, type Readiness, type ReadinessItem, type RuleKey, type WhatIf } from '../../../shared/contract/eligibility.ts';
import { STAFF } from '../../../shared/org.ts';
import { studentsApi, type StudentCard } from '../../../shared/contract/students.ts';
import { useMe } from '../../session.tsx';
import { useFilterChoices } from '../../student-columns.tsx';
import { day, fmtDateTime, FormModal, ListTable, PageTitle, Stack, TextField, useBusyAction, useFormDialog } from '../../ui.tsx';

function ItemTag({ item }: { item: ReadinessItem }) {
  if (item.waived) return <Tag color="blue">已免除</Tag>;
  if (item.step) return item.ok ? <Tag color="success">已办理</Tag> : <Tag color="error">未办理</Tag>;
  return item.ok ? <Tag color="success">已满足</Tag> : <Tag color="error">未满足</Tag>;
}

type WhatIfValues = Omit<WhatIf, 'batch'>;

interface ExceptionValues {
  kind: ExceptionKind;
  rule: RuleKey;
  target?: string;
  substitute_course?: string;
  reason: string;
}

/** 审核例外 and 学籍延期: headquarters only, for this one student. */
function HqPanel({ studentId, readiness, onChanged }: { studentId: number; readiness: Readiness; onChanged: () => Promise<void> }) {
  const [list, setList] = useState<AuditException[] | null>(null);
  const [card, setCard] = useState<StudentCard | null>(null);
  const adding = useFormDialog<true, ExceptionValues>();
  const form = adding.form;
  const [extForm] = Form.useForm<{ extension_until?: dayjs.Dayjs | null; reason: string }>();
  const kind = Form.useWatch('kind', form);
  const rule = Form.useWatch('rule', form);

  const load = useCallback(async () => {
    const [l, c] = await Promise.all([call(auditApi.exceptions, { params: { id: studentId } }), call(studentsApi.card, { params: { id: studentId } })]);
    setList(l);
    setCard(c);
  }, [studentId]);

  useEffect(() => {
    load().catch(() => setList([]));
  }, [load]);

  const reload = useCallback(async () => {
    await load();
    await onChanged();
  }, [load, onChanged]);
  const { busy, run } = useBusyAction(reload);

  const categories = readiness.items.filter((i) => i.key.startsWith('category:')).map((i) => i.key.slice('category:'.length));

  const submit = (_: true, v: ExceptionValues) => {
    const body: ExceptionInput = {
      kind: v.kind,
      rule: v.kind === '替代' ? 'course' : v.rule,
      target: v.target?.trim() || null,
      substitute_course: v.kind === '替代' ? v.substitute_course?.trim() || null : null,
      reason: v.reason.trim(),
    };
    return run(() => call(auditApi.addException, { params: { id: studentId }, body }), v.kind === '替代' ? '已添加课程替代。' : '已添加免除要求。');
  };

  const submitExtension = async (clear: boolean) => {
    const v = await extForm.validateFields().catch(() => null);
    if (!v) return;
    const until = clear ? null : (day(v.extension_until) ?? null);
    if (!clear && !until) {
      extForm.setFields([{ name: 'extension_until', errors: ['请选择延期后的学籍有效期'] }]);
      return;
    }
    await run(() => call(auditApi.extension, { params: { id: studentId }, body: { extension_until: until, reason: v.reason.trim() } }), until ? `已批准学籍延期至 ${until}。` : '已撤销学籍延期。');
  };

  const needsTarget = kind === '替代' || rule === 'course' || rule === 'category';

  return (
    <Stack>
      <Card size="small" title="审核例外（课程替代、免除要求）" extra={<Button onClick={() => adding.show(true, { kind: '免除', rule: 'course' })}>添加</Button>}>
        <ListTable<AuditException>
          rows={list}
          scroll={{ x: 900 }}
          locale={{ emptyText: '没有审核例外' }}
          columns={[
            { title: '类型', dataIndex: 'kind', width: 70, render: (k: string) => <Tag color={k === '替代' ? 'purple' : 'blue'}>{k}</Tag> },
            { title: '条件', dataIndex: 'rule_name', width: 110 },
            {
              title: '对象',
              key: 'target',
              width: 200,
              render: (_: unknown, e) =>
                e.target ? `${e.target_name ?? e.target}${e.target_name && e.target_name !== e.target ? `（${e.target}）` : ''}` : '—',
            },
            { title: '替代课程', key: 'sub', width: 180, render: (_: unknown, e) => (e.substitute_course ? `${e.substitute_name ?? ''}（${e.substitute_course}）` : '—') },
            { title: '理由', dataIndex: 'reason', minWidth: 160 },
            { title: '添加', key: 'by', width: 170, render: (_: unknown, e) => `${e.created_by_name ?? ''} ${fmtDateTime(e.created_at)}` },
            {
              title: '状态',
              key: 'state',
              width: 120,
              render: (_: unknown, e) =>
                e.revoked_at ? (
                  <Tag>已撤销</Tag>
                ) : (
                  <Popconfirm title="撤销这条审核例外？" description="撤销后按原毕业条件审核，记录保留在操作日志中。" okText="撤销" cancelText="取消" onConfirm={() => run(() => call(auditApi.revokeException, { params: { id: e.id } }), '已撤销审核例外。')}>
                    <a style={{ color: '#ff4d4f' }}>撤销</a>
                  </Popconfirm>
                ),
            },
          ]}
        />
      </Card>

      <Card size="small" title="学籍延期">
        {card ? (
          <Row gutter={[16, 8]}>
            <Col xs={24} md={10}>
              <Descriptions
                size="small"
                column={1}
                items={[
                  { key: 'entry', label: '入学日期', children: card.entry_date },
                  { key: 'valid', label: '学籍有效期至', children: card.valid_until },
                  { key: 'ext', label: '延期至', children: card.extension_until ?? '未延期' },
                ]}
              />
            </Col>
            <Col xs={24} md={14}>
              <Form form={extForm} layout="vertical" name="extension" initialValues={{ extension_until: card.extension_until ? dayjs(card.extension_until) : null }}>
                <Form.Item label="延期后的学籍有效期" name="extension_until" extra="超过 8 年学籍有效期的学生经书面申请、总部批准，最多延长一年。">
                  <DatePicker style={{ width: '100%' }} />
                </Form.Item>
                <TextField label="延期依据" name="reason" required="请填写延期依据" rules={[{ min: 4, message: '不少于 4 个字' }]} placeholder="如：书面申请及总部批准文号" maxLength={300} />
                <Space>
                  <Button type="primary" loading={busy} onClick={() => void submitExtension(false)}>
                    批准延期
                  </Button>
                  {card.extension_until && (
                    <Button danger disabled={busy} onClick={() => void submitExtension(true)}>
                      撤销延期
                    </Button>
                  )}
                </Space>
              </Form>
            </Col>
          </Row>
        ) : (
          <Skeleton active />
        )}
      </Card>

      <FormModal<ExceptionValues> title="添加审核例外" busy={busy} {...adding.modal(submit)} name="exception">
        <Form.Item label="类型" name="kind">
          <Radio.Group
            options={[
              { value: '免除', label: '免除要求' },
              { value: '替代', label: '课程替代' },
            ]}
          />
        </Form.Item>
        {kind !== '替代' && (
          <Form.Item label="免除的条件" name="rule" rules={[{ required: true, message: '请选择条件' }]}>
            <Select options={RULE_KEYS.map((k) => ({ value: k, label: RULE_NAMES[k] }))} />
          </Form.Item>
        )}
        {needsTarget &&
          (kind !== '替代' && rule === 'category' ? (
            <Form.Item label="课程类别" name="target" rules={[{ required: true, message: '请选择课程类别' }]}>
              <Select options={categories.map((c) => ({ value: c }))} placeholder="选择课程类别" />
            </Form.Item>
          ) : (
            <TextField label={kind === '替代' ? '被替代的课程代码' : '免除的课程代码'} name="target" required="请填写课程代码" maxLength={40} placeholder="教学计划内的课程代码" />
          ))}
        {kind === '替代' && (
          <TextField label="替代课程代码" name="substitute_course" required="请填写用来替代的课程代码" extra="该生已合格的课程，代替上面的必修课程。" maxLength={40} />
        )}
        <TextField label="理由" name="reason" required="请填写理由" rules={[{ min: 4, message: '理由不少于 4 个字' }]} rows={3} maxLength={300} />
      </FormModal>
    </Stack>
  );
}

export default function ReadinessPage() {
  const me = useMe();
  const params = useParams();
  const own = !params.studentId;
  const studentId = own ? me.student_id : Number(params.studentId);
  const { message } = AntApp.useApp();
  const [whatIf, setWhatIf] = useState<WhatIf>({});
  const [data, setData] = useState<Readiness | null>(null);
  const [failed, setFailed] = useState(false);
  const [loading, setLoading] = useState(false);
  const { majors } = useFilterChoices({ batches: false, tps: false, majors: STAFF.includes(me.role) });
  const [form] = Form.useForm<WhatIfValues>();
  const narrow = Grid.useBreakpoint().md === false;

  const load = useCallback(
    async (q: WhatIf) => {
      if (!studentId) return;
      setLoading(true);
      try {
        setData(await call(eligibilityApi.readiness, { params: { id: studentId }, query: q }));
        setFailed(false);
      } catch {
        setFailed(true);
      } finally {
        setLoading(false);
      }
    },
    [studentId],
  );

  useEffect(() => {
    void load(whatIf);
  }, [load, whatIf]);

  const reloadCurrent = useCallback(() => load(whatIf), [load, whatIf]);

  if (!studentId) {
    return (
      <>
        <PageTitle>我的毕业审核</PageTitle>
        <Alert type="warning" showIcon title="您的账号没有关联学籍，无法查看毕业准备情况。请联系教学点。" />
      </>
    );
  }

  const conditions = data?.items.filter((i) => !i.step) ?? [];
  const steps = data?.items.filter((i) => i.step) ?? [];

  const columns: TableColumnsType<ReadinessItem> = [
    { title: '条件', dataIndex: 'name', width: 130, fixed: 'left' },
    { title: '要求', dataIndex: 'required', width: 180 },
    { title: '已完成', dataIndex: 'done', width: 160 },
    {
      title: '欠缺',
      dataIndex: 'missing',
      minWidth: 180,
      render: (m: string | null, i) => (i.waived ? <Typography.Text type="secondary">总部已免除</Typography.Text> : m ? <Typography.Text type="danger">{m}</Typography.Text> : '—'),
    },
    { title: '状态', key: 'state', width: 90, render: (_: unknown, i) => <ItemTag item={i} /> },
  ];

  const compare = (v: WhatIfValues) => {
    const q: WhatIf = {};
    if (v.major?.trim()) q.major = v.major.trim();
    if (v.level) q.level = v.level;
    if (v.cohort?.trim()) q.cohort = v.cohort.trim();
    if (!q.major && !q.level && !q.cohort) {
      void message.info('请至少填写专业、层次或入学批次中的一项。');
      return;
    }
    setWhatIf(q);
  };

  const s = data?.student;

  return (
    <>
      <PageTitle extra={!own && <Link to="/graduation/audit">返回毕业审核</Link>}>{own ? '我的毕业审核' : '毕业准备情况'}</PageTitle>
      <Stack>
        {failed && !data && <Alert type="error" showIcon title="毕业准备情况加载失败，请刷新页面重试。" />}
        {!data && !failed && <Skeleton active />}
        {data && s && (
          <>
            <Card size="small">
              <Descriptions
                size="small"
                column={{ xs: 1, sm: 2, md: 3 }}
                items={[
                  { key: 'name', label: '姓名', children: s.name },
                  { key: 'no', label: '学号', children: s.student_no },
                  { key: 'major', label: '专业', children: `${s.major}（${s.level}）` },
                  { key: 'cohort', label: '入学批次', children: s.cohort },
                  { key: 'batch', label: '毕业批次', children: data.batch ? `${data.batch.code}（发证日期 ${data.batch.issue_date}）` : '无进行中的毕业批次' },
                  {
                    key: 'ok',
                    label: '毕业条件',
                    children: data.ok ? <Tag color="success">符合毕业条件</Tag> : <Tag color="error">尚不符合毕业条件</Tag>,
                  },
                ]}
              />
            </Card>

            {data.what_if && (
              <Alert
                type="warning"
                showIcon
                title={`比对结果：按 ${data.programme.major}（${data.programme.level}）${data.programme.cohort} 级教学计划计算，未修改任何记录。`}
                action={
                  <Button
                    size="small"
                    onClick={() => {
                      form.resetFields();
                      setWhatIf({});
                    }}
                  >
                    恢复本人情况
                  </Button>
                }
              />
            )}

            <Card size="small" title="毕业条件">
              <section aria-label="毕业条件">
                {narrow ? (
                  // On a phone: one block per condition instead of a wide table.
                  <List
                    loading={loading}
                    dataSource={conditions}
                    renderItem={(i) => (
                      <List.Item>
                        <div style={{ width: '100%' }}>
                          <div style={{ display: 'flex', justifyContent: 'space-between', marginBottom: 4 }}>
                            <Typography.Text strong>{i.name}</Typography.Text>
                            <ItemTag item={i} />
                          </div>
                          <div>要求：{i.required}</div>
                          <div>已完成：{i.done}</div>
                          {i.missing && !i.waived && <Typography.Text type="danger">欠缺：{i.missing}</Typography.Text>}
                        </div>
                      </List.Item>
                    )}
                  />
                ) : (
                  <Table<ReadinessItem> rowKey="key" size="small" loading={loading} dataSource={conditions} columns={columns} pagination={false} scroll={{ x: 760 }} />
                )}
              </section>
              {data.failures.length > 0 && (
                <Alert style={{ marginTop: 12 }} type="error" showIcon title="未满足的条件" description={<ul style={{ margin: 0, paddingInlineStart: 20 }}>{data.failures.map((f) => <li key={f}>{f}</li>)}</ul>} />
              )}
            </Card>

            <Row gutter={[16, 16]}>
              <Col xs={24} lg={12}>
                <Card size="small" title="办理事项" style={{ height: '100%' }}>
                  <List
                    dataSource={steps}
                    locale={{ emptyText: '无' }}
                    renderItem={(i) => (
                      <List.Item extra={<ItemTag item={i} />}>
                        <List.Item.Meta title={i.name} description={i.missing ? <Typography.Text type="danger">{i.missing}</Typography.Text> : i.done} />
                      </List.Item>
                    )}
                  />
                </Card>
              </Col>
              <Col xs={24} lg={12}>
                <Card size="small" title="免修免考" style={{ height: '100%' }}>
                  {data.exemptions.length ? (
                    <List
                      dataSource={data.exemptions}
                      renderItem={(e) => (
                        <List.Item extra={e.counts ? <Tag color="success">计入本批次</Tag> : <Tag>{e.status}</Tag>}>
                          <List.Item.Meta
                            title={`${e.course_name}（${e.course_code}）`}
                            description={
                              <>
                                <div>
                                  申请日期 {e.applied_on}，{e.status}
                                </div>
                                {e.note && <Typography.Text type="warning">{e.note}</Typography.Text>}
                              </>
                            }
                          />
                        </List.Item>
                      )}
                    />
                  ) : (
                    <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="没有免修免考申请" />
                  )}
                </Card>
              </Col>
            </Row>

            <Card size="small" title="换专业/入学批次比对（不修改任何记录）" styles={{ title: { whiteSpace: 'normal' } }}>
              <Form<WhatIfValues> form={form} name="whatIf" layout="vertical" onFinish={compare}>
                <Row gutter={16}>
                  <Col xs={24} md={8}>
                    <Form.Item label="专业" name="major">
                      <AutoComplete
                        allowClear
                        placeholder={s.major}
                        options={majors.map((m) => ({ value: m }))}
                        showSearch={{ filterOption: (input, o) => String(o?.value ?? '').includes(input) }}
                      />
                    </Form.Item>
                  </Col>
                  <Col xs={12} md={6}>
                    <Form.Item label="层次" name="level">
                      <Select allowClear placeholder={s.level} options={LEVELS.map((l) => ({ value: l }))} />
                    </Form.Item>
                  </Col>
                  <Col xs={12} md={6}>
                    <Form.Item label="入学批次" name="cohort" rules={[{ pattern: /^\d{4}$/, message: '4 位年份，如 2021' }]}>
                      <Input placeholder={data.programme.cohort} maxLength={4} inputMode="numeric" />
                    </Form.Item>
                  </Col>
                  <Col xs={24} md={4}>
                    <Form.Item label=" " colon={false}>
                      <Button type="primary" htmlType="submit" loading={loading} block>
                        比对
                      </Button>
                    </Form.Item>
                  </Col>
                </Row>
              </Form>
            </Card>

            {me.role === 'hq_admin' && !own && <HqPanel studentId={s.id} readiness={data} onChanged={reloadCurrent} />}
          </>
        )}
      </Stack>
    </>
  );
}
