-- 电子照片管理: photo types with their 图片限制, each student's photos (every version kept), batch uploads
-- with their per-entry report, and pictures flagged as the same image for two students.

-- The 图片限制 of each type; headquarters edits the rows (the page shows them as they are).
create table photo_type (
  code        text primary key,           -- the type's name as users see it: '毕业证照片'
  sort        int not null default 0,
  width       int not null check (width > 0),
  height      int not null check (height > 0),
  min_kb      int not null check (min_kb >= 0),
  max_kb      int not null check (max_kb > min_kb),
  -- Free text for what a machine cannot check ('近期免冠正面彩色照片，浅色背景').
  note        text not null default '',
  enabled     boolean not null default true,
  updated_by  int references app_user(id),
  updated_at  timestamptz not null default now()
);
insert into photo_type (code, sort, width, height, min_kb, max_kb, note) values
  ('毕业证照片', 1, 480, 640, 20, 200, '近期免冠正面彩色证件照，浅色背景'),
  ('录取照片',   2, 480, 640, 20, 200, '近期免冠正面彩色证件照，浅色背景');

-- Every version of a student's photo of a type; exactly one is current. Files live in the file store
-- under their SHA-256 (content-addressed), so a version is a row, never a rewritten file.
create table photo (
  id          bigserial primary key,
  student_id  int not null references student(id),
  photo_type  text not null references photo_type(code),
  -- The student's org path when stored: photo lists are scoped without a join.
  node_path   text not null,
  sha256      text not null,
  -- 64-bit difference hash of the picture (greyscale 9×8): near-identical pictures differ in a few bits.
  dhash       bigint,
  size_bytes  int not null,
  width       int not null,
  height      int not null,
  is_current  boolean not null default true,
  source      text not null check (source in ('批量上传', '单张上传', '演示数据')),
  upload_id   uuid,
  uploaded_by int references app_user(id),
  uploaded_at timestamptz not null default now(),
  replaced_at timestamptz
);
create unique index photo_one_current on photo (student_id, photo_type) where is_current;
create index photo_student_idx on photo (student_id, photo_type, uploaded_at desc);
create index photo_sha_idx on photo (sha256) where is_current;
create index photo_dhash_idx on photo (dhash) where is_current;
create index photo_path_idx on photo (node_path text_pattern_ops);

-- One uploaded zip: checked by a job, then applied as a whole by 保存 (or never).
create table photo_upload (
  id          uuid primary key default gen_random_uuid(),
  photo_type  text not null references photo_type(code),
  file_name   text not null,
  file_size   bigint not null,
  -- The uploader's node: the students the zip may name are those of this subtree.
  node_path   text not null,
  owner_id    int references app_user(id),
  task_id     uuid references task(id),
  state       text not null default 'checking'
              check (state in ('checking', 'checked', 'failed', 'saved')),
  -- Why the whole zip was refused (a bomb, too many entries, not a zip), when it was.
  error       text,
  accepted    int not null default 0,
  replacing   int not null default 0,
  unchanged   int not null default 0,
  rejected    int not null default 0,
  created_at  timestamptz not null default now(),
  saved_at    timestamptz,
  saved_by    int references app_user(id)
);
create index photo_upload_owner_idx on photo_upload (owner_id, created_at desc);
create index photo_upload_path_idx on photo_upload (node_path text_pattern_ops);

-- The report: one row per zip entry, in the zip's order.
create table photo_upload_entry (
  upload_id   uuid not null references photo_upload(id) on delete cascade,
  seq         int not null,
  entry_name  text not null,
  id_number   text,
  student_id  int references student(id),
  verdict     text not null check (verdict in ('新增', '替换', '无变化', '不通过')),
  reason      text not null default '',
  sha256      text,
  dhash       bigint,
  size_bytes  int,
  width       int,
  height      int,
  -- Set when the picture is the same as (or near-identical to) another student's: a person should look.
  duplicate_note text,
  primary key (upload_id, seq)
);

-- The same picture stored for two students: listed for a person to look at, then marked 已核查.
create table photo_flag (
  id          bigserial primary key,
  photo_id    bigint not null references photo(id),
  other_photo_id bigint not null references photo(id),
  kind        text not null check (kind in ('相同图片', '相似图片')),
  distance    int not null default 0,
  node_path   text not null,
  status      text not null default '待核查' check (status in ('待核查', '已核查')),
  reviewed_by int references app_user(id),
  reviewed_at timestamptz,
  created_at  timestamptz not null default now(),
  unique (photo_id, other_photo_id)
);
create index photo_flag_path_idx on photo_flag (node_path text_pattern_ops, status);
