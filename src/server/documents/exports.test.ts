import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yauzl from 'yauzl';
import { errorOf, startTestApp, waitFor, type TestApp } from '../testing/harness.ts';
import { buildStudent, buildWorld, type World } from '../testing/factories.ts';
import { exportSettings } from '../exports/service.ts';
import { fileStore } from '../platform/files.ts';
import { seedDemoPhotos } from '../photos/demo.ts';
import type { Actor } from '../platform/auth.ts';
import type { ResponseOf } from '../../shared/contract.ts';
import type { ExportStatus, Started } from '../../shared/contract/exports.ts';
import type { recordsApi } from '../../shared/contract/records.ts';
import { ENROLL_FORMS, GRADUATE_FORMS, TRANSCRIPTS, transcriptsExport } from './exports.ts';

/** 入学报名登记表导出 and 成绩单打印导出, end to end: the API, the job, the file a person downloads. */

process.env.DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'gm-docs-'));
const dataDir = process.env.DATA_DIR;
after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

function zipEntries(buf: Buffer): Promise<{ name: string; data: Buffer }[]> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const out: { name: string; data: Buffer }[] = [];
      zip.on('entry', (e: yauzl.Entry) => {
        zip.openReadStream(e, (err2, rs) => {
          if (err2) return reject(err2);
          const chunks: Buffer[] = [];
          rs.on('data', (c: Buffer) => chunks.push(c));
          rs.on('end', () => {
            out.push({ name: e.fileName, data: Buffer.concat(chunks) });
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

type Students = ResponseOf<typeof recordsApi.students>;

const pdfText = (pdf: Buffer) => execFileSync('pdftotext', ['-layout', '-', '-'], { input: pdf }).toString();
const pdfPages = (pdf: Buffer) => Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', ['-'], { input: pdf }).toString())![1]);

describe('document exports', () => {
  let t: TestApp;
  let w: World;
  const cookie: Record<string, string> = {};
  let rare: { a: number; b: number };
  before(async () => {
    t = await startTestApp();
    w = await buildWorld(t.db);
    // Names with 生僻字 (CJK Extension A and B), and a student without a photo.
    rare = {
      a: await buildStudent(t.db, { nodeId: w.nodes.classA2.id, programmeId: w.programmeId, name: '李䶮' }),
      b: await buildStudent(t.db, { nodeId: w.nodes.classA2.id, programmeId: w.programmeId, name: '王𠀾' }),
    };
    await seedDemoPhotos(t.db);
    await t.db.deleteFrom('photo').where('student_id', '=', w.students.sA1b).execute();
    for (const u of ['hq', 'brA', 'tpA1', 'tpA2', 'teacherA1']) cookie[u] = await t.login(u);
  });
  after(async () => t?.close());

  async function run(user: string, body: Record<string, unknown>) {
    const s = await t.call<Started>('POST', '/api/exports', { cookie: cookie[user], body });
    assert.equal(s.status, 200, JSON.stringify(s.json));
    const done = await waitFor(async () => {
      const r = await t.call<ExportStatus>('GET', `/api/exports/${s.json.task_id}`, { cookie: cookie[user] });
      return ['done', 'failed', 'cancelled'].includes(r.json.state) ? r.json : undefined;
    }, 60_000);
    assert.equal(done.state, 'done', JSON.stringify(done));
    assert.ok(done.file?.download_url, JSON.stringify(done));
    const res = await t.running.app.inject({ method: 'GET', url: done.file.download_url, headers: { cookie: cookie[user] } });
    assert.equal(res.statusCode, 200);
    const msg = (await t.db.selectFrom('message').selectAll().where('task_id', '=', done.id).executeTakeFirstOrThrow());
    return { done, file: res.rawPayload as Buffer, contentType: String(res.headers['content-type']), message: msg };
  }

  const studentNo = async (id: number) => (await t.db.selectFrom('student').select('student_no').where('id', '=', id).executeTakeFirstOrThrow()).student_no;

  test('下载报名登记表: the ticked students, 按姓名, one PDF each named 0001_学号_姓名.pdf, with every field', async () => {
    const { done, file, message } = await run('tpA1', { kind: ENROLL_FORMS, scope: 'ticked', ids: [w.students.sA1b, w.students.sA1], sort: 'name' });
    assert.equal(done.title, '入学报名登记表导出');
    assert.match(done.file?.file_name ?? '', /^入学报名登记表导出-\d{8}\.zip$/);
    const entries = await zipEntries(file);
    // 张 (U+5F20) before 李 (U+674E): the database's order of names.
    assert.deepEqual(entries.map((e) => e.name), [`0001_${await studentNo(w.students.sA1)}_张三.pdf`, `0002_${await studentNo(w.students.sA1b)}_李四.pdf`]);
    const text = pdfText(entries[1].data).replace(/\s+/g, '');
    assert.match(text, /入学报名登记表/);
    assert.match(text, /李四/);
    assert.match(text, /210102199005170/, 'the whole 身份证号 on the form');
    assert.match(text, /照片（未上传）/, 'the missing photo is said in its place');
    assert.match(text, /通讯地址（未填写）/);
    assert.match(message.body, /共 2 份/);
    assert.match(message.body, /1 人缺照片/);
  });

  test('当前查询的全部学生 without a sort chosen follows the teaching point’s 文档排序标准', async () => {
    const names = async () => {
      const { file } = await run('tpA1', { kind: ENROLL_FORMS, scope: 'query', filter: {}, sort: null });
      return (await zipEntries(file)).map((e) => e.name.replace(/^\d+_[^_]+_/, '').replace(/\.pdf$/, ''));
    };
    const byNo = await names();
    assert.equal(byNo.length, 6, 'tpA1: 张三 李四 王五 赵六 李䶮 王𠀾');
    const nos = await t.db.selectFrom('student').select(['name', 'student_no']).where('tp_id', '=', w.nodes.tpA1.id).orderBy('student_no').execute();
    assert.deepEqual(byNo, nos.map((s) => s.name), '按学号 by default');

    const put = await t.call<ResponseOf<typeof recordsApi.setSortOrder>>('PUT', `/api/records/sort-orders/${'TA1'}`, { cookie: cookie.tpA1, body: { sort: 'name' } });
    assert.equal(put.status, 200, JSON.stringify(put.json));
    assert.equal(put.json.sort, 'name');
    assert.deepEqual(await names(), [...byNo].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), '按姓名 once the teaching point chose it');
    assert.equal((await t.call<ResponseOf<typeof recordsApi.sortOrders>>('GET', '/api/records/sort-orders', { cookie: cookie.tpA1 })).json.rows[0].sort, 'name');
    // Another teaching point's standard is not theirs to change; a branch may change its teaching points'.
    assert.equal((await t.call('PUT', '/api/records/sort-orders/TA2', { cookie: cookie.tpA1, body: { sort: 'name' } })).status, 404);
    assert.equal((await t.call('PUT', '/api/records/sort-orders/TA1', { cookie: cookie.brA, body: { sort: 'student_no' } })).status, 200);
    assert.equal((await t.call('PUT', '/api/records/sort-orders/TA1', { cookie: cookie.tpA1, body: { sort: 'age' } })).status, 400);
  });

  test('成绩单打印: merged, duplex (each student from an odd page) and zip; names with 生僻字 print', async () => {
    const ids = [w.students.sA1, rare.a, rare.b];
    const merged = await run('tpA1', { kind: TRANSCRIPTS, scope: 'ticked', ids, sort: 'student_no', print_mode: 'merged' });
    assert.equal(merged.contentType, 'application/pdf');
    assert.equal(pdfPages(merged.file), 3);
    const text = pdfText(merged.file).replace(/\s+/g, '');
    assert.match(text, /学生成绩单/);
    const at = ['张三', '李䶮', '王𠀾'].map((n) => text.indexOf(n));
    assert.ok(at.every((i) => i >= 0), `every name printed: ${at}`);
    assert.ok(at[0] < at[1] && at[1] < at[2], 'in 学号 order');
    assert.doesNotMatch(merged.message.body, /无法打印/);

    const duplex = await run('tpA1', { kind: TRANSCRIPTS, scope: 'ticked', ids, sort: 'student_no', print_mode: 'duplex' });
    assert.equal(pdfPages(duplex.file), 6, 'a one-page transcript gets a blank back');

    const zip = await run('tpA1', { kind: TRANSCRIPTS, scope: 'ticked', ids, sort: 'student_no', print_mode: 'zip' });
    const entries = await zipEntries(zip.file);
    assert.deepEqual(entries.map((e) => e.name.slice(0, 5)), ['0001_', '0002_', '0003_']);
    assert.ok(entries[2].name.endsWith('_王𠀾.pdf'), entries[2].name);
    assert.match(pdfText(entries[0].data), /张三/);
  });

  test('学生学籍档案打印: 毕业批次 selects the batch’s graduates and prints it on the transcript', async () => {
    const list = await t.call<Students>('GET', `/api/records/students?batch=${w.batch}&tp_code=TA1`, { cookie: cookie.tpA1 });
    assert.equal(list.status, 200);
    assert.ok(list.json.total > 0);
    const none = await t.call<Students>('GET', '/api/records/students?batch=199901', { cookie: cookie.tpA1 });
    assert.equal(none.json.total, 0);
    const { file } = await run('tpA1', { kind: TRANSCRIPTS, scope: 'query', filter: { batch: w.batch, tp_code: 'TA1' }, sort: null, print_mode: 'merged' });
    assert.equal(pdfPages(file), list.json.total);
    assert.match(pdfText(file).replace(/\s+/g, ''), new RegExp(`毕业批次：${w.batch}`));
  });

  test('bad input: 0 rows, over the cap, nothing ticked, a ticked student outside the scope, a bad 打印方式', async () => {
    const post = (user: string, body: Record<string, unknown>) => t.call('POST', '/api/exports', { cookie: cookie[user], body });
    const empty = await post('tpA1', { kind: ENROLL_FORMS, scope: 'query', filter: { cohort: '1999' } });
    assert.equal(empty.status, 400);
    assert.match(errorOf(empty).message, /没有符合条件的学生，未生成入学报名登记表导出文件/);
    exportSettings.maxDocuments = 2;
    try {
      const big = await post('tpA1', { kind: TRANSCRIPTS, scope: 'query', filter: {}, print_mode: 'zip' });
      assert.equal(big.status, 400);
      assert.match(errorOf(big).message, /超过单次成绩单打印导出上限 2 人/);
    } finally {
      exportSettings.maxDocuments = 50_000;
    }
    const unticked = await post('tpA1', { kind: ENROLL_FORMS, scope: 'ticked', ids: [] });
    assert.equal(unticked.status, 400);
    assert.match(errorOf(unticked).message, /没有勾选学生/);
    const foreign = await post('tpA1', { kind: ENROLL_FORMS, scope: 'ticked', ids: [w.students.sA1, w.students.sB1] });
    assert.equal(foreign.status, 404);
    const mode = await post('tpA1', { kind: TRANSCRIPTS, scope: 'query', print_mode: 'fax' });
    assert.equal(mode.status, 400);
    assert.match(errorOf(mode).message, /打印方式/);
    // Nothing was queued by any of them.
    assert.equal(Number((await t.db.selectFrom('task').select((eb) => eb.fn.countAll().as('n')).where('state', '=', 'queued').executeTakeFirstOrThrow()).n), 0);
  });

  test('a cancel in the middle leaves no file and no message', async () => {
    exportSettings.documentPage = 1;
    exportSettings.pageDelayMs = 300;
    try {
      const s = await t.call<Started>('POST', '/api/exports', { cookie: cookie.brA, body: { kind: TRANSCRIPTS, scope: 'query', filter: {}, print_mode: 'merged' } });
      const id = s.json.task_id;
      await waitFor(async () => ((await t.call<ExportStatus>('GET', `/api/exports/${id}`, { cookie: cookie.brA })).json.progress >= 1 ? true : undefined), 60_000);
      assert.equal((await t.call<ExportStatus>('POST', `/api/exports/${id}/cancel`, { cookie: cookie.brA })).json.state, 'cancelled');
      await new Promise((r) => setTimeout(r, 800));
      const task = await t.db.selectFrom('task').select(['state', 'progress', 'total']).where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(task.state, 'cancelled');
      assert.ok(task.progress < task.total);
      assert.equal((await t.db.selectFrom('export_file').select('task_id').where('task_id', '=', id).execute()).length, 0);
      assert.equal((await t.db.selectFrom('message').select('id').where('task_id', '=', id).execute()).length, 0);
    } finally {
      exportSettings.documentPage = 200;
      exportSettings.pageDelayMs = 0;
    }
  });

  test('a run that died in the middle is run again from the start and gives the whole file', async () => {
    const owner = (await t.db.selectFrom('app_user as u').innerJoin('org_node as n', 'n.id', 'u.node_id')
      .select(['u.id', 'u.username', 'u.display_name', 'u.role', 'u.node_id', 'u.student_id', 'n.kind', 'n.name', 'n.code', 'n.path'])
      .where('u.username', '=', 'brA').executeTakeFirstOrThrow());
    const actor: Actor = { id: owner.id, username: owner.username, displayName: owner.display_name, role: owner.role, nodeId: owner.node_id,
      nodeKind: owner.kind, nodeName: owner.name, nodeCode: owner.code, nodePath: owner.path, studentId: owner.student_id };
    const file = path.join(dataDir, 'restart.part');
    const payload = transcriptsExport.payload.parse({ scope: 'query', filter: {}, print_mode: 'zip' });
    exportSettings.documentPage = 2;
    try {
      let calls = 0;
      await assert.rejects(transcriptsExport.produce({ taskId: 'x', payload, db: t.db, owner: actor, file, progress: async () => {
        if (++calls === 2) throw new Error('进程被终止');
        return true;
      } }), /进程被终止/);
      assert.ok(fs.existsSync(file), 'a partial file was left behind');
      const produced = await transcriptsExport.produce({ taskId: 'x', payload, db: t.db, owner: actor, file, progress: async () => true });
      const entries = await zipEntries(fs.readFileSync(file));
      assert.equal(produced!.count, entries.length);
      assert.equal(entries.length, 7, 'brA: tpA1 (6) and tpA2 (1)');
      assert.deepEqual(entries.map((e) => e.name.slice(0, 5)), ['0001_', '0002_', '0003_', '0004_', '0005_', '0006_', '0007_']);
    } finally {
      exportSettings.documentPage = 200;
      fs.rmSync(file, { force: true });
    }
  });

  test('下载毕业生登记表: the 总部已填写 forms of a batch, two pages each, with the opinions', async () => {
    const gs = [await w.graduateOf(w.students.sA1), await w.graduateOf(w.students.sA1b)];
    await t.db.updateTable('graduate').set({ confirm_status: '同意毕业' }).where('id', 'in', gs.map((g) => g.id)).execute();
    for (const [i, g] of gs.entries()) {
      const s = await t.db.selectFrom('student').select(['id', 'tp_id', 'class_id', 'node_path']).where('id', '=', [w.students.sA1, w.students.sA1b][i]).executeTakeFirstOrThrow();
      await t.db.insertInto('graduate_form').values({
        graduate_id: g.id, student_id: s.id, tp_id: s.tp_id, class_id: s.class_id, node_path: s.node_path, batch_code: w.batch, state: '总部已填写',
        self_assessment: `本人在校学习期间遵守纪律，刻苦学习。（第${i + 1}份）`, head_teacher_opinion: '该生学习认真，同意毕业。', head_teacher_at: new Date(),
        tp_opinion: '情况属实，同意上报。', tp_at: new Date(), school_opinion: '经审核，准予毕业。', school_at: new Date(), version: 3,
      }).execute();
    }
    const { done, file, contentType } = await run('tpA1', { kind: GRADUATE_FORMS, scope: 'query', filter: { batch: w.batch, state: '总部已填写' }, sort: 'student_no', print_mode: 'merged' });
    assert.equal(done.title, '毕业生登记表导出');
    assert.equal(contentType, 'application/pdf');
    assert.equal(pdfPages(file), 4);
    const text = pdfText(file).replace(/\s+/g, '');
    for (const want of ['毕业生登记表', '该生学习认真，同意毕业。', '情况属实，同意上报。', '经审核，准予毕业。', '（第1份）', '（第2份）', '张三', '李四']) {
      assert.ok(text.includes(want), want);
    }
    assert.ok(text.indexOf('（第1份）') < text.indexOf('（第2份）'), '学号 order');
    const foreign = await t.call('POST', '/api/exports', { cookie: cookie.tpA2, body: { kind: GRADUATE_FORMS, scope: 'ticked', ids: [gs[0].id], print_mode: 'zip' } });
    assert.equal(foreign.status, 404);
    const none = await t.call('POST', '/api/exports', { cookie: cookie.tpA1, body: { kind: GRADUATE_FORMS, scope: 'query', filter: { batch: 'none', state: '总部已填写' } } });
    assert.equal(none.status, 400);
    assert.match(errorOf(none).message, /没有符合条件的毕业生登记表/);
  });

  test('学籍卡: every field, the whole 身份证号, photos and grades; 404 outside the scope', async () => {
    const c = await t.call<ResponseOf<typeof recordsApi.card>>('GET', `/api/records/students/${w.students.sA1}`, { cookie: cookie.tpA1 });
    assert.equal(c.status, 200, JSON.stringify(c.json));
    assert.equal(c.json.student.name, '张三');
    assert.match(c.json.student.id_number, /^\d{17}[\dX]$/);
    assert.equal(c.json.student.birth_date, '1990-05-17');
    assert.equal(c.json.grades.length, 4);
    assert.equal(c.json.totals.courses_passed, 4);
    assert.equal(c.json.photos.length, 1);
    assert.ok(await fileStore().get((await t.db.selectFrom('photo').select('sha256').where('id', '=', c.json.photos[0].id).executeTakeFirstOrThrow()).sha256));
    const list = await t.call<Students>('GET', '/api/records/students?q=张三', { cookie: cookie.tpA1 });
    assert.match(list.json.rows[0].id_number_masked, /\*/, 'masked in the list');
    for (const u of ['tpA2']) assert.equal((await t.call('GET', `/api/records/students/${w.students.sA1}`, { cookie: cookie[u] })).status, 404, u);
    assert.equal((await t.call('GET', `/api/records/students/${w.students.sA2}`, { cookie: cookie.teacherA1 })).status, 404, 'another class');
  });
});
