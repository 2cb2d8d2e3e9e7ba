import { useEffect, useState } from 'react';
import { Card, Form, Input, Select, Space, Tag } from 'antd';
import { KIND_NAMES, ROLE_FOR_KIND, ROLE_NAMES, ROLES, type Role } from '../../../shared/org.ts';
import { call } from '../../client.ts';
import { accountsApi, type User, type UsersFilter } from '../../../shared/contract/accounts.ts';
import { orgApi, type OrgNode } from '../../../shared/contract/org.ts';
import { useMe } from '../../session.tsx';
import { DisableToggle, FormModal, InlineFilter, PagedTable, PageTitle, TextField, useBusyAction, useFormDialog, usePagedList } from '../../ui.tsx';

type Filter = Omit<UsersFilter, 'page' | 'page_size'>;

interface CreateValues {
  node_id: number;
  username: string;
  display_name: string;
  password: string;
}

const listUsers = (query: UsersFilter) => call(accountsApi.users, { query });
const passwordRule = {
  validator: (_r: unknown, v: string) =>
    !v || (v.length >= 8 && /[A-Za-z]/.test(v) && /\d/.test(v)) ? Promise.resolve() : Promise.reject(new Error('密码至少 8 位，且须同时包含字母和数字')),
};

export default function UsersPage() {
  const me = useMe();
  const [filterForm] = Form.useForm<Filter>();
  const creating = useFormDialog<true, CreateValues>();
  const resetting = useFormDialog<User, { password: string }>();
  const renaming = useFormDialog<User, { display_name: string }>();
  const [nodes, setNodes] = useState<OrgNode[]>([]);
  const list = usePagedList<Filter, User>(listUsers);
  const { busy, run } = useBusyAction(list.reload);
  const createNodeId = Form.useWatch('node_id', creating.form);
  const createNode = nodes.find((n) => n.id === createNodeId);

  useEffect(() => {
    call(orgApi.nodes).then(setNodes, () => undefined);
  }, []);

  const nodeOptions = nodes.filter((n) => !n.disabled).map((n) => ({ value: n.id, label: `${n.code} ${n.name}（${KIND_NAMES[n.kind]}）` }));

  const create = (_: true, v: CreateValues) => {
    const node = nodes.find((n) => n.id === v.node_id);
    if (!node) return Promise.resolve(false);
    const body = { username: v.username.trim(), display_name: v.display_name.trim(), role: ROLE_FOR_KIND[node.kind], node_id: node.id, password: v.password };
    return run(() => call(accountsApi.createUser, { body }), `已创建账号“${body.username}”，首次登录须修改密码。`);
  };
  const reset = (u: User, v: { password: string }) =>
    run(() => call(accountsApi.resetPassword, { params: { id: u.id }, body: { password: v.password } }), `已重置“${u.username}”的密码，下次登录须修改。`);
  const rename = (u: User, v: { display_name: string }) =>
    run(() => call(accountsApi.updateUser, { params: { id: u.id }, body: { display_name: v.display_name.trim() } }), '姓名已修改。');

  const nameField = <TextField label="姓名" name="display_name" required="请填写姓名" rules={[{ max: 50 }]} maxLength={50} />;

  return (
    <>
      <PageTitle action={{ label: '新建账号', onClick: () => creating.show(true) }}>用户管理</PageTitle>
      <Card size="small">
        <InlineFilter<Filter, Filter>
          form={filterForm}
          name="user-filter"
          list={list}
          toFilter={(v) => ({ node_id: v.node_id, role: v.role, q: v.q?.trim() || undefined })}
        >
          <Form.Item label="单位" name="node_id">
            <Select allowClear showSearch={{ optionFilterProp: 'label' }} placeholder="全部单位" style={{ width: 260 }} options={nodeOptions} />
          </Form.Item>
          <Form.Item label="角色" name="role">
            <Select allowClear placeholder="全部角色" style={{ width: 140 }} options={ROLES.map((r) => ({ value: r, label: ROLE_NAMES[r] }))} />
          </Form.Item>
          <Form.Item label="关键字" name="q">
            <Input allowClear placeholder="用户名或姓名" style={{ width: 180 }} />
          </Form.Item>
        </InlineFilter>
        <PagedTable<User>
          list={list}
          unit="个账号"
          columns={[
            { title: '用户名', dataIndex: 'username' },
            { title: '姓名', dataIndex: 'display_name' },
            { title: '角色', dataIndex: 'role', render: (r: Role) => ROLE_NAMES[r] },
            { title: '所属单位', key: 'node', render: (_: unknown, u) => `${u.node_code} ${u.node_name}` },
            {
              title: '状态',
              key: 'state',
              render: (_: unknown, u) => (
                <Space size={4}>
                  {u.disabled ? <Tag>已停用</Tag> : <Tag color="success">正常</Tag>}
                  {u.locked && <Tag color="warning">已锁定</Tag>}
                </Space>
              ),
            },
            {
              title: '操作',
              key: 'op',
              width: 240,
              render: (_: unknown, u) => (
                <Space size="small">
                  <a onClick={() => renaming.show(u, { display_name: u.display_name })}>修改姓名</a>
                  <a onClick={() => resetting.show(u)}>重置密码</a>
                  {u.id !== me.id && (
                    <DisableToggle
                      disabled={u.disabled}
                      title={`停用账号“${u.username}”？`}
                      description="停用后该账号立即退出且不能登录，可随时重新启用。"
                      onChange={(disabled) => run(() => call(accountsApi.updateUser, { params: { id: u.id }, body: { disabled } }), `已${disabled ? '停用' : '启用'}“${u.username}”。`)}
                    />
                  )}
                </Space>
              ),
            },
          ]}
        />
      </Card>

      <FormModal title="新建账号" busy={busy} {...creating.modal(create)} name="create-user">
        <Form.Item label="所属单位" name="node_id" rules={[{ required: true, message: '请选择所属单位' }]}>
          <Select showSearch={{ optionFilterProp: 'label' }} placeholder="请选择单位" options={nodeOptions} />
        </Form.Item>
        <Form.Item label="角色" extra="角色由单位类型决定：总部→总部管理员，分部→分部管理员，教学点→教学点教师，班级→班主任。">
          <Input disabled value={createNode ? ROLE_NAMES[ROLE_FOR_KIND[createNode.kind]] : '请先选择单位'} />
        </Form.Item>
        <TextField
          label="用户名"
          name="username"
          rules={[
            { required: true, message: '请填写用户名' },
            { pattern: /^[A-Za-z0-9_.-]{2,32}$/, message: '用户名为 2–32 位字母、数字、下划线、点或短横线' },
          ]}
          maxLength={32}
          input={{ autoComplete: 'off' }}
        />
        {nameField}
        <Form.Item label="初始密码" name="password" extra="至少 8 位，含字母和数字；首次登录须修改。" rules={[{ required: true, message: '请填写初始密码' }, passwordRule]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </FormModal>

      <FormModal title={resetting.target ? `重置“${resetting.target.username}”的密码` : ''} busy={busy} okText="重置" {...resetting.modal(reset)} name="reset-password">
        <Form.Item label="新密码" name="password" extra="重置后该账号会被退出登录，下次登录须修改密码。" rules={[{ required: true, message: '请填写新密码' }, passwordRule]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </FormModal>

      <FormModal title={renaming.target ? `修改“${renaming.target.username}”的姓名` : ''} busy={busy} {...renaming.modal(rename)} name="rename-user">
        {nameField}
      </FormModal>
    </>
  );
}
