-- 工作日历 (issue 12): the statutory working-day calendar. The State Council's arrangements (国务院办公厅关于
-- 部分节假日安排的通知) come from the pinned package `chinese-days`; headquarters edits what it lacks or gets
-- wrong here (系统管理 → 工作日历). Every deadline counted in working days reads both (platform/calendar.ts).

-- One row per date that headquarters decided: 放假 (holiday) or 调休上班 (workday). It wins over the
-- package and over the weekend rule; removing it gives the date back to them.
create table calendar_day (
  day         date primary key,
  kind        text not null check (kind in ('holiday', 'workday')),
  name        text not null,
  note        text,
  created_by  int references app_user(id),
  created_at  timestamptz not null default now()
);

-- The years whose notice headquarters has entered in full. A year is known when the package covers it or
-- it has a row here; a deadline that needs any other year is refused, never guessed Monday to Friday.
create table calendar_year (
  year        int primary key check (year between 1949 and 2200),
  entered_at  timestamptz not null default now(),
  entered_by  int references app_user(id),
  note        text
);
