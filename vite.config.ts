import { defineConfig } from 'vite';

// No React plugin needed: esbuild compiles JSX with the automatic runtime.
export default defineConfig({
  root: 'src/web',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    chunkSizeWarningLimit: 3000,
    rollupOptions: {
      // antd and react-router mark modules "use client"; meaningless in a client-only bundle.
      onwarn(w, warn) {
        if (w.code !== 'MODULE_LEVEL_DIRECTIVE') warn(w);
      },
    },
  },
  server: { proxy: { '/api': 'http://localhost:3000' } },
});
