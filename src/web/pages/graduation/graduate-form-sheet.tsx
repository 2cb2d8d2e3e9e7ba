/**
 * The 毕业生登记表 read as a whole: identity and photo from the record, the student's parts, the three
 * opinions. Shown to the student once the form is submitted, and in 毕业生登记表管理 when a row is opened.
 */
import { Card, Descriptions, Empty, Space, Tag, Typography } from 'antd';
import { FORM_FIELDS, FORM_FIELD_KEYS, type FormState, type FormView, type Opinion } from '../../../shared/contract/forms.ts';
import { fmtDateTime, Stack } from '../../ui.tsx';

const STATE_COLORS: Record<FormState, string> = { 学生未填写: 'default', 函授站未填写: 'processing', 函授站已填写: 'warning', 总部已填写: 'success' };

export function StateTag({ state }: { state: FormState }) {
  return <Tag color={STATE_COLORS[state]}>{state}</Tag>;
}

/** The photo of the form, or a box saying there is none yet (seed 000 三: 毕业生登记表照片). */
export function FormPhoto({ url, width = 96 }: { url: string | null; width?: number }) {
  const box = { width, height: Math.round((width * 4) / 3), border: '1px solid #f0f0f0', borderRadius: 4 } as const;
  return url ? (
    <img src={url} alt="毕业生登记表照片" style={{ ...box, objectFit: 'cover', display: 'block' }} />
  ) : (
    <div style={{ ...box, display: 'flex', alignItems: 'center', justifyContent: 'center', textAlign: 'center', padding: 4 }}>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        尚无照片
      </Typography.Text>
    </div>
  );
}

/** 基本信息: what the record says about the student; nobody edits it on the form. */
export function IdentityCard({ form, narrow }: { form: FormView; narrow: boolean }) {
  const id = form.identity;
  return (
    <Card size="small" title="基本信息">
      <div style={{ display: 'flex', gap: 16, alignItems: 'flex-start', flexDirection: narrow ? 'column' : 'row' }}>
        <FormPhoto url={id.photo_url} />
        <Descriptions
          size="small"
          bordered
          style={{ flex: 1, minWidth: 0, width: '100%' }}
          column={{ xs: 1, sm: 2, lg: 3 }}
          styles={{ label: { width: narrow ? 96 : 110, whiteSpace: 'nowrap' }, content: { wordBreak: 'break-all' } }}
          items={[
            { key: 'name', label: '姓名', children: id.name },
            { key: 'gender', label: '性别', children: id.gender },
            { key: 'birth', label: '出生日期', children: id.birth_date ?? '—' },
            { key: 'id_number', label: '身份证号', children: id.id_number },
            { key: 'ethnicity', label: '民族', children: id.ethnicity || '—' },
            { key: 'political', label: '政治面貌', children: id.political_status || '—' },
            { key: 'student_no', label: '学号', children: id.student_no },
            { key: 'level', label: '层次', children: id.level },
            { key: 'major', label: '专业', children: id.major },
            { key: 'tp', label: '函授站', children: `${id.tp_code} ${id.tp_name}` },
            { key: 'class', label: '班级', children: id.class_name ?? '—' },
            { key: 'study', label: '学习起止时间', children: `${id.study_from} 至 ${id.study_to}` },
          ]}
        />
      </div>
    </Card>
  );
}

function OpinionItem({ label, opinion }: { label: string; opinion: Opinion | null }) {
  return (
    <div>
      <Typography.Text strong>{label}</Typography.Text>
      {opinion ? (
        <>
          <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: '4px 0 0' }}>{opinion.text}</Typography.Paragraph>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {opinion.by ?? ''} {fmtDateTime(opinion.at)}
          </Typography.Text>
        </>
      ) : (
        <Typography.Paragraph type="secondary" style={{ margin: '4px 0 0' }}>
          未填写
        </Typography.Paragraph>
      )}
    </div>
  );
}

export function OpinionsCard({ form }: { form: FormView }) {
  return (
    <Card size="small" title="意见" aria-label="意见">
      <Stack>
        <OpinionItem label="班主任意见" opinion={form.opinions.head_teacher} />
        <OpinionItem label="函授站意见" opinion={form.opinions.tp} />
        <OpinionItem label="学校意见" opinion={form.opinions.school} />
      </Stack>
    </Card>
  );
}

/** The student's parts, as written. */
export function TextsCard({ form }: { form: FormView }) {
  return (
    <Card size="small" title="学生填写">
      <Stack>
        {FORM_FIELD_KEYS.map((k) => (
          <div key={k}>
            <Typography.Text strong>{FORM_FIELDS[k].label}</Typography.Text>
            {form.texts[k] ? (
              <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', margin: '4px 0 0' }}>{form.texts[k]}</Typography.Paragraph>
            ) : (
              <Typography.Paragraph type="secondary" style={{ margin: '4px 0 0' }}>
                未填写
              </Typography.Paragraph>
            )}
          </div>
        ))}
      </Stack>
    </Card>
  );
}

/** The whole form, read-only. */
export function FormSheet({ form, narrow = false }: { form: FormView | null; narrow?: boolean }) {
  if (!form) return <Empty description="无法读取登记表" />;
  return (
    <Stack>
      <Space wrap size={4}>
        <span>登记表状态：</span>
        <StateTag state={form.state} />
        <Typography.Text type="secondary">毕业批次：{form.batch_code ?? '无'}</Typography.Text>
        {form.submitted_at && <Typography.Text type="secondary">提交时间：{fmtDateTime(form.submitted_at)}</Typography.Text>}
      </Space>
      {form.return_reason && form.state === '学生未填写' && (
        <Typography.Text type="danger">
          已退回学生修改（{fmtDateTime(form.returned_at)}）：{form.return_reason}
        </Typography.Text>
      )}
      <IdentityCard form={form} narrow={narrow} />
      <TextsCard form={form} />
      <OpinionsCard form={form} />
    </Stack>
  );
}
