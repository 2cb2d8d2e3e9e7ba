import type { ColumnType, Generated } from 'kysely';

/** Kysely's view of the 毕业审核 tables (migrations/002_audit.sql); DB in tables.ts extends it. */
type Default<T> = ColumnType<T, T | undefined, T>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type DateStr = string;
type Json<T> = ColumnType<T, string | undefined, string>;

export type SubmissionKind = '学籍' | '教学计划' | '期末考试' | '综合实践环节' | '毕业审核数据' | '加急审核数据';
export type ExemptionStatus = '待分部审核' | '待总部审核' | '已批准' | '已驳回';
export type ExceptionRule = 'course' | 'category' | 'total' | 'practice' | 'study_time' | 'validity';
export type RoundStatus = '未开始' | '审核中' | '已审核' | '已取消';
export type ImportKind = 'students' | 'programmes' | 'grades_exam' | 'grades_practice';
export type ImportState = 'checking' | 'checked' | 'invalid' | 'applying' | 'applied' | 'failed';

export interface CellError { column: string; value: string; message: string }

export interface AuditTables {
  programme_category: { programme_id: number; category: string; min_credits: number };
  submission: {
    id: Generated<number>;
    batch_code: string | null;
    node_id: number;
    node_path: string;
    kind: SubmissionKind;
    rows: Default<number>;
    file_name: string | null;
    submitted_at: Timestamp;
    submitted_by: number | null;
  };
  exemption: {
    id: Generated<number>;
    student_id: number;
    course_code: string;
    node_path: string;
    applied_on: DateStr;
    grounds: string;
    status: Default<ExemptionStatus>;
    branch_opinion: string | null;
    branch_by: number | null;
    branch_at: Date | null;
    hq_opinion: string | null;
    hq_by: number | null;
    hq_at: Date | null;
    created_by: number | null;
    created_at: Timestamp;
    version: Default<number>;
  };
  audit_exception: {
    id: Generated<number>;
    student_id: number;
    kind: '替代' | '免除';
    rule: ExceptionRule;
    target: string | null;
    substitute_course: string | null;
    reason: string;
    node_path: string;
    created_by: number | null;
    created_at: Timestamp;
    revoked_at: Date | null;
    revoked_by: number | null;
  };
  audit_round: {
    id: Generated<number>;
    batch_code: string;
    name: string;
    kind: Default<'常规' | '加急'>;
    starts_on: DateStr;
    ends_on: DateStr;
    grades_from: DateStr | null;
    grades_to: DateStr | null;
    status: Default<RoundStatus>;
    cancel_reason: string | null;
    audited_at: Date | null;
    audited_count: Default<number>;
    task_id: string | null;
    published_at: Date | null;
    published_by: number | null;
    created_at: Timestamp;
  };
  audit_result: {
    round_id: number;
    graduate_id: number;
    seq: number;
    passed: boolean;
    failures: string[];
    failed_rules: string[];
    credits_earned: number;
    node_path: string;
    audited_at: Timestamp;
  };
  import_file: {
    id: Generated<string>;
    kind: ImportKind;
    file_name: string;
    content: Buffer | null;
    owner_id: number;
    node_id: number;
    node_path: string;
    batch_code: string | null;
    state: Default<ImportState>;
    file_error: string | null;
    total_rows: Default<number>;
    error_rows: Default<number>;
    applied_rows: number | null;
    submission_id: number | null;
    check_task: string | null;
    apply_task: string | null;
    created_at: Timestamp;
    applied_at: Date | null;
  };
  import_row: {
    import_id: string;
    row_no: number;
    data: Json<Record<string, unknown>>;
    errors: Json<CellError[]>;
  };
}
