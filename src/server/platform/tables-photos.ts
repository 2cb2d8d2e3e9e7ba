import type { ColumnType, Generated } from 'kysely';

/** Kysely's view of the photo tables (migrations/003_photos.sql); DB in tables.ts extends it. */
type Default<T> = ColumnType<T, T | undefined, T>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
// bigint columns come back as numbers (db.ts parses int8); a dHash is written as a decimal string.
type Int8 = ColumnType<number, number | string | bigint, number | string | bigint>;

export type PhotoVerdict = '新增' | '替换' | '无变化' | '不通过';
export type PhotoSource = '批量上传' | '单张上传' | '演示数据';

export interface PhotoTypeTable {
  code: string;
  sort: Default<number>;
  width: number;
  height: number;
  min_kb: number;
  max_kb: number;
  note: Default<string>;
  enabled: Default<boolean>;
  updated_by: number | null;
  updated_at: Timestamp;
}

export interface PhotoTable {
  id: Generated<number>;
  student_id: number;
  photo_type: string;
  node_path: string;
  sha256: string;
  dhash: Int8 | null;
  size_bytes: number;
  width: number;
  height: number;
  is_current: Default<boolean>;
  source: PhotoSource;
  upload_id: string | null;
  uploaded_by: number | null;
  uploaded_at: Timestamp;
  replaced_at: Date | null;
}

export interface PhotoUploadTable {
  id: Generated<string>;
  photo_type: string;
  file_name: string;
  file_size: Int8;
  node_path: string;
  owner_id: number | null;
  task_id: string | null;
  state: Default<'checking' | 'checked' | 'failed' | 'saved'>;
  error: string | null;
  accepted: Default<number>;
  replacing: Default<number>;
  unchanged: Default<number>;
  rejected: Default<number>;
  created_at: Timestamp;
  saved_at: Date | null;
  saved_by: number | null;
}

export interface PhotoUploadEntryTable {
  upload_id: string;
  seq: number;
  entry_name: string;
  id_number: string | null;
  student_id: number | null;
  verdict: PhotoVerdict;
  reason: Default<string>;
  sha256: string | null;
  dhash: Int8 | null;
  size_bytes: number | null;
  width: number | null;
  height: number | null;
  duplicate_note: string | null;
}

export interface PhotoFlagTable {
  id: Generated<number>;
  photo_id: number;
  other_photo_id: number;
  kind: '相同图片' | '相似图片';
  distance: Default<number>;
  node_path: string;
  status: Default<'待核查' | '已核查'>;
  reviewed_by: number | null;
  reviewed_at: Date | null;
  created_at: Timestamp;
}

export interface PhotoTables {
  photo_type: PhotoTypeTable;
  photo: PhotoTable;
  photo_upload: PhotoUploadTable;
  photo_upload_entry: PhotoUploadEntryTable;
  photo_flag: PhotoFlagTable;
}
