/**
 * `npm run bench -- forms [--students N] [--opinions K] [--db postgres|pglite]`
 *
 * 毕业生登记表 at scale (issue 6). A fresh database with N students (default 20,000), every one a graduate of
 * 202701 agreed in 预毕业确认, each with a submitted form (函授站未填写: a 自我鉴定 of 300–600 characters and
 * the summaries) and a 毕业证照片; the 填写毕业生登记表 and 填写意见 windows open today. Then, in one run:
 * - 填写意见 for K forms (default 5,000) of one teaching point in ONE action: writeOpinions as its tp_admin,
 *   each form with its own 班主任意见 and 函授站意见. Its floor: the same rows set by one bare
 *   `UPDATE … FROM (VALUES …)` in a transaction rolled back; opinions_ratio = action ÷ floor (seconds).
 * - the other forms' opinions (writeOpinions per teaching point), then 学校意见 for every form, approve as
 *   each branch's branch_admin in actions of ≤ 5,000 (the request's cap): all forms 总部已填写.
 * - 下载毕业生登记表 for every form (the export producer graduateFormsExport, as a hq_admin, filter 202701 ×
 *   总部已填写): print_mode 'merged' then 'zip', with RSS sampled. Its floor: the renderer alone on the same
 *   forms loaded beforehand (no database), the first M of them (default 2,000); print_ratio = export's
 *   seconds a form ÷ the renderer's.
 * The last line printed is one JSON object with every figure.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { sql, type Kysely } from 'kysely';
import { setWindows } from '../src/server/batches/service.ts';
import { graduateFormsExport } from '../src/server/documents/exports.ts';
import { renderGraduateForm, type GraduateFormData } from '../src/server/documents/graduate-form.ts';
import { loadGraduateForms } from '../src/server/documents/load.ts';
import { selected } from '../src/server/forms/queries.ts';
import { approveBody, opinionsBody } from '../src/shared/contract/forms.ts';
import type { BulkResult } from '../src/shared/bulk.ts';
import { approve, writeOpinions } from '../src/server/forms/service.ts';
import type { Actor } from '../src/server/platform/auth.ts';
import { MergedPdf, missingGlyphs, renderToBuffer } from '../src/server/platform/pdf.ts';
import type { DB } from '../src/server/platform/tables.ts';
import { docOrder } from '../src/server/records/service.ts';
import { BATCH, Cleanups, fillDataset, hqAdmin, openDataset, produce, staffActor } from './lib/dataset.ts';
import { intOption, stringOption, type Options } from './lib/options.ts';
import { countPdfFilePages, countZipPages } from './lib/pdf-pages.ts';
import { logger, peakRssMb, round, timed } from './lib/common.ts';

export const description = '毕业生登记表: 填写意见 for 5,000 forms in one action against a bare UPDATE, and 下载毕业生登记表 for 20,000 against the renderer alone';

const HELP = `npm run bench -- forms [options]
  --students N           students, each a graduate of ${BATCH} with a submitted form (default 20000)
  --opinions K           forms of one teaching point given 班主任意见 and 函授站意见 in one action (default 5000, at most 5000)
  --render-only M        forms drawn by the renderer alone for the print's floor (default 2000)
  --db postgres|pglite   database (default postgres)
  --pg-url URL           server to create the database on (default $BENCH_PG_URL or postgres://postgres@127.0.0.1:5432/postgres)
  --teaching-points T    teaching points the students are spread over (default 3: the largest holds ~58%)
  --keep                 keep the database and the temporary DATA_DIR
The last line printed is one JSON object.`;

const log = logger('forms');
const WARMUP = 50;
/** The request's cap on the items of one action (shared/contract/forms.ts). */
const ACTION_MAX = 5000;
/** Cohorts that all reach 202701's minimum study time (2.5 years by 2027-01-20): every student is a candidate. */
const COHORTS = ['201903', '201909', '202003', '202009', '202103', '202109', '202203', '202209', '202303', '202309', '202403'];

type Db = Kysely<DB>;
const mb = (bytes: number) => round(bytes / 1024 / 1024, 1);
const perSecond = (n: number, ms: number) => (ms > 0 ? round(n / (ms / 1000), 1) : 0);
const CN_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' });
const chinaDay = (offsetDays: number) => CN_DAY.format(new Date(Date.now() + offsetDays * 86_400_000));

// ——— What graduates write and offices answer: plain, printable, each form different ———

const SENTENCES = [
  '本人入学以来，始终以端正的态度对待开放教育的学习，遵守学校的各项规章制度，按时参加面授辅导和网上学习。',
  '在学习过程中，我合理安排工作与学习的时间，坚持每周登录学习平台观看课程视频，认真完成每一次形成性考核作业。',
  '通过系统学习专业核心课程，我掌握了本专业的基本理论、基本知识和基本技能，并能把所学知识运用到实际工作中。',
  '面对工作繁忙和家庭事务的压力，我没有放弃学业，利用业余时间复习备考，各门课程均按教学计划顺利通过考试。',
  '在小组学习中，我积极参与讨论，主动与同学交流学习心得，遇到困难时向辅导教师请教，学习效果不断提高。',
  '毕业作业的选题结合了我的本职工作，在指导教师的帮助下，我查阅资料、调查研究，按时完成了毕业作业并通过答辩。',
  '思想上，我积极向上，关心时事政治，热爱祖国，遵纪守法，具有良好的道德品质和社会责任感。',
  '工作中，我把学到的管理方法和专业知识用于解决实际问题，工作能力得到了单位领导和同事的认可。',
  '学习期间我也认识到自己的不足，个别课程的理论基础还不够扎实，计算机操作和外语水平有待进一步提高。',
  '几年的学习不仅提高了我的学历层次，更培养了我自主学习的习惯和能力，使我终身受益。',
  '在今后的工作和生活中，我将继续保持学习的热情，不断更新知识，努力提高自身的综合素质。',
  '我衷心感谢学校和教学点老师们的辛勤付出，感谢同学们的帮助与鼓励，我将以更好的工作成绩回报社会。',
  '我注重理论联系实际，在完成课程实践环节时认真记录，撰写实践报告，提高了分析问题和解决问题的能力。',
  '在网上学习中，我熟练使用学习平台的各项功能，按时参加网上实时辅导，积极在课程论坛中发帖交流。',
];
const STUDY = [
  '按教学计划修完全部必修课和选修课，成绩合格，取得规定学分。学习中坚持预习、听课、复习和按时完成作业，形成了自主学习的习惯。',
  '在校期间共修读课程二十余门，全部考试合格。通过学习，专业理论水平和实际工作能力都有了明显提高。',
  '利用业余时间坚持学习，认真参加面授辅导和网上教学活动，按时完成形成性考核，各门课程均一次通过。',
];
const PRACTICE = [
  '结合本职工作完成了社会调查和毕业作业，撰写了调查报告，得到指导教师的好评。',
  '在单位参加了业务实践，把课堂上学到的知识用于日常工作，完成了实践报告和毕业作业。',
  '参加了教学点组织的专业实践活动，完成了实践环节的各项任务，成绩合格。',
];
const REWARDS = ['无', '无', '2025年被所在单位评为先进工作者。', '2024年获教学点“优秀学员”称号。'];
const HEAD_TEACHER = [
  '该生学习态度端正，能按时完成各项学习任务，遵守学校纪律，同意毕业。',
  '该生学习认真，团结同学，表现良好，同意毕业。',
  '该生能够正确处理工学矛盾，按时参加面授和网上学习，成绩合格，同意毕业。',
  '该生在校期间表现良好，积极参加班级活动，同意毕业。',
];
const TP = [
  '该生已修完教学计划规定的全部课程，成绩合格，符合毕业条件，同意毕业。',
  '情况属实，同意毕业，请学校审核。',
  '经教学点审核，该生各项材料齐全，同意毕业。',
];
const SCHOOL = ['经审核，该生符合毕业条件，同意毕业。', '经审核，同意毕业。'];

export async function run(options: Options): Promise<void> {
  if (options.help) {
    console.log(HELP);
    return;
  }
  const kind = stringOption(options, 'db', 'postgres', ['postgres', 'pglite'] as const);
  const students = intOption(options, 'students', 20_000);
  const opinionsK = intOption(options, 'opinions', 5000);
  if (opinionsK > ACTION_MAX) throw new Error(`--opinions is at most ${ACTION_MAX}: one action takes no more forms`);
  const renderN = intOption(options, 'render-only', 2000);
  const tps = intOption(options, 'teaching-points', 3);
  const adminUrl = stringOption(options, 'pg-url', process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  const keep = options.keep === true;
  log(`db=${kind} students=${students} opinions=${opinionsK} render-only=${renderN} teaching points=${tps}`);
  const printable = missingGlyphs([...SENTENCES, ...STUDY, ...PRACTICE, ...REWARDS, ...HEAD_TEACHER, ...TP, ...SCHOOL].join(''));
  if (printable.length) throw new Error(`texts the font cannot print: ${printable.join('')}`);

  const rssAtStart = mb(process.memoryUsage.rss());
  const cleanups = new Cleanups('forms');
  let summary: string | null = null;
  try {
    const { db, dataDir } = await openDataset({ name: 'forms', kind, adminUrl, keep, log }, cleanups);
    const data = await fillDataset(db, { students, teachingPoints: tps, cohorts: COHORTS, sharedPhoto: false, electives: false, log });
    const hq = await hqAdmin(db);

    // ---- the forms: every graduate agreed, windows open, each form submitted -----------------------
    const setup = await timed(() => submittedForms(db, hq));
    const forms = setup.value.forms;
    log(`forms: ${forms} submitted (函授站未填写); 自我鉴定 ${setup.value.essay.min}–${setup.value.essay.max} characters (mean ${setup.value.essay.avg}); ` +
      `windows ${setup.value.window}; made in ${round(setup.ms / 1000, 1)} s`);

    // ---- 填写意见: K forms of the largest teaching point in one action ---------------------------------
    const big = await db.selectFrom('graduate_form as f').innerJoin('org_node as n', 'n.id', 'f.tp_id')
      .select(['n.id', 'n.code', sql<number>`count(*)::int`.as('n')]).groupBy(['n.id', 'n.code']).orderBy(sql`count(*)`, 'desc').limit(1)
      .executeTakeFirstOrThrow();
    if (big.n < opinionsK) throw new Error(`the largest teaching point ${big.code} holds ${big.n} forms, fewer than --opinions ${opinionsK}: use fewer --teaching-points or more --students`);
    const tpAdmin = await staffActor(db, 'tp_admin', big.id, 'bench-tp-admin', `${big.code}教务员（压测）`);
    const chosen = await db.selectFrom('graduate_form').select(['graduate_id as id', 'version']).where('tp_id', '=', big.id)
      .orderBy('graduate_id').limit(opinionsK).execute();
    const items = opinionsBody.parse({ items: chosen.map((r, i) => opinionItem(r.id, r.version, i)) }).items;

    // The floor before and after the action; the faster is the floor.
    const floor1 = await bareUpdate(db, tpAdmin, items);
    const action = await timed(() => writeOpinions(db, tpAdmin, items));
    expectChanged('填写意见', action.value, items.length);
    const floor2 = await bareUpdate(db, tpAdmin, items);
    const floorMs = Math.min(floor1, floor2);
    const opinionsRatio = round(action.ms / floorMs, 1);
    log(`填写意见 at ${big.code} (${big.n} forms): ${items.length} forms in one action in ${round(action.ms / 1000, 2)} s = ` +
      `${perSecond(items.length, action.ms)} forms/s; bare UPDATE ${round(floor1 / 1000, 3)} s, ${round(floor2 / 1000, 3)} s; ratio ${opinionsRatio}×`);

    // ---- the rest of the opinions, then 学校意见 for every form ----------------------------------
    const rest = await timed(() => restOfOpinions(db));
    log(`the other ${rest.value.forms} forms' opinions: ${rest.value.actions} actions by ${rest.value.tps} teaching points in ${round(rest.ms / 1000, 2)} s = ` +
      `${perSecond(rest.value.forms, rest.ms)} forms/s`);
    const approved = await approveAll(db);
    const approveMs = approved.actions.reduce((s, a) => s + a, 0);
    log(`学校意见: ${approved.forms} forms in ${approved.actions.length} actions (≤ ${ACTION_MAX} each) by ${approved.branches} branches in ` +
      `${round(approveMs / 1000, 2)} s = ${perSecond(approved.forms, approveMs)} forms/s; slowest action ${round(Math.max(...approved.actions) / 1000, 2)} s`);
    await sql`analyze graduate_form`.execute(db);

    // ---- 下载毕业生登记表: the export producer ---------------------------------------------------------
    const scratch = path.join(dataDir, 'bench-out');
    fs.mkdirSync(scratch, { recursive: true });
    const filter = { batch: BATCH, state: '总部已填写' as const };
    const all = graduateFormsExport.payload.parse({ scope: 'query', filter, sort: null, print_mode: 'merged' });
    await graduateFormsExport.check(db, hq, all);
    const firstIds = (await db.selectFrom('graduate_form').select('graduate_id').orderBy('graduate_id').limit(WARMUP).execute()).map((r) => r.graduate_id);
    const warm = await produce(graduateFormsExport, db, hq,
      graduateFormsExport.payload.parse({ scope: 'ticked', ids: firstIds, filter: {}, sort: null, print_mode: 'merged' }), path.join(scratch, 'warmup.pdf'));
    fs.rmSync(path.join(scratch, 'warmup.pdf'), { force: true });
    const rssBeforeExports = mb(process.memoryUsage.rss());
    log(`warm-up: ${WARMUP} forms in ${round(warm.ms / 1000, 2)} s; rss at start ${rssAtStart} MB, now ${rssBeforeExports} MB; peak ${peakRssMb()} MB`);

    const mergedFile = path.join(scratch, 'merged.pdf');
    const merged = await produce(graduateFormsExport, db, hq, { ...all, print_mode: 'merged' }, mergedFile);
    const peakAfterMerged = peakRssMb();
    const mergedBytes = fs.statSync(mergedFile).size;
    const mergedCounted = await countPdfFilePages(mergedFile);
    const mergedPages = merged.produced.pages ?? mergedCounted;
    const mergedEnds = merged.rss.ends();
    fs.rmSync(mergedFile, { force: true });
    log(`merged: ${merged.produced.count} forms, ${mergedPages} pages (counted ${mergedCounted}) in ${round(merged.ms / 1000, 2)} s = ` +
      `${perSecond(merged.produced.count, merged.ms)} forms/s, ${perSecond(mergedPages, merged.ms)} pages/s, ${mb(mergedBytes)} MB; ` +
      `rss max ${merged.rss.maxMb()} MB (first 10% ${mergedEnds.first}, last 10% ${mergedEnds.last}, by ${mergedEnds.by}); ` +
      `forms/s first 10% ${merged.rss.rates()?.first ?? '?'}, last 10% ${merged.rss.rates()?.last ?? '?'}; peak rss ${peakAfterMerged} MB` +
      (merged.produced.notes?.length ? `; notes: ${merged.produced.notes.join(' ')}` : ''));

    const zipFile = path.join(scratch, 'forms.zip');
    const zip = await produce(graduateFormsExport, db, hq, { ...all, print_mode: 'zip' }, zipFile);
    const peakAfterZip = peakRssMb();
    const zipBytes = fs.statSync(zipFile).size;
    const zipCounted = await countZipPages(zipFile);
    const zipPages = zip.produced.pages ?? zipCounted.pages;
    const zipEnds = zip.rss.ends();
    fs.rmSync(zipFile, { force: true });
    log(`zip: ${zip.produced.count} forms, ${zipCounted.pdfs} PDFs, ${zipPages} pages (counted ${zipCounted.pages}) in ${round(zip.ms / 1000, 2)} s = ` +
      `${perSecond(zip.produced.count, zip.ms)} forms/s, ${perSecond(zipPages, zip.ms)} pages/s, ${mb(zipBytes)} MB; ` +
      `rss max ${zip.rss.maxMb()} MB (first 10% ${zipEnds.first}, last 10% ${zipEnds.last}, by ${zipEnds.by}); peak rss ${peakAfterZip} MB`);
    if (mergedCounted !== 2 * merged.produced.count) log(`WARNING: ${merged.produced.count} forms but ${mergedCounted} pages in the merged PDF (2 a form expected)`);
    if (zipCounted.pages !== 2 * zip.produced.count) log(`WARNING: ${zip.produced.count} forms but ${zipCounted.pages} pages in the zip (2 a form expected)`);

    // ---- the floor: the renderer alone on the same forms, loaded beforehand -------------------------
    const floorIds = (await docOrder(selected(db, hq, filter), null).select('g.id').limit(Math.min(renderN, forms)).execute()).map((r) => r.id);
    const loaded: GraduateFormData[] = [];
    for (let at = 0; at < floorIds.length; at += 200) {
      const page = floorIds.slice(at, at + 200);
      const m = await loadGraduateForms(db, hq, page);
      for (const id of page) loaded.push(m.get(id)!.data);
    }
    const renderMerged = await timed(async () => {
      const sink = discard();
      const pdf = new MergedPdf(sink.out);
      for (const d of loaded) {
        pdf.add(renderGraduateForm, d);
        await pdf.drained();
      }
      return { ...(await pdf.end()), bytes: sink.bytes() };
    });
    const renderZip = await timed(async () => {
      let pages = 0;
      for (const d of loaded) pages += (await renderToBuffer(renderGraduateForm, d)).pages;
      return pages;
    });
    const mergedFps = perSecond(merged.produced.count, merged.ms);
    const zipFps = perSecond(zip.produced.count, zip.ms);
    const renderMergedFps = perSecond(loaded.length, renderMerged.ms);
    const renderZipFps = perSecond(loaded.length, renderZip.ms);
    const printRatio = round(renderMergedFps / mergedFps, 2);
    const printZipRatio = round(renderZipFps / zipFps, 2);
    log(`renderer alone: ${loaded.length} forms merged in ${round(renderMerged.ms / 1000, 2)} s = ${renderMergedFps} forms/s ` +
      `(${renderMerged.value.pages} pages, ${mb(renderMerged.value.bytes)} MB), one PDF each in ${round(renderZip.ms / 1000, 2)} s = ${renderZipFps} forms/s; ` +
      `export ÷ renderer (seconds a form): merged ${printRatio}×, zip ${printZipRatio}×`);

    summary = JSON.stringify({
      bench: 'forms', db: kind, students: data.students, teaching_points: data.tps, forms, photos: data.photos,
      self_assessment_chars_min: setup.value.essay.min, self_assessment_chars_max: setup.value.essay.max, self_assessment_chars_mean: setup.value.essay.avg,
      opinions: items.length, opinions_teaching_point_forms: big.n,
      opinions_seconds: round(action.ms / 1000, 3), opinions_per_second: perSecond(items.length, action.ms),
      opinions_floor_seconds: round(floorMs / 1000, 3), opinions_floor_seconds_runs: [round(floor1 / 1000, 3), round(floor2 / 1000, 3)],
      opinions_ratio: opinionsRatio,
      opinions_rest_forms: rest.value.forms, opinions_rest_seconds: round(rest.ms / 1000, 2),
      approve_forms: approved.forms, approve_actions: approved.actions.length, approve_seconds: round(approveMs / 1000, 2),
      approve_per_second: perSecond(approved.forms, approveMs), approve_slowest_action_seconds: round(Math.max(...approved.actions) / 1000, 2),
      print_merged_seconds: round(merged.ms / 1000, 2), print_merged_forms: merged.produced.count, print_merged_forms_per_second: mergedFps,
      print_merged_pages: mergedPages, print_merged_pages_counted: mergedCounted, print_merged_pages_per_second: perSecond(mergedPages, merged.ms),
      print_merged_mb: mb(mergedBytes),
      print_merged_forms_per_second_first_10pct: merged.rss.rates()?.first ?? null, print_merged_forms_per_second_last_10pct: merged.rss.rates()?.last ?? null,
      print_zip_seconds: round(zip.ms / 1000, 2), print_zip_forms: zip.produced.count, print_zip_forms_per_second: zipFps,
      print_zip_pages: zipPages, print_zip_pages_counted: zipCounted.pages, print_zip_pages_per_second: perSecond(zipPages, zip.ms), print_zip_mb: mb(zipBytes),
      render_only_forms: loaded.length, render_only_forms_per_second: renderMergedFps, render_only_per_file_forms_per_second: renderZipFps,
      print_ratio: printRatio, print_zip_ratio: printZipRatio,
      rss_first_10pct_mb: mergedEnds.first, rss_last_10pct_mb: mergedEnds.last, rss_ends_by: mergedEnds.by,
      zip_rss_first_10pct_mb: zipEnds.first, zip_rss_last_10pct_mb: zipEnds.last,
      merged_rss_max_mb: merged.rss.maxMb(), zip_rss_max_mb: zip.rss.maxMb(), rss_at_start_mb: rssAtStart, rss_before_exports_mb: rssBeforeExports,
      peak_rss_mb_after_merged: peakAfterMerged, peak_rss_mb: peakAfterZip, peak_rss_mb_after_render_only: peakRssMb(),
      warmup_forms: WARMUP, generate_seconds: round(data.generateMs / 1000, 1), photos_seconds: round(data.photosMs / 1000, 1),
      forms_setup_seconds: round(setup.ms / 1000, 1),
    });
  } finally {
    await cleanups.run();
    // The JSON line is the last line printed, after the cleanup's log lines.
    if (summary) console.log(summary);
  }
}

/**
 * Every graduate of the batch agreed (同意毕业, one UPDATE); the windows of 填写毕业生登记表 and 填写意见 open
 * today (a month either side, in China's calendar); a submitted form for each (one INSERT … SELECT): a
 * 自我鉴定 of 300–600 characters made of a shuffled run of sentences cut at a full stop, with a line break
 * every four sentences, and the summaries.
 */
async function submittedForms(db: Db, hq: Actor) {
  await sql`update graduate set confirm_status = '同意毕业', confirmed_at = now(), confirmed_by = ${hq.id}::int, version = version + 1
    where batch_code = ${BATCH}`.execute(db);
  const window = { starts_on: chinaDay(-30), ends_on: chinaDay(30) };
  await setWindows(db, hq, BATCH, [{ step: 'student_forms', ...window }, { step: 'opinions', ...window }]);
  const n = SENTENCES.length;
  await sql`
    insert into graduate_form (graduate_id, student_id, tp_id, class_id, node_path, state,
      self_assessment, study_summary, practice_summary, rewards, punishments, saved_at, submitted_at, version)
    select g.id, g.student_id, g.tp_id, s.class_id, g.node_path, '函授站未填写',
      substring(left(e.text, 360 + abs(hashint4(g.id * 3)) % 240) from '^(.*。)'),
      (${STUDY}::text[])[1 + abs(hashint4(g.id * 5)) % ${STUDY.length}::int],
      (${PRACTICE}::text[])[1 + abs(hashint4(g.id * 7)) % ${PRACTICE.length}::int],
      (${REWARDS}::text[])[1 + abs(hashint4(g.id * 11)) % ${REWARDS.length}::int], '无',
      now() - interval '2 days', now() - interval '1 day', 2
    from graduate g
    join student s on s.id = g.student_id
    cross join lateral (
      -- k × 5 mod 14 visits every sentence once: a shuffled run of distinct sentences.
      select string_agg((${SENTENCES}::text[])[1 + (abs(hashint4(g.id)) + k * 5) % ${n}::int] || case when k % 4 = 3 then E'\n' else '' end, '' order by k) as text
      from generate_series(0, ${n - 1}::int) k) e
    where g.batch_code = ${BATCH} and g.confirm_status = '同意毕业'`.execute(db);
  const r = (await sql<{ forms: number; min: number; max: number; avg: number }>`
    select count(*)::int as forms, min(char_length(self_assessment))::int as min, max(char_length(self_assessment))::int as max,
           round(avg(char_length(self_assessment)))::int as avg from graduate_form`.execute(db)).rows[0];
  return { forms: r.forms, essay: { min: r.min, max: r.max, avg: r.avg }, window: `${window.starts_on} … ${window.ends_on}` };
}

function opinionItem(id: number, version: number, i: number) {
  return { id, version, head_teacher_opinion: HEAD_TEACHER[i % HEAD_TEACHER.length], tp_opinion: TP[(i >> 2) % TP.length] };
}

function expectChanged(what: string, r: BulkResult, n: number): void {
  if (r.changed !== n || r.refused.length) {
    throw new Error(`${what}: changed ${r.changed} of ${n}, unchanged ${r.unchanged}, refused ${r.refused.length}` +
      (r.refused.length ? ` (first: ${r.refused[0].message})` : ''));
  }
}

class Rollback extends Error {}

/** The floor of 填写意见: the same rows set by one bare UPDATE … FROM (VALUES …), rolled back. Milliseconds. */
async function bareUpdate(db: Db, actor: Actor, items: { id: number; head_teacher_opinion?: string; tp_opinion?: string }[]): Promise<number> {
  let ms = 0;
  try {
    await db.transaction().execute(async (trx) => {
      const t0 = performance.now();
      const values = sql.join(items.map((i) => sql`(${i.id}::int, ${i.head_teacher_opinion ?? null}::text, ${i.tp_opinion ?? null}::text)`));
      const r = await sql`
        update graduate_form f set head_teacher_opinion = v.ht, head_teacher_by = ${actor.id}::int, head_teacher_at = now(),
          tp_opinion = v.tp, tp_by = ${actor.id}::int, tp_at = now(), state = '函授站已填写', version = f.version + 1
        from (values ${values}) as v(id, ht, tp)
        where f.graduate_id = v.id`.execute(trx);
      ms = performance.now() - t0;
      if (Number(r.numAffectedRows) !== items.length) throw new Error(`bare UPDATE: ${r.numAffectedRows} rows of ${items.length}`);
      throw new Rollback();
    });
  } catch (e) {
    if (!(e instanceof Rollback)) throw e;
  }
  return ms;
}

/** The opinions of every form still 函授站未填写: each teaching point's tp_admin, ≤ 5,000 forms an action. */
async function restOfOpinions(db: Db) {
  const tps = await db.selectFrom('org_node').select(['id', 'code']).where('kind', '=', 'tp').orderBy('id').execute();
  let forms = 0;
  let actions = 0;
  let busy = 0;
  for (const tp of tps) {
    const rows = await db.selectFrom('graduate_form').select(['graduate_id as id', 'version']).where('tp_id', '=', tp.id)
      .where('state', '=', '函授站未填写').orderBy('graduate_id').execute();
    if (!rows.length) continue;
    busy++;
    const actor = await staffActor(db, 'tp_admin', tp.id, `bench-tp-${tp.code}`, `${tp.code}教务员（压测）`);
    for (let at = 0; at < rows.length; at += ACTION_MAX) {
      const part = rows.slice(at, at + ACTION_MAX);
      const items = opinionsBody.parse({ items: part.map((r, i) => opinionItem(r.id, r.version, at + i)) }).items;
      expectChanged('填写意见', await writeOpinions(db, actor, items), items.length);
      forms += items.length;
      actions++;
    }
  }
  return { forms, actions, tps: busy };
}

/** 学校意见 for every form: each branch's branch_admin, ≤ 5,000 forms an action; the milliseconds of each action. */
async function approveAll(db: Db) {
  const branches = await db.selectFrom('org_node').select(['id', 'code', 'path']).where('kind', '=', 'branch').orderBy('id').execute();
  const actions: number[] = [];
  let forms = 0;
  let busy = 0;
  for (const b of branches) {
    const rows = await db.selectFrom('graduate_form').select(['graduate_id as id', 'version']).where('node_path', 'like', `${b.path}%`)
      .where('state', '=', '函授站已填写').orderBy('graduate_id').execute();
    if (!rows.length) continue;
    busy++;
    const actor = await staffActor(db, 'branch_admin', b.id, `bench-branch-${b.code}`, `${b.code}管理员（压测）`);
    for (let at = 0; at < rows.length; at += ACTION_MAX) {
      const part = rows.slice(at, at + ACTION_MAX);
      const items = approveBody.parse({ items: part.map((r, i) => ({ id: r.id, version: r.version, school_opinion: SCHOOL[(at + i) % SCHOOL.length] })) }).items;
      const t = await timed(() => approve(db, actor, items));
      expectChanged('学校意见', t.value, items.length);
      actions.push(t.ms);
      forms += items.length;
    }
  }
  return { forms, actions, branches: busy };
}

/** A Writable that keeps nothing: the renderer's floor without a disk. */
function discard(): { out: Writable; bytes: () => number } {
  let n = 0;
  const out = new Writable({
    write(chunk: Buffer, _enc, cb) {
      n += chunk.length;
      cb();
    },
  });
  return { out, bytes: () => n };
}
