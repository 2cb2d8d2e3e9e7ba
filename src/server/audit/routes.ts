import { actorOf, serve, type App, type AppContext } from '../platform/http.ts';
import { sendWorkbook } from '../platform/xlsx-export.ts';
import { auditApi as api } from '../../shared/contract/audit.ts';
import * as service from './service.ts';

const fmtTime = (d: Date | string | null) => (d ? new Date(d).toISOString().replace('T', ' ').slice(0, 19) : '未上报');

export function auditRoutes(app: App, { database, jobs }: AppContext) {
  const db = database.db;

  serve(app, api.rounds, (req) => service.listRounds(db, actorOf(req), req.query.batch));
  serve(app, api.createRound, (req) => service.createRound(db, actorOf(req), req.body));
  serve(app, api.round, (req) => service.getRound(db, actorOf(req), req.params.id));
  serve(app, api.updateRound, (req) => service.updateRound(db, actorOf(req), req.params.id, req.body));
  serve(app, api.cancelRound, (req) => service.cancelRound(db, actorOf(req), req.params.id, req.body.reason));
  serve(app, api.runRound, async (req) => ({ task_id: await service.requestRun(db, jobs, actorOf(req), req.params.id) }));
  serve(app, api.publishRound, (req) => service.publishRound(db, actorOf(req), req.params.id));
  serve(app, api.summary, (req) => service.summary(db, actorOf(req), req.params.id, req.query.by, req.query));
  serve(app, api.results, (req) => service.results(db, actorOf(req), req.params.id, req.query));

  serve(app, api.resultsXlsx, async (req, reply) => {
    const { round, pages } = await service.exportResults(db, actorOf(req), req.params.id, req.query);
    return sendWorkbook(reply, `毕业审核结果_${round.batch_code}_${round.name}.xlsx`, '审核结果', [
      { header: '审核顺序', width: 8, value: (r) => r.seq },
      'student_no', 'name', 'level', 'major',
      { header: '分部', width: 16, value: (r) => r.branch_name },
      'tp_code', 'tp_name',
      { header: '加急', width: 6, value: (r) => (r.urgent ? '是' : '') },
      { header: '已获学分', width: 8, value: (r) => Number(r.credits_earned) },
      { header: '审核结果', width: 8, value: (r) => (r.passed ? '通过' : '不通过') },
      { header: '未通过原因', width: 60, value: (r) => r.failures.join('；') },
    ], pages);
  });

  serve(app, api.report, (req) => service.reportData(db, actorOf(req), req.body.batch, req.body.urgent));
  serve(app, api.urgent, (req) => service.setUrgent(db, actorOf(req), req.body.batch, req.body.graduate_ids, req.body.urgent));
  serve(app, api.urgentDeadline, (req) => service.setUrgentDeadline(db, actorOf(req), req.params.code, req.body));

  serve(app, api.urgentXlsx, async (req, reply) => {
    const pages = await service.exportUrgent(db, actorOf(req), req.query.batch);
    return sendWorkbook(reply, `加急审核数据_${req.query.batch}.xlsx`, '加急审核数据', [
      'student_no', 'name', 'gender',
      { header: '身份证号', width: 20, value: (r) => r.id_number },
      'level', 'major', 'tp_code', 'tp_name', 'confirm_status',
      { header: '已获学分', width: 8, value: (r) => Number(r.credits_earned) },
      { header: '毕业条件', width: 40, value: (r) => (r.eligible ? '符合' : r.reasons.join('；')) },
      { header: '审核状态', width: 8, value: (r) => r.audit_status },
      { header: '上报时间', width: 20, value: (r) => fmtTime(r.submitted_at) },
    ], pages);
  });

  serve(app, api.exceptions, (req) => service.listExceptions(db, actorOf(req), req.params.id));
  serve(app, api.addException, (req) => service.addException(db, actorOf(req), req.params.id, req.body));
  serve(app, api.revokeException, (req) => service.revokeException(db, actorOf(req), req.params.id));
  serve(app, api.extension, (req) => service.setExtension(db, actorOf(req), req.params.id, req.body));
}
