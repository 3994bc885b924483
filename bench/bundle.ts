import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { esbuildOptions } from '../cdk/bundling.ts';
import { routeList, routes } from '../shared/http/route-table.ts';
import type { BenchSection } from './section.ts';
import { percentile, round } from './stats.ts';

/**
 * Lambda bundle size and module load time, SDK bundled (what the stack ships)
 * against SDK external (resolved from node_modules, as the runtime's copy would
 * be). Load time is a fresh Node process importing the bundle: the part of a
 * cold start our code controls. It runs on this machine's Node, not Lambda's
 * arm64 Node 24, so compare the variants with each other rather than with AWS.
 */

const workDirectory = '.stratus/bundle-bench';
// Three kinds of entry: the largest schema user, the ingest path, an admin route.
const timedEntries = [routes.getOpenApi, routes.logMetrics, routes.createToken];

/** The two ways to build an entry: as the stack does, and with the SDK left to the runtime. */
const builds = {
  'sdk-bundled': [...esbuildOptions.external],
  'sdk-external': ['@aws-sdk/*', '@smithy/*'],
};
type BuildName = keyof typeof builds;

interface Variant {
  name: string;
  build: BuildName;
  nodeOptions: string[];
}

const variants: Variant[] = [
  { name: 'sdk bundled (shipped)', build: 'sdk-bundled', nodeOptions: ['--enable-source-maps'] },
  { name: 'sdk bundled, no source maps', build: 'sdk-bundled', nodeOptions: [] },
  { name: 'sdk external', build: 'sdk-external', nodeOptions: ['--enable-source-maps'] },
];

const outfileFor = (buildName: BuildName, operationId: string) =>
  path.join(workDirectory, buildName, operationId, 'index.mjs');

async function bundle(entry: string, buildName: BuildName, outfile: string): Promise<Metafile> {
  const result = await build({
    ...esbuildOptions,
    mainFields: [...esbuildOptions.mainFields],
    external: builds[buildName],
    entryPoints: [entry],
    outfile,
    metafile: true,
    logLevel: 'silent',
  });
  return result.metafile;
}

function loadMilliseconds(file: string, nodeOptions: string[]): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(path.resolve(file))}); process.stdout.write(String(performance.now() - t));`;
  const output = execFileSync(process.execPath, [...nodeOptions, '--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH, STRATUS_TABLE_NAME: 'stratus-bench', AWS_REGION: 'us-east-1' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return Number(output);
}

/** Bytes of the bundle by origin: the AWS SDK, other packages, our own code. */
function composition(metafile: Metafile): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
      const group = !pkg ? 'stratus' : pkg.startsWith('@aws-sdk/') || pkg.startsWith('@smithy/') ? 'aws sdk' : pkg;
      totals[group] = (totals[group] ?? 0) + bytesInOutput;
    }
  }
  return totals;
}

export async function runBundleBench(options: { samples?: number } = {}): Promise<BenchSection> {
  const samples = options.samples ?? 7;
  rmSync(workDirectory, { recursive: true, force: true });
  mkdirSync(workDirectory, { recursive: true });
  const rows: BenchSection['rows'] = [];

  const sizes: Record<BuildName, number[]> = { 'sdk-bundled': [], 'sdk-external': [] };
  for (const route of routeList) {
    for (const buildName of Object.keys(builds) as BuildName[]) {
      const outfile = outfileFor(buildName, route.operationId);
      const metafile = await bundle(route.entry, buildName, outfile);
      const bytes = readFileSync(outfile);
      sizes[buildName].push(bytes.length);
      if (route !== routes.logMetrics) continue;
      process.stdout.write(
        `logMetrics ${buildName}: ${round(bytes.length / 1024, 0)} kB, gzip ${round(gzipSync(bytes).length / 1024, 0)} kB; by origin (kB): `,
      );
      const parts = Object.entries(composition(metafile)).sort((a, b) => b[1] - a[1]);
      process.stdout.write(`${parts.map(([name, size]) => `${name} ${round(size / 1024, 0)}`).join(', ')}\n`);
    }
  }

  for (const route of timedEntries) {
    for (const variant of variants) {
      const outfile = outfileFor(variant.build, route.operationId);
      const times = Array.from({ length: samples }, () => loadMilliseconds(outfile, variant.nodeOptions));
      rows.push({
        entry: route.entry,
        variant: variant.name,
        'bundle kB': round(readFileSync(outfile).length / 1024, 0),
        'median of all entries kB': round(percentile(sizes[variant.build], 50) / 1024, 0),
        'load p50 ms': round(percentile(times, 50), 1),
        'load min ms': round(Math.min(...times), 1),
        samples,
      });
    }
  }
  return {
    title: `Lambda bundles: size and module load time (Node ${process.version}, ${samples} fresh processes each)`,
    rows,
  };
}
