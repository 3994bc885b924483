import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runIngestBench } from './ingest.ts';
import { runLoadBench } from './load.ts';
import { runSearchBench } from './search.ts';
import type { BenchSection } from './section.ts';

/**
 * `npm run bench`: every section against the local stack on loopback, printed as
 * tables and written to bench/results/latest.json. `--only NAME` runs one
 * section; `--points N` shrinks the ingest and `--runs N` the search experiment for a quick look.
 */
const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    points: { type: 'string' },
    runs: { type: 'string' },
  },
});

const sections: Record<string, () => Promise<BenchSection>> = {
  ingest: () => runIngestBench({ points: values.points ? Number(values.points) : undefined }),
  load: () => runLoadBench(),
  search: () => runSearchBench({ runs: values.runs ? Number(values.runs) : undefined }),
};

const selected = values.only ? { [values.only]: sections[values.only] } : sections;
const results: Record<string, BenchSection> = {};
for (const [name, run] of Object.entries(selected)) {
  if (!run) throw new Error(`unknown section '${name}'; known: ${Object.keys(sections).join(', ')}`);
  process.stdout.write(`\n== ${name} ==\n`);
  const section = await run();
  results[name] = section;
  console.log(section.title);
  console.table(section.rows);
}

mkdirSync('bench/results', { recursive: true });
const report = { date: new Date().toISOString(), node: process.version, results };
writeFileSync('bench/results/latest.json', `${JSON.stringify(report, null, 2)}\n`);
process.stdout.write('\nwritten: bench/results/latest.json\n');
