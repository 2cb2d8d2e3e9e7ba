import { defineConfig } from 'vite';

// No React plugin needed: esbuild compiles JSX with the automatic runtime.
export default defineConfig({
  root: 'src/web',
  esbuild: { jsx: 'automatic' },
  build: { outDir: '../../dist/web', emptyOutDir: true, chunkSizeWarningLimit: 3000 },
  server: { proxy: { '/api': 'http://localhost:3000' } },
});
