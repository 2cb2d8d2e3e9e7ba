import { actorOf, serve, type App, type AppContext } from '../platform/http.ts';
import { sendWorkbook } from '../platform/xlsx-export.ts';
import { materialsApi as api, type NotGraduatingRow } from '../../shared/contract/materials.ts';
import * as service from './service.ts';

export function materialRoutes(app: App, { database }: AppContext) {
  const db = database.db;
  serve(app, api.list, (req) => service.list(db, actorOf(req), req.query));
  serve(app, api.mark, (req) => service.mark(db, actorOf(req), req.body));
  serve(app, api.summary, (req) => service.summary(db, actorOf(req), req.query.batch));
  serve(app, api.notGraduating, (req) => service.notGraduating(db, actorOf(req), req.query));

  serve(app, api.notGraduatingXlsx, async (req, reply) => {
    const rows = await service.exportNotGraduating(db, actorOf(req), req.query);
    async function* one() {
      yield rows;
    }
    return sendWorkbook<NotGraduatingRow>(reply, `未办理毕业学生统计表_${req.query.batch}.xlsx`, '未办理毕业学生统计表', [
      'tp_code', 'tp_name', 'student_no', 'name', 'major', 'level', 'cohort',
      { header: '未办理原因', width: 60, value: (r) => r.reason },
    ], one());
  });

  serve(app, api.notGraduatingPdf, async (req, reply) => {
    const { pdf, name } = await service.printNotGraduating(db, actorOf(req), req.query);
    return reply.type('application/pdf')
      .header('content-disposition', `attachment; filename="not-graduating.pdf"; filename*=UTF-8''${encodeURIComponent(name)}`)
      .send(pdf);
  });
}
