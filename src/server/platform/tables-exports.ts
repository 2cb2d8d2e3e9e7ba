import type { ColumnType, Generated } from 'kysely';

/** Kysely's view of the export centre and 消息 (migrations/004_exports.sql); DB in tables.ts extends it. */
type Default<T> = ColumnType<T, T | undefined, T>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export type MessageKind = 'export_done' | 'export_failed' | 'notice';

export interface ExportFileTable {
  task_id: string;
  owner_id: number;
  node_path: string;
  kind: string;
  file_name: string;
  size_bytes: number;
  content_type: string;
  item_count: Default<number>;
  created_at: Timestamp;
  expires_at: Timestamp;
  expired_at: Date | null;
}

export interface MessageTable {
  id: Generated<number>;
  recipient_id: number;
  kind: MessageKind;
  title: string;
  body: Default<string>;
  link: string | null;
  task_id: string | null;
  created_at: Timestamp;
  read_at: Date | null;
}

/** A teaching point's default 排序方式 for every document export (migrations/005_sort_order.sql). */
export interface DocSortOrderTable {
  tp_id: number;
  sort: 'student_no' | 'id_number' | 'name' | 'major';
  updated_by: number | null;
  updated_at: Timestamp;
}

export interface ExportTables {
  export_file: ExportFileTable;
  message: MessageTable;
  doc_sort_order: DocSortOrderTable;
}
