/**
 * The page registry: every page of the web with its path, who may open it and its place in the seed's menu
 * tree (毕业 / 学籍 / 招生 / 系统管理), written once. The router (main.tsx) and the menu (shell.tsx) are built
 * from it. A new page is one entry here.
 */
import type { ReactNode } from 'react';
import { ADMINS, OFFICES, STAFF, STUDENTS, type Role } from '../shared/org.ts';
import HomePage from './pages/home.tsx';
import PasswordPage from './pages/password.tsx';
import MessagesPage from './pages/messages.tsx';
import ConfirmPage from './pages/graduation/confirm.tsx';
import AuditPage from './pages/graduation/audit.tsx';
import AuditResultsPage from './pages/graduation/audit-results.tsx';
import ExemptionsPage from './pages/graduation/exemptions.tsx';
import RegistrationPage from './pages/graduation/registration.tsx';
import ImportsPage from './pages/graduation/imports.tsx';
import ReadinessPage from './pages/graduation/readiness.tsx';
import GraduateFormsPage from './pages/graduation/graduate-forms.tsx';
import MyGraduateFormPage from './pages/graduation/my-graduate-form.tsx';
import MaterialsPage from './pages/graduation/materials.tsx';
import ArchivePrintPage from './pages/graduation/archive-print.tsx';
import PhotosPage from './pages/enroll/photos.tsx';
import StudentPhotosPage, { MyPhotosPage } from './pages/enroll/student-photos.tsx';
import RecordsStudentsPage from './pages/records/students.tsx';
import StudentCardPage from './pages/records/student-card.tsx';
import VerificationPage from './pages/records/verification.tsx';
import EnrollFormPage from './pages/records/enroll-form.tsx';
import CleanupPage from './pages/records/cleanup.tsx';
import OrgPage from './pages/system/org.tsx';
import UsersPage from './pages/system/users.tsx';
import OperationLogPage from './pages/system/oplog.tsx';
import BatchesPage from './pages/system/batches.tsx';
import SortOrdersPage from './pages/system/sort-orders.tsx';
import CalendarPage from './pages/system/calendar.tsx';

/** The menu's groups, in the seed's order. */
export const MENU_GROUPS = [
  { key: 'graduation', label: '毕业' },
  { key: 'records', label: '学籍' },
  { key: 'enroll', label: '招生' },
  { key: 'system', label: '系统管理' },
] as const;
export type MenuGroupKey = (typeof MENU_GROUPS)[number]['key'];

export interface PageDef {
  /** The address, e.g. '/graduation/confirm' or '/records/students/:id'. */
  path: string;
  element: ReactNode;
  /** Who may open it; absent: every signed-in account. */
  roles?: readonly Role[];
  /** Its menu item; absent: reached from another page (a student's 学籍卡, a round's results). */
  menu?: { group?: MenuGroupKey; label: string; section?: string };
  /** The breadcrumb of a page outside the menu. */
  title?: string;
}

export const PAGES: PageDef[] = [
  { path: '/', element: <HomePage />, menu: { label: '首页' } },
  { path: '/password', element: <PasswordPage />, title: '修改密码' },
  { path: '/messages', element: <MessagesPage />, title: '消息' },

  // 毕业
  { path: '/graduation/confirm', element: <ConfirmPage />, roles: OFFICES, menu: { group: 'graduation', label: '预毕业确认' } },
  { path: '/graduation/audit', element: <AuditPage />, roles: OFFICES, menu: { group: 'graduation', label: '毕业审核' } },
  { path: '/graduation/audit/rounds/:roundId', element: <AuditResultsPage />, roles: OFFICES },
  { path: '/graduation/imports', element: <ImportsPage />, roles: ADMINS, menu: { group: 'graduation', label: '审核数据导入' } },
  { path: '/graduation/exemptions', element: <ExemptionsPage />, roles: OFFICES, menu: { group: 'graduation', label: '免修免考' } },
  // 学历电子注册 (seed 003 二.4): headquarters acts, branches and teaching points see their own graduates.
  { path: '/graduation/registration', element: <RegistrationPage />, roles: OFFICES, menu: { group: 'graduation', label: '学历注册' } },
  { path: '/graduation/graduate-forms', element: <GraduateFormsPage />, roles: STAFF, menu: { group: 'graduation', label: '毕业生登记表管理', section: '毕业管理' } },
  { path: '/graduation/materials', element: <MaterialsPage />, roles: OFFICES, menu: { group: 'graduation', label: '毕业材料提交', section: '毕业管理' } },
  { path: '/graduation/archive-print', element: <ArchivePrintPage />, roles: OFFICES, menu: { group: 'graduation', label: '学生学籍档案打印', section: '毕业生档案管理' } },
  { path: '/graduation/readiness/:studentId', element: <ReadinessPage />, roles: STAFF },
  { path: '/graduation/my-readiness', element: <ReadinessPage />, roles: STUDENTS, menu: { group: 'graduation', label: '我的毕业审核' } },
  { path: '/graduation/my-graduate-form', element: <MyGraduateFormPage />, roles: STUDENTS, menu: { group: 'graduation', label: '毕业生登记表' } },

  // 学籍
  { path: '/records/students', element: <RecordsStudentsPage />, roles: STAFF, menu: { group: 'records', label: '学籍卡查询', section: '查询统计' } },
  { path: '/records/students/:id', element: <StudentCardPage />, roles: STAFF },
  { path: '/records/verification', element: <VerificationPage />, roles: OFFICES, menu: { group: 'records', label: '强制核对进度查询', section: '查询统计' } },
  { path: '/records/enroll-form', element: <EnrollFormPage />, roles: STUDENTS, menu: { group: 'records', label: '入学登记表' } },
  // Headquarters and branches act; a teaching point reads its own students (seed 003 四.8).
  { path: '/records/cleanup', element: <CleanupPage />, roles: OFFICES, menu: { group: 'records', label: '学籍清理' } },

  // 招生
  { path: '/enroll/photos', element: <PhotosPage />, roles: OFFICES, menu: { group: 'enroll', label: '电子照片管理' } },
  { path: '/enroll/students/:id/photos', element: <StudentPhotosPage />, roles: STAFF },
  { path: '/enroll/my-photos', element: <MyPhotosPage />, roles: STUDENTS, menu: { group: 'enroll', label: '我的照片' } },

  // 系统管理
  { path: '/system/org', element: <OrgPage />, roles: ADMINS, menu: { group: 'system', label: '组织机构' } },
  { path: '/system/users', element: <UsersPage />, roles: ADMINS, menu: { group: 'system', label: '用户管理' } },
  { path: '/system/oplog', element: <OperationLogPage />, roles: ADMINS, menu: { group: 'system', label: '操作日志' } },
  { path: '/system/batches', element: <BatchesPage />, roles: STAFF, menu: { group: 'system', label: '毕业批次' } },
  { path: '/system/sort-orders', element: <SortOrdersPage />, roles: OFFICES, menu: { group: 'system', label: '文档排序标准' } },
  { path: '/system/calendar', element: <CalendarPage />, roles: STAFF, menu: { group: 'system', label: '工作日历' } },
];
