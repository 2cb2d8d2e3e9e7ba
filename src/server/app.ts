import { openDatabase, type Database } from './platform/db.ts';
import { migrate } from './platform/migrate.ts';
import { Jobs } from './platform/jobs.ts';
import { registerOplogJobs } from './platform/oplog.ts';
import { buildHttp, type App, type AppContext } from './platform/http.ts';
import { z } from 'zod';
import { accountRoutes } from './accounts/routes.ts';
import { orgRoutes } from './org/routes.ts';
import { operationLogRoutes } from './oplog/routes.ts';
import { batchRoutes } from './batches/routes.ts';
import { homeRoutes } from './home/routes.ts';
import { eligibilityRoutes } from './eligibility/routes.ts';
import { registerEligibilityJobs } from './eligibility/service.ts';
import { confirmationRoutes } from './confirmation/routes.ts';
import { studentRoutes } from './students/routes.ts';
import { taskRoutes } from './tasks/routes.ts';
import { programmeRoutes } from './programmes/routes.ts';
import { photoRoutes } from './photos/routes.ts';
import { registerPhotoJobs } from './photos/service.ts';
import { importRoutes } from './imports/routes.ts';
import { registerImportJobs } from './imports/service.ts';
import { auditRoutes } from './audit/routes.ts';
import { registerAuditJobs } from './audit/service.ts';
import { exemptionRoutes } from './exemptions/routes.ts';
import { exportRoutes } from './exports/routes.ts';
import { registerExportJobs } from './exports/service.ts';
import { registerDocumentExports } from './documents/exports.ts';
import { registerRecordExports } from './records/list-export.ts';
import { recordRoutes } from './records/routes.ts';
import { formRoutes } from './forms/routes.ts';
import { materialRoutes } from './materials/routes.ts';
import { calendarRoutes } from './calendar/routes.ts';
import { cleanupRoutes } from './cleanup/routes.ts';
import { registerCleanupJobs } from './cleanup/service.ts';
import { registrationRoutes } from './registration/routes.ts';
import { registerRegistrationJobs } from './registration/service.ts';

export interface Config {
  databaseUrl?: string;
  dataDir?: string;
  /** Consume jobs in this process (always on PGlite: no other process can reach it). */
  work: boolean;
  webDir?: string;
  logger?: boolean;
}

export interface Running extends AppContext {
  app: App;
  close(): Promise<void>;
}

/** Every capability's job handlers; the server and `npm run worker` register the same ones. */
export function registerJobs(jobs: Jobs): void {
  registerEligibilityJobs(jobs);
  registerPhotoJobs(jobs);
  registerImportJobs(jobs);
  registerAuditJobs(jobs);
  registerExportJobs(jobs);
  registerRecordExports(jobs);
  registerDocumentExports(jobs);
  registerCleanupJobs(jobs);
  registerOplogJobs(jobs);
  registerRegistrationJobs(jobs);
}

export async function openCore(config: Pick<Config, 'databaseUrl' | 'dataDir'>): Promise<{ database: Database; jobs: Jobs }> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await migrate(database.sql);
  const jobs = new Jobs(database);
  registerJobs(jobs);
  return { database, jobs };
}

export async function buildApp(config: Config): Promise<Running> {
  const { database, jobs } = await openCore(config);
  await jobs.start({ work: config.work || database.kind === 'pglite' });
  const ctx: AppContext = { database, jobs };
  const app = await buildHttp(ctx, { webDir: config.webDir, logger: config.logger });

  app.get('/api/health', {
    config: { access: 'public' },
    schema: { tags: ['系统'], summary: '健康检查', response: { 200: z.object({ ok: z.boolean(), db: z.enum(['pglite', 'postgres']) }) } },
  }, async () => {
    await database.sql.executeSql('select 1');
    return { ok: true, db: database.kind };
  });
  app.get('/api/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());

  for (const routes of [accountRoutes, orgRoutes, operationLogRoutes, batchRoutes, homeRoutes, eligibilityRoutes, confirmationRoutes, studentRoutes, taskRoutes, programmeRoutes, photoRoutes, importRoutes, auditRoutes, exemptionRoutes, recordRoutes, exportRoutes, formRoutes, materialRoutes, calendarRoutes, cleanupRoutes, registrationRoutes]) {
    routes(app, ctx);
  }
  await app.ready();
  return {
    app, database, jobs,
    async close() {
      await app.close();
      await jobs.stop();
      await database.close();
    },
  };
}
