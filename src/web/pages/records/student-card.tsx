import { useCallback, useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { Alert, Button, Card, Descriptions, Empty, Grid, Image, Result, Skeleton, Space, Table, Tag, Typography } from 'antd';
import type { DescriptionsProps, TableColumnsType } from 'antd';
import { ApiError, call } from '../../client.ts';
import { recordsApi, type FamilyRow, type HistoryRow, type StudentRecordCard } from '../../../shared/contract/records.ts';
import { studentsApi } from '../../../shared/contract/students.ts';
import { useMe } from '../../session.tsx';
import { fmtDateTime, FormModal, PageTitle, Stack, TextField, useBusyAction, useFormDialog } from '../../ui.tsx';

type Grade = StudentRecordCard['grades'][number];
type Graduation = StudentRecordCard['graduations'][number];

const STATUS_COLORS: Record<string, string> = { 在籍: 'processing', 毕业: 'success', 退学: 'error', 休学: 'warning' };
const dash = (v: string | null | undefined) => (v && v.trim() ? v : '—');

const GRADE_COLUMNS: TableColumnsType<Grade> = [
  { title: '学期', dataIndex: 'term', width: 80 },
  { title: '课程代码', dataIndex: 'course_code', width: 100 },
  { title: '课程名称', dataIndex: 'course_name', width: 200 },
  { title: '课程类别', dataIndex: 'category', width: 100 },
  { title: '成绩来源', dataIndex: 'source', width: 90 },
  { title: '成绩', dataIndex: 'score', width: 70, align: 'right', render: (s: number | null) => (s == null ? '—' : s) },
  { title: '是否通过', dataIndex: 'passed', width: 80, render: (p: boolean) => (p ? <Tag color="success">通过</Tag> : <Tag color="error">未通过</Tag>) },
  { title: '学分', dataIndex: 'credits', width: 70, align: 'right' },
];

const HISTORY_COLUMNS: TableColumnsType<HistoryRow & { key: number }> = [
  { title: '起', dataIndex: 'from', width: 90, render: dash },
  { title: '止', dataIndex: 'to', width: 90, render: dash },
  { title: '单位/学校', dataIndex: 'place', render: dash },
  { title: '职务', dataIndex: 'role', width: 110, render: dash },
];

const FAMILY_COLUMNS: TableColumnsType<FamilyRow & { key: number }> = [
  { title: '关系', dataIndex: 'relation', width: 70, render: dash },
  { title: '姓名', dataIndex: 'name', width: 90, render: dash },
  { title: '工作单位', dataIndex: 'employer', render: dash },
  { title: '电话', dataIndex: 'phone', width: 130, render: dash },
];

const GRADUATION_COLUMNS: TableColumnsType<Graduation> = [
  { title: '毕业批次', dataIndex: 'batch_code', width: 100 },
  { title: '预毕业确认', dataIndex: 'confirm_status', width: 110 },
  { title: '毕业审核', dataIndex: 'audit_status', width: 110 },
];

/** A list the student wrote on the 入学登记表 (经历, 家庭成员), as a small table. */
function RowsCard<R extends object>({ title, columns, rows }: { title: string; columns: TableColumnsType<R & { key: number }>; rows: R[] | undefined }) {
  return (
    <Card size="small" title={title} role="region" aria-label={title}>
      <Table<R & { key: number }>
        rowKey="key"
        size="small"
        pagination={false}
        columns={columns}
        dataSource={(rows ?? []).map((r, key) => ({ ...r, key }))}
        scroll={{ x: 480 }}
        locale={{ emptyText: '未填写' }}
      />
    </Card>
  );
}

/** 学籍 → 学籍卡查询 → a student's 学籍卡: everything the record holds, grouped like the 入学登记表; the 身份证号 whole (here only). */
export default function StudentCardPage() {
  const { id } = useParams();
  const narrow = Grid.useBreakpoint().md === false;
  const me = useMe();
  const [card, setCard] = useState<StudentRecordCard | null>(null);
  const [missing, setMissing] = useState(false);

  useEffect(() => {
    let alive = true;
    setCard(null);
    setMissing(false);
    call(recordsApi.card, { params: { id: Number(id) } }).then(
      (c) => alive && setCard(c),
      (e: unknown) => alive && e instanceof ApiError && e.status === 404 && setMissing(true),
    );
    return () => {
      alive = false;
    };
  }, [id]);

  const reload = useCallback(async () => setCard(await call(recordsApi.card, { params: { id: Number(id) } })), [id]);
  const { busy, run } = useBusyAction(reload);
  /** 撤销毕业 (headquarters): the reason is asked in a dialog, kept with the revocation and in the operation log. */
  const revoking = useFormDialog<number, { reason: string }>();
  const submitRevoke = (studentId: number, v: { reason: string }) =>
    run(() => call(studentsApi.revokeGraduation, { params: { id: studentId }, body: { reason: v.reason.trim() } }), '已撤销毕业，学籍状态恢复为在籍。');

  const back = <Link to="/records/students">返回学籍卡查询</Link>;
  if (missing) return <Result status="404" title="找不到该学生" subTitle="该学生不存在或不在您的管理范围内。" extra={back} />;

  const descriptions = (items: DescriptionsProps['items']) => (
    <Descriptions
      size="small"
      bordered
      column={{ xs: 1, sm: 2, lg: 3 }}
      styles={{ label: { width: narrow ? 96 : 110, whiteSpace: 'nowrap' }, content: { wordBreak: 'break-all' } }}
      items={items}
    />
  );

  if (!card) {
    return (
      <>
        <PageTitle extra={back}>学籍卡</PageTitle>
        <Card>
          <Skeleton active />
        </Card>
      </>
    );
  }

  const s = card.student;
  const f = card.enroll_form;
  const t = card.totals;
  return (
    <div style={{ maxWidth: 1100 }}>
      <PageTitle extra={back}>
        学籍卡：{s.name}（{s.student_no}）
      </PageTitle>
      <Stack>
        <Card size="small" title="基本信息" role="region" aria-label="基本信息">
          <div style={{ display: 'flex', gap: 16, flexDirection: narrow ? 'column' : 'row' }}>
            <div style={{ flex: 1, minWidth: 0 }}>
              {descriptions([
                { key: 'name', label: '姓名', children: s.name },
                { key: 'gender', label: '性别', children: s.gender },
                { key: 'id_number', label: '身份证号', children: s.id_number },
                { key: 'birth', label: '出生日期', children: dash(s.birth_date) },
                { key: 'student_no', label: '学号', children: s.student_no },
                { key: 'ethnicity', label: '民族', children: dash(s.ethnicity) },
                { key: 'political', label: '政治面貌', children: dash(s.political_status) },
              ])}
            </div>
            {card.photos.length > 0 && (
              <Image.PreviewGroup>
                <Space align="start" wrap>
                  {card.photos.map((p) => (
                    <figure key={p.id} style={{ margin: 0, textAlign: 'center' }}>
                      <Image src={p.image_url} alt={`${s.name} ${p.photo_type}`} width={96} height={128} style={{ objectFit: 'cover', border: '1px solid #f0f0f0' }} />
                      <figcaption>
                        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                          {p.photo_type}
                        </Typography.Text>
                      </figcaption>
                    </figure>
                  ))}
                </Space>
              </Image.PreviewGroup>
            )}
          </div>
          {card.photos.length === 0 && (
            <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0' }}>
              尚无电子照片。
            </Typography.Paragraph>
          )}
        </Card>

        <Card size="small" title="学籍信息" role="region" aria-label="学籍信息">
          {descriptions([
            { key: 'cohort', label: '学籍批次', children: s.cohort },
            { key: 'level', label: '层次', children: s.level },
            { key: 'major', label: '专业', children: s.major },
            {
              key: 'status',
              label: '学籍状态',
              children: (
                <Space size={8} wrap>
                  <Tag color={STATUS_COLORS[s.status]}>{s.status}</Tag>
                  {me.role === 'hq_admin' && s.status === '毕业' && s.graduation_batch && (
                    <Button size="small" danger onClick={() => revoking.show(s.id)}>
                      撤销毕业
                    </Button>
                  )}
                </Space>
              ),
            },
            { key: 'entry', label: '入学日期', children: dash(s.entry_date) },
            { key: 'valid', label: '学籍有效期至', children: dash(s.valid_until) },
            { key: 'extension', label: '延期至', children: dash(s.extension_until) },
            { key: 'graduation_batch', label: '毕业批次', children: dash(s.graduation_batch) },
            { key: 'graduation_date', label: '毕业日期', children: dash(s.graduation_date) },
            { key: 'graduation_conclusion', label: '毕结业结论', children: dash(s.graduation_conclusion) },
            { key: 'tp', label: '教学点', children: `${s.tp_code} ${s.tp_name}` },
            { key: 'class', label: '班级', children: dash(s.class_name) },
            {
              key: 'form',
              label: '入学登记表',
              children: (
                <>
                  <Tag color={s.enroll_form_status === '已更新' ? 'success' : 'default'}>{s.enroll_form_status}</Tag>
                  {s.enroll_form_updated_at && <Typography.Text type="secondary">{fmtDateTime(s.enroll_form_updated_at)}</Typography.Text>}
                </>
              ),
            },
          ])}
        </Card>

        <Card size="small" title="联系方式" role="region" aria-label="联系方式">
          {descriptions([
            { key: 'address', label: '通讯地址', children: dash(f.address), span: { xs: 1, sm: 2, lg: 3 } },
            { key: 'postcode', label: '邮编', children: dash(f.postcode) },
            { key: 'phone', label: '手机', children: dash(f.phone ?? s.phone) },
            { key: 'email', label: '邮箱', children: dash(f.email) },
            { key: 'employer', label: '工作单位', children: dash(f.employer) },
            { key: 'occupation', label: '职业', children: dash(f.occupation) },
            { key: 'education', label: '入学前学历', children: dash(f.education_before) },
          ])}
        </Card>

        <RowsCard<HistoryRow> title="学习与工作经历" columns={HISTORY_COLUMNS} rows={f.history} />
        <RowsCard<FamilyRow> title="家庭成员" columns={FAMILY_COLUMNS} rows={f.family} />

        <Card size="small" title="成绩" role="region" aria-label="成绩">
          <Table<Grade>
            rowKey={(g) => `${g.course_code}:${g.term}:${g.source}`}
            size="small"
            pagination={false}
            columns={GRADE_COLUMNS}
            dataSource={card.grades}
            scroll={{ x: 790 }}
            locale={{ emptyText: <Empty description="暂无成绩" /> }}
            summary={() =>
              card.grades.length > 0 && (
                <Table.Summary.Row>
                  <Table.Summary.Cell index={0} colSpan={7}>
                    合计：已通过 {t.courses_passed} 门，获得学分
                  </Table.Summary.Cell>
                  <Table.Summary.Cell index={7} align="right">
                    {t.credits_earned}
                  </Table.Summary.Cell>
                </Table.Summary.Row>
              )
            }
          />
          <Typography.Paragraph style={{ margin: '8px 0 0' }}>
            已通过 {t.courses_passed} 门课程，获得 {t.credits_earned} 学分
            {t.credits_required != null && `（毕业要求 ${t.credits_required} 学分${t.credits_earned >= t.credits_required ? '，已达到' : `，尚差 ${t.credits_required - t.credits_earned} 学分`}）`}。
          </Typography.Paragraph>
        </Card>

        <Card size="small" title="毕业办理" role="region" aria-label="毕业办理">
          <Table<Graduation>
            rowKey="batch_code"
            size="small"
            pagination={false}
            columns={GRADUATION_COLUMNS}
            dataSource={card.graduations}
            locale={{ emptyText: '尚未参加毕业办理' }}
          />
        </Card>
      </Stack>

      <FormModal<{ reason: string }>
        title={`撤销毕业：${s.name}（${s.student_no}）`}
        busy={busy}
        okText="确定撤销"
        {...revoking.modal(submitRevoke)}
        name="revokeGraduation"
      >
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          message={`撤销后学籍状态恢复为“在籍”，毕业批次 ${s.graduation_batch ?? ''}、毕业日期、毕结业结论清空；撤销原因记入操作日志。`}
        />
        <TextField label="撤销原因" name="reason" required="请填写撤销毕业的原因" rules={[{ min: 2, message: '原因至少 2 个字' }]} rows={3} maxLength={200} placeholder="如：经核查，该生一门必修课成绩登记错误" />
      </FormModal>
    </div>
  );
}
