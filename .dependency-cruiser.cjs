/** The dependency direction, held by a tool (STYLE.md, ARCHITECTURE.md):
 *  - platform (machinery) never imports a capability; shared stands alone; web and server never import each other;
 *  - a capability uses another only through that capability's `service.ts` (its one public door);
 *  - route files do not touch the database: they parse, authorise, call a service and present. */
const CAP = '^src/server/(?!platform/|testing/|demo/)([^/]+)/';
module.exports = {
  forbidden: [
    { name: 'platform-is-below-capabilities', severity: 'error',
      from: { path: '^src/server/platform' },
      to: { path: '^src/server/(?!platform)' } },
    { name: 'web-does-not-import-server', severity: 'error',
      from: { path: '^src/web' }, to: { path: '^src/server' } },
    { name: 'server-does-not-import-web', severity: 'error',
      from: { path: '^src/server' }, to: { path: '^src/web' } },
    { name: 'shared-stands-alone', severity: 'error',
      from: { path: '^src/shared' }, to: { path: '^src/(server|web)' } },
    { name: 'capability-through-its-service', severity: 'error',
      comment: 'Another capability is reached only through its service.ts.',
      from: { path: CAP },
      to: { path: '^src/server/(?!platform/|testing/|demo/)([^/]+)/(?!service\\.ts$)', pathNot: ['^src/server/$1/'] } },
    { name: 'routes-do-not-touch-the-database', severity: 'error',
      comment: 'A route file parses, authorises, calls a service and presents: SQL lives in service.ts / queries.ts.',
      from: { path: '^src/server/[^/]+/routes\\.ts$' },
      to: { path: ['(^|/)node_modules/(kysely|pg|@electric-sql)/', '^src/server/[^/]+/queries\\.ts$', '^src/server/platform/db\\.ts$'] } },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    // Tests and the permission table's rows (test support beside each capability) are not product code.
    exclude: { path: ['\\.test\\.ts$', '^src/server/[^/]+/permissions\\.ts$'] },
  },
};
