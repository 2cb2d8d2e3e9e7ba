import { sql, type Kysely } from 'kysely';
import type { DB } from '../platform/tables.ts';
import { fileStore } from '../platform/files.ts';
import { idCardInfo } from '../../shared/idcard.ts';
import type { TranscriptData } from './transcript.ts';
import type { EnrollmentFormData, FamilyRow, HistoryRow } from './enrollment-form.ts';
import type { GraduateFormData } from './graduate-form.ts';
import type { Actor } from '../platform/auth.ts';
import { forPrint } from '../forms/service.ts';

/**
 * What the printed documents draw, read for a page of students at a time (one query per table, not per
 * student). The renderers are pure; these loaders are the only place that knows where a field lives.
 */

const CN_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' });
export const printDate = () => CN_DAY.format(new Date());

/** The photo each document prints, in order of preference. */
const TRANSCRIPT_PHOTOS = ['毕业证照片', '录取照片'];
const FORM_PHOTOS = ['录取照片', '毕业证照片'];

/**
 * The school that issues a document for whatever sits at `path` (an org path): the branch above it (the
 * provincial open university), or the root when there is no branch.
 */
export const issuingSchool = (path: string) => sql<string>`coalesce(
  (select b.name from org_node b where b.id = nullif(split_part(${sql.ref(path)}, '/', 3), '')::int and b.kind = 'branch'),
  (select r.name from org_node r where r.parent_id is null order by r.id limit 1))`;

/**
 * The student rows of a page, with the issuing school: the student's branch (the provincial open
 * university that issues the paper), or the root when the student sits directly under it.
 */
function studentRows(db: Kysely<DB>, ids: number[]) {
  return db.selectFrom('student as s').innerJoin('org_node as tp', 'tp.id', 's.tp_id').innerJoin('programme as p', 'p.id', 's.programme_id')
    .select(['s.id', 's.student_no', 's.name', 's.gender', 's.id_number', 's.ethnicity', 's.political_status', 's.cohort', 's.level', 's.major',
      's.phone', 's.enroll_form', 's.enroll_form_updated_at', 's.enroll_form_status', 'tp.name as tp_name', 'p.min_credits',
      issuingSchool('s.node_path').as('school')])
    .where('s.id', 'in', ids)
    .execute();
}

/** Photos of the page's students: the first type of `prefer` each student has, read from the file store a few at a time. */
async function photos(db: Kysely<DB>, ids: number[], prefer: string[]): Promise<Map<number, Buffer>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('photo').select(['student_id', 'photo_type', 'sha256'])
    .where('student_id', 'in', ids).where('is_current', '=', true).where('photo_type', 'in', prefer).execute();
  const best = new Map<number, { rank: number; sha256: string }>();
  for (const r of rows) {
    const rank = prefer.indexOf(r.photo_type);
    const seen = best.get(r.student_id);
    if (!seen || rank < seen.rank) best.set(r.student_id, { rank, sha256: r.sha256 });
  }
  const out = new Map<number, Buffer>();
  const store = fileStore();
  const todo = [...best.entries()];
  let next = 0;
  const cache = new Map<string, Promise<Buffer | null>>();
  const worker = async () => {
    while (next < todo.length) {
      const [id, { sha256 }] = todo[next++];
      // The same picture stored for many students (a demo, a placeholder) is read once per page.
      let p = cache.get(sha256);
      if (!p) cache.set(sha256, (p = store.get(sha256)));
      const jpeg = await p;
      if (jpeg) out.set(id, jpeg);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return out;
}

export interface Loaded<T> {
  id: number;
  studentNo: string;
  name: string;
  data: T;
  /** Fields the document printed as missing (照片, 通讯地址 …): the export's message counts them. */
  missing: string[];
}

/** 成绩单 data of `ids` (any order; the caller keeps its own). `batch` is the graduation batch to print, else the student's latest. */
export async function loadTranscripts(db: Kysely<DB>, ids: number[], batch: string | null): Promise<Map<number, Loaded<TranscriptData>>> {
  if (ids.length === 0) return new Map();
  const [students, grades, pics, batches] = await Promise.all([
    studentRows(db, ids),
    db.selectFrom('grade as g').innerJoin('course as c', 'c.code', 'g.course_code')
      .select(['g.student_id', 'g.term', 'g.course_code', 'c.name', 'c.category', 'c.credits', 'g.score', 'g.passed', 'g.source'])
      .where('g.student_id', 'in', ids).orderBy('g.student_id').orderBy('g.term').orderBy('g.course_code').execute(),
    photos(db, ids, TRANSCRIPT_PHOTOS),
    db.selectFrom('graduate').select(['student_id', sql<string>`max(batch_code)`.as('batch')]).where('student_id', 'in', ids)
      .$if(batch != null, (q) => q.where('batch_code', '=', batch!)).groupBy('student_id').execute(),
  ]);
  const byStudent = new Map<number, typeof grades>();
  for (const g of grades) {
    let list = byStudent.get(g.student_id);
    if (!list) byStudent.set(g.student_id, (list = []));
    list.push(g);
  }
  const batchOf = new Map(batches.map((b) => [b.student_id, b.batch]));
  const printedOn = printDate();
  const out = new Map<number, Loaded<TranscriptData>>();
  for (const s of students) {
    const list = byStudent.get(s.id) ?? [];
    const passed = new Map<string, number>();
    for (const g of list) if (g.passed) passed.set(g.course_code, Number(g.credits));
    const photo = pics.get(s.id) ?? null;
    out.set(s.id, {
      id: s.id, studentNo: s.student_no, name: s.name, missing: photo ? [] : ['照片'],
      data: {
        school: s.school,
        student: { name: s.name, gender: s.gender, studentNo: s.student_no, idCard: s.id_number, level: s.level, programme: s.major, teachingPoint: s.tp_name, cohort: s.cohort },
        photo,
        courses: list.map((g) => ({
          term: g.term, name: g.name, category: g.category, credits: Number(g.credits),
          score: g.score == null ? null : Number(g.score), passed: g.passed, source: g.source,
        })),
        totals: {
          creditsEarned: [...passed.values()].reduce((a, b) => a + b, 0),
          creditsRequired: s.min_credits == null ? null : Number(s.min_credits),
          coursesPassed: passed.size,
        },
        graduationBatch: batchOf.get(s.id) ?? null,
        printedOn,
      },
    });
  }
  return out;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);
/** The rows of a list the student wrote (学习与工作经历, 家庭成员): the form was checked when saved. */
const writtenRows = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? (v as Record<string, unknown>[]) : []);

/** 入学报名登记表 data of `ids`: the record, and what the student wrote in the form (address, history, family …). */
export async function loadEnrollmentForms(db: Kysely<DB>, ids: number[]): Promise<Map<number, Loaded<EnrollmentFormData>>> {
  if (ids.length === 0) return new Map();
  const [students, pics] = await Promise.all([studentRows(db, ids), photos(db, ids, FORM_PHOTOS)]);
  const out = new Map<number, Loaded<EnrollmentFormData>>();
  for (const s of students) {
    const f = (s.enroll_form ?? {}) as Record<string, unknown>;
    const history: HistoryRow[] = writtenRows(f.history).map((h) => ({
      from: str(h.from) ?? '', to: str(h.to), organisation: str(h.place) ?? '', role: str(h.role), witness: str(h.witness),
    }));
    const family: FamilyRow[] = writtenRows(f.family).map((m) => ({
      relation: str(m.relation) ?? '', name: str(m.name) ?? '', employer: str(m.employer), phone: str(m.phone),
    }));
    const data: EnrollmentFormData = {
      school: s.school,
      name: s.name, gender: s.gender, birthDate: idCardInfo(s.id_number)?.birthDate ?? null,
      ethnicity: str(s.ethnicity), politicalStatus: str(s.political_status), idCard: s.id_number, studentNo: s.student_no,
      cohort: s.cohort, level: s.level, programme: s.major, teachingPoint: s.tp_name,
      address: str(f.address), postcode: str(f.postcode), mobile: str(f.phone) ?? str(s.phone), employer: str(f.employer),
      history, family, photo: pics.get(s.id) ?? null,
      signedOn: s.enroll_form_status === '已更新' && s.enroll_form_updated_at ? CN_DAY.format(new Date(s.enroll_form_updated_at)) : null,
    };
    const missing = [
      ...(data.photo ? [] : ['照片']),
      ...(data.address ? [] : ['通讯地址']),
      ...(data.mobile ? [] : ['手机']),
      ...(data.employer ? [] : ['工作单位']),
    ];
    out.set(s.id, { id: s.id, studentNo: s.student_no, name: s.name, missing, data });
  }
  return out;
}

/**
 * 毕业生登记表 data of `ids` (graduate ids = form ids), as the owner may see them: the form (forms/service
 * forPrint), the 毕业证照片, and the contact fields the student keeps in the 入学登记表.
 */
export async function loadGraduateForms(db: Kysely<DB>, owner: Actor, ids: number[]): Promise<Map<number, Loaded<GraduateFormData>>> {
  if (ids.length === 0) return new Map();
  const views = await forPrint(db, owner, ids);
  const studentOf = new Map<number, number>();
  const studentIds = [...new Set((await db.selectFrom('graduate').select(['id', 'student_id']).where('id', 'in', ids).execute()).map((g) => {
    studentOf.set(g.id, g.student_id);
    return g.student_id;
  }))];
  const [students, pics] = await Promise.all([studentIds.length ? studentRows(db, studentIds) : [], photos(db, studentIds, TRANSCRIPT_PHOTOS)]);
  const byStudent = new Map(students.map((s) => [s.id, s]));
  const month = (d: string | null) => (d ? d.slice(0, 7) : null);
  const out = new Map<number, Loaded<GraduateFormData>>();
  for (const v of views) {
    const sid = studentOf.get(v.id)!;
    const s = byStudent.get(sid);
    const f = (s?.enroll_form ?? {}) as Record<string, unknown>;
    const photo = pics.get(sid) ?? null;
    const op = (o: { text: string; at: string | null } | null) => (o ? { text: o.text, date: o.at ? CN_DAY.format(new Date(o.at)) : null } : null);
    const data: GraduateFormData = {
      school: s?.school ?? '',
      name: v.identity.name, gender: v.identity.gender, birthDate: v.identity.birth_date, ethnicity: str(v.identity.ethnicity),
      politicalStatus: str(v.identity.political_status), idCard: v.identity.id_number, studentNo: v.identity.student_no,
      level: v.identity.level, programme: v.identity.major, enrolledOn: month(v.identity.study_from), graduationDate: month(v.identity.study_to),
      batch: v.graduate_batch, teachingPoint: v.identity.tp_name, className: v.identity.class_name,
      employer: str(f.employer), address: str(f.address), phone: str(f.phone) ?? str(s?.phone),
      photo,
      ...v.texts,
      opinions: { head_teacher: op(v.opinions.head_teacher), tp: op(v.opinions.tp), school: op(v.opinions.school) },
    };
    const missing = [...(photo ? [] : ['照片']), ...(v.texts.self_assessment.trim() ? [] : ['自我鉴定'])];
    out.set(v.id, { id: v.id, studentNo: v.identity.student_no, name: v.identity.name, missing, data });
  }
  return out;
}
