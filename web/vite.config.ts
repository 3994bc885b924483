import { defineConfig } from 'vite';

/**
 * Static build into dist/: what the local server serves at / and the CDK
 * stack uploads to S3. No inline scripts or styles, so the Content-Security-Policy
 * can forbid them. `npm run dev` proxies /api to a running `npm start`.
 */
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: false,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8000' } },
});
