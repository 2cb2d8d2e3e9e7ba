import { useCallback, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Navigate, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { App as AntApp, ConfigProvider, Result, Spin } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { api, apiHooks, type Me } from './api.ts';
import { SessionContext, type Session } from './session.tsx';
import { Guard, Roles, Shell } from './shell.tsx';
import LoginPage from './pages/login.tsx';
import HomePage from './pages/home.tsx';
import PasswordPage from './pages/password.tsx';
import ConfirmPage from './pages/graduation/confirm.tsx';
import AuditPage from './pages/graduation/audit.tsx';
import AuditResultsPage from './pages/graduation/audit-results.tsx';
import ExemptionsPage from './pages/graduation/exemptions.tsx';
import ImportsPage from './pages/graduation/imports.tsx';
import ReadinessPage from './pages/graduation/readiness.tsx';
import OrgPage from './pages/system/org.tsx';
import UsersPage from './pages/system/users.tsx';
import AuditLogPage from './pages/system/auditlog.tsx';
import BatchesPage from './pages/system/batches.tsx';
import PhotosPage from './pages/enroll/photos.tsx';
import StudentPhotosPage, { MyPhotosPage } from './pages/enroll/student-photos.tsx';
import RecordsStudentsPage from './pages/records/students.tsx';
import VerificationPage from './pages/records/verification.tsx';
import EnrollFormPage from './pages/records/enroll-form.tsx';
import MessagesPage from './pages/messages.tsx';
import StudentCardPage from './pages/records/student-card.tsx';
import ArchivePrintPage from './pages/graduation/archive-print.tsx';
import SortOrdersPage from './pages/system/sort-orders.tsx';
import GraduateFormsPage from './pages/graduation/graduate-forms.tsx';
import MyGraduateFormPage from './pages/graduation/my-graduate-form.tsx';
import MaterialsPage from './pages/graduation/materials.tsx';

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
    api.me().then(setMe, () => setMe(null));
  }, []);

  const refresh = useCallback(async () => {
    setMe(await api.me());
  }, []);

  const logout = useCallback(async () => {
    try {
      await api.logout();
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
          <Route index element={<HomePage />} />
          <Route path="password" element={<PasswordPage />} />
          <Route path="messages" element={<MessagesPage />} />
          <Route path="graduation/confirm" element={<Guard roles={Roles.OFFICES}><ConfirmPage /></Guard>} />
          <Route path="graduation/audit" element={<Guard roles={Roles.OFFICES}><AuditPage /></Guard>} />
          <Route path="graduation/audit/rounds/:roundId" element={<Guard roles={Roles.OFFICES}><AuditResultsPage /></Guard>} />
          <Route path="graduation/exemptions" element={<Guard roles={Roles.OFFICES}><ExemptionsPage /></Guard>} />
          <Route path="graduation/graduate-forms" element={<Guard roles={Roles.STAFF}><GraduateFormsPage /></Guard>} />
          <Route path="graduation/materials" element={<Guard roles={Roles.OFFICES}><MaterialsPage /></Guard>} />
          <Route path="graduation/my-graduate-form" element={<Guard roles={['student']}><MyGraduateFormPage /></Guard>} />
          <Route path="graduation/archive-print" element={<Guard roles={Roles.OFFICES}><ArchivePrintPage /></Guard>} />
          <Route path="graduation/imports" element={<Guard roles={Roles.ADMINS}><ImportsPage /></Guard>} />
          <Route path="graduation/readiness/:studentId" element={<Guard roles={Roles.STAFF}><ReadinessPage /></Guard>} />
          <Route path="graduation/my-readiness" element={<Guard roles={['student']}><ReadinessPage /></Guard>} />
          <Route path="enroll/photos" element={<Guard roles={Roles.OFFICES}><PhotosPage /></Guard>} />
          <Route path="enroll/students/:id/photos" element={<Guard roles={Roles.STAFF}><StudentPhotosPage /></Guard>} />
          <Route path="enroll/my-photos" element={<Guard roles={['student']}><MyPhotosPage /></Guard>} />
          <Route path="records/students" element={<Guard roles={Roles.STAFF}><RecordsStudentsPage /></Guard>} />
          <Route path="records/students/:id" element={<Guard roles={Roles.STAFF}><StudentCardPage /></Guard>} />
          <Route path="records/verification" element={<Guard roles={Roles.OFFICES}><VerificationPage /></Guard>} />
          <Route path="records/enroll-form" element={<Guard roles={['student']}><EnrollFormPage /></Guard>} />
          <Route path="system/org" element={<Guard roles={Roles.ADMINS}><OrgPage /></Guard>} />
          <Route path="system/users" element={<Guard roles={Roles.ADMINS}><UsersPage /></Guard>} />
          <Route path="system/auditlog" element={<Guard roles={Roles.ADMINS}><AuditLogPage /></Guard>} />
          <Route path="system/batches" element={<Guard roles={Roles.STAFF}><BatchesPage /></Guard>} />
          <Route path="system/sort-orders" element={<Guard roles={Roles.OFFICES}><SortOrdersPage /></Guard>} />
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
