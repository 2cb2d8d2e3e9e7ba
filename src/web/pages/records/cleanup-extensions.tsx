/**
 * 学籍清理 → 学籍延期名单: the students of the campaign's cohorts whose 学籍 expires, each with 最晚毕业批次 and his
 * extension request. A branch ticks students and 上报延期 (each with his scanned written application, a reason
 * and 延期至); headquarters ticks requests and 批准 / 驳回 with a reason; a teaching point reads.
 */
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Alert, App as AntApp, Button, Card, DatePicker, Form, Input, Select, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import dayjs from 'dayjs';
import { call, upload, urlOf } from '../../client.ts';
import {
  cleanupApi, EXTENSION_STATES, type Campaign, type CandidateRow, type CandidatesQuery, type ExtensionState,
} from '../../../shared/contract/cleanup.ts';
import { orgApi, type OrgNode } from '../../../shared/contract/org.ts';
import { useMe } from '../../session.tsx';
import { PickFile } from '../enroll/photo-parts.tsx';
import { recordCardPath, TickedNote, tpColumn } from '../../student-columns.tsx';
import {
  day, FilterCard, FilterField, fmtDateTime, FormModal, PagedTable, Stack, STUDENT_PAGE_SIZES, TextField,
  useBulkResult, useBusyAction, useFormDialog, usePagedList, useTickedRows,
} from '../../ui.tsx';

type Filter = Omit<CandidatesQuery, 'page' | 'page_size'>;
/** A row of the list, keyed by the student (ticks kept across pages need an `id`). */
type Row = CandidateRow & { id: number };

export const EXTENSION_COLORS: Record<ExtensionState, string> = { 待审批: 'processing', 已批准: 'success', 已驳回: 'error' };
export const STATUS_COLORS: Record<string, string> = { 在籍: 'processing', 毕业: 'success', 退学: 'error', 休学: 'warning' };

/** 延期名单截止日期 with how it stands today, as the server judges it. */
export function listWindowText(c: Campaign): string {
  const w = c.list_window;
  if (w.phase === 'after') return `${c.list_deadline}（已截止）`;
  if (w.open) return `${c.list_deadline}（${w.days_left ? `距截止还有 ${w.days_left} 天` : '今天截止'}）`;
  return c.list_deadline;
}

/** The branches and the teaching points a filter offers (within the caller's subtree). */
export function useOrgChoices(withBranches: boolean, withTps: boolean) {
  const [branches, setBranches] = useState<OrgNode[]>([]);
  const [tps, setTps] = useState<OrgNode[]>([]);
  useEffect(() => {
    if (withBranches) call(orgApi.nodes, { query: { kind: 'branch' } }).then(setBranches, () => undefined);
    if (withTps) call(orgApi.nodes, { query: { kind: 'tp' } }).then(setTps, () => undefined);
  }, [withBranches, withTps]);
  return { branches, tps };
}

const nodeOptions = (nodes: OrgNode[]) => nodes.map((n) => ({ value: n.code, label: `${n.code} ${n.name}` }));

/** The organisation filter fields of the cleanup lists: 分部 for headquarters, 教学点 for headquarters and branches. */
export function OrgFilterFields({ branches, tps, hq, tpChoice }: { branches: OrgNode[]; tps: OrgNode[]; hq: boolean; tpChoice: boolean }) {
  return (
    <>
      {hq && (
        <FilterField label="分部" name="branch_code">
          <Select allowClear showSearch={{ optionFilterProp: 'label' }} placeholder="全部分部" options={nodeOptions(branches)} />
        </FilterField>
      )}
      {tpChoice && (
        <FilterField label="教学点" name="tp_code">
          <Select allowClear showSearch={{ optionFilterProp: 'label' }} placeholder="全部教学点" options={nodeOptions(tps)} />
        </FilterField>
      )}
    </>
  );
}

/** 未申请 is the filter value 'none'. */
const EXTENSION_FILTER = [{ value: 'none', label: '未申请' }, ...EXTENSION_STATES.map((s) => ({ value: s, label: s }))];

const text = (s: string | undefined) => s?.trim() || undefined;

export function ExtensionsTab({ campaign, onChanged }: { campaign: Campaign; onChanged: () => Promise<unknown> }) {
  const me = useMe();
  const hq = me.role === 'hq_admin';
  const branch = me.role === 'branch_admin';
  const [form] = Form.useForm<Filter>();
  const { branches, tps } = useOrgChoices(hq, hq || branch);
  const { ticked, setTicked, selection } = useTickedRows<Row>();
  const bulk = useBulkResult();
  const [submitting, setSubmitting] = useState(false);
  const deciding = useFormDialog<'已批准' | '已驳回', { reason: string }>();

  const fetch = useCallback(
    async (query: Filter & { page: number; page_size: number }) => {
      const r = await call(cleanupApi.candidates, { params: { id: campaign.id }, query });
      return { ...r, rows: r.rows.map((x) => ({ ...x, id: x.student_id })) };
    },
    [campaign.id],
  );
  const list = usePagedList<Filter, Row>(fetch, { pageSize: 50 });
  const reload = async () => {
    setTicked(new Map());
    await Promise.all([list.reload(), onChanged()]);
  };
  const { busy, exclusive } = useBusyAction();

  const search = (v: Filter) => {
    setTicked(new Map());
    bulk.clear();
    void list.search({ branch_code: v.branch_code, tp_code: v.tp_code, cohort: v.cohort, extension: v.extension, q: text(v.q) });
  };

  const decide = (decision: '已批准' | '已驳回', v: { reason: string }) =>
    exclusive(async () => {
      const ids = [...ticked.values()].flatMap((r) => (r.extension ? [r.extension.id] : []));
      const r = await call(cleanupApi.decide, { params: { id: campaign.id }, body: { ids, decision, reason: v.reason.trim() } });
      bulk.show(decision === '已批准' ? '批准延期' : '驳回延期', r);
      await reload();
    });

  const ran = campaign.ran_at !== null;
  const closed = campaign.list_window.phase === 'after';
  const withRequest = [...ticked.values()].filter((r) => r.extension).length;

  const columns: TableColumnsType<Row> = [
    { title: '学号', dataIndex: 'student_no', width: 130, fixed: 'left' },
    { title: '姓名', dataIndex: 'name', width: 80, render: (n: string, r) => <Link to={recordCardPath(r.student_id)}>{n}</Link> },
    ...(hq ? [{ title: '分部', dataIndex: 'branch_name', width: 120 }] : []),
    tpColumn<Row>(130),
    { title: '学籍批次', dataIndex: 'cohort', width: 80 },
    { title: '层次', dataIndex: 'level', width: 56 },
    { title: '专业', dataIndex: 'major', width: 130 },
    { title: '学籍状态', dataIndex: 'status', width: 80, render: (s: string) => <Tag color={STATUS_COLORS[s]}>{s}</Tag> },
    {
      title: '学籍有效期',
      key: 'valid',
      width: 120,
      render: (_: unknown, r) => (
        <>
          <div>{r.valid_until}</div>
          {r.extension_until && (
            <Typography.Text type="success" style={{ fontSize: 12 }}>
              已延期至 {r.extension_until}
            </Typography.Text>
          )}
        </>
      ),
    },
    {
      title: '最晚毕业批次',
      key: 'last',
      width: 120,
      render: (_: unknown, r) => (
        <>
          <div>{r.last_batch ?? '—'}</div>
          {!r.extension_until && r.last_batch_extended && r.last_batch_extended !== r.last_batch && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              获批延期后 {r.last_batch_extended}
            </Typography.Text>
          )}
        </>
      ),
    },
    {
      title: '延期申请',
      key: 'state',
      width: 110,
      render: (_: unknown, r) => (r.extension ? <Tag color={EXTENSION_COLORS[r.extension.state]}>{r.extension.state}</Tag> : <Tag>未申请</Tag>),
    },
    { title: '延期至', key: 'until', width: 100, render: (_: unknown, r) => r.extension?.extended_until ?? '—' },
    {
      title: '延期理由',
      key: 'reason',
      minWidth: 180,
      render: (_: unknown, r) =>
        r.extension ? (
          <>
            <div>{r.extension.reason}</div>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {r.extension.submitted_by ?? ''} 上报于 {fmtDateTime(r.extension.submitted_at)}
            </Typography.Text>
          </>
        ) : (
          '—'
        ),
    },
    {
      title: '书面申请',
      key: 'file',
      width: 110,
      render: (_: unknown, r) =>
        r.extension ? (
          <a href={urlOf(cleanupApi.application, { params: { id: r.extension.id } })} target="_blank" rel="noreferrer" title={r.extension.file_name}>
            查看
          </a>
        ) : (
          '—'
        ),
    },
    {
      title: '审批意见',
      key: 'decision',
      width: 180,
      render: (_: unknown, r) =>
        r.extension?.decided_at ? (
          <>
            <div>{r.extension.decision_reason ?? '—'}</div>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {r.extension.decided_by ?? ''} {fmtDateTime(r.extension.decided_at)}
            </Typography.Text>
          </>
        ) : (
          '—'
        ),
    },
  ];

  // A branch ticks students to (re)submit, headquarters ticks requests to decide; a teaching point only reads.
  const tickable = !ran && (hq || branch);
  const rowSelection = tickable
    ? {
        fixed: true,
        ...selection,
        getCheckboxProps: (r: Row) => ({ disabled: hq ? !r.extension : r.extension?.state === '已批准', name: r.name }),
      }
    : undefined;

  return (
    <Stack>
      {branch && !ran && (
        <Alert
          type={closed ? 'warning' : 'info'}
          showIcon
          title={closed ? `学籍延期名单已于 ${campaign.list_deadline} 截止，不能再上报。` : `请在 ${campaign.list_deadline}（含）前上报学籍延期名单。`}
          description="勾选需要延期的学生，点“上报延期申请”，为每名学生上传书面申请的扫描件（PDF 或 JPG），填写延期理由和延期至日期（最多延长一年）。上报后由总部审批；被驳回的可修改后重新上报。"
        />
      )}
      {hq && !ran && (
        <Alert type="info" showIcon title="勾选延期申请，点“批准”或“驳回”并填写意见。批准即延长该生的学籍有效期；未获批准的学生在清理日期转为退学。" />
      )}
      <FilterCard<Filter> form={form} name="cleanupCandidates" loading={list.loading} onFinish={search} buttons={hq ? { xs: 24, md: 12, xl: 24 } : { xs: 24, md: 12, xl: branch ? 8 : 16 }}>
        <OrgFilterFields branches={branches} tps={tps} hq={hq} tpChoice={hq || branch} />
        <FilterField label="学籍批次" name="cohort">
          <Select allowClear placeholder="全部" options={campaign.cohorts.map((c) => ({ value: c }))} />
        </FilterField>
        <FilterField label="申请状态" name="extension">
          <Select allowClear placeholder="全部" options={EXTENSION_FILTER} />
        </FilterField>
        <FilterField label="姓名/学号" name="q">
          <Input allowClear placeholder="学号、姓名或身份证号" maxLength={40} />
        </FilterField>
      </FilterCard>
      {bulk.panel}
      <Card size="small" role="region" aria-label="学籍延期名单">
        {tickable && (
          <Space wrap style={{ marginBottom: 12 }}>
            {branch && (
              <Button type="primary" disabled={!ticked.size} onClick={() => setSubmitting(true)}>
                上报延期申请
              </Button>
            )}
            {hq && (
              <>
                <Button type="primary" disabled={!withRequest} onClick={() => deciding.show('已批准', { reason: '同意延期' })}>
                  批准
                </Button>
                <Button danger disabled={!withRequest} onClick={() => deciding.show('已驳回')}>
                  驳回
                </Button>
              </>
            )}
            <TickedNote count={ticked.size} hint={hq ? '勾选已上报的延期申请后审批' : '勾选需要延期的学生后上报'} onClear={() => setTicked(new Map())} />
          </Space>
        )}
        <PagedTable<Row>
          list={list}
          unit="人"
          paging={STUDENT_PAGE_SIZES}
          rowSelection={rowSelection}
          columns={columns}
          scroll={{ x: 1700 }}
          locale={{ emptyText: '没有学籍到期的学生' }}
        />
      </Card>

      {branch && (
        <SubmitDialog
          open={submitting}
          campaign={campaign}
          students={[...ticked.values()]}
          onClose={() => setSubmitting(false)}
          onDone={async (r) => {
            bulk.show('上报延期申请', r);
            setSubmitting(false);
            await reload();
          }}
        />
      )}
      <FormModal<{ reason: string }>
        title={deciding.target === '已批准' ? `批准 ${withRequest} 项延期申请` : `驳回 ${withRequest} 项延期申请`}
        busy={busy}
        okText={deciding.target === '已批准' ? '批准' : '驳回'}
        {...deciding.modal(decide)}
        name="cleanupDecide"
      >
        <Typography.Paragraph type="secondary">
          {deciding.target === '已批准' ? '批准后，学生的学籍有效期延长至申请的延期至日期，最晚毕业批次相应顺延。' : '驳回后，该生若未重新上报并获批准，将在清理日期转为退学。'}
        </Typography.Paragraph>
        <TextField label="审批意见" name="reason" required="请填写审批意见" rules={[{ min: 2, message: '审批意见至少 2 个字' }]} rows={3} maxLength={200} />
      </FormModal>
    </Stack>
  );
}

interface Attached {
  application_id?: number;
  file_name?: string;
  uploading?: boolean;
  extended_until?: string;
}

/** 上报延期申请: for each ticked student his written application (uploaded at once, checked by the server) and 延期至; one reason for all. */
function SubmitDialog({ open, campaign, students, onClose, onDone }: {
  open: boolean;
  campaign: Campaign;
  students: Row[];
  onClose: () => void;
  onDone: (r: Awaited<ReturnType<typeof call<typeof cleanupApi.submit>>>) => Promise<void>;
}) {
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<{ reason: string }>();
  const [attached, setAttached] = useState<Map<number, Attached>>(new Map());
  const { busy, exclusive } = useBusyAction();

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    // A resubmission starts from what was sent before.
    const first = students.find((s) => s.extension)?.extension;
    if (first) form.setFieldsValue({ reason: first.reason });
    setAttached(new Map(students.map((s) => [s.student_id, { extended_until: s.extension?.extended_until ?? s.max_extension_until }])));
  }, [open]);

  const patch = (id: number, p: Attached) => setAttached((m) => new Map(m).set(id, { ...m.get(id), ...p }));

  const pick = async (s: Row, file: File) => {
    patch(s.student_id, { uploading: true });
    try {
      const r = await upload(cleanupApi.uploadApplication, file, { params: { id: campaign.id } });
      patch(s.student_id, { uploading: false, application_id: r.application_id, file_name: r.file_name });
    } catch {
      patch(s.student_id, { uploading: false }); // the server's message is shown by the client
    }
  };

  const submit = () =>
    exclusive(async () => {
      const v = await form.validateFields().catch(() => null);
      if (!v) return;
      const missing = students.filter((s) => !attached.get(s.student_id)?.application_id);
      if (missing.length) {
        void message.warning(`请为 ${missing.map((s) => s.name).join('、')} 上传书面申请（PDF 或 JPG 扫描件）。`);
        return;
      }
      const items = students.map((s) => {
        const a = attached.get(s.student_id)!;
        return { student_id: s.student_id, application_id: a.application_id!, reason: v.reason.trim(), extended_until: a.extended_until };
      });
      await onDone(await call(cleanupApi.submit, { params: { id: campaign.id }, body: { items } }));
    });

  return (
    <FormModal<{ reason: string }>
      title={`上报延期申请（${students.length} 人）`}
      open={open}
      busy={busy}
      okText="上报"
      onOk={submit}
      onCancel={onClose}
      form={form}
      name="cleanupSubmit"
      width={900}
    >
      <Typography.Paragraph type="secondary">
        每名学生须上传本人书面申请的扫描件（PDF 或 JPG）。延期至最晚为学籍有效期后一年；截止日期 {campaign.list_deadline}。
      </Typography.Paragraph>
      <Table<Row>
        rowKey="student_id"
        size="small"
        pagination={students.length > 10 ? { pageSize: 10, size: 'small' } : false}
        dataSource={students}
        style={{ marginBottom: 16 }}
        columns={[
          { title: '学号', dataIndex: 'student_no', width: 130 },
          { title: '姓名', dataIndex: 'name', width: 80 },
          { title: '学籍有效期', dataIndex: 'valid_until', width: 100 },
          {
            title: '书面申请',
            key: 'file',
            render: (_: unknown, s) => {
              const a = attached.get(s.student_id);
              return (
                <Space>
                  <PickFile accept=".pdf,.jpg,.jpeg,application/pdf,image/jpeg" onPick={(f) => pick(s, f)}>
                    <Button size="small" loading={a?.uploading} aria-label={`上传${s.name}的书面申请`}>
                      {a?.application_id ? '重新上传' : '上传'}
                    </Button>
                  </PickFile>
                  {a?.file_name ? <Typography.Text type="success">已上传：{a.file_name}</Typography.Text> : <Typography.Text type="secondary">未上传</Typography.Text>}
                </Space>
              );
            },
          },
          {
            title: '延期至',
            key: 'until',
            width: 160,
            render: (_: unknown, s) => {
              const v = attached.get(s.student_id)?.extended_until;
              return (
                <DatePicker
                  size="small"
                  aria-label={`${s.name}的延期至`}
                  allowClear={false}
                  value={v ? dayjs(v) : null}
                  // 延期 is after 学籍有效期 and at most one year past it.
                  disabledDate={(d) => d.isAfter(dayjs(s.max_extension_until), 'day') || !d.isAfter(dayjs(s.valid_until), 'day')}
                  onChange={(d) => patch(s.student_id, { extended_until: day(d) })}
                />
              );
            },
          },
        ]}
      />
      <TextField label="延期理由" name="reason" required="请填写延期理由" rules={[{ min: 2, message: '延期理由至少 2 个字' }]} rows={3} maxLength={200} placeholder="如：因工作调动未能按期完成学业，申请延长学籍一年" />
    </FormModal>
  );
}
