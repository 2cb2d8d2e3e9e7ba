import { useCallback, useEffect, useMemo, useState } from 'react';
import { Button, Card, Input, Space, Table, Tag, Typography } from 'antd';
import { KIND_NAMES, type NodeKind } from '../../../shared/org.ts';
import { call } from '../../client.ts';
import { orgApi, type OrgNode } from '../../../shared/contract/org.ts';
import { useMe } from '../../session.tsx';
import { DisableToggle, FormModal, PageTitle, TextField, useBusyAction, useFormDialog } from '../../ui.tsx';

const CHILD_KIND: Record<NodeKind, NodeKind | null> = { hq: 'branch', branch: 'tp', tp: 'class', class: null };
const KIND_COLORS: Record<NodeKind, string> = { hq: 'magenta', branch: 'blue', tp: 'green', class: 'default' };

interface TreeRow extends OrgNode {
  children?: TreeRow[];
}

function buildTree(nodes: OrgNode[]): TreeRow[] {
  const byId = new Map<number, TreeRow>(nodes.map((n) => [n.id, { ...n }]));
  const roots: TreeRow[] = [];
  for (const n of byId.values()) {
    const parent = n.parent_id != null ? byId.get(n.parent_id) : undefined;
    if (parent) (parent.children ??= []).push(n);
    else roots.push(n);
  }
  return roots;
}

export default function OrgPage() {
  const me = useMe();
  const [nodes, setNodes] = useState<OrgNode[] | null>(null);
  const [expanded, setExpanded] = useState<number[]>([]);
  const [keyword, setKeyword] = useState('');
  const creating = useFormDialog<OrgNode, { code: string; name: string }>();
  const renaming = useFormDialog<OrgNode, { name: string }>();

  const load = useCallback(async (first = false) => {
    try {
      const list = await call(orgApi.nodes);
      setNodes(list);
      if (first) setExpanded(list.filter((n) => n.kind === 'hq' || n.kind === 'branch').map((n) => n.id));
    } catch {
      setNodes((prev) => prev ?? []);
    }
  }, []);

  useEffect(() => {
    void load(true);
  }, [load]);

  const tree = useMemo(() => {
    if (!nodes) return [];
    const k = keyword.trim();
    if (!k) return buildTree(nodes);
    // Keep the matches and the path up to them.
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const keep = new Set<number>();
    for (const n of nodes) {
      if (n.code.includes(k) || n.name.includes(k)) {
        let cur: OrgNode | undefined = n;
        while (cur && !keep.has(cur.id)) {
          keep.add(cur.id);
          cur = cur.parent_id != null ? byId.get(cur.parent_id) : undefined;
        }
      }
    }
    return buildTree(nodes.filter((n) => keep.has(n.id)));
  }, [nodes, keyword]);

  const { busy, run } = useBusyAction(load);

  const create = async (parent: OrgNode, v: { code: string; name: string }) => {
    const ok = await run(() => call(orgApi.createNode, { body: { parent_id: parent.id, code: v.code.trim(), name: v.name.trim() } }), `已新建${KIND_NAMES[CHILD_KIND[parent.kind]!]}“${v.name.trim()}”。`);
    if (ok) setExpanded((e) => (e.includes(parent.id) ? e : [...e, parent.id]));
    return ok;
  };
  const rename = (node: OrgNode, v: { name: string }) =>
    run(() => call(orgApi.updateNode, { params: { id: node.id }, body: { name: v.name.trim() } }), '名称已修改。');

  const nameField = <TextField label="单位名称" name="name" required="请填写单位名称" rules={[{ max: 80 }]} maxLength={80} />;

  return (
    <>
      <PageTitle>组织机构</PageTitle>
      <Card size="small">
        <Space style={{ marginBottom: 12 }}>
          <Input.Search allowClear placeholder="按单位代码或名称筛选" style={{ width: 280 }} onSearch={setKeyword} onChange={(e) => !e.target.value && setKeyword('')} />
          <Button onClick={() => setExpanded((nodes ?? []).map((n) => n.id))}>全部展开</Button>
          <Button onClick={() => setExpanded([])}>全部收起</Button>
        </Space>
        <Table<TreeRow>
          rowKey="id"
          size="small"
          loading={nodes === null}
          dataSource={tree}
          pagination={false}
          expandable={{
            expandedRowKeys: keyword.trim() ? (nodes ?? []).map((n) => n.id) : expanded,
            onExpandedRowsChange: (keys) => setExpanded(keys.map(Number)),
          }}
          columns={[
            {
              title: '单位名称',
              dataIndex: 'name',
              render: (name: string, n) => (n.disabled ? <Typography.Text delete type="secondary">{name}</Typography.Text> : name),
            },
            { title: '单位代码', dataIndex: 'code', width: 160 },
            { title: '类型', dataIndex: 'kind', width: 100, render: (k: NodeKind) => <Tag color={KIND_COLORS[k]}>{KIND_NAMES[k]}</Tag> },
            { title: '状态', dataIndex: 'disabled', width: 90, render: (d: boolean) => (d ? <Tag>已停用</Tag> : <Tag color="success">正常</Tag>) },
            {
              title: '操作',
              key: 'op',
              width: 280,
              render: (_: unknown, n) => {
                const child = CHILD_KIND[n.kind];
                return (
                  <Space size="small">
                    {child && !n.disabled && (
                      <a onClick={() => creating.show(n)}>新建{KIND_NAMES[child]}</a>
                    )}
                    <a onClick={() => renaming.show(n, { name: n.name })}>修改名称</a>
                    {n.id !== me.node.id && (
                      <DisableToggle
                        disabled={n.disabled}
                        title={`停用“${n.name}”？`}
                        description="停用后该单位不能再办理业务，可随时重新启用。"
                        onChange={(disabled) => run(() => call(orgApi.updateNode, { params: { id: n.id }, body: { disabled } }), `已${disabled ? '停用' : '启用'}“${n.name}”。`)}
                      />
                    )}
                  </Space>
                );
              },
            },
          ]}
        />
      </Card>

      <FormModal
        title={creating.target ? `在“${creating.target.name}”下新建${KIND_NAMES[CHILD_KIND[creating.target.kind] ?? 'class']}` : ''}
        busy={busy}
        {...creating.modal(create)}
        name="create-node"
      >
        <TextField
          label="单位代码"
          name="code"
          rules={[
            { required: true, message: '请填写单位代码' },
            { pattern: /^[A-Za-z0-9_-]{1,20}$/, message: '单位代码为 1–20 位字母或数字' },
          ]}
          extra={creating.target?.kind === 'branch' ? '教学点代码，如 210104' : undefined}
          maxLength={20}
        />
        {nameField}
      </FormModal>

      <FormModal title={renaming.target ? `修改“${renaming.target.name}”的名称` : ''} busy={busy} {...renaming.modal(rename)} name="rename-node">
        {nameField}
      </FormModal>
    </>
  );
}
