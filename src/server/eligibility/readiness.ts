import { sql, type Kysely } from 'kysely';
import type { DB } from '../platform/tables.ts';
import type { Actor } from '../platform/auth.ts';
import { errors } from '../platform/errors.ts';
import { inScope, mustFind } from '../platform/scope.ts';
import { today } from '../platform/clock.ts';
import { deadlineStatus } from '../platform/window.ts';
import type { Readiness, ReadinessItem, WhatIf } from '../../shared/contract/eligibility.ts';
import { hasGraduationPhoto } from '../photos/service.ts';
import { ruleCtes } from './rules.ts';
import { eligibilityErrors } from './errors.ts';

/** The verdict of the rule engine for one student, with what the page shows beside it. */
interface VerdictRow {
  programme_id: number;
  ok: boolean;
  failures: string[];
  min_credits: number | string;
  earned: number | string;
  total_ok: boolean;
  missing_courses: string[];
  practice_name: string | null;
  practice_ok: boolean;
  study_from: string;
  study_ok: boolean;
  valid_until: string;
  valid_ok: boolean;
  categories: { category: string; required: number; earned: number; waived: boolean }[];
  required_courses: number;
  exceptions: { kind: string; rule: string; target: string | null }[];
}

const n = (x: number | string) => String(Number(x));

/**
 * What a student still lacks, rule by rule (SPEC §4 “a graduation-readiness check”): the rule engine
 * over this one student, against a batch (the current one by default) and, for a what-if, against
 * another programme (专业 × 层次 × 入学批次) — nothing is written.
 */
export async function readiness(db: Kysely<DB>, actor: Actor, studentId: number, opts: WhatIf): Promise<Readiness> {
  const s = await mustFind(db.selectFrom('student as s').innerJoin('programme as p', 'p.id', 's.programme_id')
    .select(['s.id', 's.name', 's.student_no', 's.major', 's.level', 's.cohort', 's.entry_date', 's.programme_id', 's.node_path',
      'p.cohort as programme_cohort', 'p.min_years'])
    .where('s.id', '=', studentId).where(inScope(actor, 's.node_path', 's.id')).executeTakeFirst(), '学生');

  const batch = opts.batch
    ? await db.selectFrom('batch').select(['code', 'issue_date', 'exemption_deadline']).where('code', '=', opts.batch).executeTakeFirst()
    : await db.selectFrom('batch').select(['code', 'issue_date', 'exemption_deadline']).where('is_current', '=', true).executeTakeFirst();
  if (opts.batch && !batch) throw errors.unknownBatch(opts.batch);
  const issueDate = batch?.issue_date ?? today();

  const whatIf = Boolean(opts.major || opts.level || opts.cohort);
  let programmeId = s.programme_id;
  const target = { major: opts.major ?? s.major, level: opts.level ?? s.level, cohort: opts.cohort ?? s.programme_cohort };
  if (whatIf) {
    const p = await db.selectFrom('programme').select('id').where('major', '=', target.major).where('level', '=', target.level)
      .where('cohort', '=', target.cohort).executeTakeFirst();
    if (!p) throw eligibilityErrors.noProgramme(target.major, target.level, target.cohort);
    programmeId = p.id;
  }

  const cand = sql`select ${studentId}::int as student_id, ${programmeId}::int as programme_id,
    ${issueDate}::date as issue_date, ${batch?.exemption_deadline ?? null}::date as exemption_deadline`;
  const res = await sql<VerdictRow>`
    with ${ruleCtes(cand)}
    select v.*,
      (select coalesce(json_agg(json_build_object('category', r.category, 'required', r.min_credits, 'earned', coalesce(b.earned, 0),
          'waived', exists (select 1 from exc where exc.rule = 'category' and exc.kind = '免除' and exc.target = r.category)) order by r.category), '[]')
       from programme_category r left join by_category b on b.category = r.category where r.programme_id = v.programme_id) as categories,
      (select count(*)::int from programme_course pc join programme p on p.id = pc.programme_id
        where pc.programme_id = v.programme_id and pc.required and pc.course_code is distinct from p.practice_course) as required_courses,
      (select coalesce(json_agg(json_build_object('kind', exc.kind, 'rule', exc.rule, 'target', exc.target, 'substitute', exc.substitute_course)), '[]') from exc) as exceptions
    from verdict v`.execute(db);
  const v = res.rows[0];
  if (!v) throw errors.notFound('学生');

  const waived = (rule: string, target?: string) =>
    v.exceptions.some((e) => e.kind === '免除' && e.rule === rule && (target == null || e.target === target));
  const items: ReadinessItem[] = [];
  const shortBy = Math.max(0, Number(v.min_credits) - Number(v.earned));
  items.push({ key: 'total', name: '总学分', required: `${n(v.min_credits)} 学分`, done: `${n(v.earned)} 学分`,
    missing: v.total_ok ? null : `还差 ${n(shortBy)} 学分`, ok: v.total_ok, waived: waived('total'), step: false });
  for (const c of v.categories) {
    const ok = Number(c.earned) >= Number(c.required) || c.waived;
    items.push({ key: `category:${c.category}`, name: `${c.category}学分`, required: `${n(c.required)} 学分`, done: `${n(c.earned)} 学分`,
      missing: ok ? null : `还差 ${n(Number(c.required) - Number(c.earned))} 学分`, ok, waived: c.waived, step: false });
  }
  const missing = v.missing_courses;
  items.push({ key: 'course', name: '必修课程', required: `${v.required_courses} 门`, done: `已通过 ${v.required_courses - missing.length} 门`,
    missing: missing.length ? missing.join('、') : null, ok: missing.length === 0, waived: false, step: false });
  items.push({ key: 'practice', name: '综合实践环节', required: v.practice_name ?? '—', done: v.practice_ok ? '已通过' : '未通过',
    missing: v.practice_ok ? null : v.practice_name, ok: v.practice_ok, waived: waived('practice'), step: false });
  items.push({ key: 'study_time', name: '最低学习年限', required: `${n(s.min_years)} 年（${v.study_from} 起满）`, done: `${s.entry_date} 入学`,
    missing: v.study_ok ? null : `${v.study_from} 方满最低学习年限`, ok: v.study_ok, waived: waived('study_time'), step: false });
  items.push({ key: 'validity', name: '学籍有效期', required: `发证日期 ${issueDate} 时学籍有效`, done: `有效期至 ${v.valid_until}`,
    missing: v.valid_ok ? null : `学籍已于 ${v.valid_until} 到期，须经总部批准延期`, ok: v.valid_ok, waived: waived('validity'), step: false });

  // The photo and 预毕业确认 are steps of the batch: shown, but not conditions of the audit
  // (seed 003 四.7: a registered graduate may still lack a photo; the credential is then not public).
  const photo = await sql<{ has: boolean }>`select ${hasGraduationPhoto('s.id')} as has from student s where s.id = ${studentId}`.execute(db);
  const hasPhoto = Boolean(photo.rows[0]?.has);
  items.push({ key: 'photo', name: '毕业证照片', required: '已上传', done: hasPhoto ? '已上传' : '未上传', missing: hasPhoto ? null : '请教学点上传毕业证照片',
    ok: hasPhoto, waived: false, step: true });
  if (batch) {
    const g = await db.selectFrom('graduate').select(['confirm_status', 'audit_status']).where('batch_code', '=', batch.code)
      .where('student_id', '=', studentId).executeTakeFirst();
    const st = g?.confirm_status ?? '不在本批次候选名单';
    items.push({ key: 'confirm', name: '预毕业确认', required: '同意毕业', done: st, missing: st === '同意毕业' ? null : '请联系教学点办理预毕业确认',
      ok: st === '同意毕业', waived: false, step: true });
  }

  const exemptions = await db.selectFrom('exemption as e').innerJoin('course as c', 'c.code', 'e.course_code')
    .select(['e.id', 'e.course_code', 'c.name as course_name', 'e.applied_on', 'e.status'])
    .where('e.student_id', '=', studentId).orderBy('e.id').execute();
  return {
    student: { id: s.id, name: s.name, student_no: s.student_no, major: s.major, level: s.level, cohort: s.cohort },
    batch: batch ? { code: batch.code, issue_date: batch.issue_date, exemption_deadline: batch.exemption_deadline } : null,
    programme: target,
    what_if: whatIf,
    ok: Boolean(v.ok),
    failures: v.failures,
    items,
    exemptions: exemptions.map((e) => {
      // Applied by the batch's 免修免考 deadline (seed 003 三.3), judged by the one window rule.
      const inTime = deadlineStatus(batch?.exemption_deadline, e.applied_on).open;
      return {
        ...e,
        counts: e.status === '已批准' && inTime,
        note: inTime ? null : `申请日期 ${e.applied_on} 晚于本批次免修免考截止日期 ${batch?.exemption_deadline}，从下一毕业批次起计入`,
      };
    }),
  };
}
