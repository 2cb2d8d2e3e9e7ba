import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { Alert, Button, Card, Col, Form, Input, Row, Segmented, Select, Space, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { call, urlOf } from '../../client.ts';
import {
  auditApi,
  GROUP_BYS,
  type AuditGroup,
  type AuditResult,
  type AuditRound,
  type GroupBy as AuditGroupBy,
  type ResultFilter as AuditResultFilter,
} from '../../../shared/contract/audit.ts';
import { ruleKey, RULE_NAMES } from '../../../shared/contract/eligibility.ts';
import { useMe } from '../../session.tsx';
import { studentColumns } from '../../student-columns.tsx';
import { fmtDateTime, ListTable, PagedTable, PageTitle, Stack, STUDENT_PAGE_SIZES, TotalsRow, usePagedList } from '../../ui.tsx';

const GROUP_LABELS: Record<AuditGroupBy, string> = { branch: '按分部', tp: '按教学点', major: '按专业', rule: '按未通过条件' };
const GROUP_TITLES: Record<AuditGroupBy, string> = { branch: '分部', tp: '教学点', major: '专业', rule: '未通过条件' };

/** The group a click drilled into: its filter and how to name it. */
interface Drill {
  by: AuditGroupBy;
  label: string;
  filter: AuditResultFilter;
}

function drillOf(by: AuditGroupBy, g: AuditGroup): Drill {
  switch (by) {
    case 'branch':
      return { by, label: `分部：${g.name}`, filter: { branch_id: Number(g.key) } };
    case 'tp':
      return { by, label: `教学点：${g.code} ${g.name}`, filter: { tp_code: g.code } };
    case 'major':
      return { by, label: `专业：${g.name}`, filter: { major: String(g.key) } };
    case 'rule':
      return { by, label: `未通过条件：${g.name}`, filter: { rule: ruleKey.parse(g.key), passed: 'false' } };
  }
}

export default function AuditResultsPage() {
  const me = useMe();
  const { roundId } = useParams();
  const id = Number(roundId);
  const [params] = useSearchParams();
  const batch = params.get('batch') ?? '';
  const [round, setRound] = useState<AuditRound | null | undefined>(undefined);
  const [by, setBy] = useState<AuditGroupBy>(me.role === 'tp_admin' ? 'major' : me.role === 'branch_admin' ? 'tp' : 'branch');
  const [groups, setGroups] = useState<AuditGroup[] | null>(null);
  const [drill, setDrill] = useState<Drill | null>(null);
  const [passed, setPassed] = useState<'true' | 'false' | undefined>(undefined);
  const [q, setQ] = useState('');

  useEffect(() => {
    if (!batch) {
      setRound(null);
      return;
    }
    call(auditApi.rounds, { query: { batch } }).then((r) => setRound(r.rounds.find((x) => x.id === id) ?? null), () => setRound(null));
  }, [batch, id]);

  useEffect(() => {
    setGroups(null);
    call(auditApi.summary, { params: { id }, query: { by } }).then((r) => setGroups(r.groups), () => setGroups([]));
  }, [id, by]);

  /** The filter of the rows on screen: the drilled group, 通过/不通过 and the search. */
  const filter: AuditResultFilter = useMemo(() => {
    const f: AuditResultFilter = { ...(drill?.filter ?? {}) };
    if (passed) f.passed = passed;
    if (q.trim()) f.q = q.trim();
    return f;
  }, [drill, passed, q]);

  // Search runs on 查询 (and on a drill or a result filter): typing alone does not query.
  const fetch = useCallback(
    (query: AuditResultFilter & { page: number; page_size: number }) => call(auditApi.results, { params: { id }, query }),
    [id],
  );
  const list = usePagedList<AuditResultFilter, AuditResult>(fetch, { pageSize: 20 });
  const applied = list.filter;
  const apply = (f: AuditResultFilter) => void list.search(f);

  const pick = (g: AuditGroup) => {
    const d = drillOf(by, g);
    setDrill(d);
    const f: AuditResultFilter = { ...d.filter };
    const keepPassed = d.filter.passed ?? passed;
    if (keepPassed) f.passed = keepPassed;
    if (d.filter.passed) setPassed(d.filter.passed);
    if (q.trim()) f.q = q.trim();
    apply(f);
  };

  const clearDrill = () => {
    setDrill(null);
    const f: AuditResultFilter = {};
    if (passed) f.passed = passed;
    if (q.trim()) f.q = q.trim();
    apply(f);
  };

  const groupColumns: TableColumnsType<AuditGroup> = [
    ...(by === 'rule' || by === 'major' ? [] : [{ title: '代码', dataIndex: 'code', width: 100 }]),
    {
      title: GROUP_TITLES[by],
      dataIndex: 'name',
      render: (n: string, g) => (
        <a onClick={() => pick(g)} title="查看该组的学生">
          {n}
        </a>
      ),
    },
    ...(by === 'rule'
      ? [{ title: '未通过人数', dataIndex: 'failed', width: 110, align: 'right' as const }]
      : [
          { title: '审核人数', dataIndex: 'total', width: 100, align: 'right' as const },
          { title: '通过', dataIndex: 'passed', width: 90, align: 'right' as const },
          { title: '不通过', dataIndex: 'failed', width: 90, align: 'right' as const },
        ]),
  ];

  const columns: TableColumnsType<AuditResult> = [
    { title: '审核顺序', dataIndex: 'seq', width: 80, fixed: 'left' },
    ...studentColumns<AuditResult>({
      link: (r) => r.student_id,
      fixed: false,
      widths: { student_no: 130, name: 80, id_number: 160, level: 56, major: 130, branch: 120, tp: 130 },
    }),
    { title: '加急', dataIndex: 'urgent', width: 60, render: (u: boolean) => (u ? <Tag color="orange">加急</Tag> : null) },
    { title: '已获学分', dataIndex: 'credits_earned', width: 80, align: 'right' },
    {
      title: '审核结果',
      dataIndex: 'passed',
      width: 90,
      render: (p: boolean) => (p ? <Tag color="success">通过</Tag> : <Tag color="error">不通过</Tag>),
    },
    {
      title: '未通过原因',
      dataIndex: 'failures',
      minWidth: 220,
      render: (f: string[]) => (f.length ? f.join('；') : <Typography.Text type="secondary">—</Typography.Text>),
    },
    {
      title: '毕业准备情况',
      key: 'readiness',
      width: 100,
      render: (_: unknown, r) => <Link to={`/graduation/readiness/${r.student_id}`}>查看</Link>,
    },
  ];

  const title = round ? `审核结果：${round.batch_code} ${round.name}` : '审核结果';

  return (
    <>
      <PageTitle extra={<Link to="/graduation/audit">返回毕业审核</Link>}>{title}</PageTitle>
      <Stack>
        {round && (
          <Card size="small">
            <Space wrap size="large">
              <span>审核时间：{round.starts_on} 至 {round.ends_on}</span>
              <span>类型：{round.kind}</span>
              <span>审核完成：{fmtDateTime(round.audited_at)}</span>
              <span>
                审核人数：{round.passed + round.failed}（通过 {round.passed}，不通过 {round.failed}）
              </span>
              {round.published_at ? <Tag color="blue">已发布 {fmtDateTime(round.published_at)}</Tag> : <Tag color="warning">未发布：分部、教学点尚不可见</Tag>}
            </Space>
          </Card>
        )}
        {round === null && batch && <Alert type="warning" showIcon title="找不到该审核批次，或其结果尚未发布。" />}

        <Card
          size="small"
          title="审核结果统计"
          extra={
            <Segmented<AuditGroupBy>
              value={by}
              onChange={(v) => setBy(v)}
              options={GROUP_BYS
                .filter((k) => !(me.role === 'tp_admin' && k === 'branch'))
                .map((k) => ({ value: k, label: GROUP_LABELS[k] }))}
            />
          }
        >
          <section aria-label="审核结果统计">
            <ListTable<AuditGroup>
              rows={groups}
              pageSize={10}
              rowKey={(g) => String(g.key)}
              columns={groupColumns}
              scroll={{ x: 480 }}
              locale={{ emptyText: by === 'rule' ? '没有未通过的学生' : '暂无审核结果' }}
              summary={() =>
                groups && groups.length > 1 && by !== 'rule' ? (
                  <TotalsRow
                    colSpan={by === 'major' ? 1 : 2}
                    from={2}
                    totals={[groups.reduce((s, g) => s + g.total, 0), groups.reduce((s, g) => s + g.passed, 0), groups.reduce((s, g) => s + g.failed, 0)]}
                  />
                ) : null
              }
            />
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              点击{GROUP_TITLES[by]}名称，查看该组的学生。
            </Typography.Text>
          </section>
        </Card>

        <section aria-label="审核结果明细">
          <Card size="small" title="审核结果明细">
            <Form layout="inline" onFinish={() => apply(filter)} style={{ rowGap: 8, marginBottom: 12 }}>
              <Row gutter={[12, 8]} style={{ width: '100%' }}>
                {drill && (
                  <Col xs={24}>
                    <Tag closable onClose={clearDrill} color="blue" style={{ fontSize: 13, padding: '2px 8px' }}>
                      {drill.label}
                    </Tag>
                  </Col>
                )}
                <Col xs={24} sm={12} md={6}>
                  <Form.Item label="审核结果" style={{ marginInlineEnd: 0 }}>
                    <Select
                      allowClear
                      aria-label="审核结果"
                      placeholder="全部"
                      value={passed}
                      onChange={(v?: 'true' | 'false') => {
                        setPassed(v);
                        const f: AuditResultFilter = { ...(drill?.filter ?? {}) };
                        if (v) f.passed = v;
                        if (q.trim()) f.q = q.trim();
                        apply(f);
                      }}
                      options={[
                        { value: 'true', label: '通过' },
                        { value: 'false', label: '不通过' },
                      ]}
                    />
                  </Form.Item>
                </Col>
                <Col xs={24} sm={12} md={8}>
                  <Form.Item label="学生" style={{ marginInlineEnd: 0 }}>
                    <Input allowClear aria-label="姓名/学号/身份证号" placeholder="姓名、学号或身份证号" value={q} onChange={(e) => setQ(e.target.value)} />
                  </Form.Item>
                </Col>
                <Col xs={24} md={10} style={{ textAlign: 'right' }}>
                  <Space wrap>
                    <Button type="primary" htmlType="submit" loading={list.loading}>
                      查询
                    </Button>
                    <Button href={urlOf(auditApi.resultsXlsx, { params: { id }, query: applied })}>导出Excel</Button>
                  </Space>
                </Col>
              </Row>
            </Form>
            <PagedTable<AuditResult>
              list={list}
              unit="人"
              paging={STUDENT_PAGE_SIZES}
              rowKey="graduate_id"
              columns={columns}
              scroll={{ x: 1600 }}
              locale={{ emptyText: '没有符合条件的审核结果' }}
            />
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              未通过条件：{Object.values(RULE_NAMES).join('、')}。“导出Excel”按当前查询条件导出。
            </Typography.Text>
          </Card>
        </section>
      </Stack>
    </>
  );
}
