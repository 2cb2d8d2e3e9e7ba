-- 毕业生登记表 (issue 6; seed 000 steps 二 and 四). One form per graduate (one student in one batch),
-- keyed by the graduate's id, created when the student first saves it: a confirmed graduate without a
-- row is a form in 学生未填写 with version 0.
--
-- 登记表状态: 学生未填写 → 函授站未填写 (the student submitted) → 函授站已填写 (班主任意见 and 函授站意见
-- written) → 总部已填写 (the school's opinion; the seed's 总部 is the provincial school). A return by an
-- office sends the form back to 学生未填写 with the reason.
--
-- batch_code is the form's own 毕业批次 as the seed's 毕业生登记表管理 shows it: null ("无") until the
-- school's approval files the form under the graduate's batch. Seed 000 四.2 looks for forms to write
-- opinions on under 毕业批次“无”, and 四.4 finds the approved ones under 毕业批次“202301”.
create table graduate_form (
  graduate_id   int primary key references graduate(id),
  student_id    int not null references student(id),
  tp_id         int not null references org_node(id),
  class_id      int references org_node(id),
  -- The student's org path: forms are scoped without a join.
  node_path     text not null,
  batch_code    text references batch(code),
  state         text not null default '学生未填写'
                check (state in ('学生未填写', '函授站未填写', '函授站已填写', '总部已填写')),
  -- The student's parts (their limits are in src/shared/graduate-form.ts: the boxes of the printed form).
  self_assessment  text not null default '',
  study_summary    text not null default '',
  practice_summary text not null default '',
  rewards          text not null default '',
  punishments      text not null default '',
  saved_at      timestamptz,
  submitted_at  timestamptz,
  -- The opinions, each with who wrote it and when.
  head_teacher_opinion text,
  head_teacher_by      int references app_user(id),
  head_teacher_at      timestamptz,
  tp_opinion    text,
  tp_by         int references app_user(id),
  tp_at         timestamptz,
  school_opinion text,
  school_by     int references app_user(id),
  school_at     timestamptz,
  -- The last return: kept (and shown to the student) until the student submits again.
  return_reason text,
  returned_by   int references app_user(id),
  returned_at   timestamptz,
  version       int not null default 0,
  check (state <> '总部已填写' or batch_code is not null)
);
create index graduate_form_tp_state_idx on graduate_form (tp_id, state);
create index graduate_form_path_idx on graduate_form (node_path text_pattern_ops);
create index graduate_form_batch_idx on graduate_form (batch_code, state);

-- 常用意见: the phrases an office keeps for 填写意见 (a teaching point its 班主任意见 and 函授站意见, a
-- branch its 学校意见). An office sees the phrases of its own node and of the nodes above it.
create table opinion_phrase (
  id         serial primary key,
  node_id    int not null references org_node(id),
  node_path  text not null,
  kind       text not null check (kind in ('班主任意见', '函授站意见', '学校意见')),
  text       text not null,
  sort       int not null default 0,
  created_by int references app_user(id),
  created_at timestamptz not null default now()
);
create index opinion_phrase_node_idx on opinion_phrase (node_id, kind, sort);
