-- 操作日志 has its own name: "audit" means 毕业审核 only (see GLOSSARY.md).
alter table audit_log rename to operation_log;
alter sequence audit_log_id_seq rename to operation_log_id_seq;
alter index audit_log_pkey rename to operation_log_pkey;
alter index audit_log_path_at_idx rename to operation_log_path_at_idx;
alter index audit_log_at_idx rename to operation_log_at_idx;
alter table operation_log rename constraint audit_log_actor_id_fkey to operation_log_actor_id_fkey;
