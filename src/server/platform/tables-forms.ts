import type { ColumnType, Generated } from 'kysely';
import type { FormState, OpinionKind } from '../../shared/graduate-form.ts';

/** Kysely's view of the 毕业生登记表 tables (migrations/006_graduate_forms.sql); DB in tables.ts extends it. */
type Default<T> = ColumnType<T, T | undefined, T>;
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface GraduateFormTable {
  graduate_id: number;
  student_id: number;
  tp_id: number;
  class_id: number | null;
  node_path: string;
  batch_code: string | null;
  state: Default<FormState>;
  self_assessment: Default<string>;
  study_summary: Default<string>;
  practice_summary: Default<string>;
  rewards: Default<string>;
  punishments: Default<string>;
  saved_at: Date | null;
  submitted_at: Date | null;
  head_teacher_opinion: string | null;
  head_teacher_by: number | null;
  head_teacher_at: Date | null;
  tp_opinion: string | null;
  tp_by: number | null;
  tp_at: Date | null;
  school_opinion: string | null;
  school_by: number | null;
  school_at: Date | null;
  return_reason: string | null;
  returned_by: number | null;
  returned_at: Date | null;
  version: Default<number>;
}

export interface OpinionPhraseTable {
  id: Generated<number>;
  node_id: number;
  node_path: string;
  kind: OpinionKind;
  text: string;
  sort: Default<number>;
  created_by: number | null;
  created_at: Timestamp;
}

export interface FormTables {
  graduate_form: GraduateFormTable;
  opinion_phrase: OpinionPhraseTable;
}
