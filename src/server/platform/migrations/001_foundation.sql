-- The foundation: organisation tree, accounts, sessions, audit log, programmes, students, grades,
-- graduation batches with their step windows, and graduates with their 预毕业确认 state.

create table org_node (
  id          serial primary key,
  parent_id   int references org_node(id),
  kind        text not null check (kind in ('hq', 'branch', 'tp', 'class')),
  code        text not null unique,
  name        text not null,
  -- Materialised path '/1/7/42/': a subtree is every path with this prefix.
  path        text not null unique,
  head_teacher_id int,
  disabled    boolean not null default false,
  created_at  timestamptz not null default now()
);
create index org_node_path_idx on org_node (path text_pattern_ops);
create index org_node_parent_idx on org_node (parent_id);

create table app_user (
  id            serial primary key,
  username      text not null unique,
  password_hash text not null,
  display_name  text not null,
  role          text not null check (role in ('hq_admin', 'branch_admin', 'tp_admin', 'head_teacher', 'student')),
  node_id       int not null references org_node(id),
  student_id    int,
  disabled      boolean not null default false,
  failed_logins int not null default 0,
  locked_until  timestamptz,
  must_change_password boolean not null default false,
  created_at    timestamptz not null default now()
);
create index app_user_node_idx on app_user (node_id);
alter table org_node add constraint org_node_head_teacher_fk foreign key (head_teacher_id) references app_user(id);

create table session (
  id_hash      text primary key,
  user_id      int not null references app_user(id) on delete cascade,
  created_at   timestamptz not null default now(),
  last_seen_at timestamptz not null default now()
);
create index session_user_idx on session (user_id);

create table audit_log (
  id          bigserial primary key,
  at          timestamptz not null default now(),
  actor_id    int references app_user(id),
  actor_name  text not null,
  -- The org path of the object acted on: the log is scoped like everything else.
  node_path   text not null,
  action      text not null,
  object_type text not null,
  object_id   text not null,
  before      jsonb,
  after       jsonb
);
create index audit_log_path_at_idx on audit_log (node_path text_pattern_ops, at desc);
create index audit_log_at_idx on audit_log (at desc);

create table course (
  code     text primary key,
  name     text not null,
  credits  numeric(4,1) not null,
  category text not null
);

create table programme (
  id            serial primary key,
  major         text not null,
  level         text not null check (level in ('专科', '本科')),
  cohort        text not null,           -- 入学批次 the rules apply to, e.g. '2021'
  min_credits   numeric(5,1) not null,
  min_years     numeric(3,1) not null default 2.5,
  practice_course text references course(code),
  unique (major, level, cohort)
);

create table programme_course (
  programme_id int not null references programme(id),
  course_code  text not null references course(code),
  required     boolean not null default true,
  primary key (programme_id, course_code)
);

create table student (
  id              serial primary key,
  student_no      text not null unique,
  name            text not null,
  gender          text not null check (gender in ('男', '女')),
  id_number       text not null unique,
  ethnicity       text not null default '汉族',
  political_status text not null default '群众',
  cohort          text not null,          -- 学籍批次, e.g. '202109'
  level           text not null check (level in ('专科', '本科')),
  major           text not null,
  programme_id    int not null references programme(id),
  tp_id           int not null references org_node(id),
  class_id        int references org_node(id),
  -- Path of the node the student belongs to (class, or teaching point): scoping without a join.
  node_path       text not null,
  status          text not null default '在籍' check (status in ('在籍', '毕业', '退学', '休学')),
  entry_date      date not null,
  valid_until     date not null,          -- 学籍有效期: 8 years from entry
  extension_until date,                   -- one approved extension, at most a year
  phone           text,
  enroll_form     jsonb not null default '{}'::jsonb,
  enroll_form_status text not null default '未更新' check (enroll_form_status in ('已更新', '未更新')),
  enroll_form_updated_at timestamptz,
  created_at      timestamptz not null default now()
);
create index student_tp_idx on student (tp_id);
create index student_node_path_idx on student (node_path text_pattern_ops);
create index student_cohort_idx on student (cohort);
alter table app_user add constraint app_user_student_fk foreign key (student_id) references student(id);

create table grade (
  id          bigserial primary key,
  student_id  int not null references student(id),
  course_code text not null references course(code),
  score       numeric(5,1),
  passed      boolean not null,
  term        text not null,
  source      text not null check (source in ('期末考试', '综合实践环节', '免修免考'))
);
create index grade_student_idx on grade (student_id);

create table batch (
  code            text primary key check (code ~ '^[0-9]{4}(0[1-9]|1[0-2])$'),
  name            text not null,
  issue_date      date not null,          -- 发证日期
  closing_date    date,
  exemption_deadline date,
  is_current      boolean not null default false,
  created_at      timestamptz not null default now()
);
create unique index batch_one_current on batch (is_current) where is_current;

-- One date window per teaching-point step of seed 000 (一 … 九).
create table batch_window (
  batch_code text not null references batch(code),
  step       text not null,
  starts_on  date not null,
  ends_on    date not null,
  check (ends_on >= starts_on),
  primary key (batch_code, step)
);

-- Headquarters extends a window for one node (and so its subtree).
create table window_extension (
  id         serial primary key,
  batch_code text not null references batch(code),
  step       text not null,
  node_id    int not null references org_node(id),
  ends_on    date not null,
  reason     text not null,
  created_by int references app_user(id),
  created_at timestamptz not null default now(),
  unique (batch_code, step, node_id)
);

create table graduate (
  id              serial primary key,
  batch_code      text not null references batch(code),
  student_id      int not null references student(id),
  -- 学号 again: a teaching point's list pages in 学号 order straight from the index below.
  student_no      text not null,
  tp_id           int not null references org_node(id),
  node_path       text not null,
  confirm_status  text not null default '待确认' check (confirm_status in ('待确认', '同意毕业', '不同意')),
  confirm_reason  text,
  confirmed_at    timestamptz,
  confirmed_by    int references app_user(id),
  eligible        boolean not null default false,
  credits_earned  numeric(5,1) not null default 0,
  credits_required numeric(5,1) not null default 0,
  missing_courses text[] not null default '{}',
  practice_passed boolean not null default false,
  reasons         text[] not null default '{}',
  checked_at      timestamptz,
  version         int not null default 1,
  unique (batch_code, student_id)
);
create index graduate_batch_tp_no_idx on graduate (batch_code, tp_id, student_no);
-- “Not already agreed in another batch” looks a student up across batches.
create index graduate_student_idx on graduate (student_id);
-- A batch's graduates within a subtree: the scoping predicate of every graduate list.
create index graduate_batch_path_idx on graduate (batch_code, node_path text_pattern_ops);

-- A task is what the user sees of a background job (pg-boss runs it): its state, progress and result.
create table task (
  id          uuid primary key default gen_random_uuid(),
  kind        text not null,
  title       text not null,
  owner_id    int references app_user(id),
  node_path   text not null,
  state       text not null default 'queued' check (state in ('queued', 'running', 'done', 'failed', 'cancelled')),
  progress    int not null default 0,
  total       int not null default 0,
  payload     jsonb not null default '{}'::jsonb,
  result      jsonb,
  error       text,
  created_at  timestamptz not null default now(),
  started_at  timestamptz,
  finished_at timestamptz
);
create index task_owner_idx on task (owner_id, created_at desc);
create index task_path_idx on task (node_path text_pattern_ops);
