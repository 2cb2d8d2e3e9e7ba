import path from 'node:path';
import { buildApp } from './app.ts';
import { seedDemo, DEMO_ACCOUNTS, DEMO_PASSWORD } from './demo/seed.ts';
import { verifyPassword } from './platform/auth.ts';

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

// Demo accounts whose published password still works: while any exists, only this computer may connect
// unless HOST says otherwise (issue 15).
const demoOpen: string[] = [];
for (const u of await running.database.db.selectFrom('app_user').select(['username', 'password_hash'])
  .where('username', 'in', DEMO_ACCOUNTS.map((a) => a.username)).where('disabled', '=', false).execute()) {
  if (await verifyPassword(u.password_hash, DEMO_PASSWORD)) demoOpen.push(u.username);
}
const host = process.env.HOST || (demoOpen.length > 0 ? '127.0.0.1' : '0.0.0.0');
await running.app.listen({ port, host });
const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
console.log(`毕业管理平台已启动：http://${shown}:${port}  （监听地址 ${host}；数据库：${running.database.kind === 'pglite' ? `PGlite，数据目录 ${path.resolve(dataDir)}` : 'PostgreSQL'}）`);
if (demoOpen.length > 0) {
  console.log(`演示账号（密码均为 ${DEMO_PASSWORD}，生产环境请务必修改）：`);
  for (const a of DEMO_ACCOUNTS.filter((d) => demoOpen.includes(d.username))) console.log(`  ${a.username.padEnd(8)} ${a.who}`);
  if (!process.env.HOST) {
    console.log(`因存在使用公开演示密码的账号，仅在本机地址 127.0.0.1 上监听，其他电脑无法访问。`
      + `如需从其他电脑访问，请先修改或停用这些演示账号，或设置环境变量 HOST（如 HOST=0.0.0.0）后重新启动。`);
  } else {
    console.log(`注意：存在使用公开演示密码的账号，且已按 HOST=${process.env.HOST} 监听，其他电脑可能用演示账号登录。`);
  }
}

const stop = async () => {
  await running.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
