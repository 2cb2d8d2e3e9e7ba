import type { App, AppContext } from '../platform/http.ts';
import { actorOf } from '../platform/http.ts';
import { recordOperation } from '../platform/oplog.ts';
import { OFFICES } from '../platform/scope.ts';
import { sendWorkbook } from '../platform/xlsx-export.ts';
import { renderToBuffer } from '../platform/pdf.ts';
import { notGraduatingPdfOptions, renderNotGraduating } from '../documents/not-graduating.ts';
import { printDate } from '../documents/load.ts';
import * as service from './service.ts';
import { listQuery, listResponse, markBody, markResult, notGraduatingQuery, notGraduatingResponse, summaryQuery, summaryResponse } from './schema.ts';

const tags = ['到校提交毕业审核材料'];

export function materialRoutes(app: App, { database }: AppContext) {
  const db = database.db;

  app.get('/api/materials', {
    config: { access: OFFICES },
    schema: { tags, summary: '毕业材料清单：每名毕业生的信息采集照片、成绩单、入学登记表、毕业生登记表', querystring: listQuery, response: { 200: listResponse } },
  }, (req) => service.list(db, actorOf(req), req.query));

  app.post('/api/materials/mark', {
    config: { access: OFFICES },
    schema: { tags, summary: '教学点标记“已备齐”；学校（分部、总部）标记“已接收”', body: markBody, response: { 200: markResult } },
  }, (req) => service.mark(db, actorOf(req), req.body));

  app.get('/api/materials/summary', {
    config: { access: OFFICES },
    schema: { tags, summary: '各教学点毕业材料备齐、接收人数', querystring: summaryQuery, response: { 200: summaryResponse } },
  }, (req) => service.summary(db, actorOf(req), req.query.batch));

  app.get('/api/materials/not-graduating', {
    config: { access: OFFICES },
    schema: { tags, summary: '未办理毕业学生统计表：本批次未办理毕业的学生及原因', querystring: notGraduatingQuery, response: { 200: notGraduatingResponse } },
  }, (req) => service.notGraduating(db, actorOf(req), req.query));

  app.get('/api/materials/not-graduating.xlsx', {
    config: { access: OFFICES },
    schema: { tags, summary: '未办理毕业学生统计表（Excel 电子版）', querystring: notGraduatingQuery },
  }, async (req, reply) => {
    const actor = actorOf(req);
    const { rows } = await service.notGraduating(db, actor, req.query);
    await recordOperation(db, actor, [{ action: '导出未办理毕业学生统计表', objectType: 'batch', objectId: req.query.batch, nodePath: actor.nodePath, after: { ...req.query, rows: rows.length } }]);
    type Row = (typeof rows)[number];
    async function* one() {
      yield rows;
    }
    return sendWorkbook<Row>(reply, `未办理毕业学生统计表_${req.query.batch}.xlsx`, '未办理毕业学生统计表', [
      { header: '教学点代码', width: 10, value: (r) => r.tp_code },
      { header: '教学点', width: 20, value: (r) => r.tp_name },
      { header: '学号', width: 16, value: (r) => r.student_no },
      { header: '姓名', width: 10, value: (r) => r.name },
      { header: '专业', width: 20, value: (r) => r.major },
      { header: '层次', width: 6, value: (r) => r.level },
      { header: '学籍批次', width: 8, value: (r) => r.cohort },
      { header: '未办理原因', width: 60, value: (r) => r.reason },
    ], one());
  });

  app.get('/api/materials/not-graduating.pdf', {
    config: { access: OFFICES },
    schema: { tags, summary: '未办理毕业学生统计表（打印版，一个教学点，留盖章处）', querystring: notGraduatingQuery },
  }, async (req, reply) => {
    const actor = actorOf(req);
    const tp = await service.statementTp(db, actor, req.query.tp_code);
    const { rows } = await service.notGraduating(db, actor, { ...req.query, tp_code: tp.code });
    const school = await service.schoolOf(db, tp.code);
    const { pdf } = await renderToBuffer(renderNotGraduating, {
      school, tpCode: tp.code, tpName: tp.name, batch: req.query.batch, cohort: req.query.cohort ?? null, printedOn: printDate(),
      rows: rows.map((r) => ({ studentNo: r.student_no, name: r.name, major: r.major, level: r.level, cohort: r.cohort, reason: r.reason })),
    }, notGraduatingPdfOptions);
    await recordOperation(db, actor, [{ action: '打印未办理毕业学生统计表', objectType: 'batch', objectId: req.query.batch, nodePath: actor.nodePath, after: { tp_code: tp.code, rows: rows.length } }]);
    const name = `未办理毕业学生统计表_${req.query.batch}_${tp.code}.pdf`;
    return reply.type('application/pdf')
      .header('content-disposition', `attachment; filename="not-graduating.pdf"; filename*=UTF-8''${encodeURIComponent(name)}`)
      .send(pdf);
  });
}
