/**
 * The parts of 毕业 → 学历注册 (registration.tsx): the deadline of each published audit round, the build's row
 * errors, the generated files, the result import's report, 缺照片 (学信网暂不可公开查询), the partner-seal majors
 * and the export profile.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import { Alert, App as AntApp, Button, Card, DatePicker, Descriptions, Form, Input, InputNumber, Space, Table, Tag, Tooltip, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import dayjs from 'dayjs';
import { call, urlOf } from '../../client.ts';
import {
  FIELD_NAMES,
  REGISTRATION_STATES,
  registrationApi,
  type PartnerSealRow,
  type ProfileField,
  type RegistrationError,
  type RegistrationFile,
  type RegistrationProfile,
  type RegistrationRound,
  type RegistrationRounds,
  type RegistrationState,
  type ResultsSummary,
  type StateCounts,
} from '../../../shared/contract/registration.ts';
import { tpColumn } from '../../student-columns.tsx';
import { fmtDateTime, FormModal, PagedTable, STUDENT_PAGE_SIZES, TextField, useBusyAction, useFormDialog, usePagedList } from '../../ui.tsx';

export const STATE_COLORS: Record<RegistrationState, string> = {
  待注册: 'default',
  已生成: 'processing',
  已上报: 'cyan',
  已注册: 'success',
  注册失败: 'error',
};

export function StateTag({ state }: { state: RegistrationState }) {
  return <Tag color={STATE_COLORS[state]}>{state}</Tag>;
}

/** 待注册 3 · 已生成 10 …, the states with nobody left out. */
export function CountsLine({ counts }: { counts: StateCounts }) {
  const shown = REGISTRATION_STATES.filter((s) => counts[s] > 0);
  if (!shown.length) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <Space size={4} wrap>
      {shown.map((s) => (
        <Tag key={s} color={STATE_COLORS[s]}>
          {s} {counts[s]}
        </Tag>
      ))}
    </Space>
  );
}

/** 剩余工作日 of a round: the working days left, or how long it is overdue. */
function DaysLeft({ r }: { r: RegistrationRound }) {
  if (r.days_left === null) return <Typography.Text type="secondary">—</Typography.Text>;
  if (r.overdue) return <Typography.Text type="danger" strong>已逾期{r.days_left < 0 ? ` ${-r.days_left} 个工作日` : ''}</Typography.Text>;
  // Past the deadline with everyone registered: nothing is late.
  if (r.days_left < 0) return <Typography.Text type="secondary">已截止</Typography.Text>;
  if (r.days_left === 0) return <Typography.Text type="danger">今天截止</Typography.Text>;
  return <Typography.Text type={r.days_left <= 3 ? 'warning' : undefined}>{r.days_left} 个工作日</Typography.Text>;
}

/**
 * The published audit rounds of the batch: 发布日期, 上报截止（15 个工作日, seed 003 二.4）, 剩余工作日, and the
 * graduates by state; an overdue round in red. A deadline the calendar cannot compute shows the server's message.
 */
export function RoundsCard({ data, loading, hq }: { data: RegistrationRounds | null; loading: boolean; hq: boolean }) {
  const columns: TableColumnsType<RegistrationRound> = [
    {
      title: '审核批次',
      dataIndex: 'name',
      width: 120,
      render: (n: string, r) => (
        <Space size={4}>
          <Typography.Text strong type={r.overdue ? 'danger' : undefined}>{n}</Typography.Text>
          {r.overdue && <Tag color="error">已逾期</Tag>}
        </Space>
      ),
    },
    { title: '发布日期', dataIndex: 'published_at', width: 110, render: (d: string) => dayjs(d).format('YYYY-MM-DD') },
    {
      title: '上报截止（15 个工作日）',
      key: 'deadline',
      width: 260,
      render: (_: unknown, r) =>
        r.deadline ? (
          <Typography.Text type={r.overdue ? 'danger' : undefined} strong={r.overdue}>{r.deadline}</Typography.Text>
        ) : (
          <Space orientation="vertical" size={0}>
            <Typography.Text type="danger">{r.calendar_error ?? '无法计算截止日期'}</Typography.Text>
            {hq && <Link to="/system/calendar">到“工作日历”录入</Link>}
          </Space>
        ),
    },
    { title: '剩余工作日', key: 'left', width: 130, render: (_: unknown, r) => <DaysLeft r={r} /> },
    { title: '注册状态', key: 'counts', render: (_: unknown, r) => <CountsLine counts={r.counts} /> },
  ];
  return (
    <section aria-label="注册截止日期">
      <Card
        size="small"
        title="学历电子注册截止日期（审核结果发布后 15 个工作日内上报学信网）"
        extra={data && <span>本批次：<CountsLine counts={data.counts} /></span>}
      >
        <Table<RegistrationRound>
          rowKey="id"
          size="small"
          loading={loading}
          columns={columns}
          dataSource={data?.rounds ?? []}
          pagination={false}
          rowClassName={(r) => (r.overdue ? 'registration-overdue' : '')}
          onRow={(r) => (r.overdue ? { style: { background: '#fff1f0' } } : {})}
          scroll={{ x: 900 }}
          locale={{ emptyText: '本批次还没有发布审核结果的审核批次' }}
        />
        {data?.issue_date && (
          <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0', fontSize: 12 }}>
            发证日期 {data.issue_date}：已完成学历注册且不缺毕业照片的毕业生，自该日起在学信网可公开查询（通知 四.7）。
          </Typography.Paragraph>
        )}
      </Card>
    </section>
  );
}

/** The row errors of one build: graduate, field and what is wrong (e.g. 姓名含 GBK 无法表示的字). */
export function BuildErrors({ fileId }: { fileId: number }) {
  const fetch = useCallback(
    (query: { page: number; page_size: number }) => call(registrationApi.errors, { params: { id: fileId }, query }),
    [fileId],
  );
  const list = usePagedList<object, RegistrationError>(fetch, { pageSize: 20 });
  const columns: TableColumnsType<RegistrationError> = [
    { title: '学号', dataIndex: 'student_no', width: 140 },
    { title: '姓名', dataIndex: 'name', width: 90 },
    tpColumn<RegistrationError>(140),
    { title: '字段', key: 'field', width: 130, render: (_: unknown, e) => `${e.field_name}（${e.field}）` },
    { title: '问题', dataIndex: 'message' },
  ];
  return (
    <section aria-label="生成错误">
      <PagedTable<RegistrationError> list={list} unit="条" columns={columns} scroll={{ x: 800 }} locale={{ emptyText: '没有错误' }} />
    </section>
  );
}

/** 下载 DBF / 下载 Excel of a generated file (headquarters). */
export function DownloadButtons({ file, size }: { file: RegistrationFile; size?: 'small' }) {
  return (
    <Space size="small">
      <Button size={size} href={urlOf(registrationApi.download, { params: { id: file.id }, query: { format: 'dbf' } })}>下载 DBF</Button>
      <Button size={size} href={urlOf(registrationApi.download, { params: { id: file.id }, query: { format: 'xlsx' } })}>下载 Excel</Button>
    </Space>
  );
}

/** How a build ended: its file, the counts, the downloads and the row errors. */
export function BuildResult({ file, error, hq, onClose }: { file: RegistrationFile | null; error: string | null; hq: boolean; onClose: () => void }) {
  if (error) {
    return (
      <div role="status" aria-label="生成结果">
        <Alert type="error" showIcon closable={{ onClose }} title="注册数据未生成" description={error} />
      </div>
    );
  }
  if (!file) return null;
  return (
    <div role="status" aria-label="生成结果">
      <Alert
        type={file.errors ? 'warning' : 'success'}
        showIcon
        closable={{ onClose }}
        title={`注册数据已生成：${file.file_name}，写入 ${file.written} 人${file.errors ? `；${file.errors} 人有错误，未写入（仍为待注册），请按下表改正后重新生成` : ''}。`}
        description={
          <Space orientation="vertical" style={{ width: '100%' }}>
            {hq && file.written > 0 && <DownloadButtons file={file} />}
            {file.errors > 0 && <BuildErrors fileId={file.id} />}
          </Space>
        }
      />
    </div>
  );
}

/** The report of 导入注册结果: what was applied, or the refused rows (then nothing was written). */
export function ImportResultPanel({ result, onClose }: { result: ResultsSummary; onClose: () => void }) {
  const title = result.applied
    ? `导入注册结果：共 ${result.rows} 行，已注册 ${result.registered} 人，注册失败 ${result.failed} 人，无需变更 ${result.unchanged} 人。`
    : `导入注册结果：共 ${result.rows} 行，其中 ${result.errors.length} 行有错误，全部未导入。请按下表改正后重新上传。`;
  return (
    <div role="status" aria-label="导入结果">
      <Alert
        type={result.applied && !result.errors.length ? 'success' : 'warning'}
        showIcon
        closable={{ onClose }}
        title={title}
        description={
          result.errors.length ? (
            <Table
              size="small"
              rowKey={(e) => `${e.row_no}-${e.value}-${e.message}`}
              style={{ marginTop: 8 }}
              dataSource={result.errors}
              pagination={result.errors.length > 10 ? { pageSize: 10, size: 'small' } : false}
              columns={[
                { title: '行', dataIndex: 'row_no', width: 70 },
                { title: '值', dataIndex: 'value', width: 200, render: (v: string) => v || <Typography.Text type="secondary">（空）</Typography.Text> },
                { title: '问题', dataIndex: 'message' },
              ]}
            />
          ) : undefined
        }
      />
    </div>
  );
}

/** The generated files of the batch: downloads (headquarters), 标记已上报 for a whole file, and each build's errors. */
export function FilesTab({ files, hq, onReport }: { files: RegistrationFile[] | null; hq: boolean; onReport: (f: RegistrationFile) => void }) {
  const columns: TableColumnsType<RegistrationFile> = [
    { title: '文件', dataIndex: 'file_name', width: 200, render: (n: string) => <Typography.Text strong>{n}</Typography.Text> },
    { title: '写入人数', dataIndex: 'written', width: 90, align: 'right' },
    { title: '错误人数', dataIndex: 'errors', width: 90, align: 'right', render: (n: number) => (n ? <Typography.Text type="danger">{n}</Typography.Text> : 0) },
    { title: '文件中学生的注册状态', key: 'counts', render: (_: unknown, f) => <CountsLine counts={f.counts} /> },
    { title: '生成人', dataIndex: 'created_by', width: 100, render: (n: string | null) => n ?? '—' },
    { title: '生成时间', dataIndex: 'created_at', width: 170, render: (d: string) => fmtDateTime(d) },
    ...(hq
      ? [
          {
            title: '操作',
            key: 'op',
            width: 290,
            render: (_: unknown, f: RegistrationFile) => (
              <Space size="small" wrap>
                {f.written > 0 && <DownloadButtons file={f} size="small" />}
                {f.counts.已生成 > 0 && (
                  <Button size="small" type="primary" onClick={() => onReport(f)}>
                    标记已上报
                  </Button>
                )}
              </Space>
            ),
          },
        ]
      : []),
  ];
  return (
    <section aria-label="注册数据文件">
      <Table<RegistrationFile>
        rowKey="id"
        size="small"
        loading={files === null}
        columns={columns}
        dataSource={files ?? []}
        pagination={false}
        scroll={{ x: 1100 }}
        expandable={{
          rowExpandable: (f) => f.errors > 0,
          expandedRowRender: (f) => <BuildErrors fileId={f.id} />,
        }}
        locale={{ emptyText: hq ? '本批次尚未生成注册数据，请点击“生成注册数据”' : '总部尚未生成本批次的注册数据' }}
      />
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        DBF 为 dBASE III 格式（GBK 编码），字段宽度按“导出方案”；有错误的学生不写入文件，展开文件行查看错误。
      </Typography.Text>
    </section>
  );
}

/** The date asked by 标记已上报. */
export interface ReportValues {
  reported_on: dayjs.Dayjs;
}

/** 上报日期 of 标记已上报: the day the data went to 学信网, not later than the server's today. */
export function ReportDateItem({ today }: { today?: string }) {
  return (
    <Form.Item label="上报日期" name="reported_on" rules={[{ required: true, message: '请选择上报学信网的日期' }]} extra="数据上报教育部学信网的日期。">
      <DatePicker style={{ width: '100%' }} disabledDate={(d) => d.isAfter(dayjs(today), 'day')} />
    </Form.Item>
  );
}

/** 缺照片，学信网暂不可公开查询 (seed 003 四.7): shrinks as photos arrive. */
export function PhotoMissingTab({ batch, tpCode }: { batch: string | null; tpCode: string | undefined }) {
  type Row = Awaited<ReturnType<typeof fetchPhotoMissing>>['rows'][number];
  const fetch = useCallback(
    (q: { page: number; page_size: number }) => (batch ? fetchPhotoMissing({ batch, tp_code: tpCode, ...q }) : Promise.resolve({ total: 0, page: 1, page_size: q.page_size, rows: [], public_from: null })),
    [batch, tpCode],
  );
  const list = usePagedList<object, Row, Awaited<ReturnType<typeof fetchPhotoMissing>>>(fetch, { pageSize: 50 });
  const publicFrom = list.data?.public_from;
  const columns: TableColumnsType<Row> = [
    { title: '学号', dataIndex: 'student_no', width: 140 },
    { title: '姓名', dataIndex: 'name', width: 90, render: (n: string, r) => <Link to={`/enroll/students/${r.student_id}/photos`}>{n}</Link> },
    { title: '层次', dataIndex: 'level', width: 60 },
    { title: '专业', dataIndex: 'major', width: 150 },
    tpColumn<Row>(150),
    { title: '注册状态', dataIndex: 'state', width: 90, render: (s: RegistrationState) => <StateTag state={s} /> },
    { title: '证书编号', dataIndex: 'certificate_no', width: 180, render: (n: string | null) => n ?? '—' },
    { title: '说明', dataIndex: 'message' },
  ];
  return (
    <section aria-label="缺照片">
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 12 }}
        title={
          publicFrom
            ? `已完成学历注册且不缺毕业照片的毕业生，自发证日期 ${publicFrom} 起在学信网可公开查询。`
            : '已完成学历注册且不缺毕业照片的毕业生，自本批次的发证日期起在学信网可公开查询。'
        }
        description="下列毕业生缺毕业照片，学信网暂不可公开查询；照片上传后即从本表中移除（招生 → 电子照片管理）。"
      />
      <PagedTable<Row>
        list={list}
        unit="人"
        paging={STUDENT_PAGE_SIZES}
        columns={columns}
        scroll={{ x: 1100 }}
        locale={{ emptyText: batch ? '没有缺照片的毕业生' : '请选择毕业批次后点击“查询”' }}
      />
    </section>
  );
}

const fetchPhotoMissing = (query: { batch: string; tp_code?: string; page: number; page_size: number }) => call(registrationApi.photoMissing, { query });

/** 合作高校盖章专业 (seed 003 四.2): per programme the partner whose seal the certificate needs; 专业代码 (ZYDM). */
export function PartnerSealsTab({ hq }: { hq: boolean }) {
  const [rows, setRows] = useState<PartnerSealRow[] | null>(null);
  const [q, setQ] = useState('');
  const [onlyFlagged, setOnlyFlagged] = useState(false);
  const editing = useFormDialog<PartnerSealRow, { partner_seal?: string; major_code?: string }>();
  const load = useCallback(async () => {
    try {
      setRows(await call(registrationApi.partnerSeals));
    } catch {
      setRows([]);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  const { busy, run } = useBusyAction(load);
  const shown = useMemo(
    () => (rows ?? []).filter((r) => (!onlyFlagged || r.partner_seal) && (!q.trim() || r.major.includes(q.trim()))),
    [rows, q, onlyFlagged],
  );
  const save = (r: PartnerSealRow, v: { partner_seal?: string; major_code?: string }) =>
    run(
      () =>
        call(registrationApi.updatePartnerSeal, {
          params: { programme: r.programme_id },
          body: { partner_seal: v.partner_seal?.trim() || null, major_code: v.major_code?.trim() || null },
        }),
      v.partner_seal?.trim() ? `已设置：${r.level}${r.major} 须加盖${v.partner_seal.trim()}公章。` : `已保存 ${r.level}${r.major}。`,
    );
  const columns: TableColumnsType<PartnerSealRow> = [
    { title: '层次', dataIndex: 'level', width: 70 },
    { title: '专业', dataIndex: 'major' },
    { title: '专业代码', dataIndex: 'major_code', width: 120, render: (c: string | null) => c ?? <Typography.Text type="danger">未设置</Typography.Text> },
    {
      title: '合作高校盖章',
      dataIndex: 'partner_seal',
      width: 220,
      render: (p: string | null) => (p ? <Tag color="purple">{p}</Tag> : <Typography.Text type="secondary">—</Typography.Text>),
    },
    ...(hq
      ? [{
          title: '操作',
          key: 'op',
          width: 80,
          render: (_: unknown, r: PartnerSealRow) => <a onClick={() => editing.show(r, { partner_seal: r.partner_seal ?? '', major_code: r.major_code ?? '' })}>设置</a>,
        }]
      : []),
  ];
  return (
    <section aria-label="合作高校盖章专业">
      <Typography.Paragraph type="secondary">
        须加盖合作高校公章的专业（如本科数学与应用数学、公共事业管理（教育管理））：毕业审核和学历注册照常办理，毕业证书待合作高校盖章后办理。
      </Typography.Paragraph>
      <Space wrap style={{ marginBottom: 12 }}>
        <Input allowClear aria-label="专业名称" placeholder="专业名称" style={{ width: 220 }} value={q} onChange={(e) => setQ(e.target.value)} />
        <Button type={onlyFlagged ? 'primary' : 'default'} onClick={() => setOnlyFlagged((x) => !x)}>
          只看须合作高校盖章的专业
        </Button>
      </Space>
      <Table<PartnerSealRow> rowKey="programme_id" size="small" loading={rows === null} columns={columns} dataSource={shown} pagination={shown.length > 20 ? { pageSize: 20, size: 'small' } : false} />
      <FormModal<{ partner_seal?: string; major_code?: string }>
        title={`设置专业：${editing.target ? `${editing.target.level} ${editing.target.major}` : ''}`}
        busy={busy}
        name="partner-seal"
        {...editing.modal(save)}
      >
        <TextField label="合作高校" name="partner_seal" maxLength={60} placeholder="须加盖其公章的合作高校名称；不需要时留空" extra="留空表示本专业的毕业证书不需要合作高校盖章。" rules={[{ min: 2, message: '合作高校名称至少 2 个字' }]} />
        <TextField label="专业代码（ZYDM）" name="major_code" maxLength={12} placeholder="学信网专业代码" rules={[{ pattern: /^[0-9A-Za-z]{0,12}$/, message: '专业代码应为 1 至 12 位数字或字母' }]} />
      </FormModal>
    </section>
  );
}

interface ProfileValues {
  school_code: string;
  school_type: string;
  school_name: string;
  president: string;
  widths: Record<string, number>;
}

/** 导出方案 (headquarters): the school as 学信网 knows it, and each field's width in GBK bytes. */
export function ProfileTab({ hq }: { hq: boolean }) {
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<ProfileValues>();
  const [profile, setProfile] = useState<RegistrationProfile | null>(null);
  const { busy, exclusive } = useBusyAction();
  const fill = useCallback(
    (p: RegistrationProfile) => {
      setProfile(p);
      form.setFieldsValue({
        school_code: p.school_code, school_type: p.school_type, school_name: p.school_name, president: p.president,
        widths: Object.fromEntries(p.fields.map((f) => [f.name, f.width])),
      });
    },
    [form],
  );
  useEffect(() => {
    call(registrationApi.profile).then(fill, () => undefined);
  }, [fill]);

  const save = (v: ProfileValues) =>
    exclusive(async () => {
      if (!profile) return;
      const widths = profile.fields.filter((f) => f.type !== 'D' && v.widths[f.name] !== f.width).map((f) => ({ name: f.name, width: v.widths[f.name] }));
      fill(await call(registrationApi.updateProfile, {
        body: { school_code: v.school_code.trim(), school_type: v.school_type.trim(), school_name: v.school_name.trim(), president: v.president.trim(), widths },
      }));
      void message.success(`已保存导出方案${widths.length ? `（修改了 ${widths.length} 个字段的宽度）` : ''}。`);
    });

  const columns: TableColumnsType<ProfileField> = [
    { title: '顺序', dataIndex: 'position', width: 60 },
    { title: '字段', dataIndex: 'name', width: 80 },
    { title: '含义', key: 'label', width: 140, render: (_: unknown, f) => f.label || FIELD_NAMES[f.name] },
    { title: '类型', dataIndex: 'type', width: 60 },
    {
      title: '宽度（GBK 字节）',
      key: 'width',
      render: (_: unknown, f) =>
        f.type === 'D' || !hq ? (
          f.width
        ) : (
          <Form.Item name={['widths', f.name]} noStyle rules={[{ required: true, message: '请填写宽度' }]}>
            <InputNumber aria-label={`${f.name} 宽度`} min={1} max={254} precision={0} style={{ width: 110 }} />
          </Form.Item>
        ),
    },
  ];

  return (
    <section aria-label="导出方案">
      <Form<ProfileValues> form={form} layout="vertical" name="registration-profile" onFinish={(v) => void save(v)} disabled={!hq}>
        <Card size="small" title="院校信息" style={{ marginBottom: 12 }}>
          <Descriptions size="small" column={1} items={[{ key: 'zsbh', label: '证书编号', children: '院校代码（5 位）+ 办学类型（1 位）+ 毕业年份（4 位）+ 层次（05 本科、06 专科）+ 序号（6 位），共 18 位' }]} />
          <Space wrap align="start" style={{ marginTop: 8 }}>
            <Form.Item label="院校代码（YXDM）" name="school_code" rules={[{ required: true, pattern: /^\s*\d{5}\s*$/, message: '院校代码应为 5 位数字，如 51161' }]}>
              <Input maxLength={5} style={{ width: 120 }} />
            </Form.Item>
            <Form.Item label="办学类型" name="school_type" rules={[{ required: true, pattern: /^\s*\d\s*$/, message: '办学类型应为 1 位数字' }]}>
              <Input maxLength={1} style={{ width: 80 }} />
            </Form.Item>
            <Form.Item label="院校名称（YXMC）" name="school_name" rules={[{ required: true, whitespace: true, message: '请填写院校名称' }]}>
              <Input maxLength={60} style={{ width: 220 }} />
            </Form.Item>
            <Form.Item label="校长姓名（XZM）" name="president" rules={[{ required: true, whitespace: true, message: '请填写校长姓名' }]}>
              <Input maxLength={20} style={{ width: 140 }} />
            </Form.Item>
          </Space>
        </Card>
        <Card size="small" title="DBF 字段（各省宽度不同，如姓名 XM 为 C24 或 C40）">
          <Table<ProfileField> rowKey="name" size="small" loading={!profile} columns={columns} dataSource={profile?.fields ?? []} pagination={false} />
          <Typography.Paragraph type="secondary" style={{ margin: '8px 0', fontSize: 12 }}>
            宽度按 GBK 字节计（一个汉字占 2 字节）。超过宽度的值不截断，生成时列为错误。修改后重新生成注册数据才按新宽度写出。
          </Typography.Paragraph>
          {hq && (
            <Button type="primary" htmlType="submit" loading={busy}>
              保存导出方案
            </Button>
          )}
        </Card>
      </Form>
    </section>
  );
}

/** Tooltip on 所在文件: the build the graduate was written in. */
export function FileCell({ name }: { name: string | null }) {
  if (!name) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <Tooltip title="生成注册数据时写入的文件">
      <span>{name}</span>
    </Tooltip>
  );
}
