-- 毕业审核 (seed 003): programme rules by course category, data submissions from branches, 免修免考,
-- per-student exceptions, audit rounds and their results, and Excel imports.

-- 教学计划: minimum credits per course category, beside programme.min_credits (the total).
create table programme_category (
  programme_id int not null references programme(id),
  category     text not null,
  min_credits  numeric(5,1) not null check (min_credits >= 0),
  primary key (programme_id, category)
);

-- A report of data to headquarters. Seed 003 四.3: within a round, headquarters processes in the order
-- branches reported, so the time of each report is kept.
create table submission (
  id           serial primary key,
  batch_code   text references batch(code),
  node_id      int not null references org_node(id),
  node_path    text not null,
  kind         text not null check (kind in ('学籍', '教学计划', '期末考试', '综合实践环节', '毕业审核数据', '加急审核数据')),
  rows         int not null default 0,
  file_name    text,
  submitted_at timestamptz not null default now(),
  submitted_by int references app_user(id)
);
create index submission_batch_idx on submission (batch_code, submitted_at);

alter table grade add column submission_id int references submission(id);
-- One grade per student, course, term and source: re-importing a file updates instead of doubling.
create unique index grade_natural_key on grade (student_id, course_code, term, source);
-- The rule engine reads each candidate's passed courses from this index alone (index-only scan).
create index grade_passed_idx on grade (student_id, course_code) where passed;

-- 免修免考申请: counts for a batch only if applied for by the batch's exemption deadline (seed 003 三.3).
create table exemption (
  id             serial primary key,
  student_id     int not null references student(id),
  course_code    text not null references course(code),
  node_path      text not null,
  applied_on     date not null,
  grounds        text not null,
  status         text not null default '待分部审核' check (status in ('待分部审核', '待总部审核', '已批准', '已驳回')),
  branch_opinion text,
  branch_by      int references app_user(id),
  branch_at      timestamptz,
  hq_opinion     text,
  hq_by          int references app_user(id),
  hq_at          timestamptz,
  created_by     int references app_user(id),
  created_at     timestamptz not null default now(),
  version        int not null default 1
);
create unique index exemption_one_live on exemption (student_id, course_code) where status <> '已驳回';
create index exemption_path_idx on exemption (node_path text_pattern_ops);

-- Headquarters' exceptions for one student: 替代 (a passed course stands in for a required one) or
-- 免除 (a requirement is waived). Revoked, never deleted: the audit log and the rows both keep them.
create table audit_exception (
  id                serial primary key,
  student_id        int not null references student(id),
  kind              text not null check (kind in ('替代', '免除')),
  -- course | category | total | practice | study_time | validity
  rule              text not null check (rule in ('course', 'category', 'total', 'practice', 'study_time', 'validity')),
  target            text,             -- the course code (course) or category name (category)
  substitute_course text references course(code),
  reason            text not null,
  node_path         text not null,
  created_by        int references app_user(id),
  created_at        timestamptz not null default now(),
  revoked_at        timestamptz,
  revoked_by        int references app_user(id),
  check (kind <> '替代' or (rule = 'course' and target is not null and substitute_course is not null)),
  check (rule not in ('course', 'category') or target is not null)
);
create index audit_exception_student_idx on audit_exception (student_id) where revoked_at is null;

-- 加急 (seed 003 二.3): the deadline for the separate report of 专科 graduates continuing to 本科.
alter table batch add column urgent_deadline date;

-- Audit rounds of a batch (第一批, 第二批; a round can be cancelled, seed 003 四.4).
create table audit_round (
  id            serial primary key,
  batch_code    text not null references batch(code),
  name          text not null,
  kind          text not null default '常规' check (kind in ('常规', '加急')),
  starts_on     date not null,
  ends_on       date not null check (ends_on >= starts_on),
  -- 综合实践环节 grades are received from branches in this window (seed 003 二.1: 11-29 to 12-02).
  grades_from   date,
  grades_to     date,
  status        text not null default '未开始' check (status in ('未开始', '审核中', '已审核', '已取消')),
  cancel_reason text,
  audited_at    timestamptz,
  audited_count int not null default 0,
  task_id       uuid,                  -- the latest run, for its progress after a page reload
  published_at  timestamptz,
  published_by  int references app_user(id),
  created_at    timestamptz not null default now(),
  check ((grades_from is null) = (grades_to is null) and (grades_to is null or grades_to >= grades_from)),
  unique (batch_code, name)
);

alter table graduate
  add column urgent        boolean not null default false,   -- 专科 graduate continuing to 本科 (加急)
  add column submission_id int references submission(id),   -- the first report carrying this graduate's data
  add column audit_status  text not null default '未审核' check (audit_status in ('未审核', '通过', '不通过')),
  add column audit_round_id int references audit_round(id),
  add column audited_at    timestamptz;
-- Rounds, 同意毕业 and 加急 rewrite graduates' unindexed columns: room on each page lets PostgreSQL
-- update in place (HOT) without touching the six indexes.
alter table graduate set (fillfactor = 80);
-- A round walks the batch's reported graduates in report order, in chunks, from this index.
create index graduate_batch_report_idx on graduate (batch_code, submission_id, student_no) where submission_id is not null;

-- Results are kept per round; a graduate who failed can pass in a later round of the same batch.
create table audit_result (
  round_id       int not null references audit_round(id),
  graduate_id    int not null references graduate(id),
  -- Order of processing within the round: first reported, first audited.
  seq            int not null,
  passed         boolean not null,
  failures       text[] not null default '{}',
  failed_rules   text[] not null default '{}',
  credits_earned numeric(5,1) not null default 0,
  node_path      text not null,
  audited_at     timestamptz not null default now(),
  primary key (round_id, graduate_id)
);
create index audit_result_round_path_idx on audit_result (round_id, node_path text_pattern_ops);

-- An Excel import: the file is checked into import_row (one row per sheet row with its errors), reported,
-- then applied whole in one transaction, or not at all.
create table import_file (
  id          uuid primary key default gen_random_uuid(),
  kind        text not null check (kind in ('students', 'programmes', 'grades_exam', 'grades_practice')),
  file_name   text not null,
  -- The uploaded bytes, until the check has read them: a worker on another machine can reach them here.
  content     bytea,
  owner_id    int not null references app_user(id),
  node_id     int not null references org_node(id),
  node_path   text not null,
  batch_code  text references batch(code),
  state       text not null default 'checking' check (state in ('checking', 'checked', 'invalid', 'applying', 'applied', 'failed')),
  -- A problem with the file as a whole (not Excel, wrong columns, too large): no rows then.
  file_error  text,
  total_rows  int not null default 0,
  error_rows  int not null default 0,
  applied_rows int,
  submission_id int references submission(id),
  check_task  uuid,
  apply_task  uuid,
  created_at  timestamptz not null default now(),
  applied_at  timestamptz
);
create index import_file_owner_idx on import_file (owner_id, created_at desc);
create index import_file_path_idx on import_file (node_path text_pattern_ops);

create table import_row (
  import_id uuid not null references import_file(id) on delete cascade,
  row_no    int not null,
  data      jsonb not null,
  -- [{ column, value, message }]: empty when the row is valid.
  errors    jsonb not null default '[]'::jsonb,
  primary key (import_id, row_no)
);
