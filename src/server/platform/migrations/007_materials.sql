-- 到校提交毕业审核材料 (issue 6; seed 000 step 七): per graduate, the four papers the teaching point hands in
-- at the school. The teaching point ticks each as it prepares it (prepared_*), the branch as it receives
-- it at the school (received_*). No row = neither.
create table graduate_material (
  graduate_id  int not null references graduate(id),
  item         text not null check (item in ('信息采集照片', '成绩单', '入学登记表', '毕业生登记表')),
  node_path    text not null,
  prepared_at  timestamptz,
  prepared_by  int references app_user(id),
  received_at  timestamptz,
  received_by  int references app_user(id),
  primary key (graduate_id, item)
);
create index graduate_material_path_idx on graduate_material (node_path text_pattern_ops);
