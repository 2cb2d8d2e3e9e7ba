import { useCallback, useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { Alert, App as AntApp, Button, Card, Descriptions, Form, InputNumber, Input, Modal, Popconfirm, Progress, Select, Space, Switch, Tabs, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { call, upload as sendFile, urlOf } from '../../client.ts';
import {
  photosApi, type PhotoType, type PhotoVerdict, type TypeLimits, type UploadEntry, type UploadReport, type UploadRow, type UploadState,
} from '../../../shared/contract/photos.ts';
import { useMe } from '../../session.tsx';
import { fmtDateTime, PagedTable, PageTitle, Stack, usePagedList } from '../../ui.tsx';
import MissingPhotos from './missing-photos.tsx';
import PhotoFlags from './photo-flags.tsx';
import { PickFile } from './photo-parts.tsx';

const VERDICT_COLORS: Record<PhotoVerdict, string> = { 新增: 'success', 替换: 'processing', 无变化: 'default', 不通过: 'error' };
/** 新增 is what the teacher calls 通过. */
const verdictLabel = (v: PhotoVerdict) => (v === '新增' ? '通过' : v);
const STATE_TEXT: Record<UploadState, string> = { checking: '检查中', checked: '检查完成，待保存', failed: '未通过检查', saved: '已保存' };

/** 招生 → 电子照片管理: 批量上传电子照片, 缺照片名单, 疑似重复照片 (seed 000, step 三). */
export default function PhotosPage() {
  const [params, setParams] = useSearchParams();
  const tab = params.get('tab') ?? 'upload';
  return (
    <>
      <PageTitle>电子照片管理</PageTitle>
      <Tabs
        activeKey={tab}
        onChange={(k) => setParams(k === 'upload' ? {} : { tab: k })}
        items={[
          { key: 'upload', label: '批量上传电子照片', children: <BatchUpload /> },
          { key: 'missing', label: '缺照片名单', children: <MissingPhotos /> },
          { key: 'flags', label: '疑似重复照片', children: <PhotoFlags /> },
        ]}
      />
    </>
  );
}

/** The report of one upload: which upload, and which verdicts to show. */
interface ReportFilter {
  upload_id: string;
  verdict?: PhotoVerdict;
}

function BatchUpload() {
  const me = useMe();
  const { message } = AntApp.useApp();
  const [types, setTypes] = useState<PhotoType[]>([]);
  const [type, setType] = useState<string | undefined>();
  const [uploading, setUploading] = useState(false);
  const [saving, setSaving] = useState(false);
  const [editing, setEditing] = useState<PhotoType | null>(null);

  const fetchUploads = useCallback((query: { page: number; page_size: number }) => call(photosApi.uploads, { query }), []);
  const history = usePagedList<object, UploadRow>(fetchUploads, { pageSize: 5 });

  const fetchReport = useCallback(
    ({ upload_id, ...query }: ReportFilter & { page: number; page_size: number }) => call(photosApi.report, { params: { id: upload_id }, query }),
    [],
  );
  // The report's answer carries the upload it is of.
  const report = usePagedList<ReportFilter, UploadEntry, UploadReport>(fetchReport, { lazy: true, pageSize: 50 });
  const upload = report.data?.upload ?? null;
  const show = (id: string) => void report.search({ upload_id: id });

  // The history shows states too: refresh it when this upload's state moves on.
  const lastState = useRef<UploadState | null>(null);
  useEffect(() => {
    if (!upload) return;
    if (lastState.current && lastState.current !== upload.state) void history.reload();
    lastState.current = upload.state;
  }, [upload?.state]);

  // The check runs in the background: follow it until it is done.
  const reloadReport = useRef(report.reload);
  reloadReport.current = report.reload;
  useEffect(() => {
    if (upload?.state !== 'checking') return;
    const timer = setInterval(() => void reloadReport.current(), 1000);
    return () => clearInterval(timer);
  }, [upload?.state, upload?.id]);

  const loadTypes = useCallback(() => {
    call(photosApi.types).then((list) => {
      setTypes(list.filter((t) => t.enabled));
      setType((cur) => cur ?? list.find((t) => t.enabled)?.code);
    }, () => undefined);
  }, []);
  useEffect(loadTypes, [loadTypes]);

  const current = types.find((t) => t.code === type);

  const browse = async (file: File) => {
    if (!type) {
      void message.warning('请先选择上传图片类型');
      return;
    }
    if (!/\.zip$/i.test(file.name)) {
      void message.error('请选择 .zip 格式的压缩包：把全部照片直接选中后压缩成一个 zip 文件。');
      return;
    }
    setUploading(true);
    try {
      const r = await sendFile(photosApi.upload, file, { query: { photo_type: type } });
      report.setData(null);
      show(r.upload_id);
      void history.reload();
    } catch {
      // shown by the client
    } finally {
      setUploading(false);
    }
  };

  const save = async () => {
    if (!upload || saving) return;
    setSaving(true);
    try {
      const r = await call(photosApi.save, { params: { id: upload.id } });
      void message.success(`已保存 ${r.applied} 张照片${r.unchanged ? `，${r.unchanged} 张与现有照片相同未更改` : ''}${r.flagged ? `；${r.flagged} 张与其他学生的照片相同，已标记待核查` : ''}。`);
      await report.reload();
    } catch {
      // shown by the client
    } finally {
      setSaving(false);
    }
  };

  const columns: TableColumnsType<UploadEntry> = [
    { title: '序号', dataIndex: 'seq', width: 70 },
    { title: '文件名', dataIndex: 'entry_name', width: 240, ellipsis: true },
    { title: '学号', dataIndex: 'student_no', width: 130, render: (v: string | null) => v ?? '—' },
    { title: '姓名', dataIndex: 'student_name', width: 90, render: (v: string | null) => v ?? '—' },
    { title: '结果', dataIndex: 'verdict', width: 90, render: (v: PhotoVerdict) => <Tag color={VERDICT_COLORS[v]}>{verdictLabel(v)}</Tag> },
    {
      title: '说明',
      dataIndex: 'reason',
      render: (v: string, r) => (
        <>
          {v}
          {r.duplicate_note && (
            <div>
              <Typography.Text type="warning">{r.duplicate_note}（保存后将标记待核查）</Typography.Text>
            </div>
          )}
        </>
      ),
    },
    { title: '大小(KB)', dataIndex: 'size_kb', width: 90, align: 'right', render: (v: number | null) => v ?? '—' },
  ];

  const canSave = upload?.state === 'checked' && upload.accepted + upload.replacing > 0;
  const pct = upload && upload.total ? Math.round((upload.progress / upload.total) * 100) : 0;

  return (
    <Stack>
      <Card size="small" title="批量上传电子照片">
        <Stack>
          <Space wrap>
            <span>上传图片类型：</span>
            <Select aria-label="上传图片类型" style={{ width: 200 }} value={type} onChange={setType} options={types.map((t) => ({ value: t.code, label: t.code }))} />
            {me.role === 'hq_admin' && current && (
              <Button type="link" onClick={() => setEditing(current)}>
                修改图片限制
              </Button>
            )}
          </Space>
          {current && (
            <Alert
              type="info"
              showIcon
              title={<span aria-label="图片限制">图片限制：{current.limits_text}</span>}
              description="请把照片文件直接选中后压缩成一个 zip 文件（压缩包内不要有文件夹），每张照片以学生的身份证号命名，如 110101199003071233.jpg。上传后系统逐张检查，检查结果确认无误后点“保存”，通过检查的照片一次性全部保存。"
            />
          )}
          <Space wrap>
            <PickFile accept=".zip,application/zip" onPick={browse}>
              <Button loading={uploading}>浏览</Button>
            </PickFile>
            <Popconfirm
              title="保存检查通过的照片？"
              description={upload ? `将保存 ${upload.accepted + upload.replacing} 张照片（其中替换现有照片 ${upload.replacing} 张），未通过检查的不会保存。` : ''}
              okText="保存"
              cancelText="取消"
              disabled={!canSave}
              onConfirm={save}
            >
              <Button type="primary" disabled={!canSave} loading={saving}>
                保存
              </Button>
            </Popconfirm>
            {upload && upload.state !== 'checking' && upload.state !== 'failed' && <Button href={urlOf(photosApi.reportXlsx, { params: { id: upload.id } })}>下载检查结果</Button>}
          </Space>
        </Stack>
      </Card>

      {upload && (
        <Card size="small" title={`检查结果：${upload.file_name}`} extra={<Tag color={upload.state === 'failed' ? 'error' : upload.state === 'saved' ? 'success' : 'processing'}>{STATE_TEXT[upload.state]}</Tag>}>
          {upload.state === 'checking' && <Progress percent={pct} status="active" aria-label="检查进度" />}
          {upload.state === 'failed' && <Alert type="error" showIcon title="压缩包未通过检查，没有保存任何照片" description={upload.error} />}
          {upload.state !== 'checking' && upload.state !== 'failed' && (
            <>
              <Descriptions
                size="small"
                column={5}
                items={[
                  { key: 'a', label: '通过（新增）', children: upload.accepted },
                  { key: 'r', label: '通过（替换现有照片）', children: upload.replacing },
                  { key: 'u', label: '与现有照片相同', children: upload.unchanged },
                  { key: 'x', label: '不通过', children: <Typography.Text type={upload.rejected ? 'danger' : undefined}>{upload.rejected}</Typography.Text> },
                  { key: 's', label: '状态', children: STATE_TEXT[upload.state] },
                ]}
                style={{ marginBottom: 12 }}
              />
              <Space style={{ marginBottom: 12 }}>
                <span>只看：</span>
                <Select
                  aria-label="检查结果筛选"
                  allowClear
                  placeholder="全部"
                  style={{ width: 140 }}
                  value={report.filter.verdict}
                  onChange={(v?: PhotoVerdict) => void report.search({ upload_id: upload.id, verdict: v })}
                  options={(['不通过', '新增', '替换', '无变化'] as const).map((v) => ({ value: v, label: verdictLabel(v) }))}
                />
              </Space>
              <PagedTable<UploadEntry> list={report} unit="个文件" rowKey="seq" aria-label="检查结果" columns={columns} />
            </>
          )}
        </Card>
      )}
      {history.data && history.data.total > 0 && (
        <Card size="small" title="最近上传">
          <PagedTable<UploadRow>
            list={history}
            unit="次上传"
            paging={{ showSizeChanger: false }}
            loading={false}
            columns={[
              { title: '上传时间', dataIndex: 'created_at', width: 170, render: (v: string) => fmtDateTime(v) },
              {
                title: '文件',
                dataIndex: 'file_name',
                render: (v: string, r) => <a onClick={() => show(r.id)}>{v}</a>,
              },
              { title: '图片类型', dataIndex: 'photo_type', width: 110 },
              { title: '通过', key: 'ok', width: 70, align: 'right', render: (_: unknown, r) => r.accepted + r.replacing },
              { title: '不通过', dataIndex: 'rejected', width: 70, align: 'right' },
              { title: '状态', dataIndex: 'state', width: 140, render: (v: UploadState) => STATE_TEXT[v] },
              { title: '上传人', dataIndex: 'owner_name', width: 160, render: (v: string | null) => v ?? '—' },
            ]}
          />
        </Card>
      )}
      {editing && (
        <TypeLimitsModal
          type={editing}
          onClose={(changed) => {
            setEditing(null);
            if (changed) loadTypes();
          }}
        />
      )}
    </Stack>
  );
}

/** The 图片限制 a number each: name, label and the range the server accepts. */
const LIMIT_FIELDS = [
  { name: 'width', label: '宽（像素）', min: 50, max: 4096 },
  { name: 'height', label: '高（像素）', min: 50, max: 4096 },
  { name: 'min_kb', label: '最小（KB）', min: 0, max: 10000 },
  { name: 'max_kb', label: '最大（KB）', min: 1, max: 10000 },
] as const;

/** Headquarters sets a type's 图片限制. */
function TypeLimitsModal({ type, onClose }: { type: PhotoType; onClose: (changed: boolean) => void }) {
  const [form] = Form.useForm<TypeLimits>();
  const [busy, setBusy] = useState(false);
  const ok = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      await call(photosApi.updateType, { params: { code: type.code }, body: v });
      onClose(true);
    } catch {
      // shown by the client
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title={`修改图片限制：${type.code}`} open okText="保存" cancelText="取消" confirmLoading={busy} onOk={() => void ok()} onCancel={() => onClose(false)}>
      <Form form={form} layout="vertical" initialValues={type}>
        <Space>
          {LIMIT_FIELDS.map((f) => (
            <Form.Item key={f.name} name={f.name} label={f.label} rules={[{ required: true }]}>
              <InputNumber min={f.min} max={f.max} />
            </Form.Item>
          ))}
        </Space>
        <Form.Item name="note" label="其他要求（显示给上传人）">
          <Input maxLength={200} />
        </Form.Item>
        <Form.Item name="enabled" label="启用" valuePropName="checked">
          <Switch />
        </Form.Item>
      </Form>
    </Modal>
  );
}
