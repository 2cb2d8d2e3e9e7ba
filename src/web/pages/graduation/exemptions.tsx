import { useCallback } from 'react';
import { Link } from 'react-router-dom';
import { Alert, App as AntApp, Button, Card, Col, Form, Input, Popconfirm, Row, Select, Space, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { call } from '../../client.ts';
import { EXEMPTION_STATUSES, exemptionsApi, type Exemption, type ExemptionStatus } from '../../../shared/contract/exemptions.ts';
import { useMe } from '../../session.tsx';
import { FormModal, PagedTable, PageTitle, Stack, TextField, useBusyAction, useFormDialog, usePagedList } from '../../ui.tsx';

interface Filter {
  status?: ExemptionStatus;
  q?: string;
}

interface ApplyValues {
  student_no: string;
  course_code: string;
  grounds: string;
}

const STATUS_COLORS: Record<ExemptionStatus, string> = { 待分部审核: 'processing', 待总部审核: 'warning', 已批准: 'success', 已驳回: 'error' };

export default function ExemptionsPage() {
  const me = useMe();
  const { message, modal } = AntApp.useApp();
  const [filterForm] = Form.useForm<Filter>();
  const applying = useFormDialog<true, ApplyValues>();
  const rejecting = useFormDialog<Exemption, { opinion: string }>();

  const fetch = useCallback((query: Filter & { page: number; page_size: number }) => call(exemptionsApi.list, { query }), []);
  const list = usePagedList<Filter, Exemption>(fetch);
  const { busy, exclusive } = useBusyAction(list.reload);

  /** The step this user decides: the branch first, then headquarters. */
  const myTurn: ExemptionStatus | null = me.role === 'branch_admin' ? '待分部审核' : me.role === 'hq_admin' ? '待总部审核' : null;

  const submitApply = (_: true, v: ApplyValues) =>
    exclusive(async () => {
      const r = await call(exemptionsApi.apply, { body: { student_no: v.student_no.trim(), course_code: v.course_code.trim(), grounds: v.grounds.trim() } });
      if (r.note) {
        void modal.warning({ title: '申请已提交，但已超过本批次免修免考申请截止日期', content: r.note, okText: '知道了' });
      } else {
        void message.success(`免修免考申请已提交（申请日期 ${r.applied_on}），等待分部审核。`);
      }
      await list.reload();
    });

  const decide = (e: Exemption, approve: boolean, opinion: string) =>
    exclusive(async () => {
      const r = await call(exemptionsApi.decide, { params: { id: e.id }, body: { version: e.version, approve, opinion } });
      void message.success(`${e.name}“${e.course_name}”：${approve ? `已同意，当前状态 ${r.status}` : '已驳回'}。`);
      await list.reload();
    });

  const submitReject = (e: Exemption, v: { opinion: string }) => decide(e, false, v.opinion.trim());

  const columns: TableColumnsType<Exemption> = [
    { title: '学号', dataIndex: 'student_no', width: 130, fixed: 'left' },
    { title: '姓名', dataIndex: 'name', width: 80, render: (n: string, r) => <Link to={`/graduation/readiness/${r.student_id}`}>{n}</Link> },
    { title: '身份证号', dataIndex: 'id_number_masked', width: 160 },
    { title: '教学点', dataIndex: 'tp_name', width: 120 },
    {
      title: '课程',
      key: 'course',
      width: 170,
      render: (_: unknown, r) => (
        <>
          <div>{r.course_name}</div>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {r.course_code}，{r.credits} 学分
          </Typography.Text>
        </>
      ),
    },
    { title: '申请日期', dataIndex: 'applied_on', width: 100 },
    { title: '理由', dataIndex: 'grounds', minWidth: 160 },
    { title: '状态', dataIndex: 'status', width: 100, render: (s: ExemptionStatus) => <Tag color={STATUS_COLORS[s]}>{s}</Tag> },
    { title: '分部意见', dataIndex: 'branch_opinion', width: 110, render: (o: string | null) => o ?? '—' },
    { title: '总部意见', dataIndex: 'hq_opinion', width: 110, render: (o: string | null) => o ?? '—' },
    {
      title: '计入批次',
      dataIndex: 'counts_from',
      width: 110,
      render: (c: string | null) => (c === '下一毕业批次' ? <Typography.Text type="warning">{c}</Typography.Text> : (c ?? '—')),
    },
    ...(myTurn
      ? [
          {
            title: '操作',
            key: 'op',
            width: 110,
            fixed: 'right' as const,
            render: (_: unknown, r: Exemption) =>
              r.status === myTurn ? (
                <Space size="small">
                  <Popconfirm
                    title={`同意 ${r.name} 的“${r.course_name}”免修免考申请？`}
                    description={me.role === 'branch_admin' ? '同意后提交总部审核。' : '同意后该课程计入学生的毕业条件。'}
                    okText="同意"
                    cancelText="取消"
                    onConfirm={() => decide(r, true, '')}
                  >
                    <a aria-disabled={busy}>同意</a>
                  </Popconfirm>
                  <a style={{ color: '#ff4d4f' }} onClick={() => rejecting.show(r)}>
                    驳回
                  </a>
                </Space>
              ) : null,
          },
        ]
      : []),
  ];

  return (
    <>
      <PageTitle action={{ label: '新增申请', onClick: () => applying.show(true) }}>免修免考</PageTitle>
      <Stack>
        <Alert
          type="info"
          showIcon
          title="免修免考申请经教学点提交，分部初审、总部终审。在毕业批次的免修免考申请截止日期之后提交的申请，批准后从下一毕业批次起计入。"
        />
        <Card size="small">
          <Form<Filter>
            form={filterForm}
            name="exemptionFilter"
            onFinish={(v) => list.search({ status: v.status, q: v.q?.trim() || undefined })}
          >
            <Row gutter={16}>
              <Col xs={24} md={8}>
                <Form.Item label="状态" name="status">
                  <Select allowClear placeholder="全部" options={EXEMPTION_STATUSES.map((s) => ({ value: s }))} />
                </Form.Item>
              </Col>
              <Col xs={24} md={8}>
                <Form.Item label="学生" name="q">
                  <Input allowClear placeholder="姓名或学号" />
                </Form.Item>
              </Col>
              <Col xs={24} md={8} style={{ textAlign: 'right' }}>
                <Button type="primary" htmlType="submit" loading={list.loading}>
                  查询
                </Button>
              </Col>
            </Row>
          </Form>
        </Card>
        <Card size="small">
          <PagedTable<Exemption> list={list} unit="条" columns={columns} scroll={{ x: 1500 }} locale={{ emptyText: '没有免修免考申请' }} />
        </Card>
      </Stack>

      <FormModal<ApplyValues> title="新增免修免考申请" busy={busy} okText="提交" {...applying.modal(submitApply)} name="applyExemption">
        <TextField label="学号" name="student_no" required="请填写学号" maxLength={30} placeholder="学生的学号" />
        <TextField label="课程代码" name="course_code" required="请填写申请免修免考的课程代码" extra="须为该生教学计划内、尚未合格的课程。" maxLength={40} placeholder="如 GG001" />
        <TextField
          label="理由"
          name="grounds"
          required="请填写申请理由"
          rules={[{ min: 4, message: '理由不少于 4 个字' }]}
          rows={3}
          maxLength={300}
          placeholder="如：已获同类课程学分、职业资格证书名称"
        />
      </FormModal>

      <FormModal<{ opinion: string }>
        title={`驳回 ${rejecting.target?.name ?? ''} 的“${rejecting.target?.course_name ?? ''}”免修免考申请`}
        busy={busy}
        okText="驳回"
        {...rejecting.modal(submitReject)}
        name="rejectExemption"
      >
        <TextField label="驳回理由" name="opinion" required="驳回须填写理由" rules={[{ min: 2, message: '理由至少 2 个字' }]} rows={3} maxLength={200} />
      </FormModal>
    </>
  );
}
