/**
 * The dialogs of 毕业生登记表管理: 填写意见 and 学校意见 for many forms at once (a common phrase filled into
 * every ticked form, then each student's text edited), 退回 with a reason, and the 常用意见 a unit keeps.
 */
import { useEffect, useMemo, useState } from 'react';
import { App as AntApp, Button, Card, Drawer, Empty, Grid, Input, List, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { call } from '../../client.ts';
import { formsApi, OPINION_MAX, type FormRow, type OpinionKind, type Phrase } from '../../../shared/contract/forms.ts';
import type { BulkResult } from '../../../shared/bulk.ts';
import { ReasonModal } from './bulk-parts.tsx';
import { StateTag } from './graduate-form-sheet.tsx';
import { Stack } from '../../ui.tsx';

/** Which column of a row holds each opinion. */
const OPINION_OF: Record<OpinionKind, (r: FormRow) => string | null> = {
  班主任意见: (r) => r.head_teacher_opinion,
  函授站意见: (r) => r.tp_opinion,
  学校意见: (r) => r.school_opinion,
};

/** Why a form cannot take the action in its state (the server says it again, per row); null when it can. */
function stateHint(mode: 'opinions' | 'approve', r: FormRow): string | null {
  if (mode === 'opinions') {
    if (r.state === '函授站未填写' || r.state === '函授站已填写') return null;
    return r.state === '学生未填写' ? '学生尚未提交' : '学校已填写意见';
  }
  if (r.state === '函授站已填写') return null;
  return r.state === '总部已填写' ? '学校意见已填写' : '教学点尚未填写完意见';
}

/** Why an opinion's text cannot be sent; null when it can. Lengths as the server's schema counts them. */
function opinionProblem(kind: OpinionKind, text: string): string | null {
  const t = text.trim();
  if (t.length < 2) return `请填写${kind}（至少 2 个字）`;
  if (t.length > OPINION_MAX) return `${kind}不超过 ${OPINION_MAX} 字（现 ${t.length} 字）`;
  return null;
}

type Texts = Partial<Record<OpinionKind, string>>;

export interface OpinionsModalProps {
  open: boolean;
  /** 填写意见 (班主任意见, 函授站意见) or 学校意见 (the forms become 总部已填写). */
  mode: 'opinions' | 'approve';
  /** The opinions the caller writes: a head teacher only 班主任意见. */
  kinds: OpinionKind[];
  rows: FormRow[];
  phrases: Phrase[];
  onCancel: () => void;
  onDone: (result: BulkResult) => void;
}

export function OpinionsModal({ open, mode, kinds, rows, phrases, onCancel, onDone }: OpinionsModalProps) {
  const { message } = AntApp.useApp();
  const narrow = Grid.useBreakpoint().md === false;
  const [common, setCommon] = useState<Texts>({});
  const [texts, setTexts] = useState<Map<number, Texts>>(new Map());
  const [checked, setChecked] = useState(false);
  const [busy, setBusy] = useState(false);

  // Each opening starts from what the forms already hold.
  useEffect(() => {
    if (!open) return;
    setCommon({});
    setChecked(false);
    setTexts(new Map(rows.map((r) => [r.id, Object.fromEntries(kinds.map((k) => [k, OPINION_OF[k](r) ?? ''])) as Texts])));
    // Read at opening only.
  }, [open]);

  const fillAll = (kind: OpinionKind, text: string) => {
    setCommon((c) => ({ ...c, [kind]: text }));
    setTexts((prev) => new Map([...prev].map(([id, t]) => [id, { ...t, [kind]: text }])));
  };
  const setOne = (id: number, kind: OpinionKind, text: string) =>
    setTexts((prev) => new Map(prev).set(id, { ...prev.get(id), [kind]: text }));

  /**
   * Per row and kind, what is wrong. 填写意见 may leave one opinion as it is, but not both; 学校意见 is required.
   * A form whose state cannot take the action is not checked: the result lists it with the reason.
   */
  const problems = useMemo(() => {
    const out = new Map<number, Texts>();
    for (const r of rows) {
      if (stateHint(mode, r)) continue;
      const t = texts.get(r.id) ?? {};
      const p: Texts = {};
      const filled = kinds.filter((k) => (t[k] ?? '').trim() !== '');
      for (const k of kinds) {
        const text = t[k] ?? '';
        if (text.trim() === '' && mode === 'opinions' && filled.length > 0) continue;
        const problem = opinionProblem(k, text);
        if (problem) p[k] = problem;
      }
      if (Object.keys(p).length) out.set(r.id, p);
    }
    return out;
  }, [rows, texts, kinds, mode]);

  const onOk = async () => {
    setChecked(true);
    if (busy) return;
    if (problems.size) {
      void message.error(`有 ${problems.size} 名学生的意见未填写完整，请按表中提示修改`);
      return;
    }
    const text = (id: number, k: OpinionKind) => (texts.get(id)?.[k] ?? '').trim();
    const valid = (k: OpinionKind, t: string) => t !== '' && !opinionProblem(k, t);
    // A form that cannot take the action and has nothing written is not sent; it is listed with the reason.
    const idle = rows.filter((r) => stateHint(mode, r) && !kinds.some((k) => valid(k, text(r.id, k))));
    const send = rows.filter((r) => !idle.includes(r));
    const local: BulkResult = {
      changed: 0,
      unchanged: 0,
      refused: idle.map((r) => ({ id: r.id, code: 'WRONG_STATE', student_no: r.student_no, name: r.name, message: `${stateHint(mode, r)}（${r.state}），未填写意见` })),
    };
    if (!send.length) {
      onDone(local);
      return;
    }
    setBusy(true);
    try {
      const r =
        mode === 'approve'
          ? await call(formsApi.approve, { body: { items: send.map((x) => ({ id: x.id, version: x.version, school_opinion: text(x.id, '学校意见') })) } })
          : await call(formsApi.writeOpinions, {
              body: {
                items: send.map((x) => ({
                  id: x.id,
                  version: x.version,
                  ...(kinds.includes('班主任意见') && valid('班主任意见', text(x.id, '班主任意见')) ? { head_teacher_opinion: text(x.id, '班主任意见') } : {}),
                  ...(kinds.includes('函授站意见') && valid('函授站意见', text(x.id, '函授站意见')) ? { tp_opinion: text(x.id, '函授站意见') } : {}),
                })),
              },
            });
      onDone({ ...r, refused: [...r.refused, ...local.refused] });
    } catch {
      // shown by the api client
    } finally {
      setBusy(false);
    }
  };

  const columns: TableColumnsType<FormRow> = [
    { title: '学号', dataIndex: 'student_no', width: 132 },
    { title: '姓名', dataIndex: 'name', width: 80 },
    {
      title: '登记表状态',
      dataIndex: 'state',
      width: 120,
      render: (s: FormRow['state'], r) => {
        const hint = stateHint(mode, r);
        return (
          <>
            <StateTag state={s} />
            {hint && (
              <div>
                <Typography.Text type="warning" style={{ fontSize: 12 }}>
                  {hint}，不会更改
                </Typography.Text>
              </div>
            )}
          </>
        );
      },
    },
    ...kinds.map((k) => ({
      title: k,
      key: k,
      render: (_: unknown, r: FormRow) => {
        const problem = checked ? problems.get(r.id)?.[k] : undefined;
        return (
          <>
            <Input.TextArea
              aria-label={`${r.name}（${r.student_no}）的${k}`}
              autoSize={{ minRows: 1, maxRows: 4 }}
              value={texts.get(r.id)?.[k] ?? ''}
              status={problem ? 'error' : undefined}
              onChange={(e) => setOne(r.id, k, e.target.value)}
            />
            {problem && (
              <Typography.Text type="danger" style={{ fontSize: 12 }}>
                {problem}
              </Typography.Text>
            )}
          </>
        );
      },
    })),
  ];

  const title = mode === 'approve' ? '学校意见' : '填写意见';
  return (
    <Modal
      title={`${title}（勾选的学生 ${rows.length} 人）`}
      open={open}
      width={narrow ? '100%' : 1000}
      okText="确定"
      cancelText="取消"
      confirmLoading={busy}
      onOk={() => void onOk()}
      onCancel={onCancel}
      destroyOnHidden
    >
      <Stack>
        <section aria-label="统一填写">
          <Space orientation="vertical" size="small" style={{ width: '100%' }}>
            {kinds.map((k) => {
              const mine = phrases.filter((p) => p.kind === k);
              return (
                <Card key={k} size="small" title={k}>
                  <Space orientation="vertical" size="small" style={{ width: '100%' }}>
                    <Select
                      aria-label={`${k}常用意见`}
                      placeholder={mine.length ? '选择常用意见' : '尚无常用意见，可在“常用意见”中添加'}
                      disabled={mine.length === 0}
                      value={null}
                      style={{ width: '100%' }}
                      options={mine.map((p) => ({ value: p.id, label: p.text }))}
                      onChange={(id: number | null) => {
                        const p = mine.find((x) => x.id === id);
                        if (p) fillAll(k, p.text);
                      }}
                    />
                    <Input.TextArea
                      style={{ marginBottom: 16 }}
                      aria-label={`${k}（全部勾选的学生）`}
                      autoSize={{ minRows: 2, maxRows: 5 }}
                      value={common[k] ?? ''}
                      maxLength={OPINION_MAX}
                      showCount
                      placeholder={`输入或选择常用意见后，填入下方全部 ${rows.length} 名学生的${k}，再逐人修改`}
                      onChange={(e) => fillAll(k, e.target.value)}
                    />
                  </Space>
                </Card>
              );
            })}
          </Space>
        </section>
        <Typography.Text type="secondary">
          {mode === 'approve'
            ? '确定后登记表状态改为“总部已填写”，归入学生的毕业批次。教学点尚未填写完意见的登记表不会更改，会逐一列出。'
            : '每名学生的意见可单独修改。留空的意见保持原样；登记表状态不对或已被他人修改的学生不会更改，会逐一列出。'}
        </Typography.Text>
        <section aria-label="逐人意见">
          <Table<FormRow>
            rowKey="id"
            size="small"
            columns={columns}
            dataSource={rows}
            scroll={{ x: 300 + kinds.length * 320 }}
            pagination={rows.length > 10 ? { pageSize: 10, size: 'small', showSizeChanger: false, showTotal: (t) => `共 ${t} 人` } : false}
          />
        </section>
      </Stack>
    </Modal>
  );
}

/** 退回: the ticked forms go back to their students with the reason (required). */
export function ReturnModal({ open, count, onCancel, onReturn }: { open: boolean; count: number; onCancel: () => void; onReturn: (reason: string) => Promise<boolean> }) {
  return (
    <ReasonModal
      title={`退回学生修改（勾选的学生 ${count} 人）`}
      open={open}
      okText="退回"
      label="退回原因"
      short="退回原因"
      required="请填写退回原因，告诉学生需要修改什么"
      placeholder="如：自我鉴定过于简单，请补充在校学习的收获和不足后重新提交"
      extra="学生登录后会看到退回原因。退回后，已填写的班主任意见和函授站意见将被清除。"
      name="return-forms"
      onCancel={onCancel}
      onSubmit={onReturn}
    />
  );
}

/** 常用意见: the phrases of the caller's unit (which it may delete) and of the units above it, by kind. */
export function PhrasesDrawer({
  open,
  kinds,
  phrases,
  canEdit,
  onClose,
  onChanged,
}: {
  open: boolean;
  kinds: OpinionKind[];
  phrases: Phrase[];
  canEdit: boolean;
  onClose: () => void;
  onChanged: () => void;
}) {
  const { message } = AntApp.useApp();
  const narrow = Grid.useBreakpoint().md === false;
  const [drafts, setDrafts] = useState<Texts>({});
  const [busy, setBusy] = useState<string | null>(null);

  /** One change of the phrases (`busy` names it while it runs), then `ok` and the phrases read again. */
  const change = async (key: string, ok: string, fn: () => Promise<unknown>) => {
    setBusy(key);
    try {
      await fn();
      void message.success(ok);
      onChanged();
    } catch {
      // shown by the api client
    } finally {
      setBusy(null);
    }
  };

  const add = async (kind: OpinionKind) => {
    const text = (drafts[kind] ?? '').trim();
    const problem = opinionProblem(kind, text);
    if (problem) {
      void message.error(problem.replace(kind, '常用意见'));
      return;
    }
    await change(`add:${kind}`, '已添加常用意见', async () => {
      await call(formsApi.addPhrase, { body: { kind, text, sort: phrases.filter((p) => p.kind === kind && p.mine).length } });
      setDrafts((d) => ({ ...d, [kind]: '' }));
    });
  };

  const remove = (p: Phrase) => change(`del:${p.id}`, '已删除常用意见', () => call(formsApi.deletePhrase, { params: { id: p.id } }));

  return (
    <Drawer title="常用意见" open={open} onClose={onClose} size={narrow ? '100%' : 600}>
      <Stack>
        {kinds.map((kind) => {
          const list = phrases.filter((p) => p.kind === kind);
          return (
            <Card key={kind} size="small" title={kind}>
              {list.length ? (
                <List
                  size="small"
                  dataSource={list}
                  renderItem={(p) => (
                    <List.Item
                      actions={
                        canEdit && p.mine
                          ? [
                              <Popconfirm key="del" title="删除这条常用意见？" okText="删除" cancelText="取消" okButtonProps={{ danger: true }} onConfirm={() => remove(p)}>
                                <Button type="link" danger size="small" loading={busy === `del:${p.id}`}>
                                  删除
                                </Button>
                              </Popconfirm>,
                            ]
                          : undefined
                      }
                    >
                      <span>
                        {p.text}
                        {!p.mine && (
                          <Tag style={{ marginInlineStart: 8 }} color="default">
                            {p.node_name}
                          </Tag>
                        )}
                      </span>
                    </List.Item>
                  )}
                />
              ) : (
                <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="尚无常用意见" />
              )}
              {canEdit && (
                <Space.Compact style={{ width: '100%', marginTop: 8 }}>
                  <Input
                    aria-label={`新增${kind}`}
                    placeholder={`新增一条${kind}`}
                    maxLength={OPINION_MAX}
                    value={drafts[kind] ?? ''}
                    onChange={(e) => setDrafts((d) => ({ ...d, [kind]: e.target.value }))}
                    onPressEnter={() => void add(kind)}
                  />
                  <Button type="primary" loading={busy === `add:${kind}`} onClick={() => void add(kind)}>
                    添加
                  </Button>
                </Space.Compact>
              )}
            </Card>
          );
        })}
        <Typography.Text type="secondary">
          常用意见供“填写意见”时选用。本单位添加的可以删除；上级单位的常用意见也可选用，标有单位名称。
        </Typography.Text>
      </Stack>
    </Drawer>
  );
}
