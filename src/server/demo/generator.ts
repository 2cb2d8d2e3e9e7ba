import { sql, type Kysely } from 'kysely';
import type { NodeKind } from '../../shared/org.ts';
import type { DB } from '../platform/tables.ts';
import { COMMON_COURSES, ETHNICITIES, GIVEN, MAJORS, POLITICAL, PROVINCES, SURNAMES } from './reference.ts';

/**
 * Data generation for the demo and the benchmarks, set-based so that a million students take
 * seconds, not hours: every student, ID number and grade is made by one INSERT … SELECT.
 * ID numbers are valid (MOD 11-2) and unique: (region, birth date, sequence) is a function of the index.
 */

export const PROGRAMME_COHORTS = ['2017', '2018', '2019', '2020', '2021', '2022', '2023', '2024', '2025', '2026'];

export async function seedReference(db: Kysely<DB>): Promise<void> {
  const courses: { code: string; name: string; credits: number; category: string }[] =
    COMMON_COURSES.map(([code, name, credits, category]) => ({ code, name, credits, category }));
  for (const m of MAJORS) {
    m.courses.forEach((name, i) => courses.push({ code: `${m.code}${m.level === '专科' ? 'Z' : 'B'}${String(i + 1).padStart(2, '0')}`, name, credits: 4, category: i < 8 ? '专业核心课' : '专业拓展课' }));
    courses.push({ code: `${m.code}${m.level === '专科' ? 'Z' : 'B'}SJ`, name: m.level === '专科' ? '专科毕业作业（综合实践）' : '毕业论文（综合实践）', credits: 5, category: '综合实践环节' });
  }
  await db.insertInto('course').values(courses).onConflict((oc) => oc.column('code').doNothing()).execute();
  for (const m of MAJORS) {
    const prefix = `${m.code}${m.level === '专科' ? 'Z' : 'B'}`;
    for (const cohort of PROGRAMME_COHORTS) {
      const p = await db.insertInto('programme').values({ major: m.major, level: m.level, cohort, min_credits: m.minCredits, min_years: 2.5, practice_course: `${prefix}SJ` })
        .onConflict((oc) => oc.columns(['major', 'level', 'cohort']).doUpdateSet({ min_credits: m.minCredits }))
        .returning('id').executeTakeFirstOrThrow();
      const rows = [
        ...COMMON_COURSES.map(([code]) => ({ programme_id: p.id, course_code: code, required: true })),
        ...m.courses.map((_, i) => ({ programme_id: p.id, course_code: `${prefix}${String(i + 1).padStart(2, '0')}`, required: i < 8 })),
        { programme_id: p.id, course_code: `${prefix}SJ`, required: true },
      ];
      await db.insertInto('programme_course').values(rows).onConflict((oc) => oc.columns(['programme_id', 'course_code']).doNothing()).execute();
      // Credits by category (教学计划): the common courses and the major's core courses each have a floor.
      await db.insertInto('programme_category').values([
        { programme_id: p.id, category: '公共基础课', min_credits: 25 },
        { programme_id: p.id, category: '专业核心课', min_credits: 28 },
      ]).onConflict((oc) => oc.columns(['programme_id', 'category']).doNothing()).execute();
    }
  }
}

export async function addNode(db: Kysely<DB>, parentId: number | null, kind: NodeKind, code: string, name: string): Promise<{ id: number; path: string }> {
  const parent = parentId ? await db.selectFrom('org_node').select('path').where('id', '=', parentId).executeTakeFirstOrThrow() : { path: '/' };
  const { id } = await db.insertInto('org_node').values({ parent_id: parentId, kind, code, name, path: `pending-${code}` }).returning('id').executeTakeFirstOrThrow();
  const path = `${parent.path}${id}/`;
  await db.updateTable('org_node').set({ path }).where('id', '=', id).execute();
  return { id, path };
}

const CITY_NAMES = ['沈阳', '大连', '鞍山', '抚顺', '本溪', '丹东', '锦州', '营口', '阜新', '辽阳', '盘锦', '铁岭', '朝阳', '葫芦岛'];

/** A big tree for the benchmarks: `branches` branches and `tps` teaching points spread over them, one class each. */
export async function generateOrg(db: Kysely<DB>, branches: number, tps: number): Promise<void> {
  const hq = await db.selectFrom('org_node').select(['id', 'path']).where('kind', '=', 'hq').executeTakeFirst()
    ?? await addNode(db, null, 'hq', '000', '国家开放大学');
  await sql`
    insert into org_node (parent_id, kind, code, name, path)
    select ${hq.id}, 'branch', 'B' || lpad(i::text, 3, '0'), '第' || i || '分部', 'pending-B' || i
    from generate_series(1, ${branches}::int) i`.execute(db);
  await sql`update org_node set path = ${hq.path} || id || '/' where kind = 'branch' and path like 'pending-%'`.execute(db);
  await sql`
    insert into org_node (parent_id, kind, code, name, path)
    select b.id, 'tp', 'T' || lpad(i::text, 5, '0'), (${CITY_NAMES}::text[])[1 + i % ${CITY_NAMES.length}::int] || '第' || i || '教学点', 'pending-T' || i
    from generate_series(1, ${tps}::int) i
    join (select id, row_number() over (order by id) - 1 as k from org_node where kind = 'branch') b on b.k = i % ${branches}::int`.execute(db);
  await sql`update org_node n set path = p.path || n.id || '/' from org_node p where p.id = n.parent_id and n.path like 'pending-%'`.execute(db);
  await sql`
    insert into org_node (parent_id, kind, code, name, path)
    select id, 'class', code || '-01', '2021级' || name || '1班', 'pending-C' || id from org_node where kind = 'tp'
      and not exists (select 1 from org_node c where c.parent_id = org_node.id)`.execute(db);
  await sql`update org_node n set path = p.path || n.id || '/' from org_node p where p.id = n.parent_id and n.path like 'pending-%'`.execute(db);
}

export interface StudentSpec {
  count: number;
  /** Index of the first student: indexes must not overlap between calls (they make 学号 and 身份证号). */
  start: number;
  /** Teaching points to spread over; skewed so that a few are large, as real ones are. Default: all. */
  tpIds?: number[];
  cohorts: string[];
  status?: '在籍' | '毕业';
}

/** Students with valid, unique ID numbers. Returns the id range made. */
export async function generateStudents(db: Kysely<DB>, spec: StudentSpec): Promise<{ first: number; last: number }> {
  const tpIds = spec.tpIds ?? (await db.selectFrom('org_node').select('id').where('kind', '=', 'tp').orderBy('id').execute()).map((r) => r.id);
  const majors = MAJORS.map((m) => m.major);
  const levels = MAJORS.map((m) => m.level);
  const res = await sql<{ first: number; last: number }>`
    with tps as (
      select t.id, t.path, row_number() over (order by t.id) - 1 as k,
             (select c.id from org_node c where c.parent_id = t.id and c.kind = 'class' order by c.id limit 1) as class_id,
             (select c.path from org_node c where c.parent_id = t.id and c.kind = 'class' order by c.id limit 1) as class_path,
             case when b.code ~ '^[1-6][0-9]$' then b.code
               else (${PROVINCES}::text[])[1 + (row_number() over (order by b.id)) % ${PROVINCES.length}::int] end as province
      from org_node t join org_node b on b.id = t.parent_id
      where t.id = any(${tpIds}::int[])
    ),
    n as (select count(*)::int as c from tps),
    raw as (
      select i,
        -- skew: the square of a uniform number favours small k, so the first teaching points are the big ones
        floor(((abs(hashint4(i * 7 + 1)) % 100000) / 100000.0) ^ 2 * (select c from n))::int as k,
        abs(hashint4(i * 13 + 5)) as h1, abs(hashint4(i * 17 + 3)) as h2, abs(hashint4(i * 19 + 11)) as h3
      from generate_series(${spec.start}::int, ${spec.start + spec.count - 1}::int) i
    ),
    picked as (
      select r.*, t.id as tp_id, t.class_id, coalesce(t.class_path, t.path) as node_path, t.province,
        (${spec.cohorts}::text[])[1 + r.h1 % ${spec.cohorts.length}::int] as cohort,
        1 + r.h2 % ${majors.length}::int as m,
        case when r.h3 % 2 = 0 then '男' else '女' end as gender,
        date '1968-01-01' + (((r.i % 12000) * 37) % 12000) as birth
      from raw r join tps t on t.k = least(r.k, (select c from n) - 1)
    ),
    shaped as (
      select p.*,
        (${majors}::text[])[p.m] as major, (${levels}::text[])[p.m] as level,
        p.province || lpad((10 + (p.i / 12000) % 90)::text, 2, '0') || '02' || to_char(p.birth, 'YYYYMMDD')
          || lpad(((p.i / 24) % 500 * 2 + case when p.gender = '男' then 1 else 0 end)::text, 3, '0') as id17,
        make_date(left(p.cohort, 4)::int, right(p.cohort, 2)::int, 1) as entry_date
      from picked p
    ),
    ins as (
      insert into student (student_no, name, gender, id_number, ethnicity, political_status, cohort, level, major, programme_id,
                           tp_id, class_id, node_path, status, entry_date, valid_until, phone)
      select left(s.cohort, 4) || lpad(s.i::text, 9, '0'),
        (${SURNAMES}::text[])[1 + s.h1 % ${SURNAMES.length}::int]
          || (${GIVEN}::text[])[1 + s.h2 % ${GIVEN.length}::int]
          || case when s.h3 % 3 = 0 then '' else (${GIVEN}::text[])[1 + s.h3 % ${GIVEN.length}::int] end,
        s.gender,
        s.id17 || substr('10X98765432', (
          (substr(s.id17,1,1)::int*7 + substr(s.id17,2,1)::int*9 + substr(s.id17,3,1)::int*10 + substr(s.id17,4,1)::int*5
         + substr(s.id17,5,1)::int*8 + substr(s.id17,6,1)::int*4 + substr(s.id17,7,1)::int*2 + substr(s.id17,8,1)::int*1
         + substr(s.id17,9,1)::int*6 + substr(s.id17,10,1)::int*3 + substr(s.id17,11,1)::int*7 + substr(s.id17,12,1)::int*9
         + substr(s.id17,13,1)::int*10 + substr(s.id17,14,1)::int*5 + substr(s.id17,15,1)::int*8 + substr(s.id17,16,1)::int*4
         + substr(s.id17,17,1)::int*2) % 11) + 1, 1),
        (${ETHNICITIES}::text[])[1 + s.h3 % ${ETHNICITIES.length}::int],
        (${POLITICAL}::text[])[1 + s.h1 % ${POLITICAL.length}::int],
        s.cohort, s.level, s.major,
        (select id from programme p where p.major = s.major and p.level = s.level and p.cohort = left(s.cohort, 4)),
        s.tp_id, s.class_id, s.node_path, ${spec.status ?? '在籍'}, s.entry_date, (s.entry_date + interval '8 years')::date,
        '13' || lpad((s.h2 % 1000000000)::text, 9, '0')
      from shaped s
      returning id
    )
    select min(id)::int as first, max(id)::int as last from ins`.execute(db);
  return res.rows[0];
}

/**
 * Grades for students first..last: each course of the programme once. Most students pass everything;
 * some fail a required course, some the practice course, some lack elective credits — so the
 * eligibility check has every kind of reason to show.
 */
export async function generateGrades(db: Kysely<DB>, first: number, last: number): Promise<void> {
  await sql`
    insert into grade (student_id, course_code, score, passed, term, source)
    select s.id, pc.course_code, sc.score, sc.score >= 60,
      (left(s.cohort, 4)::int + abs(hashtext(pc.course_code)) % 3)::text || case when abs(hashtext(pc.course_code)) % 2 = 0 then '春' else '秋' end,
      case when c.category = '综合实践环节' then '综合实践环节' else '期末考试' end
    from student s
    join programme_course pc on pc.programme_id = s.programme_id
    join course c on c.code = pc.course_code
    cross join lateral (select abs(hashint4(s.id)) % 100 as profile, abs(hashint4(((s.id::bigint * 31 + hashtext(pc.course_code)) % 2147483647)::int)) % 40 as r) x
    cross join lateral (select case
        when x.profile between 72 and 79 and c.category = '专业核心课' and right(pc.course_code, 2) = '01' then 45
        when x.profile between 80 and 86 and c.category = '综合实践环节' then 52
        else 60 + x.r end::numeric as score) sc
    where s.id between ${first} and ${last}
      and not (x.profile >= 87 and not pc.required)`.execute(db);
}
