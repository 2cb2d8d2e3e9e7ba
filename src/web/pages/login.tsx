import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { Button, Card, Form, Input, Typography } from 'antd';
import { call } from '../client.ts';
import { accountsApi, type Me } from '../../shared/contract/accounts.ts';

interface Values {
  username: string;
  password: string;
}

export default function LoginPage({ onLogin }: { onLogin: (me: Me) => void }) {
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);

  const submit = async (v: Values) => {
    if (busy) return;
    setBusy(true);
    try {
      const me = await call(accountsApi.login, { body: { username: v.username.trim(), password: v.password } });
      onLogin(me);
      void navigate(me.must_change_password ? '/password' : '/', { replace: true });
    } catch {
      // The server's message is already shown.
    } finally {
      setBusy(false);
    }
  };

  return (
    <div style={{ minHeight: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center', background: 'linear-gradient(135deg, #e6f4ff 0%, #f5f7fa 100%)' }}>
      <Card style={{ width: 380 }} variant="borderless">
        <Typography.Title level={3} style={{ textAlign: 'center', marginTop: 0 }}>
          毕业管理平台
        </Typography.Title>
        <Typography.Paragraph type="secondary" style={{ textAlign: 'center' }}>
          请使用本单位的账号登录
        </Typography.Paragraph>
        <Form<Values> layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false} name="login">
          <Form.Item label="用户名" name="username" rules={[{ required: true, whitespace: true, message: '请输入用户名' }]}>
            <Input autoComplete="username" autoFocus size="large" />
          </Form.Item>
          <Form.Item label="密码" name="password" rules={[{ required: true, message: '请输入密码' }]}>
            <Input.Password autoComplete="current-password" size="large" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block size="large" loading={busy}>
            登录
          </Button>
        </Form>
      </Card>
    </div>
  );
}
