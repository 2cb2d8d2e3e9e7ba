-- 排序标准 (issue 5; seed 000 step 五): the 入学登记表, 毕业生登记表, 成绩单 and 档案袋 of a teaching point
-- follow one sorting standard, so each teaching point has one default order that every document export
-- uses until it is changed. No row = 按学号.
create table doc_sort_order (
  tp_id       int primary key references org_node(id),
  sort        text not null check (sort in ('student_no', 'id_number', 'name', 'major')),
  updated_by  int references app_user(id),
  updated_at  timestamptz not null default now()
);
