-- 学籍清理 (issue 12; seed 003 四.8): headquarters' campaign, the branches' 学籍延期名单 with the written
-- applications, headquarters' decisions, and the 退学 the clean-up leaves on the students.

create table cleanup_campaign (
  id            serial primary key,
  name          text not null,
  cohorts       text[] not null check (cardinality(cohorts) > 0),   -- 学籍批次 concerned, e.g. {201203}
  list_deadline date not null,                                       -- 学籍延期名单截止 (branches)
  cleanup_on    date not null check (cleanup_on > list_deadline),    -- 清理日期: the clean-up starts on or after it
  doc_no        text not null,                                       -- 文号 of the 退学
  created_by    int references app_user(id),
  created_at    timestamptz not null default now(),
  -- The run: asked once (run_on = 退学日期, fixed when asked so a retried job writes the same day) …
  run_on        date,
  ran_by        int references app_user(id),
  task_id       uuid,
  -- … and done (the job's transaction sets these with the 退学).
  ran_at        timestamptz,
  cleared       int,
  check ((ran_at is null) = (cleared is null))
);

-- A written application uploaded by a branch, before it is attached to a request (PDF or JPEG, checked by its
-- bytes). The file itself is a blob of platform/files.ts; node_path is the uploader's, so only his subtree attaches it.
create table cleanup_application (
  id            serial primary key,
  campaign_id   int not null references cleanup_campaign(id),
  sha256        text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  file_name     text not null,
  content_type  text not null check (content_type in ('application/pdf', 'image/jpeg')),
  size          int not null,
  node_path     text not null,
  uploaded_by   int references app_user(id),
  uploaded_at   timestamptz not null default now()
);

create table cleanup_extension (
  id              serial primary key,
  campaign_id     int not null references cleanup_campaign(id),
  student_id      int not null references student(id),
  node_path       text not null,                 -- the student's, for scope
  reason          text not null,
  application_id  int not null references cleanup_application(id),
  extended_until  date not null,                 -- at most one year past student.valid_until (checked on submit)
  state           text not null default '待审批' check (state in ('待审批', '已批准', '已驳回')),
  decision_reason text,
  decided_by      int references app_user(id),
  decided_at      timestamptz,
  submitted_by    int references app_user(id),
  submitted_at    timestamptz not null default now(),
  version         int not null default 1,
  unique (campaign_id, student_id),
  check ((state = '待审批') = (decided_at is null))
);
create index cleanup_extension_campaign_path_idx on cleanup_extension (campaign_id, node_path text_pattern_ops);

-- The 退学 of a clean-up, on the student: the date, the 文号, and which campaign (the 学信网 退学 file lists a
-- campaign's students by it). No foreign key and no index on the campaign: the clean-up updates up to a million
-- rows in one statement, and a per-row foreign-key check and index entry would double its cost; the campaign id
-- is only ever written by that statement, from a locked campaign row.
alter table student
  add column withdrawal_date        date,
  add column withdrawal_doc_no      text,
  add column withdrawal_campaign_id int;
