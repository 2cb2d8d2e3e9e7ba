import { openCore } from './app.ts';

// A separate worker process shares the job queue of a PostgreSQL server with the web server(s).
if (!process.env.DATABASE_URL) {
  console.error('npm run worker 需要 DATABASE_URL 指向 PostgreSQL 服务器；使用内嵌数据库（PGlite）时，后台任务由服务器进程自己执行。');
  process.exit(1);
}
const { database, jobs } = await openCore({ databaseUrl: process.env.DATABASE_URL });
await jobs.start({ work: true });
console.log('后台任务进程已启动。');
const stop = async () => {
  await jobs.stop();
  await database.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
