import { useEffect, useState, type ComponentProps } from 'react';
import { Alert, App as AntApp, Button, Card, Col, Descriptions, Form, Grid, Input, Result, Row, Skeleton, Space, Tag, Typography } from 'antd';
import type { ColProps } from 'antd';
import { ApiError, call } from '../../client.ts';
import { recordsApi, type EnrollFormInput, type EnrollFormView, type FamilyRow, type HistoryRow } from '../../../shared/contract/records.ts';
import { fmtDateTime, PageTitle, Stack, TextField, THIRD } from '../../ui.tsx';

const MAX_HISTORY = 10;
const MAX_FAMILY = 8;

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const rows = <T,>(v: unknown, keys: (keyof T)[]): T[] =>
  Array.isArray(v) ? v.map((r: Record<string, unknown>) => Object.fromEntries(keys.map((k) => [k, str(r?.[k as string])])) as T) : [];

/** The form as stored, with every field present (older or partial forms included). */
function toValues(f: EnrollFormView['form']): EnrollFormInput {
  return {
    address: str(f.address),
    postcode: str(f.postcode),
    phone: str(f.phone),
    email: str(f.email),
    employer: str(f.employer),
    occupation: str(f.occupation),
    education_before: str(f.education_before),
    history: rows<HistoryRow>(f.history, ['from', 'to', 'place', 'role']),
    family: rows<FamilyRow>(f.family, ['relation', 'name', 'employer', 'phone']),
  };
}

const trimAll = (v: EnrollFormInput): EnrollFormInput => ({
  address: v.address?.trim() ?? '',
  postcode: v.postcode?.trim() ?? '',
  phone: v.phone?.trim() ?? '',
  email: v.email?.trim() ?? '',
  employer: v.employer?.trim() ?? '',
  occupation: v.occupation?.trim() ?? '',
  education_before: v.education_before?.trim() ?? '',
  history: (v.history ?? []).map((r) => ({ from: r.from?.trim() ?? '', to: r.to?.trim() ?? '', place: r.place?.trim() ?? '', role: r.role?.trim() ?? '' })),
  family: (v.family ?? []).map((r) => ({ relation: r.relation?.trim() ?? '', name: r.name?.trim() ?? '', employer: r.employer?.trim() ?? '', phone: r.phone?.trim() ?? '' })),
});

const max = (n: number) => ({ max: n, message: `不超过 ${n} 字` });

type FieldProps = Omit<ComponentProps<typeof TextField>, 'maxLength'> & { col: ColProps; max: number };

/** One text field of the form in its column: at most `max` characters (checked too, for pasted text), after `rules`. */
function Field({ col, max: n, rules = [], ...field }: FieldProps) {
  return (
    <Col {...col}>
      <TextField {...field} rules={[...rules, max(n)]} maxLength={n} />
    </Col>
  );
}

/** A list the student writes row by row (学习与工作经历, 家庭成员): numbered boxes of `fields`, 删除, and 添加 up to `max`. */
function RowsList({ title, name: list, unit, max: most, blank, addText, fields: cells }: {
  title: string; name: 'history' | 'family'; unit: string; max: number; blank: HistoryRow | FamilyRow; addText: string;
  /** Each field of a row: its key in the row, and the Field (without its name). */
  fields: (Omit<FieldProps, 'name'> & { field: string })[];
}) {
  return (
    <Card size="small" title={title}>
      <Form.List name={list}>
        {(fields, { add, remove }) => (
          <>
            {fields.map(({ key, name }, i) => (
              <div key={key} style={{ border: '1px solid #f0f0f0', borderRadius: 6, padding: '8px 12px 0', marginBottom: 12 }}>
                <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', marginBottom: 4 }}>
                  <Typography.Text type="secondary">第 {i + 1} {unit}</Typography.Text>
                  <Button type="link" danger size="small" onClick={() => remove(name)}>
                    删除
                  </Button>
                </div>
                <Row gutter={12}>
                  {cells.map(({ field, ...cell }) => (
                    <Field key={field} {...cell} name={[name, field]} />
                  ))}
                </Row>
              </div>
            ))}
            <Button type="dashed" block disabled={fields.length >= most} onClick={() => add(blank)}>
              {fields.length >= most ? `最多 ${most} ${unit}` : addText}
            </Button>
          </>
        )}
      </Form.List>
    </Card>
  );
}

function StatusLine({ view }: { view: EnrollFormView }) {
  return (
    <Space wrap size={4}>
      <span>更新状态：</span>
      <Tag color={view.status === '已更新' ? 'success' : 'warning'}>{view.status}</Tag>
      {view.updated_at && <Typography.Text type="secondary">更新时间：{fmtDateTime(view.updated_at)}</Typography.Text>}
    </Space>
  );
}

/** 学籍 → 入学登记表: the student checks and completes the form (seed 000 step 二); works on a phone. */
export default function EnrollFormPage() {
  const { message } = AntApp.useApp();
  const narrow = Grid.useBreakpoint().md === false;
  const [form] = Form.useForm<EnrollFormInput>();
  const [view, setView] = useState<EnrollFormView | null>(null);
  const [failed, setFailed] = useState(false);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    call(recordsApi.myEnrollForm).then(
      (v) => {
        setView(v);
        form.setFieldsValue(toValues(v.form));
      },
      () => setFailed(true),
    );
  }, [form]);

  const submit = async (values: EnrollFormInput) => {
    if (saving) return;
    setSaving(true);
    try {
      const v = await call(recordsApi.saveEnrollForm, { body: trimAll(values) });
      setView(v);
      form.setFieldsValue(toValues(v.form));
      void message.success('入学登记表已提交');
    } catch (e) {
      // The api client has shown the server's message; also mark the fields it names.
      const details = e instanceof ApiError && Array.isArray(e.details) ? (e.details as { path?: unknown; message?: unknown }[]) : [];
      const fields = details
        .filter((d) => typeof d.path === 'string' && d.path.length > 1 && typeof d.message === 'string')
        .map((d) => ({
          name: (d.path as string).split('/').filter(Boolean).map((k) => (/^\d+$/.test(k) ? Number(k) : k)),
          errors: [d.message as string],
        }));
      if (fields.length) form.setFields(fields as Parameters<typeof form.setFields>[0]);
    } finally {
      setSaving(false);
    }
  };

  if (failed) return <Result status="warning" title="无法读取入学登记表" subTitle="请稍后刷新重试；如仍无法打开，请联系所在教学点。" />;

  const id = view?.identity;

  return (
    <div style={{ maxWidth: 1100 }}>
      <PageTitle>入学登记表</PageTitle>
      {!view || !id ? (
        <Card>
          <Skeleton active />
        </Card>
      ) : (
        <Stack>
          {view.status === '未更新' ? (
            <Alert type="warning" showIcon title="请核对并完善入学登记表，提交后才计为“已更新”。" description={<StatusLine view={view} />} />
          ) : (
            <Alert type="success" showIcon title={<StatusLine view={view} />} />
          )}

          <Card size="small" title="基本信息">
            <Descriptions
              size="small"
              bordered
              column={{ xs: 1, sm: 2, lg: 3 }}
              styles={{ label: { width: narrow ? 96 : 110, whiteSpace: 'nowrap' }, content: { wordBreak: 'break-all' } }}
              items={[
                { key: 'name', label: '姓名', children: id.name },
                { key: 'gender', label: '性别', children: id.gender },
                { key: 'id_number', label: '身份证号', children: id.id_number },
                { key: 'student_no', label: '学号', children: id.student_no },
                { key: 'ethnicity', label: '民族', children: id.ethnicity || '—' },
                { key: 'political', label: '政治面貌', children: id.political_status || '—' },
                { key: 'cohort', label: '学籍批次', children: id.cohort },
                { key: 'level', label: '层次', children: id.level },
                { key: 'major', label: '专业', children: id.major },
                { key: 'tp', label: '教学点', children: id.tp_name },
                { key: 'entry', label: '入学日期', children: id.entry_date || '—' },
              ]}
            />
            <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0' }}>
              以上信息来自学籍，不能在此修改；如有错误，请联系所在教学点办理更正。
            </Typography.Paragraph>
          </Card>

          <Form<EnrollFormInput> form={form} name="enroll-form" layout="vertical" onFinish={(v) => void submit(v)} scrollToFirstError>
            <Stack>
              <Card size="small" title="联系方式与工作">
                <Row gutter={16}>
                  <Field col={{ xs: 24 }} label="通讯地址" name="address" required="请填写通讯地址" rules={[{ min: 4, message: '请填写完整的通讯地址' }]} max={120} placeholder="省、市、区县、街道、门牌号" />
                  <Col {...THIRD}>
                    <Form.Item label="邮编" name="postcode" rules={[{ pattern: /^\s*(\d{6})?\s*$/, message: '邮编为 6 位数字' }]}>
                      <Input inputMode="numeric" maxLength={6} placeholder="6 位数字" />
                    </Form.Item>
                  </Col>
                  <Col {...THIRD}>
                    <Form.Item label="手机" name="phone" rules={[{ required: true, message: '请填写手机号' }, { pattern: /^\s*1\d{10}\s*$/, message: '手机号为 11 位数字' }]}>
                      <Input type="tel" inputMode="numeric" maxLength={11} placeholder="11 位手机号" />
                    </Form.Item>
                  </Col>
                  <Field col={THIRD} label="邮箱" name="email" rules={[{ type: 'email', message: '邮箱格式不正确', transform: (v: string) => v?.trim() }]} max={80} input={{ inputMode: 'email' }} />
                  <Field col={THIRD} label="工作单位" name="employer" max={80} />
                  <Field col={THIRD} label="职业" name="occupation" max={40} />
                  <Field col={THIRD} label="入学前学历" name="education_before" max={40} placeholder="如 高中、中专、大专" />
                </Row>
              </Card>

              <RowsList
                title="学习与工作经历"
                name="history"
                unit="条"
                max={MAX_HISTORY}
                blank={{ from: '', to: '', place: '', role: '' }}
                addText="添加一条经历"
                fields={[
                  { field: 'from', col: { xs: 12, md: 4 }, label: '起', max: 10, placeholder: '如 2015-09' },
                  { field: 'to', col: { xs: 12, md: 4 }, label: '止', max: 10, placeholder: '如 2018-07' },
                  { field: 'place', col: { xs: 24, md: 10 }, label: '单位/学校', required: '请填写单位或学校', max: 60 },
                  { field: 'role', col: { xs: 24, md: 6 }, label: '职务', max: 30, placeholder: '如 学生、职员' },
                ]}
              />

              <RowsList
                title="家庭成员"
                name="family"
                unit="位"
                max={MAX_FAMILY}
                blank={{ relation: '', name: '', employer: '', phone: '' }}
                addText="添加一位家庭成员"
                fields={[
                  { field: 'relation', col: { xs: 12, md: 4 }, label: '关系', required: '请填写关系', max: 10, placeholder: '如 父亲' },
                  { field: 'name', col: { xs: 12, md: 5 }, label: '姓名', required: '请填写姓名', max: 20 },
                  { field: 'employer', col: { xs: 24, md: 9 }, label: '工作单位', max: 60 },
                  { field: 'phone', col: { xs: 24, md: 6 }, label: '电话', max: 20, input: { type: 'tel' } },
                ]}
              />

              <div style={{ textAlign: narrow ? undefined : 'right' }}>
                <Button type="primary" htmlType="submit" size="large" block={narrow} loading={saving} style={narrow ? undefined : { minWidth: 160 }}>
                  提交
                </Button>
              </div>
            </Stack>
          </Form>
        </Stack>
      )}
    </div>
  );
}
