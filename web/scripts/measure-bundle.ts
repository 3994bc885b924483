import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

/**
 * The app's initial JavaScript, measured in the build: every script that
 * index.html loads or preloads (lazy chunks such as the markdown renderer are
 * not initial), gzipped at level 9 as a CDN would serve it. Written to
 * dist/bundle-size.json; the build fails above the 200 KB budget.
 */
export const initialJsBudgetBytes = 200 * 1024;

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const initial = [
  ...html.matchAll(/<script[^>]*\bsrc="([^"]+\.js)"/g),
  ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+\.js)"/g),
].map((match) => match[1] as string);
const files = [...new Set(initial)].map((path) => {
  const bytes = readFileSync(join(dist, path));
  return { path, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
});
const css = [...html.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="([^"]+\.css)"/g)].map((match) => {
  const bytes = readFileSync(join(dist, match[1] as string));
  return { path: match[1] as string, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
});
const initialJsGzipBytes = files.reduce((sum, file) => sum + file.gzipBytes, 0);
const report = { initialJsGzipBytes, budgetBytes: initialJsBudgetBytes, files, css };
writeFileSync(join(dist, 'bundle-size.json'), `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write(
  `initial JavaScript: ${(initialJsGzipBytes / 1024).toFixed(1)} KB gzipped in ${files.length} file(s) (budget ${initialJsBudgetBytes / 1024} KB)\n`,
);
if (files.length === 0) throw new Error('no script found in dist/index.html');
if (initialJsGzipBytes > initialJsBudgetBytes) {
  process.stderr.write('the initial JavaScript is over budget: split a route or drop a dependency\n');
  process.exit(1);
}
