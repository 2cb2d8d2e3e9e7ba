import { sql, type RawBuilder } from 'kysely';
import { RULE_NAMES, type RuleKey } from '../../shared/contract/eligibility.ts';

export { RULE_NAMES, type RuleKey };

/** A rule's key in the engine's SQL: typed, so the SQL names only the keys of src/shared. */
const key = (k: RuleKey) => sql.lit(k);

/**
 * The one rule engine for graduation conditions (毕业条件). Readiness for one student, the reason
 * column of 预毕业确认, the what-if and every audit round are this same SQL over a different set of
 * candidates, so a student never sees one verdict on a page and another in the audit.
 *
 * `cand` must yield (student_id, programme_id, issue_date, exemption_deadline) plus any columns the
 * caller wants carried through to `verdict`. The rules, each honouring headquarters' exceptions
 * (替代: a passed course stands in for a required one; 免除: the requirement is waived):
 *   total      — passed credits, each course once, against the programme's minimum
 *   category   — passed credits per course category against the programme's minimum for it
 *   course     — every required course passed (the practice course is its own rule)
 *   practice   — the 综合实践环节 course passed
 *   study_time — the minimum study time (最低学习年限) reached by the batch's issue date
 *   validity   — 学籍有效期 (8 years, or the approved extension) not over on the issue date
 * A course counts as passed by a grade, or by an approved 免修免考 applied for on or before the
 * batch's exemption deadline (seed 003 三.3); one applied later counts from the next batch.
 */
export function ruleCtes(cand: RawBuilder<unknown>) {
  return sql`
    cand as (${cand}),
    facts as (
      select c.student_id, p.min_credits, p.practice_course, pr.name as practice_name,
             (s.entry_date + make_interval(months => (p.min_years * 12)::int))::date as study_from,
             coalesce(s.extension_until, s.valid_until) as valid_until
      from cand c
      join student s on s.id = c.student_id
      join programme p on p.id = c.programme_id
      left join course pr on pr.code = p.practice_course
    ),
    exc as (
      select e.student_id, e.kind, e.rule, e.target, e.substitute_course
      from audit_exception e join cand c on c.student_id = e.student_id
      where e.revoked_at is null
    ),
    -- Each passed course once. Grades are read per candidate through the (student_id, course_code)
    -- index of passed grades (index-only, already in course order, so DISTINCT is a cheap walk); a lateral
    -- keeps the planner from a hash join that scans the whole grade table once per chunk of a round.
    -- An exemption counts only where no grade passed the course already (one live exemption per course).
    passed as (
      select c.student_id, g.course_code from cand c cross join lateral (
        select distinct g.course_code from grade g where g.student_id = c.student_id and g.passed) g
      union all
      select x.student_id, x.course_code from exemption x join cand c on c.student_id = x.student_id
      where x.status = '已批准' and (c.exemption_deadline is null or x.applied_on <= c.exemption_deadline)
        and not exists (select 1 from grade g where g.student_id = x.student_id and g.course_code = x.course_code and g.passed)
    ),
    by_category as (
      select p.student_id, co.category, sum(co.credits) as earned
      from passed p join course co on co.code = p.course_code
      group by p.student_id, co.category
    ),
    earned as (select student_id, sum(earned) as total from by_category group by student_id),
    category_short as (
      select c.student_id, r.category, r.min_credits, coalesce(b.earned, 0) as earned
      from cand c
      join programme_category r on r.programme_id = c.programme_id
      left join by_category b on b.student_id = c.student_id and b.category = r.category
      where coalesce(b.earned, 0) < r.min_credits
        and not exists (select 1 from exc where exc.student_id = c.student_id and exc.rule = 'category'
                        and exc.kind = '免除' and exc.target = r.category)
    ),
    -- Each student's passed course codes as one array, and each programme's required courses as two:
    -- the missing courses are then an array difference per student, not an anti-join of two big sets.
    passed_codes as (select student_id, array_agg(course_code) as codes from passed group by student_id),
    required as (
      select pc.programme_id, array_agg(pc.course_code order by pc.course_code) as codes, array_agg(co.name order by pc.course_code) as names
      from programme_course pc
      join programme p on p.id = pc.programme_id
      join course co on co.code = pc.course_code
      where pc.required and pc.course_code is distinct from p.practice_course
        and pc.programme_id in (select programme_id from cand)
      group by pc.programme_id
    ),
    -- Courses an exception satisfies: waived (免除), or stood in for by a passed course (替代).
    excused as (
      select exc.student_id, array_agg(exc.target) as targets
      from exc left join passed_codes pcs on pcs.student_id = exc.student_id
      where exc.rule = 'course' and (exc.kind = '免除' or exc.substitute_course = any(coalesce(pcs.codes, '{}')))
      group by exc.student_id
    ),
    category_failed as (
      select student_id,
        array_agg(category || '学分不足：已获 ' || trim_scale(earned) || ' / 需 ' || trim_scale(min_credits) || ' 学分' order by category) as failures
      from category_short group by student_id
    ),
    waived as (
      select student_id, bool_or(rule = 'total') as total, bool_or(rule = 'practice') as practice,
             bool_or(rule = 'study_time') as study_time, bool_or(rule = 'validity') as validity
      from exc where kind = '免除' group by student_id
    ),
    checked as (
      select c.*, f.min_credits, f.practice_name, f.study_from, f.valid_until,
        coalesce(e.total, 0) as earned,
        coalesce(e.total, 0) >= f.min_credits or coalesce(wv.total, false) as total_ok,
        coalesce(cf.failures, '{}') as category_failures,
        -- rq's arrays are in course-code order already: no sort per student.
        case when rq.codes is null or rq.codes <@ coalesce(pcs.codes, '{}') then '{}'::text[]
          -- Only for the few who miss something: name each missing course.
          else coalesce((select array_agg(r.name) from unnest(rq.codes, rq.names) as r(code, name)
                  where not (r.code = any(coalesce(pcs.codes, '{}')) or r.code = any(coalesce(ex.targets, '{}')))), '{}') end as missing_courses,
        f.practice_course is null or coalesce(wv.practice, false) or f.practice_course = any(coalesce(pcs.codes, '{}'))
          or f.practice_course = any(coalesce(ex.targets, '{}')) as practice_ok,
        f.study_from <= c.issue_date or coalesce(wv.study_time, false) as study_ok,
        f.valid_until >= c.issue_date or coalesce(wv.validity, false) as valid_ok
      from cand c
      join facts f on f.student_id = c.student_id
      left join earned e on e.student_id = c.student_id
      left join passed_codes pcs on pcs.student_id = c.student_id
      left join required rq on rq.programme_id = c.programme_id
      left join excused ex on ex.student_id = c.student_id
      left join category_failed cf on cf.student_id = c.student_id
      left join waived wv on wv.student_id = c.student_id
    ),
    verdict as (
      select k.*,
        k.total_ok and cardinality(k.category_failures) = 0 and cardinality(k.missing_courses) = 0
          and k.practice_ok and k.study_ok and k.valid_ok as ok,
        array_remove(array[
          case when not k.total_ok then '总学分不足：已获 ' || trim_scale(k.earned) || ' / 需 ' || trim_scale(k.min_credits) || ' 学分' end,
          case when cardinality(k.missing_courses) > 0 then '缺必修课：' || array_to_string(k.missing_courses, '、') end,
          case when not k.practice_ok then '综合实践环节（' || coalesce(k.practice_name, '') || '）未通过' end,
          case when not k.study_ok then '未满最低学习年限：' || k.study_from || ' 起方满' end,
          case when not k.valid_ok then '学籍已超过有效期（' || k.valid_until || '）' end
        ], null) || k.category_failures as failures,
        array_remove(array[
          case when not k.total_ok then ${key('total')} end,
          case when cardinality(k.category_failures) > 0 then ${key('category')} end,
          case when cardinality(k.missing_courses) > 0 then ${key('course')} end,
          case when not k.practice_ok then ${key('practice')} end,
          case when not k.study_ok then ${key('study_time')} end,
          case when not k.valid_ok then ${key('validity')} end
        ], null) as failed_rules
      from checked k
    )`;
}
