import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runArtifactBench } from './artifacts.ts';
import { runBundleBench } from './bundle.ts';
import { runCostBench } from './cost.ts';
import { runIngestBench } from './ingest.ts';
import { runLoadBench } from './load.ts';
import { runPeerBench } from './peer.ts';
import { runSearchBench } from './search.ts';
import { runUiBench } from './ui.ts';
import type { BenchSection } from './section.ts';

// As local/start.ts does: the AWS SDK's once-a-process notice about Node 22 is not a result.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * `npm run bench`: every section against the local stack on loopback, printed as
 * tables and written to bench/results/latest.json. `--only NAME` runs one
 * section; `--points N` shrinks the ingest and `--artifact-mib N` the artifact and `--runs N`
 * the search experiment, `--ui-points N` / `--ui-runs N` the UI section's metric and
 * runs table, and `--cost-batches N` / `--cost-runs N` the cost section's workload, for a
 * quick look. `--only peer` (never part of the full run) compares
 * Stratus with MLflow and FastTrackML; its sizes are the `--peer-*` flags (bench/peer.ts).
 *
 * Each section runs in a process of its own: the handlers read their
 * configuration and build their SDK clients once per process, as in a Lambda
 * container, so a second stack in the same process would reach the first one's
 * (stopped) servers.
 */
const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    points: { type: 'string' },
    'artifact-mib': { type: 'string' },
    runs: { type: 'string' },
    'ui-points': { type: 'string' },
    'ui-runs': { type: 'string' },
    'cost-batches': { type: 'string' },
    'cost-runs': { type: 'string' },
    // The peer section: Stratus beside MLflow and FastTrackML (defaults: issue 13's sizes).
    'peer-runs': { type: 'string' },
    'peer-points': { type: 'string' },
    'peer-history': { type: 'string' },
    'peer-clients': { type: 'string' },
    'peer-samples': { type: 'string' },
    'peer-paced-runs': { type: 'string' },
    'peer-paced-rate': { type: 'string' },
    'peer-systems': { type: 'string' },
    'peer-phases': { type: 'string' },
  },
});

const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));

const sections: Record<string, () => Promise<BenchSection>> = {
  ingest: () => runIngestBench({ points: values.points ? Number(values.points) : undefined }),
  load: () => runLoadBench(),
  artifacts: () => runArtifactBench({ mebibytes: values['artifact-mib'] ? Number(values['artifact-mib']) : undefined }),
  bundle: () => runBundleBench(),
  search: () => runSearchBench({ runs: values.runs ? Number(values.runs) : undefined }),
  ui: () =>
    runUiBench({
      points: values['ui-points'] ? Number(values['ui-points']) : undefined,
      runs: values['ui-runs'] ? Number(values['ui-runs']) : undefined,
    }),
  // Last: it prices the search section's read units from bench/results/search.json.
  cost: () =>
    runCostBench({
      batches: values['cost-batches'] ? Number(values['cost-batches']) : undefined,
      runs: values['cost-runs'] ? Number(values['cost-runs']) : undefined,
    }),
  peer: () =>
    runPeerBench({
      runs: number(values['peer-runs']),
      points: number(values['peer-points']),
      history: number(values['peer-history']),
      clients: number(values['peer-clients']),
      samples: number(values['peer-samples']),
      pacedRuns: number(values['peer-paced-runs']),
      pacedRate: number(values['peer-paced-rate']),
      systems: values['peer-systems']?.split(','),
      phases: values['peer-phases']?.split(','),
    }),
};

mkdirSync('bench/results', { recursive: true });
const results: Record<string, BenchSection> = {};
if (values.only) {
  const run = sections[values.only];
  if (!run) throw new Error(`unknown section '${values.only}'; known: ${Object.keys(sections).join(', ')}`);
  process.stdout.write(`\n== ${values.only} ==\n`);
  const section = await run();
  results[values.only] = section;
  console.log(section.title);
  console.table(section.rows);
  writeFileSync(`bench/results/${values.only}.json`, `${JSON.stringify(section, null, 2)}\n`);
} else {
  const forwarded = process.argv.slice(2);
  // The peer comparison installs and starts other servers and runs for a long time: only with --only peer.
  for (const name of Object.keys(sections).filter((section) => section !== 'peer')) {
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, process.argv[1] as string, ...forwarded, '--only', name],
      {
        stdio: 'inherit',
      },
    );
    if (child.status !== 0) throw new Error(`bench section '${name}' failed (exit ${child.status})`);
    results[name] = JSON.parse(readFileSync(`bench/results/${name}.json`, 'utf8')) as BenchSection;
  }
}

const report = { date: new Date().toISOString(), node: process.version, results };
writeFileSync('bench/results/latest.json', `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write('\nwritten: bench/results/latest.json\n');
