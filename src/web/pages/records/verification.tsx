import { useCallback, useMemo, useState } from 'react';
import { Alert, App as AntApp, Button, Card, Col, Form, Input, Select, Table, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { call, urlOf } from '../../client.ts';
import {
  recordsApi, UPDATE_STATUSES, type StudentRow, type UpdateStatus, type VerificationFilter, type VerificationTp,
} from '../../../shared/contract/records.ts';
import { useMe } from '../../session.tsx';
import { MajorFilterItem, studentColumns, TpFilterItem, useFilterChoices } from '../../student-columns.tsx';
import { FilterCard, fmtDateTime, FormModal, PagedTable, PageTitle, Stack, STUDENT_PAGE_SIZES, TotalsRow, useFormDialog, usePagedList } from '../../ui.tsx';

type FilterValues = Partial<VerificationFilter>;

const GRADE_RULES = [
  { required: true, message: '请填写年级' },
  { pattern: /^\s*\d{4}\s*$/, message: '年级为 4 位年份，如 2021' },
];

function cleanFilter(v: FilterValues, fixedTp: string | null): VerificationFilter {
  const f: VerificationFilter = { grade: (v.grade ?? '').trim() };
  if (v.status) f.status = v.status;
  const tp = fixedTp ?? v.tp_code;
  if (tp) f.tp_code = tp;
  if (v.major?.trim()) f.major = v.major.trim();
  return f;
}

function CountsTable({ counts, loading, onPick }: { counts: VerificationTp[]; loading: boolean; onPick: (code: string) => void }) {
  const sum = (k: 'total' | 'updated' | 'not_updated') => counts.reduce((s, c) => s + c[k], 0);
  return (
    <Card size="small" title="各教学点更新情况">
      <Table<VerificationTp>
        size="small"
        rowKey="tp_code"
        loading={loading}
        dataSource={counts}
        scroll={{ x: 420 }}
        pagination={counts.length > 10 ? { pageSize: 10, size: 'small' } : false}
        columns={[
          {
            title: '教学点',
            key: 'tp',
            render: (_: unknown, r) => (
              <Tooltip title="按此教学点查询">
                <a onClick={() => onPick(r.tp_code)}>
                  {r.tp_code} {r.tp_name}
                </a>
              </Tooltip>
            ),
          },
          { title: '人数', dataIndex: 'total', align: 'right', width: 90 },
          { title: '已更新', dataIndex: 'updated', align: 'right', width: 90 },
          {
            title: '未更新',
            dataIndex: 'not_updated',
            align: 'right',
            width: 90,
            render: (n: number) => (n > 0 ? <Typography.Text type="danger">{n}</Typography.Text> : n),
          },
        ]}
        summary={() =>
          counts.length > 1 ? (
            <TotalsRow from={1} totals={[sum('total'), sum('updated'), sum('not_updated')]} />
          ) : null
        }
      />
    </Card>
  );
}

/** 学籍 → 查询统计 → 强制核对进度查询 (seed 000 step 五.5): who has not updated the 入学登记表. */
export default function VerificationPageView() {
  const me = useMe();
  const { message, modal } = AntApp.useApp();
  const fixedTp = me.role === 'tp_admin' ? me.node.code : null;
  const isHq = me.role === 'hq_admin';
  const [form] = Form.useForm<FilterValues>();
  const campaign = useFormDialog<true, { grade: string }>();
  const { tps, majors } = useFilterChoices({ batches: false, tps: !fixedTp });
  /** The filter of what is on screen (what 导出Excel exports). */
  const [query, setQuery] = useState<VerificationFilter | null>(null);
  /** 各教学点更新情况 of the page on screen. */
  const [byTp, setByTp] = useState<VerificationTp[]>([]);
  const [campaignBusy, setCampaignBusy] = useState(false);

  const fetch = useCallback(async (q: VerificationFilter & { page: number; page_size: number }) => {
    const r = await call(recordsApi.verification, { query: q });
    setByTp(r.by_tp);
    return r;
  }, []);
  const list = usePagedList<VerificationFilter, StudentRow>(fetch, { lazy: true, pageSize: 50 });
  const { data, loading } = list;

  const show = (f: VerificationFilter) => {
    setQuery(f);
    return list.search(f);
  };

  const search = (v: FilterValues) => {
    const f = cleanFilter(v, fixedTp);
    if (f.grade) void show(f);
  };

  const pickTp = (code: string) => {
    if (fixedTp) return;
    form.setFieldsValue({ tp_code: code });
    void form.validateFields().then(search, () => undefined);
  };

  /** Asks once more, then starts; the dialog closes when it has started. */
  const startCampaign = async (_: true, v: { grade: string }) => {
    const grade = v.grade.trim();
    modal.confirm({
      title: `对 ${grade} 年级发起强制核对？`,
      content: `${grade} 年级全部在籍学生的入学登记表将重置为“未更新”，学生须重新登录核对并提交入学登记表后才计为“已更新”。此操作不能撤销。`,
      okText: '发起强制核对',
      okButtonProps: { danger: true },
      cancelText: '取消',
      onOk: async () => {
        setCampaignBusy(true);
        try {
          const r = await call(recordsApi.startVerification, { body: { grade } });
          void message.success(`已对 ${grade} 年级发起强制核对：${r.students} 名在籍学生重置为“未更新”`);
          campaign.close();
          form.setFieldsValue({ grade });
          await show({ ...(query ?? cleanFilter(form.getFieldsValue(), fixedTp)), grade });
        } catch {
          // shown by the client
        } finally {
          setCampaignBusy(false);
        }
      },
    });
    return false;
  };

  const columns: TableColumnsType<StudentRow> = useMemo(
    () => [
      ...studentColumns<StudentRow>({ link: (r) => r.id, widths: { student_no: 132, name: 84, id_number: 170, cohort: 80, level: 56, major: 150, tp: 140 } }),
      {
        title: '更新状态',
        dataIndex: 'enroll_form_status',
        width: 90,
        render: (s: string) => <Tag color={s === '已更新' ? 'success' : 'warning'}>{s}</Tag>,
      },
      { title: '更新时间', dataIndex: 'enroll_form_updated_at', width: 160, render: (t: string | null) => fmtDateTime(t) },
    ],
    [],
  );

  return (
    <>
      <PageTitle
        extra={
          isHq && (
            <Button danger onClick={() => campaign.show(true, { grade: form.getFieldValue('grade') as string | undefined })}>
              发起强制核对
            </Button>
          )
        }
      >
        强制核对进度查询
      </PageTitle>
      <Stack>
        <FilterCard<FilterValues>
          form={form}
          name="verification-filter"
          initialValues={{ tp_code: fixedTp ?? undefined }}
          onFinish={search}
          loading={loading}
          resetTo={() => ({ tp_code: fixedTp ?? undefined })}
          wrap
        >
          <Col xs={24} md={12} xl={6}>
            <Form.Item label="年级" name="grade" rules={GRADE_RULES}>
              <Input allowClear placeholder="如 2021" maxLength={4} inputMode="numeric" />
            </Form.Item>
          </Col>
          <Col xs={24} md={12} xl={6}>
            <Form.Item label="更新状态" name="status">
              <Select<UpdateStatus> allowClear placeholder="全部" options={UPDATE_STATUSES.map((value) => ({ value }))} />
            </Form.Item>
          </Col>
          <Col xs={24} md={12} xl={6}>
            <TpFilterItem fixedTp={fixedTp} fixedName={me.node.name} tps={tps} />
          </Col>
          <Col xs={24} md={12} xl={6}>
            <MajorFilterItem majors={majors} />
          </Col>
        </FilterCard>

        {!query && <Alert type="info" showIcon title="填写年级（如 2021），可选更新状态“未更新”，点击“查询”，及时督促未更新入学登记表的学生。" />}

        {query && <CountsTable counts={byTp} loading={loading} onPick={pickTp} />}

        {query && (
          <Card
            size="small"
            title={`${query.grade} 年级在籍学生${query.status ? `（${query.status}）` : ''}`}
            extra={
              <Button href={urlOf(recordsApi.verificationXlsx, { query })} disabled={!data || data.total === 0}>
                导出Excel
              </Button>
            }
          >
            <PagedTable<StudentRow>
              list={list}
              unit="人"
              paging={STUDENT_PAGE_SIZES}
              columns={columns}
              scroll={{ x: 1080 }}
              locale={{ emptyText: '没有符合查询条件的学生' }}
            />
          </Card>
        )}
      </Stack>

      {isHq && (
        <FormModal<{ grade: string }>
          title="发起强制核对"
          busy={campaignBusy}
          okText="下一步"
          {...campaign.modal(startCampaign)}
          name="campaign"
        >
          <Typography.Paragraph type="secondary">
            发起后，该年级全部在籍学生的入学登记表更新状态重置为“未更新”，学生登录后核对并提交入学登记表，即计为“已更新”。
          </Typography.Paragraph>
          <Form.Item label="年级" name="grade" rules={GRADE_RULES}>
            <Input placeholder="如 2021" maxLength={4} inputMode="numeric" />
          </Form.Item>
        </FormModal>
      )}
    </>
  );
}
