import { useCallback, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { App as AntApp, ConfigProvider, Result, Spin } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { apiHooks, call } from './client.ts';
import { accountsApi, type Me } from '../shared/contract/accounts.ts';
import { SessionContext, type Session } from './session.tsx';
import { Guard, Shell } from './shell.tsx';
import { PAGES } from './pages.tsx';
import LoginPage from './pages/login.tsx';

dayjs.locale('zh-cn');

function Root() {
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const location = useLocation();
  // undefined: still asking the server; null: not signed in.
  const [me, setMe] = useState<Me | null | undefined>(undefined);

  useEffect(() => {
    apiHooks.showError = (text) => {
      void message.error(text);
    };
    apiHooks.onUnauthenticated = () => {
      setMe(null);
    };
  }, [message]);

  useEffect(() => {
    // Silent: at start-up, no session is not an error.
    call(accountsApi.me, {}, { silent: true }).then(setMe, () => setMe(null));
  }, []);

  const refresh = useCallback(async () => {
    setMe(await call(accountsApi.me, {}, { silent: true }));
  }, []);

  const logout = useCallback(async () => {
    try {
      await call(accountsApi.logout);
    } finally {
      message.destroy();
      setMe(null);
      void navigate('/login');
    }
  }, [navigate, message]);

  const session: Session | null = useMemo(() => (me ? { me, refresh, logout } : null), [me, refresh, logout]);

  if (me === undefined) {
    return (
      <div style={{ height: '100vh', display: 'flex', alignItems: 'center', justifyContent: 'center' }}>
        <Spin size="large" />
      </div>
    );
  }

  if (!session) {
    return (
      <Routes>
        <Route path="/login" element={<LoginPage onLogin={setMe} />} />
        <Route path="*" element={<Navigate to="/login" replace state={{ from: location.pathname }} />} />
      </Routes>
    );
  }

  if (session.me.must_change_password && location.pathname !== '/password') {
    return <Navigate to="/password" replace />;
  }

  return (
    <SessionContext.Provider value={session}>
      <Routes>
        <Route path="/login" element={<Navigate to="/" replace />} />
        <Route element={<Shell />}>
          {PAGES.map((p) => (
            <Route
              key={p.path}
              path={p.path === '/' ? undefined : p.path.slice(1)}
              index={p.path === '/'}
              element={p.roles ? <Guard roles={p.roles}>{p.element}</Guard> : p.element}
            />
          ))}
          <Route path="*" element={<Result status="404" title="页面不存在" subTitle="请从左侧菜单选择功能。" />} />
        </Route>
      </Routes>
    </SessionContext.Provider>
  );
}

createRoot(document.getElementById('root')!).render(
  <ConfigProvider locale={zhCN} button={{ autoInsertSpace: false }}>
    <AntApp>
      <BrowserRouter>
        <Root />
      </BrowserRouter>
    </AntApp>
  </ConfigProvider>,
);
