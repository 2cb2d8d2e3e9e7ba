import { useCallback, useEffect, useState } from 'react';
import { Alert, App as AntApp, Button, Card, DatePicker, Descriptions, Form, Input, Modal, Popconfirm, Radio, Select, Space, Table, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { call } from '../../client.ts';
import { calendarApi, DAY_KIND_NAMES, type CalendarDay, type CalendarDayKind, type CalendarYear } from '../../../shared/contract/calendar.ts';
import { useMe } from '../../session.tsx';
import { day, fmtDateTime, FormModal, PageTitle, useBusyAction, useFormDialog } from '../../ui.tsx';

interface AddValues {
  kind: CalendarDayKind;
  day: dayjs.Dayjs;
  until?: dayjs.Dayjs | null;
  name: string;
  note?: string;
}

const KIND_COLORS: Record<CalendarDayKind, string> = { holiday: 'red', workday: 'blue' };

/** 系统管理 → 工作日历: the statutory working days every working-day deadline counts in, and headquarters' entries. */
export default function CalendarPage() {
  const me = useMe();
  const hq = me.role === 'hq_admin';
  const { message } = AntApp.useApp();
  const [year, setYear] = useState(() => dayjs().year());
  const [view, setView] = useState<CalendarYear | null>(null);
  const [loading, setLoading] = useState(true);
  const [marking, setMarking] = useState(false);
  const [markNote, setMarkNote] = useState('');
  const adding = useFormDialog<true, AddValues>();

  const load = useCallback(async () => {
    setLoading(true);
    try {
      setView(await call(calendarApi.year, { params: { year } }));
    } catch {
      setView(null);
    } finally {
      setLoading(false);
    }
  }, [year]);
  useEffect(() => {
    void load();
  }, [load]);

  const { busy, exclusive } = useBusyAction(load);

  /** Each change answers the year it changed: show that year. */
  const show = (v: CalendarYear) => {
    setView(v);
    setYear(v.year);
  };

  const add = (_: true, v: AddValues) =>
    exclusive(async () => {
      const body = { day: day(v.day)!, until: day(v.until) ?? null, kind: v.kind, name: v.name.trim(), note: v.note?.trim() || null };
      show(await call(calendarApi.addDays, { body }));
      const span = body.until && body.until !== body.day ? `${body.day} 至 ${body.until}` : body.day;
      void message.success(`已录入：${span} ${DAY_KIND_NAMES[body.kind]}（${body.name}）。`);
    });

  const remove = (d: CalendarDay) =>
    exclusive(async () => {
      show(await call(calendarApi.removeDay, { params: { day: d.day } }));
      void message.success(`已删除 ${d.day} 的总部录入，该日恢复为${d.replaces ? `国务院通知的安排（${DAY_KIND_NAMES[d.replaces.kind]}）` : '周末或工作日的通常安排'}。`);
    });

  const markEntered = async () => {
    const ok = await exclusive(async () => {
      show(await call(calendarApi.markEntered, { params: { year }, body: { note: markNote.trim() || null } }));
      void message.success(`已标记 ${year} 年的节假日安排为已录入，该年的截止日期可以计算了。`);
    });
    if (ok) setMarking(false);
  };

  const openAdding = (kind: CalendarDayKind) => {
    adding.show(true, { kind, name: kind === 'holiday' ? '' : '调休上班' });
  };

  const thisYear = dayjs().year();
  const first = view?.source.first_year ?? 2004;
  const lastPackage = view?.source.last_year ?? thisYear;
  const entered = view?.entered_years ?? [];
  const last = Math.max(thisYear + 2, year, ...entered);
  const yearOptions = Array.from({ length: last - first + 1 }, (_, i) => last - i).map((y) => {
    const known = y <= lastPackage || entered.includes(y);
    return { value: y, label: known ? `${y} 年` : `${y} 年（未录入）` };
  });

  const known = view?.status === '已录入';
  const holidays = view?.days.filter((d) => d.kind === 'holiday').length ?? 0;
  const workdays = view?.days.filter((d) => d.kind === 'workday').length ?? 0;

  return (
    <div style={{ maxWidth: 1100 }}>
      <PageTitle
        extra={
          <Space wrap>
            <Select<number> aria-label="年份" style={{ width: 180 }} value={year} options={yearOptions} onChange={setYear} />
            {hq && (
              <>
                <Button onClick={() => openAdding('holiday')}>录入放假</Button>
                <Button onClick={() => openAdding('workday')}>录入调休上班</Button>
                {view && !known && (
                  <Button type="primary" onClick={() => { setMarkNote(''); setMarking(true); }}>
                    标记 {year} 年已录入
                  </Button>
                )}
              </>
            )}
          </Space>
        }
      >
        工作日历
      </PageTitle>
      <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
        {view && (
          <Alert
            type={known ? 'success' : 'warning'}
            showIcon
            title={known ? `${view.year} 年：已录入` : `${view.year} 年：未录入`}
            description={
              <>
                <div>{view.status_text}</div>
                {!known && !hq && <div>如需计算该年的截止日期，请联系总部录入。</div>}
                {!known && hq && <div>录入方法：按通知逐项“录入放假”（可选一段日期）和“录入调休上班”，核对无误后点“标记 {view.year} 年已录入”。</div>}
              </>
            }
          />
        )}
        <Card size="small">
          <Descriptions
            size="small"
            column={{ xs: 1, sm: 2, md: 3 }}
            items={[
              { key: 'status', label: '年份状态', children: view ? <Tag color={known ? 'success' : 'error'}>{view.status}</Tag> : '—' },
              { key: 'holidays', label: '放假日期', children: `${holidays} 天` },
              { key: 'workdays', label: '调休上班日期', children: `${workdays} 天` },
              {
                key: 'source',
                label: '国务院通知',
                children: view ? `${view.source.package} ${view.source.version}（${view.source.first_year}—${view.source.last_year} 年）` : '—',
              },
              {
                key: 'entered',
                label: '总部标记',
                children: view?.entered ? `${view.entered.by ?? ''} ${fmtDateTime(view.entered.at)}${view.entered.note ? `（${view.entered.note}）` : ''}` : '未标记',
              },
            ]}
          />
          <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
            工作日为周一至周五，另加调休上班的周末；周六、周日和法定节假日不上班。总部录入的安排优先于国务院通知。截止日期按工作日计算：“某日后
            N 个工作日”即该日之后的第 N 个工作日。未录入的年份不做推算，需要其日期的截止日期会提示总部先录入。
          </Typography.Paragraph>
        </Card>
        <Card size="small" title={`${year} 年的放假和调休上班日期`}>
          <Table<CalendarDay>
            rowKey="day"
            size="small"
            loading={loading}
            dataSource={view?.days ?? []}
            pagination={false}
            locale={{ emptyText: known ? '该年没有放假或调休上班日期' : `${year} 年节假日安排尚未录入` }}
            scroll={{ x: 820 }}
            columns={[
              { title: '日期', dataIndex: 'day', width: 110 },
              { title: '星期', dataIndex: 'weekday', width: 80 },
              { title: '安排', dataIndex: 'kind', width: 100, render: (k: CalendarDayKind) => <Tag color={KIND_COLORS[k]}>{DAY_KIND_NAMES[k]}</Tag> },
              { title: '名称', dataIndex: 'name', width: 150 },
              {
                title: '来源',
                dataIndex: 'source',
                width: 100,
                render: (s: CalendarDay['source']) => <Tag color={s === '总部录入' ? 'purple' : 'default'}>{s}</Tag>,
              },
              {
                title: '说明',
                key: 'note',
                render: (_: unknown, d) => (
                  <Space orientation="vertical" size={0}>
                    {d.replaces && <Typography.Text type="secondary">替换国务院通知：{DAY_KIND_NAMES[d.replaces.kind]}（{d.replaces.name}）</Typography.Text>}
                    {d.note && <span>{d.note}</span>}
                    {d.entered_at && <Typography.Text type="secondary">{d.entered_by ?? ''} 录入于 {fmtDateTime(d.entered_at)}</Typography.Text>}
                  </Space>
                ),
              },
              ...(hq
                ? [
                    {
                      title: '操作',
                      key: 'op',
                      width: 80,
                      render: (_: unknown, d: CalendarDay) =>
                        d.source === '总部录入' ? (
                          <Popconfirm
                            title={`删除 ${d.day} 的总部录入？`}
                            description={d.replaces ? `该日恢复为国务院通知的安排：${DAY_KIND_NAMES[d.replaces.kind]}（${d.replaces.name}）。` : '该日恢复为通常安排（周一至周五上班，周末休息）。'}
                            okText="删除"
                            cancelText="取消"
                            okButtonProps={{ danger: true }}
                            onConfirm={() => remove(d)}
                          >
                            <a style={{ color: '#ff4d4f' }}>删除</a>
                          </Popconfirm>
                        ) : null,
                    },
                  ]
                : []),
            ]}
          />
        </Card>
      </Space>

      <FormModal title="录入放假或调休上班" busy={busy} {...adding.modal(add)} name="calendar-day">
        <Form.Item label="安排" name="kind" rules={[{ required: true, message: '请选择安排' }]}>
          <Radio.Group
            options={[
              { value: 'holiday', label: '放假' },
              { value: 'workday', label: '调休上班（周末上班）' },
            ]}
          />
        </Form.Item>
        <Form.Item label="日期" name="day" rules={[{ required: true, message: '请选择日期' }]}>
          <DatePicker style={{ width: '100%' }} defaultPickerValue={dayjs(`${year}-01-01`)} />
        </Form.Item>
        <Form.Item
          label="至（可选）"
          name="until"
          extra="放假连续多天时，选最后一天，一次录入整段（最多 31 天）。"
          dependencies={['day']}
          rules={[
            ({ getFieldValue }) => ({
              validator: (_, v: dayjs.Dayjs | null | undefined) => {
                const from = getFieldValue('day') as dayjs.Dayjs | undefined;
                return !v || !from || !v.isBefore(from, 'day') ? Promise.resolve() : Promise.reject(new Error('结束日期不能早于开始日期'));
              },
            }),
          ]}
        >
          <DatePicker style={{ width: '100%' }} defaultPickerValue={dayjs(`${year}-01-01`)} />
        </Form.Item>
        <Form.Item label="名称" name="name" extra="如“春节”“国庆节”，调休上班如“春节调休上班”。" rules={[{ required: true, whitespace: true, message: '请填写名称' }, { max: 40 }]}>
          <Input maxLength={40} />
        </Form.Item>
        <Form.Item label="备注" name="note" extra="如通知文号：国办发明电〔2026〕X号。">
          <Input.TextArea rows={2} maxLength={200} showCount />
        </Form.Item>
      </FormModal>

      <Modal
        title={`标记 ${year} 年的节假日安排已录入`}
        open={marking}
        okText="标记已录入"
        cancelText="取消"
        confirmLoading={busy}
        onOk={() => void markEntered()}
        onCancel={() => setMarking(false)}
      >
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Typography.Paragraph>
            请确认已按国务院办公厅关于 {year} 年部分节假日安排的通知，录入了全部放假日期和调休上班日期。标记后，{year} 年的日期按录入的安排计算工作日，未录入的日期按周一至周五上班计算。
          </Typography.Paragraph>
          <Input aria-label="备注" placeholder="备注，如通知文号（可选）" maxLength={200} value={markNote} onChange={(e) => setMarkNote(e.target.value)} />
        </Space>
      </Modal>
    </div>
  );
}
