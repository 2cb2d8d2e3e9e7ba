-- 001 and 002 were edited after they first landed, and migrations are applied once by name: a database
-- created from an earlier version of them lacks what the later edits added. Each statement is a no-op on a
-- database that already has it, so this brings every database to the schema a fresh one gets.

-- 001 (commit 68f1e3f): a batch's graduates within a subtree, the scoping predicate of every graduate list.
drop index if exists graduate_path_idx;
create index if not exists graduate_batch_path_idx on graduate (batch_code, node_path text_pattern_ops);
-- 001 (commit 771aef7): a teaching point's list pages in 学号 order straight from the index.
drop index if exists graduate_batch_tp_idx;
create index if not exists graduate_batch_tp_no_idx on graduate (batch_code, tp_id, student_no);
-- 001 (commit bce063e): "not already agreed in another batch" looks a student up across batches.
create index if not exists graduate_student_idx on graduate (student_id);

-- 002 (commit 72ab7f6): the rule engine reads each candidate's passed courses from this index alone.
create index if not exists grade_passed_idx on grade (student_id, course_code) where passed;
-- 002 (commit b273bba): a round's latest run, for its progress after a page reload.
alter table audit_round add column if not exists task_id uuid;
-- 002 (commit 72ab7f6): room on each page lets PostgreSQL update graduates in place (HOT).
alter table graduate set (fillfactor = 80);
