import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { bundleAliases, bundleDefines, esbuildOptions } from '../cdk/bundling.ts';
import { routesByEntry } from '../shared/http/route-definition.ts';
import { routeList } from '../shared/http/route-table.ts';
import type { BenchSection } from './section.ts';
import { percentile, round } from './stats.ts';

/**
 * Every function's bundle, as the stack builds it: its size (and what it is
 * made of) and its module load time, which is the part of a cold start our
 * code controls: a fresh Node process importing the bundle. Then, for three
 * kinds of function, the alternatives the build decided against: the AWS SDK
 * left to the runtime, the SDK's whole default credential chain, and Node's
 * source-map support at load (`--enable-source-maps`). Targets (issue 16): at most 350 kB, load p50 at most
 * 60 ms. Measured on this machine's Node, not Lambda's arm64 Node 24: compare
 * rows with each other, and read the absolute figures with the machine's load.
 */

export const bundleTargets = { maxKilobytes: 350, maxLoadP50Ms: 60 } as const;

const workDirectory = '.stratus/bundle-bench';

interface Build {
  name: string;
  external: string[];
  alias: Record<string, string>;
  nodeOptions: string[];
}

const shipped: Build = {
  name: 'shipped',
  external: [...esbuildOptions.external],
  alias: bundleAliases,
  nodeOptions: [],
};
const alternatives: Build[] = [
  { ...shipped, name: 'sdk from the runtime', external: ['@aws-sdk/*', '@smithy/*'] },
  { ...shipped, name: 'full credential chain', alias: {} },
  { ...shipped, name: 'source maps at load', nodeOptions: ['--enable-source-maps'] },
];
// The largest schema user (OpenAPI), the ingest path, an artifact route (S3).
const comparedOperations = ['getOpenApi', 'logMetrics', 'createArtifactUpload'];

/** Bundles every entry in one esbuild run (no code splitting: each output stands alone). */
async function bundleAll(entries: readonly string[], variant: Build): Promise<{ metafile: Metafile; outdir: string }> {
  const outdir = path.join(workDirectory, variant.name.replace(/\W+/g, '-'));
  const result = await build({
    ...esbuildOptions,
    mainFields: [...esbuildOptions.mainFields],
    define: bundleDefines(),
    external: variant.external,
    alias: variant.alias,
    entryPoints: Object.fromEntries(entries.map((entry) => [entryName(entry), entry])),
    outdir,
    outExtension: { '.js': '.mjs' },
    metafile: true,
    logLevel: 'silent',
  });
  return { metafile: result.metafile, outdir };
}

const entryName = (entry: string) => path.basename(entry, '.ts');

/** Bytes of one output by origin: the AWS SDK, zod, other packages, our own code. */
function composition(metafile: Metafile, outfile: string): Record<'sdk' | 'zod' | 'other' | 'stratus', number> {
  const totals = { sdk: 0, zod: 0, other: 0, stratus: 0 };
  const output = metafile.outputs[outfile];
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1];
    const group = !pkg
      ? 'stratus'
      : pkg.startsWith('@aws-sdk/') || pkg.startsWith('@smithy/')
        ? 'sdk'
        : pkg === 'zod'
          ? 'zod'
          : 'other';
    totals[group] += bytesInOutput;
  }
  return totals;
}

/**
 * One fresh process importing the bundle: wall time, and the CPU time the
 * process spent (user + system). On a quiet machine they are close; on a
 * shared, loaded one the wall time is mostly waiting for a core, and the CPU
 * time is what the module load itself costs.
 */
function loadMilliseconds(file: string, nodeOptions: string[]): { wall: number; cpu: number } {
  const script = `const c = process.cpuUsage(); const t = performance.now(); await import(${JSON.stringify(path.resolve(file))}); const u = process.cpuUsage(c); process.stdout.write(JSON.stringify({ wall: performance.now() - t, cpu: (u.user + u.system) / 1000 }));`;
  const output = execFileSync(
    process.execPath,
    [...nodeOptions, '--no-warnings', '--input-type=module', '-e', script],
    {
      env: {
        PATH: process.env.PATH,
        STRATUS_TABLE_NAME: 'stratus-bench',
        STRATUS_ARTIFACTS_BUCKET: 'stratus-bench',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'bench',
        AWS_SECRET_ACCESS_KEY: 'bench',
      },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  return JSON.parse(output) as { wall: number; cpu: number };
}

const kilobytes = (bytes: number) => round(bytes / 1024, 0);

export async function runBundleBench(options: { samples?: number } = {}): Promise<BenchSection> {
  const samples = options.samples ?? 9;
  rmSync(workDirectory, { recursive: true, force: true });
  mkdirSync(workDirectory, { recursive: true });
  const functions = [...routesByEntry(routeList).values()];
  const loadAverage = os.loadavg()[0] as number;
  const busy = loadAverage > os.availableParallelism() / 2;
  const entries = functions.map((routes) => routes[0]!.entry);
  const rows: BenchSection['rows'] = [];

  const measure = async (variant: Build, which: readonly string[]) => {
    const { metafile, outdir } = await bundleAll(which, variant);
    for (const entry of which) {
      const outfile = path.join(outdir, `${entryName(entry)}.mjs`);
      const bytes = readFileSync(outfile);
      const parts = composition(metafile, outfile);
      const loads = Array.from({ length: samples }, () => loadMilliseconds(outfile, variant.nodeOptions));
      const wall = loads.map((load) => load.wall);
      const cpu = loads.map((load) => load.cpu);
      const routes = functions.find((candidate) => candidate[0]!.entry === entry)!;
      const sizeOk = bytes.length <= bundleTargets.maxKilobytes * 1024;
      // On a busy machine the wall time measures the queue for a core; judge the load by its CPU time then.
      const loadOk = percentile(busy ? cpu : wall, 50) <= bundleTargets.maxLoadP50Ms;
      rows.push({
        function: routes[0]!.operationId,
        routes: routes.length,
        variant: variant.name,
        'bundle kB': kilobytes(bytes.length),
        'gzip kB': kilobytes(gzipSync(bytes).length),
        'sdk kB': kilobytes(parts.sdk),
        'zod kB': kilobytes(parts.zod),
        'ours kB': kilobytes(parts.stratus),
        'load p50 ms': round(percentile(wall, 50), 1),
        'load min ms': round(Math.min(...wall), 1),
        'load cpu p50 ms': round(percentile(cpu, 50), 1),
        targets:
          variant === shipped ? (sizeOk && loadOk ? 'met' : `${sizeOk ? '' : 'size '}${loadOk ? '' : 'load'}`) : '',
      });
    }
  };

  await measure(shipped, entries);
  const compared = entries.filter((entry) =>
    functions.some((routes) => routes[0]!.entry === entry && comparedOperations.includes(routes[0]!.operationId)),
  );
  for (const variant of alternatives) await measure(variant, compared);
  return {
    title: `Lambda bundles: every function as shipped, then the alternatives for three (Node ${process.version}, ${samples} fresh processes each, load average ${round(loadAverage, 1)} on ${os.availableParallelism()} cores: targets judged on ${busy ? 'CPU' : 'wall'} time; ≤ ${bundleTargets.maxKilobytes} kB, load p50 ≤ ${bundleTargets.maxLoadP50Ms} ms)`,
    rows,
  };
}
