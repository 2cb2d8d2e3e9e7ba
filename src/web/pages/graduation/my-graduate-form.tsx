import { useCallback, useEffect, useState } from 'react';
import { Alert, App as AntApp, Button, Card, Form, Grid, Input, Result, Skeleton, Space, Typography } from 'antd';
import type { Rule } from 'antd/es/form';
import { ApiError, call } from '../../client.ts';
import { FORM_FIELDS, FORM_FIELD_KEYS, formsApi, type FormField, type FormTexts, type MyForm } from '../../../shared/contract/forms.ts';
import { fmtDateTime, PageTitle, Stack } from '../../ui.tsx';
import { IdentityCard, OpinionsCard, StateTag, TextsCard } from './graduate-form-sheet.tsx';

/** Characters as the server counts them (code points), after it trims the ends and joins line endings. */
const normalise = (s: string) => s.replace(/\r\n?/g, '\n').trim();
const length = (s: string) => [...normalise(s)].length;
const breaks = (s: string) => normalise(s).split('\n').length - 1;

const PLACEHOLDERS: Record<FormField, string> = {
  self_assessment: '思想政治表现、学习态度和收获、工作表现、今后努力方向等',
  study_summary: '修读课程、学习方法和收获',
  practice_summary: '社会实践、毕业作业（论文）等',
  rewards: '在校期间获得的奖励；没有请填“无”',
  punishments: '在校期间受到的处分；没有请填“无”',
};

/** The limits of a box: as many characters and line breaks as the printed form holds (`min` is checked when submitting). */
function rulesFor(key: FormField): Rule[] {
  const { label, max, lines } = FORM_FIELDS[key];
  return [
    {
      validator: (_, v: string | undefined) => {
        const text = v ?? '';
        const n = length(text);
        if (n > max) return Promise.reject(new Error(`${label}超过 ${max} 字（现 ${n} 字），请删减`));
        if (breaks(text) > lines) return Promise.reject(new Error(`${label}换行过多（最多 ${lines} 处），请合并段落`));
        return Promise.resolve();
      },
    },
  ];
}

/** The counter under a box: characters of the limit, the minimum to submit, and line breaks when there are any. */
function Counter({ field, value }: { field: FormField; value: string }) {
  const { max, lines, min } = FORM_FIELDS[field];
  const n = length(value);
  const b = breaks(value);
  const over = n > max || b > lines;
  const parts = [`${n}/${max} 字`];
  if (min && n < min) parts.push(`提交时至少 ${min} 字`);
  if (b) parts.push(`换行 ${b}/${lines}`);
  return (
    <Typography.Text type={over ? 'danger' : 'secondary'} aria-live="polite">
      {parts.join(' · ')}
    </Typography.Text>
  );
}

const textsOf = (f: MyForm): FormTexts => ({ ...f.texts });

/** 毕业 → 毕业生登记表: the student writes their parts and submits inside the window (seed 000 二); works on a phone. */
export default function MyGraduateFormPage() {
  const { message, modal } = AntApp.useApp();
  const narrow = Grid.useBreakpoint().md === false;
  const [form] = Form.useForm<FormTexts>();
  const [view, setView] = useState<MyForm | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState<'draft' | 'submit' | null>(null);
  // Re-render on each keystroke, for the counters.
  const watched = Form.useWatch((v: Partial<FormTexts>) => v, form);

  const load = useCallback(() => {
    setFailure(null);
    call(formsApi.mine).then(
      // The form takes the texts as its initial values when it mounts.
      setView,
      (e: unknown) => setFailure(e instanceof ApiError ? e.message : '无法读取毕业生登记表，请稍后刷新重试。'),
    );
  }, []);

  useEffect(load, [load]);

  /** Marks the boxes the server named (GRADUATE_FORM_TEXT carries one entry per problem). */
  const markFields = (e: unknown) => {
    if (!(e instanceof ApiError) || !Array.isArray(e.details)) return;
    const byField = new Map<FormField, string[]>();
    for (const d of e.details as { field?: unknown; message?: unknown }[]) {
      if (typeof d.field === 'string' && (FORM_FIELD_KEYS as string[]).includes(d.field) && typeof d.message === 'string') {
        const k = d.field as FormField;
        byField.set(k, [...(byField.get(k) ?? []), d.message]);
      }
    }
    if (byField.size) form.setFields([...byField].map(([name, errors]) => ({ name, errors })));
  };

  const save = async (submit: boolean) => {
    if (!view || busy) return;
    const values = form.getFieldsValue(true) as FormTexts;
    const valid = await form.validateFields().then(
      () => true,
      () => false,
    );
    // A draft may be short; a submitted form has each box's minimum.
    const short = submit ? FORM_FIELD_KEYS.filter((k) => !form.getFieldError(k).length && length(values[k] ?? '') < FORM_FIELDS[k].min) : [];
    if (short.length) {
      form.setFields(short.map((k) => ({ name: k, errors: [`${FORM_FIELDS[k].label}不少于 ${FORM_FIELDS[k].min} 字（现 ${length(values[k] ?? '')} 字），请写完整后再提交`] })));
    }
    if (!valid || short.length) {
      void message.error(submit ? '请按提示修改后再提交' : '请按提示修改后再保存');
      return;
    }
    const body = { version: view.version, ...Object.fromEntries(FORM_FIELD_KEYS.map((k) => [k, values[k] ?? ''])) };
    const go = async () => {
      setBusy(submit ? 'submit' : 'draft');
      try {
        const v = await call(submit ? formsApi.submit : formsApi.saveDraft, { body });
        setView(v);
        form.setFieldsValue(textsOf(v));
        void message.success(submit ? '毕业生登记表已提交，等待教学点填写意见' : '草稿已保存');
      } catch (e) {
        markFields(e);
      } finally {
        setBusy(null);
      }
    };
    if (!submit) return go();
    void modal.confirm({
      title: '提交毕业生登记表？',
      content: '提交后不能再修改；如需修改，须由教学点退回。请确认填写的内容无误。',
      okText: '提交',
      cancelText: '再检查一下',
      onOk: go,
    });
  };

  if (failure) {
    return (
      <div style={{ maxWidth: 1100 }}>
        <PageTitle>毕业生登记表</PageTitle>
        <Result status="info" title="暂不能填写毕业生登记表" subTitle={failure} extra={<Button onClick={load}>刷新</Button>} />
      </div>
    );
  }

  const w = view?.window;
  const editable = !!view?.can_edit;
  const returned = !!view && view.state === '学生未填写' && !!view.return_reason;

  return (
    <div style={{ maxWidth: 1100 }}>
      <PageTitle>毕业生登记表</PageTitle>
      {!view ? (
        <Card>
          <Skeleton active />
        </Card>
      ) : (
        <Stack>
          <section aria-label="登记表状态">
            <Space wrap size={4}>
              <span>登记表状态：</span>
              <StateTag state={view.state} />
              {view.saved_at && <Typography.Text type="secondary">保存时间：{fmtDateTime(view.saved_at)}</Typography.Text>}
              {view.submitted_at && <Typography.Text type="secondary">提交时间：{fmtDateTime(view.submitted_at)}</Typography.Text>}
            </Space>
          </section>

          {returned && (
            <Alert
              type="error"
              showIcon
              role="alert"
              title="登记表已被教学点退回，请按退回原因修改后重新提交"
              description={
                <>
                  <div>
                    <Typography.Text strong>退回原因：</Typography.Text>
                    <span style={{ whiteSpace: 'pre-wrap' }}>{view.return_reason}</span>
                  </div>
                  {view.returned_at && <Typography.Text type="secondary">退回时间：{fmtDateTime(view.returned_at)}</Typography.Text>}
                </>
              }
            />
          )}
          {!editable && (
            <Alert
              type={view.state === '总部已填写' ? 'success' : 'info'}
              showIcon
              title={
                view.state === '总部已填写'
                  ? '学校已填写意见，毕业生登记表已完成。'
                  : '登记表已提交，等待教学点和学校填写意见。提交后不能修改；如需修改，请联系教学点退回。'
              }
            />
          )}
          {editable && w && (
            <Alert
              type={w.open ? 'success' : 'warning'}
              showIcon
              title={`${w.step}：${w.starts_on} 至 ${w.ends_on}${w.open ? '' : '，当前不在填写时间内'}`}
              description={w.open ? '请在截止前提交。可以先保存草稿，以后再接着填写。' : '现在可以保存草稿，但只能在填写时间内提交。如有疑问，请联系教学点。'}
            />
          )}

          <IdentityCard form={view} narrow={narrow} />
          <Typography.Text type="secondary">以上信息来自学籍，不能在此修改；如有错误，请联系所在教学点办理更正。</Typography.Text>

          {editable ? (
            <Form<FormTexts> form={form} name="graduate-form" layout="vertical" scrollToFirstError initialValues={textsOf(view)}>
              <Card size="small" title="学生填写">
                {FORM_FIELD_KEYS.map((k) => (
                  <Form.Item
                    key={k}
                    label={FORM_FIELDS[k].label}
                    name={k}
                    rules={rulesFor(k)}
                    required={FORM_FIELDS[k].min > 0}
                    extra={<Counter field={k} value={watched?.[k] ?? ''} />}
                  >
                    <Input.TextArea
                      autoSize={{ minRows: k === 'self_assessment' ? 8 : 3, maxRows: k === 'self_assessment' ? 20 : 10 }}
                      placeholder={PLACEHOLDERS[k]}
                      onChange={() => form.setFields([{ name: k, errors: [] }])}
                    />
                  </Form.Item>
                ))}
              </Card>
              <div style={{ display: 'flex', gap: 12, justifyContent: narrow ? 'stretch' : 'flex-end', marginTop: 16, flexDirection: narrow ? 'column' : 'row' }}>
                <Button size="large" block={narrow} loading={busy === 'draft'} disabled={busy === 'submit'} onClick={() => void save(false)}>
                  保存草稿
                </Button>
                <Button
                  type="primary"
                  size="large"
                  block={narrow}
                  loading={busy === 'submit'}
                  disabled={busy === 'draft' || (!!w && !w.open && !returned)}
                  onClick={() => void save(true)}
                  style={narrow ? undefined : { minWidth: 160 }}
                >
                  提交
                </Button>
              </div>
            </Form>
          ) : (
            <>
              <TextsCard form={view} />
              <OpinionsCard form={view} />
            </>
          )}
        </Stack>
      )}
    </div>
  );
}
