/**
 * 学籍清理 → 清理预览 (per branch: who will be cleared and why, and the 待决定 list of students in a batch whose
 * audit is still open) and, after the clean-up, 退学名单 with the 学信网 退学 file (DBF / Excel).
 */
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { Button, Card, Form, Input, Segmented, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { call, urlOf } from '../../client.ts';
import {
  CLEAR_REASONS, cleanupApi, type Campaign, type PreviewQuery, type PreviewRow, type PreviewSummary, type WithdrawalRow,
} from '../../../shared/contract/cleanup.ts';
import { useMe } from '../../session.tsx';
import { recordCardPath, tpColumn } from '../../student-columns.tsx';
import { FilterCard, FilterField, fmtDateTime, PagedTable, Stack, STUDENT_PAGE_SIZES, TotalsRow, usePagedList } from '../../ui.tsx';
import { OrgFilterFields, STATUS_COLORS, useOrgChoices } from './cleanup-extensions.tsx';

type PreviewList = PreviewQuery['list'];
type PreviewFilter = Omit<PreviewQuery, 'page' | 'page_size' | 'list'>;
type ListFilter = PreviewFilter & { list: PreviewList };
type SummaryRow = PreviewSummary['rows'][number];

const text = (s: string | undefined) => s?.trim() || undefined;

function identity<R extends PreviewRow | WithdrawalRow>(hq: boolean): TableColumnsType<R> {
  return [
    { title: '学号', dataIndex: 'student_no', width: 130, fixed: 'left' },
    { title: '姓名', dataIndex: 'name', width: 80, render: (n: string, r: R) => <Link to={recordCardPath(r.student_id)}>{n}</Link> },
    ...(hq ? [{ title: '分部', dataIndex: 'branch_name', width: 120 }] : []),
    tpColumn<R>(130),
    { title: '学籍批次', dataIndex: 'cohort', width: 80 },
    { title: '层次', dataIndex: 'level', width: 56 },
    { title: '专业', dataIndex: 'major', width: 130 },
  ];
}

export function PreviewTab({ campaign }: { campaign: Campaign }) {
  const me = useMe();
  const hq = me.role === 'hq_admin';
  const branch = me.role === 'branch_admin';
  const [form] = Form.useForm<PreviewFilter>();
  const { branches, tps } = useOrgChoices(hq, hq || branch);
  const [summary, setSummary] = useState<PreviewSummary | null>(null);

  useEffect(() => {
    call(cleanupApi.previewSummary, { params: { id: campaign.id } }).then(setSummary, () => setSummary({ on: '', rows: [] }));
  }, [campaign.id]);

  const fetch = useCallback(
    (query: ListFilter & { page: number; page_size: number }) => call(cleanupApi.preview, { params: { id: campaign.id }, query }),
    [campaign.id],
  );
  const list = usePagedList<ListFilter, PreviewRow>(fetch, { pageSize: 50, initial: { list: 'clear' } });
  const which = list.filter.list;

  const search = (v: PreviewFilter, l: PreviewList = which) => void list.search({ list: l, branch_code: v.branch_code, tp_code: v.tp_code, q: text(v.q) });
  /** A branch's row of the summary: show its students. */
  const showBranch = (code: string, l: PreviewList) => {
    form.setFieldsValue({ branch_code: code, tp_code: undefined, q: undefined });
    search({ branch_code: code }, l);
  };

  const reasons = CLEAR_REASONS.filter((r) => summary?.rows.some((s) => s.by_reason[r]));
  const total = (f: (r: SummaryRow) => number) => summary?.rows.reduce((n, r) => n + f(r), 0) ?? 0;

  const columns: TableColumnsType<PreviewRow> = [
    ...identity<PreviewRow>(hq),
    { title: '学籍状态', dataIndex: 'status', width: 80, render: (s: string) => <Tag color={STATUS_COLORS[s]}>{s}</Tag> },
    { title: '学籍有效期', dataIndex: 'valid_until', width: 100 },
    { title: '延期至', dataIndex: 'extension_until', width: 100, render: (v: string | null) => v ?? '—' },
    ...(which === 'decide' ? [{ title: '所在毕业批次', dataIndex: 'open_batch', width: 110, render: (v: string | null) => v ?? '—' }] : []),
    {
      title: which === 'decide' ? '待决定原因' : '清理原因',
      dataIndex: 'reason',
      minWidth: 200,
      render: (v: string) => (which === 'decide' ? <Typography.Text type="warning">{v}</Typography.Text> : v),
    },
  ];

  return (
    <Stack>
      <Card size="small" role="region" aria-label="各分部清理预览" title={summary?.on ? `各分部清理预览（按 ${summary.on} 判断）` : '各分部清理预览'}>
        <Table<SummaryRow>
          rowKey="branch_code"
          size="small"
          loading={summary === null}
          dataSource={summary?.rows ?? []}
          pagination={false}
          locale={{ emptyText: '没有将被清理或待决定的学生' }}
          columns={[
            { title: '分部', key: 'branch', render: (_: unknown, r) => `${r.branch_code} ${r.branch_name}` },
            {
              title: '将清理',
              dataIndex: 'to_clear',
              width: 90,
              align: 'right',
              render: (n: number, r) => (n ? <a onClick={() => showBranch(r.branch_code, 'clear')}>{n}</a> : 0),
            },
            ...reasons.map((reason) => ({ title: reason, key: reason, width: 150, align: 'right' as const, render: (_: unknown, r: SummaryRow) => r.by_reason[reason] ?? 0 })),
            {
              title: '待决定',
              dataIndex: 'to_decide',
              width: 90,
              align: 'right',
              render: (n: number, r) => (n ? <a onClick={() => showBranch(r.branch_code, 'decide')}>{n}</a> : 0),
            },
          ]}
          summary={() =>
            (summary?.rows.length ?? 0) > 1 ? (
              <TotalsRow from={1} totals={[total((r) => r.to_clear), ...reasons.map((x) => total((r) => r.by_reason[x] ?? 0)), total((r) => r.to_decide)]} />
            ) : null
          }
        />
        <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
          将清理：超过学籍有效期、未获批准延期、尚未毕业的在籍或休学学生，清理时转为退学。待决定：所在毕业批次的毕业审核尚未结束的学生，清理时不转退学，待审核结束后再处理。已毕业的学生不受影响。
        </Typography.Paragraph>
      </Card>

      <FilterCard<PreviewFilter> form={form} name="cleanupPreview" loading={list.loading} onFinish={(v) => search(v)} buttons={{ xs: 24, md: 12, xl: hq ? 24 : branch ? 8 : 16 }}>
        <OrgFilterFields branches={branches} tps={tps} hq={hq} tpChoice={hq || branch} />
        <FilterField label="姓名/学号" name="q">
          <Input allowClear placeholder="学号、姓名或身份证号" maxLength={40} />
        </FilterField>
      </FilterCard>
      <Card size="small" role="region" aria-label={which === 'decide' ? '待决定名单' : '将清理名单'}>
        <Space style={{ marginBottom: 12 }}>
          <Segmented<PreviewList>
            aria-label="预览名单"
            value={which}
            onChange={(l) => search(form.getFieldsValue(), l)}
            options={[
              { value: 'clear', label: '将清理的学生' },
              { value: 'decide', label: '待决定的学生' },
            ]}
          />
        </Space>
        <PagedTable<PreviewRow>
          rowKey="student_id"
          list={list}
          unit="人"
          paging={STUDENT_PAGE_SIZES}
          columns={columns}
          scroll={{ x: 1300 }}
          locale={{ emptyText: which === 'decide' ? '没有待决定的学生' : '没有将被清理的学生' }}
        />
      </Card>
    </Stack>
  );
}

/** 下载退学数据: the 学信网 退学 file of the campaign's cleared students (headquarters). */
export function WithdrawalDownloads({ campaign }: { campaign: Campaign }) {
  const params = { id: campaign.id };
  return (
    <Space>
      <Button href={urlOf(cleanupApi.withdrawalsDbf, { params })}>下载退学数据（DBF）</Button>
      <Button href={urlOf(cleanupApi.withdrawalsXlsx, { params })}>下载退学数据（Excel）</Button>
    </Space>
  );
}

export function WithdrawalsTab({ campaign }: { campaign: Campaign }) {
  const me = useMe();
  const hq = me.role === 'hq_admin';
  const branch = me.role === 'branch_admin';
  const [form] = Form.useForm<PreviewFilter>();
  const { branches, tps } = useOrgChoices(hq, hq || branch);
  const fetch = useCallback(
    (query: PreviewFilter & { page: number; page_size: number }) => call(cleanupApi.withdrawals, { params: { id: campaign.id }, query }),
    [campaign.id],
  );
  const list = usePagedList<PreviewFilter, WithdrawalRow>(fetch, { pageSize: 50 });

  const columns: TableColumnsType<WithdrawalRow> = [
    ...identity<WithdrawalRow>(hq),
    { title: '退学日期', dataIndex: 'withdrawal_date', width: 100 },
    { title: '文号', dataIndex: 'withdrawal_doc_no', width: 160 },
    { title: '原因', dataIndex: 'reason', minWidth: 200 },
  ];

  return (
    <Stack>
      <FilterCard<PreviewFilter>
        form={form}
        name="cleanupWithdrawals"
        loading={list.loading}
        onFinish={(v) => void list.search({ branch_code: v.branch_code, tp_code: v.tp_code, q: text(v.q) })}
        buttons={{ xs: 24, md: 12, xl: hq ? 24 : branch ? 8 : 16 }}
      >
        <OrgFilterFields branches={branches} tps={tps} hq={hq} tpChoice={hq || branch} />
        <FilterField label="姓名/学号" name="q">
          <Input allowClear placeholder="学号、姓名或身份证号" maxLength={40} />
        </FilterField>
      </FilterCard>
      <Card size="small" role="region" aria-label="退学名单" title={`本次清理转为退学的学生（${fmtDateTime(campaign.ran_at).slice(0, 10)}，文号 ${campaign.doc_no}）`} extra={hq && <WithdrawalDownloads campaign={campaign} />}>
        <PagedTable<WithdrawalRow>
          rowKey="student_id"
          list={list}
          unit="人"
          paging={STUDENT_PAGE_SIZES}
          columns={columns}
          scroll={{ x: 1200 }}
          locale={{ emptyText: '本次清理没有转为退学的学生' }}
        />
      </Card>
    </Stack>
  );
}
