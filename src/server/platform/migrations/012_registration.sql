-- 学历电子注册 (issue 12; seed 003 二.4, 四.2, 四.7): certificate numbers, the 学信网 files (DBF + Excel) and each
-- graduate's registration state.

-- The school as 学信网 knows it. One row. 办学类型 defaults to 5 (成人高等教育): 国家开放大学's 开放教育 graduates
-- are registered as adult higher education; headquarters changes it on the export profile if 学信网 says otherwise.
create table registration_setting (
  id          int primary key default 1 check (id = 1),
  school_code text not null default '51161' check (school_code ~ '^[0-9]{5}$'),
  school_type text not null default '5' check (school_type ~ '^[0-9]$'),
  school_name text not null default '国家开放大学',
  president   text not null default '荆德刚',
  updated_by  int references app_user(id),
  updated_at  timestamptz not null default now()
);
insert into registration_setting (id) values (1);

-- The export profile: the 学信网 fields, their dBASE type and width (GBK bytes). Provinces differ (XM is C24 in
-- some, C40 in others): headquarters edits the widths.
create table registration_profile (
  name       text primary key check (name in ('KSH', 'XH', 'XM', 'XB', 'CSRQ', 'SFZH', 'ZZMM', 'MZ', 'YXDM', 'YXMC', 'ZYDM',
                                               'ZYMC', 'CC', 'XZ', 'XXXS', 'RXRQ', 'BYRQ', 'BJYJL', 'ZSBH', 'XZM', 'BZ', 'FY', 'XSH', 'BH')),
  type       text not null check (type in ('C', 'D', 'N')),
  width      int not null check (width between 1 and 254),
  position   int not null unique,
  updated_by int references app_user(id),
  updated_at timestamptz not null default now(),
  check (type <> 'D' or width = 8)
);
insert into registration_profile (name, type, width, position) values
  ('KSH', 'C', 20, 1), ('XH', 'C', 20, 2), ('XM', 'C', 40, 3), ('XB', 'C', 2, 4), ('CSRQ', 'D', 8, 5), ('SFZH', 'C', 18, 6),
  ('ZZMM', 'C', 20, 7), ('MZ', 'C', 20, 8), ('YXDM', 'C', 5, 9), ('YXMC', 'C', 60, 10), ('ZYDM', 'C', 12, 11),
  ('ZYMC', 'C', 60, 12), ('CC', 'C', 4, 13), ('XZ', 'C', 4, 14), ('XXXS', 'C', 10, 15), ('RXRQ', 'D', 8, 16),
  ('BYRQ', 'D', 8, 17), ('BJYJL', 'C', 4, 18), ('ZSBH', 'C', 18, 19), ('XZM', 'C', 20, 20), ('BZ', 'C', 60, 21),
  ('FY', 'C', 60, 22), ('XSH', 'C', 60, 23), ('BH', 'C', 60, 24);

-- The counter behind certificate numbers: per graduation year and 层次 the last serial used, shared by every batch
-- of the year. A build reserves a range with one UPDATE … RETURNING under the row's lock, so two workers never
-- hand out the same serial, and a number once given is never given again.
create table registration_serial (
  year        int not null check (year between 2000 and 2100),
  level_code  text not null check (level_code in ('05', '06')),
  last_serial int not null default 0 check (last_serial between 0 and 999999),
  primary key (year, level_code)
);

-- A generated pair of files (DBF + Excel) of one build.
create table registration_file (
  id          serial primary key,
  batch_code  text not null references batch(code),
  round_id    int references audit_round(id),
  file_name   text not null,
  dbf_key     text,
  xlsx_key    text,
  written     int not null default 0,
  errors      int not null default 0,
  task_id     uuid references task(id),
  created_by  int references app_user(id),
  created_at  timestamptz not null default now()
);
create index registration_file_batch_idx on registration_file (batch_code, id desc);
create unique index registration_file_task_idx on registration_file (task_id) where task_id is not null;

-- One row per graduate once something happened to their registration (numbered, reported, set by hand);
-- a graduate without a row is 待注册. Keyed by the graduate: the page ticks graduates.
create table registration_entry (
  graduate_id    int primary key references graduate(id),
  student_id     int not null references student(id),
  batch_code     text not null references batch(code),
  node_path      text not null,
  certificate_no text check (certificate_no ~ '^[0-9]{18}$'),
  state          text not null default '待注册' check (state in ('待注册', '已生成', '已上报', '已注册', '注册失败')),
  file_id        int references registration_file(id),
  reported_on    date,
  registered_at  timestamptz,
  failure_reason text,
  version        int not null default 1,
  updated_by     int references app_user(id),
  updated_at     timestamptz not null default now()
);
-- Never reused: a revoked graduate's row (and number) stays.
create unique index registration_entry_certificate_idx on registration_entry (certificate_no) where certificate_no is not null;
create index registration_entry_batch_path_idx on registration_entry (batch_code, node_path text_pattern_ops);
create index registration_entry_file_idx on registration_entry (file_id) where file_id is not null;

-- Row errors of a build: the graduate and the field, with what to do.
create table registration_error (
  id          bigserial primary key,
  file_id     int not null references registration_file(id),
  graduate_id int not null references graduate(id),
  node_path   text not null,
  field       text not null,
  message     text not null
);
create index registration_error_file_idx on registration_error (file_id, id);
create index registration_error_graduate_idx on registration_error (graduate_id, file_id desc);

-- 专业代码 (ZYDM) and the partner university whose seal the certificate needs (seed 003 四.2).
alter table programme add column major_code text, add column partner_seal text;

-- Defaults for programmes as they are created (each 入学批次 has its own programme row): the 学信网 major codes,
-- and the partner seal of 本科 数学与应用数学 and 公共事业管理（教育管理）. Headquarters edits either per programme.
create table registration_major_default (
  level        text not null check (level in ('专科', '本科')),
  major        text not null,
  major_code   text not null,
  partner_seal text,
  primary key (level, major)
);
insert into registration_major_default (level, major, major_code, partner_seal) values
  ('专科', '行政管理', '590201', null),
  ('专科', '会计', '630302', null),
  ('专科', '计算机信息管理', '610203', null),
  ('专科', '学前教育', '670102K', null),
  ('本科', '汉语言文学', '050101', null),
  ('本科', '会计学', '120203K', null),
  ('本科', '法学', '030101K', null),
  ('本科', '数学与应用数学', '070101', '东北师范大学'),
  ('本科', '公共事业管理（教育管理）', '120401', '东北师范大学');

create function registration_programme_defaults() returns trigger language plpgsql as $$
declare d record;
begin
  select major_code, partner_seal into d from registration_major_default where level = new.level and major = new.major;
  if found then
    new.major_code := coalesce(new.major_code, d.major_code);
    new.partner_seal := coalesce(new.partner_seal, d.partner_seal);
  end if;
  return new;
end $$;
create trigger programme_registration_defaults before insert on programme
  for each row execute function registration_programme_defaults();

update programme p set major_code = d.major_code, partner_seal = d.partner_seal
  from registration_major_default d where d.level = p.level and d.major = p.major;
