import path from 'node:path';
import { buildApp } from './app.ts';
import { seedDemo, DEMO_ACCOUNTS, DEMO_PASSWORD } from './demo/seed.ts';

// start: config → database → migrations → jobs → HTTP
const port = Number(process.env.PORT || 3000);
const dataDir = process.env.DATA_DIR || './data';
const databaseUrl = process.env.DATABASE_URL || undefined;

const running = await buildApp({
  databaseUrl,
  dataDir,
  work: process.env.WORKERS_IN_SERVER !== 'false',
  // WEB_DIR: a web build elsewhere (several browser-test runs side by side each build their own).
  webDir: path.resolve(process.env.WEB_DIR || 'dist/web'),
  logger: process.env.LOG === 'true',
});

if (process.env.DEMO !== 'false' && (await seedDemo(running.database.db))) {
  console.log('已载入演示数据。');
}

await running.app.listen({ port, host: process.env.HOST || '0.0.0.0' });
console.log(`毕业管理平台已启动：http://localhost:${port}  （数据库：${running.database.kind === 'pglite' ? `PGlite，数据目录 ${path.resolve(dataDir)}` : 'PostgreSQL'}）`);
console.log(`演示账号（密码均为 ${DEMO_PASSWORD}，生产环境请务必修改）：`);
for (const a of DEMO_ACCOUNTS) console.log(`  ${a.username.padEnd(8)} ${a.who}`);

const stop = async () => {
  await running.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
