import type { Column } from '../platform/excel.ts';
import type { Submission } from './tables.ts';
import type { Role } from '../../shared/org.ts';
import { IMPORT_KIND_INFO, type CellError, type ImportKind } from '../../shared/contract/imports.ts';

/** What each kind of import is: its template columns, who may load it, what report it records. */
export interface KindDef {
  kind: ImportKind;
  /** 学籍数据, 教学计划, … as the page and the template name say. */
  name: string;
  sheetName: string;
  submission: Submission['kind'];
  roles: readonly Role[];
  /** Grades belong to a graduation batch (the report is recorded for it). */
  needsBatch: boolean;
  columns: Column[];
  /** The columns that make two rows of one file the same record. */
  key: string[];
}

const col = (key: string, title: string, kind: Column['kind'], required: boolean, note: string, example: string): Column =>
  ({ key, title, kind, required, note, example });

export const GRADE_WORDS: Record<string, boolean> = { 优秀: true, 良好: true, 中等: true, 及格: true, 合格: true, 不及格: false, 不合格: false };

const gradeColumns: Column[] = [
  col('student_no', '学号', 'code', true, '学生的学号，须是本单位（及下级单位）已有的学生', '2021210100001'),
  col('course_code', '课程代码', 'code', true, '课程库中的课程代码', '00001'),
  col('grade', '成绩', 'number', true, `0～100 的分数（60 分及以上为通过），或等级：${Object.keys(GRADE_WORDS).join('、')}`, '85'),
  col('term', '学期', 'text', true, '取得成绩的学期，写成“2022春”或“2022秋”', '2022春'),
];

export const KINDS: Record<ImportKind, KindDef> = {
  students: {
    kind: 'students', ...IMPORT_KIND_INFO.students, sheetName: '学籍', submission: '学籍', key: ['student_no'],
    columns: [
      col('student_no', '学号', 'code', true, '学号；已有的学号会更新该学生的学籍，新学号会新增学生', '2021210100001'),
      col('name', '姓名', 'text', true, '学生姓名', '张三'),
      col('gender', '性别', 'text', true, '男 或 女，须与身份证号一致', '男'),
      col('id_number', '身份证号', 'idcard', true, '18 位居民身份证号，最后一位可为 X；请保持文本格式，否则 Excel 会丢失后几位', '210102199005170011'),
      col('ethnicity', '民族', 'text', false, '如 汉族；不填为 汉族', '汉族'),
      col('political_status', '政治面貌', 'text', false, '如 群众、共青团员、中共党员；不填为 群众', '群众'),
      col('cohort', '学籍批次', 'code', true, '入学年份（2021）或年月（202109）', '202109'),
      col('level', '层次', 'text', true, '专科 或 本科（专升本填 本科）', '专科'),
      col('major', '专业', 'text', true, '专业名称，须与总部教学计划中的专业一致', '行政管理'),
      col('tp_code', '教学点代码', 'code', true, '学生所在教学点的代码，须在本单位管理范围内', '210101'),
      col('class_code', '班级代码', 'code', false, '学生所在班级的代码，须属于该教学点；不填则直接归属教学点', '210101-01'),
      col('status', '学籍状态', 'text', true, '在籍、毕业、退学 或 休学', '在籍'),
      col('entry_date', '入学日期', 'date', true, '入学日期，如 2021-09-01；学籍有效期按入学起 8 年计算', '2021-09-01'),
      col('phone', '手机', 'code', false, '11 位手机号码', '13800000000'),
    ],
  },
  programmes: {
    kind: 'programmes', ...IMPORT_KIND_INFO.programmes, sheetName: '教学计划', submission: '教学计划', key: ['major', 'level', 'cohort'],
    columns: [
      col('major', '专业', 'text', true, '专业名称', '行政管理'),
      col('level', '层次', 'text', true, '专科 或 本科', '专科'),
      col('cohort', '入学批次', 'code', true, '适用的入学年份，如 2021', '2021'),
      col('min_credits', '最低总学分', 'number', true, '毕业最低总学分', '76'),
      col('min_years', '最低学习年限', 'number', true, '最低学习年限（年），如 2.5', '2.5'),
      col('practice_course', '综合实践环节课程代码', 'code', false, '综合实践环节（毕业作业/论文）的课程代码', '01SJ'),
      col('required', '必修课程代码', 'text', false, '全部必修课程代码，用 、 或 , 或 ； 分隔；导入后替换该计划原有的必修课程', '00001、00002、01Z01'),
      col('categories', '分类最低学分', 'text', false, '各课程类别的最低学分，如 公共基础课:12；专业核心课:24；导入后替换原有设置', '公共基础课:12；专业核心课:24'),
    ],
  },
  grades_exam: {
    kind: 'grades_exam', ...IMPORT_KIND_INFO.grades_exam, sheetName: '期末考试成绩', submission: '期末考试',
    key: ['student_no', 'course_code', 'term'], columns: gradeColumns,
  },
  grades_practice: {
    kind: 'grades_practice', ...IMPORT_KIND_INFO.grades_practice, sheetName: '综合实践环节成绩', submission: '综合实践环节',
    key: ['student_no', 'course_code', 'term'], columns: gradeColumns,
  },
};

export const GRADE_SOURCE: Partial<Record<ImportKind, '期末考试' | '综合实践环节'>> = { grades_exam: '期末考试', grades_practice: '综合实践环节' };

/** A row's problem, named by row and column like the sheet reader's. */
export function cellError(rowNo: number, c: Column, value: string, message: string): CellError {
  return { column: c.title, value, message: `第 ${rowNo} 行“${c.title}”列：${message}` };
}

/** 2022春, 2022 春季, 2022年秋季 → 2022春 / 2022秋: one spelling, since the term is part of a grade's key. */
export function normaliseTerm(s: string): string | null {
  const m = /^(\d{4})\s*年?\s*(春|秋)季?(学期)?$/.exec(s.trim());
  return m ? `${m[1]}${m[2]}` : null;
}

/** 00001、00002,01Z01；x → the codes, in order, once each. */
export function splitCodes(s: string): string[] {
  return [...new Set(s.split(/[、,，;；\s]+/).map((x) => x.trim()).filter(Boolean))];
}

/** 公共基础课:12；专业核心课:24 → { 公共基础课: 12, 专业核心课: 24 }, or the part that cannot be read. */
export function parseCategories(s: string): { ok: true; value: Record<string, number> } | { ok: false; part: string } {
  const out: Record<string, number> = {};
  for (const part of s.split(/[;；、,，\n]+/).map((x) => x.trim()).filter(Boolean)) {
    const m = /^(.+?)\s*[:：]\s*(\d+(\.\d)?)$/.exec(part);
    if (!m) return { ok: false, part };
    out[m[1].trim()] = Number(m[2]);
  }
  return { ok: true, value: out };
}
