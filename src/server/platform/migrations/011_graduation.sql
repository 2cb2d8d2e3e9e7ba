-- 毕业 (issue 12): a graduate whose audit passed becomes 学籍状态 毕业 when headquarters publishes the round,
-- with 毕业日期 = the batch's 发证日期 and 毕结业结论 毕业 (SPEC “Decisions that bind the second half”).
-- The batch and the round are kept so a revocation (headquarters, with a reason, logged) can undo exactly that.
alter table student
  add column graduation_batch      text references batch(code),
  add column graduation_round_id   int references audit_round(id),
  add column graduation_date       date,
  add column graduation_conclusion text check (graduation_conclusion in ('毕业', '结业'));

-- step 六 (学生学籍档案打印: 毕业批次 + 学籍状态 毕业) and 学历电子注册 read a batch's graduates.
create index student_graduation_batch_idx on student (graduation_batch) where graduation_batch is not null;

-- Revoked graduations: the reason and who decided, beside the operation log entry.
create table student_graduation_revocation (
  id          serial primary key,
  student_id  int not null references student(id),
  batch_code  text not null references batch(code),
  round_id    int references audit_round(id),
  graduation_date date not null,
  reason      text not null,
  revoked_by  int references app_user(id),
  revoked_at  timestamptz not null default now()
);
create index student_graduation_revocation_student_idx on student_graduation_revocation (student_id);
