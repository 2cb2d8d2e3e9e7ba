import type { ColumnType, Generated } from 'kysely';

/** Kysely's view of the tables in migrations/. Keep in step with the SQL. */
type Default<T> = ColumnType<T, T | undefined, T>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type DateStr = string; // 'YYYY-MM-DD'

import type { NodeKind, Role } from '../../shared/org.ts';
export type { NodeKind, Role } from '../../shared/org.ts';
export type { ConfirmStatus } from '../../shared/contract/confirmation.ts';
import type { ConfirmStatus } from '../../shared/contract/confirmation.ts';

export interface OrgNodeTable {
  id: Generated<number>;
  parent_id: number | null;
  kind: NodeKind;
  code: string;
  name: string;
  path: string;
  head_teacher_id: number | null;
  disabled: Default<boolean>;
  created_at: Timestamp;
}

export interface AppUserTable {
  id: Generated<number>;
  username: string;
  password_hash: string;
  display_name: string;
  role: Role;
  node_id: number;
  student_id: number | null;
  disabled: Default<boolean>;
  failed_logins: Default<number>;
  locked_until: Date | null;
  must_change_password: Default<boolean>;
  created_at: Timestamp;
}

export interface SessionTable {
  id_hash: string;
  user_id: number;
  created_at: Timestamp;
  last_seen_at: Timestamp;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Timestamp;
  actor_id: number | null;
  actor_name: string;
  node_path: string;
  action: string;
  object_type: string;
  object_id: string;
  before: ColumnType<any, string | null | undefined, string | null>;
  after: ColumnType<any, string | null | undefined, string | null>;
}

export interface CourseTable {
  code: string;
  name: string;
  credits: number;
  category: string;
}

export interface ProgrammeTable {
  id: Generated<number>;
  major: string;
  level: '专科' | '本科';
  cohort: string;
  min_credits: number;
  min_years: Default<number>;
  practice_course: string | null;
}

export interface ProgrammeCourseTable {
  programme_id: number;
  course_code: string;
  required: Default<boolean>;
}

export interface StudentTable {
  id: Generated<number>;
  student_no: string;
  name: string;
  gender: '男' | '女';
  id_number: string;
  ethnicity: Default<string>;
  political_status: Default<string>;
  cohort: string;
  level: '专科' | '本科';
  major: string;
  programme_id: number;
  tp_id: number;
  class_id: number | null;
  node_path: string;
  status: Default<'在籍' | '毕业' | '退学' | '休学'>;
  entry_date: DateStr;
  valid_until: DateStr;
  extension_until: DateStr | null;
  phone: string | null;
  enroll_form: ColumnType<any, string | undefined, string>;
  enroll_form_status: Default<'已更新' | '未更新'>;
  enroll_form_updated_at: Date | null;
  created_at: Timestamp;
}

export interface GradeTable {
  id: Generated<number>;
  student_id: number;
  course_code: string;
  score: number | null;
  passed: boolean;
  term: string;
  source: '期末考试' | '综合实践环节' | '免修免考';
  submission_id: number | null;
}

export interface BatchTable {
  code: string;
  name: string;
  issue_date: DateStr;
  closing_date: DateStr | null;
  exemption_deadline: DateStr | null;
  urgent_deadline: DateStr | null;
  is_current: Default<boolean>;
  created_at: Timestamp;
}

export interface BatchWindowTable {
  batch_code: string;
  step: string;
  starts_on: DateStr;
  ends_on: DateStr;
}

export interface WindowExtensionTable {
  id: Generated<number>;
  batch_code: string;
  step: string;
  node_id: number;
  ends_on: DateStr;
  reason: string;
  created_by: number | null;
  created_at: Timestamp;
}

export interface GraduateTable {
  id: Generated<number>;
  batch_code: string;
  student_id: number;
  student_no: string;
  tp_id: number;
  node_path: string;
  confirm_status: Default<ConfirmStatus>;
  confirm_reason: string | null;
  confirmed_at: Date | null;
  confirmed_by: number | null;
  eligible: Default<boolean>;
  credits_earned: Default<number>;
  credits_required: Default<number>;
  missing_courses: Default<string[]>;
  practice_passed: Default<boolean>;
  reasons: Default<string[]>;
  checked_at: Date | null;
  version: Default<number>;
  urgent: Default<boolean>;
  submission_id: number | null;
  audit_status: Default<'未审核' | '通过' | '不通过'>;
  audit_round_id: number | null;
  audited_at: Date | null;
}

export interface TaskTable {
  id: Generated<string>;
  kind: string;
  title: string;
  owner_id: number | null;
  node_path: string;
  state: Default<'queued' | 'running' | 'done' | 'failed' | 'cancelled'>;
  progress: Default<number>;
  total: Default<number>;
  payload: ColumnType<any, string | undefined, string>;
  result: ColumnType<any, string | null | undefined, string | null>;
  error: string | null;
  created_at: Timestamp;
  started_at: Date | null;
  finished_at: Date | null;
}

import type { PhotoTables } from './tables-photos.ts';
import type { AuditTables } from './tables-audit.ts';
import type { ExportTables } from './tables-exports.ts';
import type { FormTables } from './tables-forms.ts';
import type { MaterialTables } from './tables-materials.ts';

export interface DB extends PhotoTables, AuditTables, ExportTables, FormTables, MaterialTables {
  task: TaskTable;
  org_node: OrgNodeTable;
  app_user: AppUserTable;
  session: SessionTable;
  audit_log: AuditLogTable;
  course: CourseTable;
  programme: ProgrammeTable;
  programme_course: ProgrammeCourseTable;
  student: StudentTable;
  grade: GradeTable;
  batch: BatchTable;
  batch_window: BatchWindowTable;
  window_extension: WindowExtensionTable;
  graduate: GraduateTable;
}
