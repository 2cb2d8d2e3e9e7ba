-- The export centre and 消息 (issue 5): every multi-document download is a task whose file is kept for
-- EXPORT_KEEP_DAYS, and whose end is told to its owner as a message. Both rows are keyed by the task:
-- a job delivered twice (pg-boss is at-least-once) finds its row and makes no second file or message.

create table export_file (
  task_id       uuid primary key references task(id),
  owner_id      int not null references app_user(id),
  -- The owner's node when asked: administrators above it may download too.
  node_path     text not null,
  kind          text not null,
  file_name     text not null,
  size_bytes    bigint not null,
  content_type  text not null,
  item_count    int not null default 0,
  created_at    timestamptz not null default now(),
  expires_at    timestamptz not null,
  -- Set when retention removed the file from the store; the row (and the message) stay.
  expired_at    timestamptz
);
create index export_file_due on export_file (expires_at) where expired_at is null;
create index export_file_owner on export_file (owner_id, created_at desc);

create table message (
  id            bigserial primary key,
  recipient_id  int not null references app_user(id),
  kind          text not null check (kind in ('export_done', 'export_failed', 'notice')),
  title         text not null,
  body          text not null default '',
  link          text,
  task_id       uuid unique references task(id),
  created_at    timestamptz not null default now(),
  read_at       timestamptz
);
create index message_recipient on message (recipient_id, id desc);
create index message_unread on message (recipient_id) where read_at is null;
