import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { Alert, App as AntApp, Button, Card, Form, Input } from 'antd';
import { call } from '../client.ts';
import { accountsApi } from '../../shared/contract/accounts.ts';
import { useSession } from '../session.tsx';
import { PageTitle } from '../ui.tsx';

interface Values {
  old_password: string;
  new_password: string;
  confirm: string;
}

// The server checks the rest (not a common password, not the current one) and says which rule failed.
const problem = (p: string, username: string): string | null =>
  [...p].length < 8 ? '新密码至少 8 位' : p.toLowerCase().includes(username.toLowerCase()) ? '新密码不能包含用户名' : null;

export default function PasswordPage() {
  const { me, refresh } = useSession();
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);

  const submit = async (v: Values) => {
    if (busy) return;
    setBusy(true);
    try {
      await call(accountsApi.changePassword, { body: { old_password: v.old_password, new_password: v.new_password } });
      void message.success('密码已修改。');
      form.resetFields();
      if (me.must_change_password) {
        await refresh();
        void navigate('/', { replace: true });
      }
    } catch {
      // shown by the client
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageTitle>修改密码</PageTitle>
      <Card style={{ maxWidth: 520 }}>
        {me.must_change_password && (
          <Alert type="warning" showIcon style={{ marginBottom: 16 }} title="您的密码为初始密码或已被管理员重置，请先修改密码后再使用系统。" />
        )}
        <Form<Values> form={form} layout="vertical" onFinish={(v) => void submit(v)} name="password">
          <Form.Item label="原密码" name="old_password" rules={[{ required: true, message: '请输入原密码' }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Form.Item
            label="新密码"
            name="new_password"
            extra="至少 8 位，不能包含用户名，不能是常见密码或当前密码。可以用一句好记的话。"
            rules={[
              { required: true, message: '请输入新密码' },
              { validator: (_r, v: string) => {
                const p = v ? problem(v, me.username) : null;
                return p ? Promise.reject(new Error(p)) : Promise.resolve();
              } },
            ]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Form.Item
            label="确认新密码"
            name="confirm"
            dependencies={['new_password']}
            rules={[
              { required: true, message: '请再次输入新密码' },
              ({ getFieldValue }) => ({
                validator: (_r, v: string) => (!v || v === getFieldValue('new_password') ? Promise.resolve() : Promise.reject(new Error('两次输入的新密码不一致'))),
              }),
            ]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={busy}>
            确认修改
          </Button>
        </Form>
      </Card>
    </>
  );
}
