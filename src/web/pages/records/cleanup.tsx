/**
 * 学籍 → 学籍清理 (seed 003 四.8): headquarters opens a campaign for the cohorts whose 8-year 学籍有效期 ends,
 * branches submit the 学籍延期名单 (each student with the scanned written application) by the deadline,
 * headquarters approves or rejects each, previews who will be cleared per branch, and on the clean-up date
 * starts the clean-up (退学) and downloads the 学信网 退学 file. Teaching points see their own students.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { Alert, App as AntApp, Button, Card, DatePicker, Descriptions, Empty, Form, Popconfirm, Select, Space, Tabs, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { ApiError, call } from '../../client.ts';
import { cleanupApi, type Campaign, type CampaignBody } from '../../../shared/contract/cleanup.ts';
import { tasksApi, type Task } from '../../../shared/contract/tasks.ts';
import { useMe } from '../../session.tsx';
import { day, fmtDateTime, FormModal, PageTitle, Stack, TextField, useBusyAction, useFormDialog } from '../../ui.tsx';
import { ExtensionsTab, listWindowText } from './cleanup-extensions.tsx';
import { PreviewTab, WithdrawalsTab, WithdrawalDownloads } from './cleanup-preview.tsx';

interface CampaignValues {
  name: string;
  cohorts: string[];
  list_deadline: dayjs.Dayjs;
  cleanup_on: dayjs.Dayjs;
  doc_no: string;
}

const COHORT = /^\d{4}(0[1-9]|1[0-2])$/;
const FINISHED = new Set<Task['state']>(['done', 'failed', 'cancelled']);

/** 学籍批次 201203 → 2012年春季 (03) / 秋季 (09). */
export function cohortName(c: string): string {
  const season = c.endsWith('03') ? '春季' : c.endsWith('09') ? '秋季' : `${Number(c.slice(4))}月`;
  return `${c}（${c.slice(0, 4)}年${season}）`;
}

export default function CleanupPage() {
  const me = useMe();
  const hq = me.role === 'hq_admin';
  const { message } = AntApp.useApp();
  const [params, setParams] = useSearchParams();
  const [campaigns, setCampaigns] = useState<Campaign[] | null>(null);
  const [campaign, setCampaign] = useState<Campaign | null>(null);
  /** The server's refusal of 执行清理, kept on the page until the next attempt. */
  const [runRefusal, setRunRefusal] = useState<string | null>(null);
  const [task, setTask] = useState<Task | null>(null);
  /** Bumped when the campaign changes under the lists (a decision, the clean-up): they reload. */
  const [version, setVersion] = useState(0);
  const editing = useFormDialog<Campaign | 'new', CampaignValues>();
  const polling = useRef<number | null>(null);

  const chosen = Number(params.get('campaign')) || campaigns?.[0]?.id || null;
  const tab = params.get('tab') ?? 'extensions';

  const loadList = useCallback(async () => {
    try {
      setCampaigns((await call(cleanupApi.campaigns)).rows);
    } catch {
      setCampaigns([]);
    }
  }, []);
  useEffect(() => {
    void loadList();
  }, [loadList]);

  const loadCampaign = useCallback(async () => {
    if (!chosen) {
      setCampaign(null);
      return;
    }
    try {
      setCampaign(await call(cleanupApi.campaign, { params: { id: chosen } }));
    } catch {
      setCampaign(null);
    }
  }, [chosen]);
  useEffect(() => {
    setRunRefusal(null);
    void loadCampaign();
  }, [loadCampaign]);

  /** The campaign's counts after a submission or a decision (the list that made it reloads itself). */
  const reloadCampaign = useCallback(() => Promise.all([loadCampaign(), loadList()]), [loadCampaign, loadList]);
  const refresh = useCallback(async () => {
    await reloadCampaign();
    setVersion((v) => v + 1);
  }, [reloadCampaign]);

  // Saving the campaign and starting the clean-up each have their own busy state: a refused run must not touch
  // the (hidden) campaign dialog's button.
  const { busy, exclusive } = useBusyAction();
  const starting = useBusyAction();

  // The clean-up runs as a background job: follow it until it ends, then show the campaign as it now stands.
  const poll = useCallback(
    (id: string) => {
      call(tasksApi.get, { params: { id } }, { silent: true }).then(
        (t) => {
          setTask(t);
          if (FINISHED.has(t.state)) {
            polling.current = null;
            if (t.state === 'done') void message.success('学籍清理已完成。');
            else void message.error(t.error ? `学籍清理未完成：${t.error}` : '学籍清理未完成，请稍后重试。');
            void refresh();
            return;
          }
          polling.current = window.setTimeout(() => poll(id), 1000);
        },
        () => {
          polling.current = null;
        },
      );
    },
    [message, refresh],
  );
  useEffect(() => () => {
    if (polling.current) window.clearTimeout(polling.current);
  }, []);
  // A clean-up started earlier and still running (the page was reopened): follow it too.
  useEffect(() => {
    if (campaign?.task_id && !campaign.ran_at && polling.current === null && task?.id !== campaign.task_id) poll(campaign.task_id);
  }, [campaign?.task_id, campaign?.ran_at]);

  const choose = (id: number, nextTab = tab) => {
    const p: Record<string, string> = { campaign: String(id) };
    if (nextTab !== 'extensions') p.tab = nextTab;
    setParams(p);
  };

  const save = (target: Campaign | 'new', v: CampaignValues) =>
    exclusive(async () => {
      const body: CampaignBody = {
        name: v.name.trim(), cohorts: v.cohorts.map((c) => c.trim()), list_deadline: day(v.list_deadline)!, cleanup_on: day(v.cleanup_on)!, doc_no: v.doc_no.trim(),
      };
      const saved = target === 'new'
        ? await call(cleanupApi.createCampaign, { body })
        : await call(cleanupApi.updateCampaign, { params: { id: target.id }, body });
      void message.success(target === 'new' ? `已新建学籍清理“${saved.name}”。` : `已保存学籍清理“${saved.name}”。`);
      setCampaign(saved);
      await loadList();
      setVersion((x) => x + 1);
      if (target === 'new') choose(saved.id, 'extensions');
    });

  const startRun = (c: Campaign) =>
    starting.exclusive(async () => {
      setRunRefusal(null);
      try {
        const { task_id } = await call(cleanupApi.run, { params: { id: c.id } }, { silent: true });
        setTask({ id: task_id, kind: '', title: c.name, state: 'queued', progress: 0, total: 0, eta_seconds: null, result: null, error: null, created_at: '', finished_at: null });
        poll(task_id);
      } catch (e) {
        // Before the date, or a second time: the server says why; keep it on the page.
        setRunRefusal(e instanceof ApiError ? e.message : '未能执行学籍清理，请稍后重试。');
        throw e;
      }
    });

  const openEdit = (c: Campaign | 'new') =>
    editing.show(c, c === 'new'
      ? { cohorts: [] }
      : { name: c.name, cohorts: c.cohorts, list_deadline: dayjs(c.list_deadline), cleanup_on: dayjs(c.cleanup_on), doc_no: c.doc_no });

  const running = task !== null && !FINISHED.has(task.state);

  return (
    <>
      <PageTitle action={hq && { label: '新建学籍清理', onClick: () => openEdit('new') }}>学籍清理</PageTitle>
      <Stack>
        <Alert
          type="info"
          showIcon
          title="学籍有效期为入学起 8 年；超过有效期的学生经书面申请、总部批准，最多可延长一年。超过有效期且未获批准延期、尚未毕业的学生，在清理日期由总部统一转为退学，并上报学信网。"
        />
        {campaigns !== null && campaigns.length === 0 ? (
          <Card size="small">
            <Empty description={hq ? '还没有学籍清理。点右上角“新建学籍清理”开始。' : '总部尚未开展学籍清理。'} />
          </Card>
        ) : (
          <Space wrap>
            <span>学籍清理：</span>
            <Select<number>
              aria-label="学籍清理"
              style={{ minWidth: 360 }}
              loading={campaigns === null}
              value={chosen ?? undefined}
              onChange={(id) => choose(id)}
              options={(campaigns ?? []).map((c) => ({ value: c.id, label: `${c.name}${c.ran_at ? '（已清理）' : ''}` }))}
            />
          </Space>
        )}

        {campaign && (
          <Card
            size="small"
            title={campaign.name}
            extra={campaign.ran_at ? <Tag color="default">已清理</Tag> : <Tag color="processing">进行中</Tag>}
          >
            <Stack>
              <Descriptions
                size="small"
                column={{ xs: 1, md: 2, xl: 3 }}
                items={[
                  { key: 'cohorts', label: '涉及学籍批次', children: campaign.cohorts.map(cohortName).join('、') },
                  { key: 'deadline', label: '延期名单截止日期', children: listWindowText(campaign) },
                  { key: 'on', label: '清理日期', children: campaign.cleanup_on },
                  { key: 'doc', label: '退学文号', children: campaign.doc_no },
                  {
                    key: 'counts',
                    label: '延期申请',
                    children: `待审批 ${campaign.counts.pending} 人，已批准 ${campaign.counts.approved} 人，已驳回 ${campaign.counts.rejected} 人`,
                  },
                  {
                    key: 'ran',
                    label: '清理结果',
                    children: campaign.ran_at
                      ? `${fmtDateTime(campaign.ran_at)} ${campaign.ran_by ?? ''} 执行，${campaign.cleared ?? 0} 名学生转为退学`
                      : running
                        ? `清理中（${task.progress}/${task.total || '…'}）`
                        : '尚未执行',
                  },
                  { key: 'by', label: '创建', children: `${campaign.created_by ?? ''} ${fmtDateTime(campaign.created_at)}` },
                ]}
              />
              {hq && (
                <Space wrap>
                  {!campaign.ran_at && (
                    <Button onClick={() => openEdit(campaign)} disabled={running}>
                      修改
                    </Button>
                  )}
                  {!campaign.ran_at && (
                    <Popconfirm
                      title="执行学籍清理？"
                      description={`超过学籍有效期、未获批准延期且未毕业的学生将转为退学（退学日期为今天，文号 ${campaign.doc_no}）。待决定的学生不清理。执行后不能撤销，也不能再次执行。`}
                      okText="执行清理"
                      cancelText="取消"
                      okButtonProps={{ danger: true }}
                      // A fresh confirmation each time (its button shows its own progress while the server answers).
                      destroyOnHidden
                      onConfirm={() => startRun(campaign)}
                    >
                      <Button type="primary" danger loading={running}>
                        执行清理
                      </Button>
                    </Popconfirm>
                  )}
                  {!campaign.ran_at && !campaign.can_run && campaign.run_blocked && <Typography.Text type="secondary">{campaign.run_blocked}</Typography.Text>}
                  {campaign.ran_at && <WithdrawalDownloads campaign={campaign} />}
                </Space>
              )}
              {runRefusal && (
                <Alert type="error" showIcon role="alert" title="未能执行学籍清理" description={runRefusal} closable={{ onClose: () => setRunRefusal(null) }} />
              )}
              {task?.state === 'failed' && <Alert type="error" showIcon title="学籍清理未完成" description={task.error ?? '请稍后重试。'} />}
            </Stack>
          </Card>
        )}

        {campaign && (
          <Tabs
            activeKey={tab}
            // Each tab reads afresh when shown: a decision in one changes what the others list.
            destroyOnHidden
            onChange={(k) => choose(campaign.id, k)}
            items={[
              {
                key: 'extensions',
                label: me.role === 'branch_admin' ? '上报学籍延期名单' : hq ? '延期申请' : '学籍延期名单',
                children: <ExtensionsTab key={`${campaign.id}-${version}`} campaign={campaign} onChanged={reloadCampaign} />,
              },
              { key: 'preview', label: '清理预览', children: <PreviewTab key={`${campaign.id}-${version}`} campaign={campaign} /> },
              ...(campaign.ran_at
                ? [{ key: 'withdrawals', label: '退学名单', children: <WithdrawalsTab key={`${campaign.id}-${version}`} campaign={campaign} /> }]
                : []),
            ]}
          />
        )}
      </Stack>

      <FormModal<CampaignValues>
        title={editing.target === 'new' ? '新建学籍清理' : '修改学籍清理'}
        busy={busy}
        okText={editing.target === 'new' ? '新建' : '保存'}
        {...editing.modal(save)}
        name="cleanupCampaign"
        width={560}
      >
        <TextField label="名称" name="name" required="请填写名称" maxLength={60} placeholder="如 2020 年学籍清理（2012 年春季入学）" />
        <Form.Item
          label="涉及学籍批次"
          name="cohorts"
          extra="学籍批次为 6 位数字：入学年份加月份，如 201203（2012 年春季）、201209（2012 年秋季）。输入后按回车。"
          rules={[
            { required: true, type: 'array', min: 1, message: '请至少填写一个学籍批次，如 201203' },
            {
              validator: (_, v: string[] | undefined) => {
                const bad = (v ?? []).filter((c) => !COHORT.test(c.trim()));
                return bad.length ? Promise.reject(new Error(`学籍批次格式不正确：${bad.join('、')}（应为 6 位数字，如 201203）`)) : Promise.resolve();
              },
            },
          ]}
        >
          <Select mode="tags" aria-label="涉及学籍批次" tokenSeparators={[',', '，', ' ', '、']} placeholder="如 201203" />
        </Form.Item>
        <Form.Item
          label="延期名单截止日期"
          name="list_deadline"
          extra="各分部在此日期（含）前上报学籍延期名单。"
          rules={[{ required: true, message: '请选择延期名单截止日期' }]}
        >
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item
          label="清理日期"
          name="cleanup_on"
          extra="当天或之后，总部可执行清理。"
          dependencies={['list_deadline']}
          rules={[
            { required: true, message: '请选择清理日期' },
            ({ getFieldValue }) => ({
              validator: (_, v: dayjs.Dayjs | null | undefined) => {
                const deadline = getFieldValue('list_deadline') as dayjs.Dayjs | undefined;
                return !v || !deadline || v.isAfter(deadline, 'day') ? Promise.resolve() : Promise.reject(new Error('清理日期应晚于延期名单截止日期'));
              },
            }),
          ]}
        >
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
        <TextField label="退学文号" name="doc_no" required="请填写退学文号" maxLength={60} placeholder="如 国开学〔2020〕12号" />
      </FormModal>
    </>
  );
}
