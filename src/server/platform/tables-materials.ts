import type { ColumnType } from 'kysely';

/** Kysely's view of the step-七 materials (migrations/007_materials.sql); DB in tables.ts extends it. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export type MaterialItem = '信息采集照片' | '成绩单' | '入学登记表' | '毕业生登记表';

export interface GraduateMaterialTable {
  graduate_id: number;
  item: MaterialItem;
  node_path: string;
  prepared_at: Timestamp | null;
  prepared_by: number | null;
  received_at: Timestamp | null;
  received_by: number | null;
}

export interface MaterialTables {
  graduate_material: GraduateMaterialTable;
}
