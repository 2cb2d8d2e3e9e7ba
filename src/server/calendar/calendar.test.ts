/**
 * 工作日历: the statutory working-day calendar, checked against the State Council's notices themselves
 * (the facts below are the notices' words, not the package's data), and headquarters' entries.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { errorOf, startTestApp, type TestApp } from '../testing/harness.ts';
import { buildWorld } from '../testing/factories.ts';
import { AppError } from '../platform/errors.ts';
import { addWorkingDays, countWorkingDays, isWorkingDay, loadCalendar, STATUTORY_SOURCE } from '../platform/calendar.ts';
import { calendarApi } from '../../shared/contract/calendar.ts';

let t: TestApp;
let hq: string;
let branch: string;
let tp: string;
let student: string;

before(async () => {
  t = await startTestApp();
  await buildWorld(t.db);
  [hq, branch, tp, student] = await Promise.all(['hq', 'brA', 'tpA1', 'studentA1'].map((u) => t.login(u)));
});
after(async () => t?.close());

/** Every date from `a` to `b` (inclusive). */
function dates(a: string, b = a): string[] {
  const out: string[] = [];
  for (let ms = Date.parse(`${a}T00:00:00Z`); ms <= Date.parse(`${b}T00:00:00Z`); ms += 86_400_000) out.push(new Date(ms).toISOString().slice(0, 10));
  return out;
}

/**
 * The notices, as published (国务院办公厅关于 … 年部分节假日安排的通知): the days off (放假调休) and the
 * make-up working days (上班) falling in the year. A date in neither is off on Saturday and Sunday only.
 */
const NOTICES: Record<number, { notice: string; off: [string, string?][]; work: string[] }> = {
  2019: {
    // 国办发明电〔2018〕15号, with 劳动节 as changed by 国办发明电〔2019〕3号 (5月1日至4日, 4月28日、5月5日上班).
    notice: '国办发明电〔2018〕15号 / 〔2019〕3号',
    off: [['2019-01-01'], ['2019-02-04', '2019-02-10'], ['2019-04-05'], ['2019-05-01', '2019-05-04'], ['2019-06-07'], ['2019-09-13'], ['2019-10-01', '2019-10-07']],
    work: ['2019-02-02', '2019-02-03', '2019-04-28', '2019-05-05', '2019-09-29', '2019-10-12'],
  },
  2020: {
    // 国办发明电〔2019〕16号: 春节 1月24日至30日, 1月19日(星期日)、2月1日(星期六)上班. 国办发明电〔2020〕1号 extended
    // the Spring Festival to 2月2日 (星期日), 2月3日起正常上班: 1月31日, 2月1日 (no longer a working day) and 2月2日 are off.
    notice: '国办发明电〔2019〕16号 / 〔2020〕1号',
    off: [['2020-01-01'], ['2020-01-24', '2020-02-02'], ['2020-04-04', '2020-04-06'], ['2020-05-01', '2020-05-05'], ['2020-06-25', '2020-06-27'], ['2020-10-01', '2020-10-08']],
    work: ['2020-01-19', '2020-04-26', '2020-05-09', '2020-06-28', '2020-09-27', '2020-10-10'],
  },
  2022: {
    notice: '国办发明电〔2021〕11号',
    off: [['2022-01-01', '2022-01-03'], ['2022-01-31', '2022-02-06'], ['2022-04-03', '2022-04-05'], ['2022-04-30', '2022-05-04'], ['2022-06-03', '2022-06-05'], ['2022-09-10', '2022-09-12'], ['2022-10-01', '2022-10-07']],
    work: ['2022-01-29', '2022-01-30', '2022-04-02', '2022-04-24', '2022-05-07', '2022-10-08', '2022-10-09'],
  },
  2023: {
    // 元旦: 2022年12月31日至2023年1月2日; 中秋节、国庆节: 9月29日至10月6日, 10月7日(星期六)、10月8日(星期日)上班.
    notice: '国办发明电〔2022〕16号',
    off: [['2023-01-01', '2023-01-02'], ['2023-01-21', '2023-01-27'], ['2023-04-05'], ['2023-04-29', '2023-05-03'], ['2023-06-22', '2023-06-24'], ['2023-09-29', '2023-10-06']],
    work: ['2023-01-28', '2023-01-29', '2023-04-23', '2023-05-06', '2023-06-25', '2023-10-07', '2023-10-08'],
  },
};

function noticeSays(year: number, day: string): boolean {
  const n = NOTICES[year];
  if (n.work.includes(day)) return true;
  if (n.off.some(([a, b]) => dates(a, b).includes(day))) return false;
  const wd = new Date(`${day}T00:00:00Z`).getUTCDay();
  return wd !== 0 && wd !== 6;
}

/** The refusal, word for word. */
const UNKNOWN_2027 = '2027 年节假日安排尚未录入，无法计算截止日期。请总部在系统管理 → 工作日历中录入 2027 年的节假日和调休安排。';
const unknownYear = (year: number) => UNKNOWN_2027.replaceAll('2027', String(year));

async function refused(p: Promise<unknown>, year: number) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AppError, String(e));
    assert.equal(e.code, 'CALENDAR_YEAR_UNKNOWN');
    assert.equal(e.status, 409);
    assert.equal(e.message, unknownYear(year));
    assert.deepEqual(e.details, { year });
    return true;
  });
}

describe('工作日历: the State Council notices', () => {
  test(`the pinned package (${STATUTORY_SOURCE.package} ${STATUTORY_SOURCE.version}) covers 2004 to 2026`, () => {
    assert.equal(STATUTORY_SOURCE.version, '1.5.7');
    assert.equal(STATUTORY_SOURCE.firstYear, 2004);
    assert.equal(STATUTORY_SOURCE.lastYear, 2026);
  });

  for (const year of [2019, 2020, 2022, 2023]) {
    test(`every date of ${year} is a working day exactly when ${NOTICES[year].notice} says so`, async () => {
      const cal = await loadCalendar(t.db);
      const wrong = dates(`${year}-01-01`, `${year}-12-31`).filter((d) => cal.isWorkingDay(d) !== noticeSays(year, d));
      assert.deepEqual(wrong, []);
    });
  }

  test('2019 National Day: 10-01..10-07 off, Sunday 09-29 and Saturday 10-12 worked', async () => {
    assert.equal(await isWorkingDay(t.db, '2019-09-29'), true);
    assert.equal(await isWorkingDay(t.db, '2019-10-12'), true);
    for (const d of dates('2019-10-01', '2019-10-07')) assert.equal(await isWorkingDay(t.db, d), false, d);
    assert.equal(await addWorkingDays(t.db, '2019-09-27', 1), '2019-09-29', 'the make-up Sunday counts');
    assert.equal(await addWorkingDays(t.db, '2019-09-30', 1), '2019-10-08');
    // 09-23..09-27 (5), 09-29 (6), 09-30 (7), 10-08..10-11 (11), 10-12 (12), 10-14..10-16 (15)
    assert.equal(await addWorkingDays(t.db, '2019-09-20', 15), '2019-10-16');
    assert.equal(await countWorkingDays(t.db, '2019-09-27', '2019-10-14'), 8);
  });

  test('2020 Spring Festival with its extension: 01-24..02-02 off, Sunday 01-19 worked, Saturday 02-01 no longer', async () => {
    assert.equal(await isWorkingDay(t.db, '2020-01-19'), true);
    for (const d of ['2020-01-31', '2020-02-01', '2020-02-02']) assert.equal(await isWorkingDay(t.db, d), false, `${d} (国办发明电〔2020〕1号)`);
    assert.equal(await isWorkingDay(t.db, '2020-02-03'), true);
    assert.equal(await addWorkingDays(t.db, '2020-01-23', 1), '2020-02-03');
    // 01-19, 01-20..01-23, then 02-03..02-07: 10 (12 without the extension).
    assert.equal(await countWorkingDays(t.db, '2020-01-17', '2020-02-07'), 10);
    // National Day and Mid-Autumn: 10-01..10-08 off, Sunday 09-27 and Saturday 10-10 worked.
    assert.equal(await addWorkingDays(t.db, '2020-09-25', 1), '2020-09-27');
    assert.equal(await addWorkingDays(t.db, '2020-09-30', 1), '2020-10-09');
    assert.equal(await addWorkingDays(t.db, '2020-10-09', 1), '2020-10-10');
  });

  test('2022 and 2023: the make-up weekends count, the holidays do not', async () => {
    assert.equal(await countWorkingDays(t.db, '2022-09-30', '2022-10-10'), 3, '10-08 Sat, 10-09 Sun, 10-10 Mon');
    assert.equal(await addWorkingDays(t.db, '2022-01-28', 1), '2022-01-29');
    assert.equal(await addWorkingDays(t.db, '2022-01-30', 1), '2022-02-07');
    assert.equal(await addWorkingDays(t.db, '2022-04-01', 1), '2022-04-02');
    assert.equal(await addWorkingDays(t.db, '2022-04-29', 1), '2022-05-05');
    assert.equal(await addWorkingDays(t.db, '2023-01-20', 1), '2023-01-28');
    assert.equal(await addWorkingDays(t.db, '2023-06-21', 1), '2023-06-25');
    assert.equal(await addWorkingDays(t.db, '2023-09-28', 1), '2023-10-07');
    assert.equal(await countWorkingDays(t.db, '2022-12-30', '2023-01-03'), 1, '2022-12-31..2023-01-02 off');
  });

  test('addWorkingDays and countWorkingDays agree: count(d, add(d, n)) = n, and the day reached is a working day', async () => {
    const cal = await loadCalendar(t.db);
    const day = fc.integer({ min: Date.UTC(2004, 0, 1), max: Date.UTC(2026, 9, 1) }).map((ms) => new Date(ms - (ms % 86_400_000)).toISOString().slice(0, 10));
    fc.assert(fc.property(day, fc.integer({ min: 0, max: 60 }), (d, n) => {
      const end = cal.addWorkingDays(d, n);
      assert.equal(cal.countWorkingDays(d, end), n);
      assert.equal(cal.countWorkingDays(end, d), n === 0 ? 0 : -n);
      if (n > 0) assert.ok(cal.isWorkingDay(end));
      if (n > 0) assert.equal(cal.addWorkingDays(d, n - 1) < end, true);
    }), { numRuns: 400 });
    assert.equal(cal.addWorkingDays('2020-01-24', 0), '2020-01-24', 'n = 0 gives the date back');
    assert.equal(cal.countWorkingDays('2020-01-24', '2020-01-24'), 0);
    assert.throws(() => cal.addWorkingDays('2020-01-24', -1), RangeError);
  });
});

describe('工作日历: a year whose arrangement is not known', () => {
  test('2027 is refused with the code and the message that says where to enter it', async () => {
    await refused(addWorkingDays(t.db, '2026-12-20', 15), 2027);
    await refused(countWorkingDays(t.db, '2026-12-03', '2027-01-10'), 2027);
    await refused(isWorkingDay(t.db, '2027-03-01'), 2027);
    await refused(addWorkingDays(t.db, '2003-12-20', 1), 2003);
    assert.equal(await addWorkingDays(t.db, '2026-12-03', 5), '2026-12-10', 'a deadline inside 2026 is computed');
    const r = await t.api(calendarApi.year, { params: { year: 2027 }, cookie: tp });
    assert.equal(r.status, 200);
    assert.equal(r.json.status, '未录入');
    assert.equal(r.json.in_package, false);
    assert.deepEqual(r.json.days, []);
    assert.match(r.json.status_text, /2027 年节假日安排尚未录入/);
  });

  test('headquarters enters 2027 (holidays, a make-up day), marks it entered, and then it is computable', async () => {
    // An arrangement made up for the test: the real 2027 notice is not published.
    const empty = await t.api(calendarApi.markEntered, { params: { year: 2027 }, body: {}, cookie: hq });
    assert.equal(empty.status, 409);
    assert.equal(errorOf(empty).error, 'CALENDAR_YEAR_EMPTY', 'a year with no holiday entered cannot be marked: it would be a Monday-to-Friday guess');

    const ny = await t.api(calendarApi.addDays, { body: { day: '2027-01-01', kind: 'holiday', name: '元旦' }, cookie: hq });
    assert.equal(ny.status, 200, JSON.stringify(ny.json));
    const sf = await t.api(calendarApi.addDays, { body: { day: '2027-02-08', until: '2027-02-12', kind: 'holiday', name: '春节' }, cookie: hq });
    assert.equal(sf.status, 200);
    const mk = await t.api(calendarApi.addDays, { body: { day: '2027-02-20', kind: 'workday', name: '春节调休上班', note: '测试用安排' }, cookie: hq });
    assert.equal(mk.status, 200);
    assert.equal(mk.json.status, '未录入', 'entries alone do not make the year known');
    await refused(addWorkingDays(t.db, '2027-02-05', 7), 2027);

    const marked = await t.api(calendarApi.markEntered, { params: { year: 2027 }, body: { note: '国办发明电（测试）' }, cookie: hq });
    assert.equal(marked.status, 200);
    assert.equal(marked.json.status, '已录入');
    assert.equal(marked.json.entered?.note, '国办发明电（测试）');
    assert.ok(marked.json.entered_years.includes(2027));
    assert.deepEqual(marked.json.days.map((d) => [d.day, d.kind, d.source]), [
      ['2027-01-01', 'holiday', '总部录入'],
      ...dates('2027-02-08', '2027-02-12').map((d) => [d, 'holiday', '总部录入']),
      ['2027-02-20', 'workday', '总部录入'],
    ]);
    assert.equal(marked.json.days.find((d) => d.day === '2027-02-20')?.entered_by, 'hq');

    // 12-31 (Thu), then 01-01 off and the weekend: 01-04.
    assert.equal(await addWorkingDays(t.db, '2026-12-30', 2), '2027-01-04');
    // 02-15..02-19 (5), Saturday 02-20 worked (6), 02-22 (7).
    assert.equal(await addWorkingDays(t.db, '2027-02-05', 7), '2027-02-22');
    assert.equal(await countWorkingDays(t.db, '2027-02-05', '2027-02-22'), 7);
    await refused(addWorkingDays(t.db, '2027-12-20', 15), 2028);

    const log = await t.db.selectFrom('operation_log').select(['action', 'object_type', 'object_id', 'actor_name'])
      .where('object_type', 'in', ['calendar_day', 'calendar_year']).where('object_id', 'like', '2027%').orderBy('id').execute();
    assert.equal(log.filter((l) => l.action === '录入工作日历').length, 7);
    assert.deepEqual(log.filter((l) => l.object_type === 'calendar_year').map((l) => [l.action, l.object_id]), [['标记节假日安排已录入', '2027']]);
  });
});

describe('工作日历: headquarters’ entries win, and are removed', () => {
  test('a holiday entered on a weekday and a make-up day on a notice’s holiday override the notice; removing them restores it', async () => {
    assert.equal(await isWorkingDay(t.db, '2025-12-31'), true);
    assert.equal(await isWorkingDay(t.db, '2025-10-01'), false);
    assert.equal((await t.api(calendarApi.addDays, { body: { day: '2025-12-31', kind: 'holiday', name: '校庆' }, cookie: hq })).status, 200);
    const r = await t.api(calendarApi.addDays, { body: { day: '2025-10-01', kind: 'workday', name: '国庆节值班' }, cookie: hq });
    assert.equal(r.status, 200);
    const oct1 = r.json.days.find((d) => d.day === '2025-10-01');
    assert.equal(oct1?.source, '总部录入');
    assert.deepEqual(oct1?.replaces, { kind: 'holiday', name: '国庆节' });
    assert.equal(r.json.days.find((d) => d.day === '2025-10-02')?.source, '国务院通知');
    assert.equal(await isWorkingDay(t.db, '2025-12-31'), false);
    assert.equal(await isWorkingDay(t.db, '2025-10-01'), true);
    assert.equal(await addWorkingDays(t.db, '2025-12-30', 1), '2026-01-04', '12-31 entered off, 2026-01-01..03 off, Sunday 01-04 worked (the 2026 notice)');

    for (const d of ['2025-12-31', '2025-10-01']) {
      const del = await t.api(calendarApi.removeDay, { params: { day: d }, cookie: hq });
      assert.equal(del.status, 200);
    }
    assert.equal(await isWorkingDay(t.db, '2025-12-31'), true);
    assert.equal(await isWorkingDay(t.db, '2025-10-01'), false);
    const again = await t.api(calendarApi.removeDay, { params: { day: '2025-10-02' }, cookie: hq });
    assert.equal(again.status, 404);
    assert.equal(errorOf(again).error, 'CALENDAR_DAY_NOT_FOUND');
    assert.match(errorOf(again).message, /国务院通知中的安排不能删除/);
    const removed = await t.db.selectFrom('operation_log').select(['before']).where('action', '=', '删除工作日历录入').where('object_id', '=', '2025-10-01').executeTakeFirstOrThrow();
    assert.deepEqual(removed.before, { kind: 'workday', name: '国庆节值班', note: null });
  });

  test('the year view of 2020 lists the notice’s days as 国务院通知, the extension included', async () => {
    const r = await t.api(calendarApi.year, { params: { year: 2020 }, cookie: tp });
    assert.equal(r.status, 200);
    assert.equal(r.json.status, '已录入');
    assert.equal(r.json.in_package, true);
    assert.deepEqual(r.json.days.filter((d) => d.kind === 'workday').map((d) => d.day), NOTICES[2020].work);
    assert.deepEqual(r.json.days.filter((d) => d.kind === 'holiday').map((d) => d.day), NOTICES[2020].off.flatMap(([a, b]) => dates(a, b)));
    const feb1 = r.json.days.find((d) => d.day === '2020-02-01');
    assert.deepEqual([feb1?.kind, feb1?.name, feb1?.source, feb1?.weekday], ['holiday', '春节', '国务院通知', '星期六']);
  });
});

describe('工作日历: who may change it, and bad input', () => {
  test('staff read it; only headquarters changes it (403 for a branch, a teaching point, a student)', async () => {
    assert.equal((await t.api(calendarApi.year, { params: { year: 2026 }, cookie: branch })).status, 200);
    assert.equal((await t.api(calendarApi.year, { params: { year: 2026 }, cookie: student })).status, 403);
    for (const cookie of [branch, tp]) {
      const add = await t.api(calendarApi.addDays, { body: { day: '2028-01-03', kind: 'holiday', name: '元旦' }, cookie });
      assert.equal(add.status, 403);
      assert.match(errorOf(add).message, /无权/);
      assert.equal((await t.api(calendarApi.markEntered, { params: { year: 2026 }, body: {}, cookie })).status, 403);
      assert.equal((await t.api(calendarApi.removeDay, { params: { day: '2027-01-01' }, cookie })).status, 403);
    }
    const none = await t.db.selectFrom('calendar_day').select('day').where('day', '=', '2028-01-03').executeTakeFirst();
    assert.equal(none, undefined);
  });

  test('an invalid date, an unknown kind, a bad year or span, a needless make-up day: each told in Chinese', async () => {
    const add = (body: Record<string, unknown>) => t.call('POST', '/api/calendar/days', { cookie: hq, body });
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ day: '2027-02-30', kind: 'holiday', name: '春节' }, /日期无效/],
      [{ day: '2027/02/08', kind: 'holiday', name: '春节' }, /日期无效.*YYYY-MM-DD/],
      [{ day: '2027-02-08', kind: 'vacation', name: '春节' }, /^类型应为 holiday（放假）或 workday（调休上班）。$/],
      [{ day: '2027-02-08', name: '春节' }, /类型应为/],
      [{ day: '2027-02-08', kind: 'holiday', name: ' ' }, /请填写名称/],
      [{ day: '2027-02-12', until: '2027-02-08', kind: 'holiday', name: '春节' }, /结束日期不能早于开始日期/],
      [{ day: '2027-01-01', until: '2027-03-01', kind: 'holiday', name: '寒假' }, /一次最多录入 31 天/],
    ];
    for (const [body, message] of cases) {
      const r = await add(body);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(errorOf(r).error, 'VALIDATION');
      assert.match(errorOf(r).message, message, JSON.stringify(body));
    }
    const year = await t.call('GET', '/api/calendar/years/abc', { cookie: hq });
    assert.equal(year.status, 400);
    assert.match(errorOf(year).message, /年份应为 2000 至 2100 之间的四位数字/);
    const weekday = await add({ day: '2027-03-03', kind: 'workday', name: '调休上班' });
    assert.equal(weekday.status, 400);
    assert.equal(errorOf(weekday).error, 'CALENDAR_ALREADY_WORKDAY');
    assert.match(errorOf(weekday).message, /2027-03-03（星期三）本来就是工作日/);
    const badDelete = await t.call('DELETE', '/api/calendar/days/2027-13-01', { cookie: hq });
    assert.equal(badDelete.status, 400);
    assert.match(errorOf(badDelete).message, /日期无效/);
  });
});
