/** The dependency direction, held by a tool (STYLE.md): platform never imports a capability,
 *  the web never imports the server, and the server never imports the web. */
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
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '\\.test\\.ts$' },
  },
};
