import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FoundRun, MetricPoint, NewRun, TrackingClient } from './peer-clients.ts';
import {
  ensurePeers,
  type PeerSystem,
  type StorageParts,
  startFastTrackMl,
  startMlflow,
  startStratus,
} from './peer-servers.ts';
import type { BenchSection } from './section.ts';
import { percentile, round } from './stats.ts';

/**
 * Stratus beside MLflow and FastTrackML on one machine (issue 13): every system
 * is started fresh, then each phase is run on one system after the other,
 * driven through its REST API by the same workload; every answer is checked
 * (every point and every search result), and the table has a ratio column. Sizes are flags (`npm run bench -- --only
 * peer --peer-runs 1000 ...`); the defaults are the issue's.
 *
 *  1. runs: `runs` runs in one experiment, 20 params and 10 metrics each (and a
 *     tag `owner` with 7 values), created by `clients` threads; then searches;
 *     then `pacedRuns` more such runs, in an experiment of their own, started at
 *     `pacedRate` a second whatever the system answers.
 *  2. ingest: `points` points over 10 keys in 1,000-point batches, `clients`
 *     clients each logging to a run of its own.
 *  3. history: one key with `history` points, read whole and downsampled.
 */
export interface PeerBenchOptions {
  runs?: number;
  points?: number;
  history?: number;
  clients?: number;
  samples?: number;
  /** Runs created at a fixed rate after the searches, and that rate (runs/s, the same for every system). */
  pacedRuns?: number;
  pacedRate?: number;
  systems?: string[];
  /** Which of the phases below to run (all by default), each on every system before the next. */
  phases?: string[];
}

const phaseNames = ['runs', 'ingest', 'history'] as const;

interface Measured {
  label: string;
  values: Map<string, string | number>;
  problems: string[];
}

const ROWS = {
  ingestRate: 'ingest: points/s',
  ingestLatency: 'ingest: batch p50 / p99 (ms)',
  runsRate: 'creating runs (20 params, 10 metrics): runs/s',
  runsRequests: 'requests per run',
  runsCpu: 'server CPU for the runs (s)',
  runsCpuDetail: 'server CPU for the runs by process (s)',
  runsLoad: 'machine load (1-min average) before / after the runs',
  runsWriteUnits: 'write units per run',
  firstMetrics: 'first metrics of a run (10 new keys) p50 (ms)',
  runLatency: 'a run with its first data, all its requests, p50 (ms)',
  firstMetricsSpread: 'first metrics: p90 / p99 / mean (ms)',
  runLatencySpread: 'a run with its first data: p90 / p99 / mean (ms)',
  pacedRate: 'paced: runs started at one rate for all (runs/s, offered / achieved)',
  pacedFirstMetrics: 'paced: first metrics of a run (10 new keys) p50 (ms)',
  pacedRunLatency: 'paced: a run with its first data, from when it was due, p50 (ms)',
  searchNewest: 'search: newest 100, p50 (ms)',
  searchTop: 'search: top 10 by a metric, p50 (ms)',
  searchThreshold: 'search: metric threshold (1%), p50 (ms)',
  searchParam: 'search: param = + metric threshold, p50 (ms)',
  searchTag: 'search: tag = ordered by run_name (1,000 of ~1,429), p50 (ms)',
  searchUnits: 'search read units, the five rows above (DynamoDB, load-independent)',
  historyFull: 'history: full read (s)',
  historyDownsampled: 'history: max_points=1000 p50 (ms)',
  historyDownsampledUnits: 'history: max_points=1000 read units',
  historyPlusOne: 'history +1 point: max_points=1000 p50 (ms)',
  storage: 'storage for the runs (MB)',
  storageDetail: 'storage detail',
} as const;

/** p90 / p99 / mean of latencies, for a row that says how they spread around their p50. */
function spread(latencies: readonly number[]): string {
  const mean = latencies.reduce((sum, latency) => sum + latency, 0) / Math.max(1, latencies.length);
  return [percentile(latencies, 90), percentile(latencies, 99), mean].map((value) => round(value, 1)).join(' / ');
}

/** A small deterministic generator (mulberry32), so every system gets the very same data. */
function generator(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The runs of the runs phase, generated once: run i's data is the same in every system. */
function runsOf(count: number): NewRun[] {
  const random = generator(13);
  const base = 1_700_000_000_000;
  return Array.from({ length: count }, (_, i) => ({
    name: `run-${String(i).padStart(6, '0')}`,
    tags: { owner: `user-${i % 7}` },
    params: Object.fromEntries(
      Array.from({ length: 20 }, (_, p) => [`p${p}`, p === 0 ? `v${i % 10}` : `value-${Math.floor(random() * 1000)}`]),
    ),
    metrics: Array.from({ length: 10 }, (_, m) => ({ key: `m${m}`, value: random(), step: 0, timestamp: base + i })),
  }));
}

const metricOf = (run: NewRun, key: string) => run.metrics.find((metric) => metric.key === key)?.value ?? Number.NaN;

/** The searches, each with the answer it must give (names, in order where the order is fixed). */
function searches(runs: NewRun[]) {
  const names = (list: NewRun[]) => list.map((run) => run.name);
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [
    {
      row: ROWS.searchNewest,
      query: { maxResults: 100 },
      check: (found: FoundRun[]) =>
        found.length === Math.min(100, runs.length) &&
        found.every((run, i) => i === 0 || (found[i - 1] as FoundRun).startTime >= run.startTime),
    },
    {
      row: ROWS.searchTop,
      query: { orderBy: ['metrics.m0 DESC'], maxResults: 10 },
      expected: names([...runs].sort((a, b) => metricOf(b, 'm0') - metricOf(a, 'm0')).slice(0, 10)),
      ordered: true,
    },
    {
      row: ROWS.searchThreshold,
      query: { filter: 'metrics.m1 > 0.99', maxResults: 1000 },
      expected: names(runs.filter((run) => metricOf(run, 'm1') > 0.99)),
    },
    {
      row: ROWS.searchParam,
      query: { filter: "params.p0 = 'v3' AND metrics.m2 > 0.9", maxResults: 1000 },
      expected: names(runs.filter((run) => run.params.p0 === 'v3' && metricOf(run, 'm2') > 0.9)),
    },
    {
      row: ROWS.searchTag,
      query: { filter: "tags.owner = 'user-3'", orderBy: ['attributes.run_name ASC'], maxResults: 1000 },
      expected: names(runs.filter((run) => run.tags.owner === 'user-3'))
        .sort(byName)
        .slice(0, 1000),
      ordered: true,
    },
  ];
}

/**
 * What the runs phase added to each part of a system's storage. Two columns share one Stratus stack, so
 * the second column's table already holds the first column's runs: only the growth belongs to a column.
 */
function storageGrowth(before: StorageParts, after: StorageParts): StorageParts {
  const earlier = new Map(before);
  return after.map(([part, bytes]) => [part, bytes - (earlier.get(part) ?? 0)] as const);
}

/** Runs `work(i)` for i in [0, count) on `threads` concurrent workers. */
async function inParallel(count: number, threads: number, work: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(threads, count) }, async () => {
      for (let i = next++; i < count; i = next++) await work(i);
    }),
  );
}

/** The 1-minute load average, from /proc/loadavg. */
function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ')[0] ?? '?';
}

async function runsPhase(
  system: PeerSystem,
  client: TrackingClient,
  options: Required<PeerBenchOptions>,
  out: Measured,
) {
  const runs = runsOf(options.runs);
  const experimentId = await client.createExperiment(`peer-runs-${client.label.replace(/\W+/g, '-')}`);
  const storageBefore = await system.storage();
  client.meter.reset();
  const cpuBefore = system.cpuSeconds();
  const cpuBeforeByName = system.cpuSecondsByName();
  // The machine is shared: a rate means little without the load it was measured under.
  const loadBefore = loadAverage();
  const started = performance.now();
  // MLflow's row above times its log-batch alone; this one times everything a run costs its client.
  const runLatencies: number[] = [];
  await inParallel(runs.length, options.clients, async (i) => {
    const sent = performance.now();
    await client.createRun(experimentId, runs[i] as NewRun);
    runLatencies.push(performance.now() - sent);
  });
  const seconds = (performance.now() - started) / 1000;
  out.values.set(ROWS.runsRate, round(runs.length / seconds, 1));
  out.values.set(ROWS.runsRequests, round(client.meter.count() / runs.length, 2));
  out.values.set(ROWS.runsCpu, round(system.cpuSeconds() - cpuBefore, 1));
  out.values.set(
    ROWS.runsCpuDetail,
    [...system.cpuSecondsByName()]
      .map(([name, cpu]) => [name, cpu - (cpuBeforeByName.get(name) ?? 0)] as const)
      .filter(([, cpu]) => cpu >= 0.05)
      .sort((a, b) => b[1] - a[1])
      .map(([name, cpu]) => `${name} ${cpu.toFixed(1)}`)
      .join(' + '),
  );
  out.values.set(ROWS.runsLoad, `${loadBefore} / ${loadAverage()}`);
  if (client.meter.writeUnits > 0) out.values.set(ROWS.runsWriteUnits, round(client.meter.writeUnits / runs.length, 1));
  const firstMetrics = client.meter.count('log-batch') > 0 ? 'log-batch' : 'create-run';
  out.values.set(ROWS.firstMetrics, round(client.meter.p50(firstMetrics), 1));
  out.values.set(ROWS.runLatency, round(percentile(runLatencies, 50), 1));
  // Under a closed loop of `clients`, the mean latency is clients / rate whatever the system (Little's
  // law); a p50 below that mean says the others wait the longer in the tail. These rows show it.
  out.values.set(ROWS.firstMetricsSpread, spread(client.meter.of(firstMetrics)));
  out.values.set(ROWS.runLatencySpread, spread(runLatencies));
  const stored = storageGrowth(storageBefore, await system.storage());
  out.values.set(ROWS.storage, round(stored.reduce((sum, [, bytes]) => sum + bytes, 0) / 1e6, 1));
  out.values.set(
    ROWS.storageDetail,
    stored.map(([part, bytes]) => `${part} ${(bytes / 1e6).toFixed(1)} MB`).join(' + '),
  );

  const searchUnits: number[] = [];
  for (const search of searches(runs)) {
    const latencies: number[] = [];
    const units: number[] = [];
    for (let sample = 0; sample < options.samples; sample++) {
      const sent = performance.now();
      let found: FoundRun[];
      try {
        found = await client.search(experimentId, search.query);
      } catch (error) {
        out.values.set(search.row, `error (${String(error).slice(0, 40)})`);
        out.problems.push(`${search.row}: ${String(error).slice(0, 200)}`);
        break;
      }
      latencies.push(performance.now() - sent);
      units.push(client.meter.lastReadUnits);
      const names = found.map((run) => run.name);
      const correct =
        'check' in search && search.check
          ? search.check(found)
          : search.ordered
            ? JSON.stringify(names) === JSON.stringify(search.expected)
            : JSON.stringify([...names].sort()) === JSON.stringify([...(search.expected ?? [])].sort());
      if (!correct) {
        out.problems.push(`${search.row}: answer differs from the expected (${names.length} runs)`);
        out.values.set(search.row, 'wrong answer');
        break;
      }
      out.values.set(search.row, round(percentile(latencies, 50), 1));
    }
    searchUnits.push(round(percentile(units, 50), 1));
  }
  if (searchUnits.some((units) => units > 0)) out.values.set(ROWS.searchUnits, searchUnits.join(' / '));
  await pacedRunsStep(client, options, out);
}

/**
 * The same runs again, each started when it is due at one rate the same for every system, `clients`
 * at most in flight. Above, every client starts its next run as soon as its last one is answered, so
 * a system that creates runs faster also keeps more requests waiting at its database: its latencies
 * there are its rate's, not its requests' (Little's law). At one offered rate, the latencies of the
 * systems compare. A run's latency is counted from when it was due, so a system that falls behind
 * the rate has its waiting counted too, and the achieved rate says it fell behind.
 */
async function pacedRunsStep(client: TrackingClient, options: Required<PeerBenchOptions>, out: Measured) {
  if (options.pacedRuns <= 0) return;
  const runs = runsOf(options.pacedRuns);
  const experimentId = await client.createExperiment(`peer-paced-${client.label.replace(/\W+/g, '-')}`);
  client.meter.reset();
  const interval = 1000 / options.pacedRate;
  const runLatencies: number[] = [];
  const started = performance.now();
  await inParallel(runs.length, options.clients, async (i) => {
    const due = started + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    await client.createRun(experimentId, runs[i] as NewRun);
    runLatencies.push(performance.now() - due);
  });
  const seconds = (performance.now() - started) / 1000;
  out.values.set(ROWS.pacedRate, `${options.pacedRate} / ${round(runs.length / seconds, 1)}`);
  const firstMetrics = client.meter.count('log-batch') > 0 ? 'log-batch' : 'create-run';
  out.values.set(ROWS.pacedFirstMetrics, round(client.meter.p50(firstMetrics), 1));
  out.values.set(ROWS.pacedRunLatency, round(percentile(runLatencies, 50), 1));
}

const ingestPoint = (client: number, batch: number, i: number, step: number): MetricPoint => ({
  key: `metric_${i % 10}`,
  value: Math.exp(-step / 5000) + (((batch * 7919 + i * 104729) % 1000) / 1000) * 0.01,
  step,
  timestamp: 1_700_000_000_000 + client * 1_000_000_000 + step,
});

async function ingestPhase(client: TrackingClient, options: Required<PeerBenchOptions>, out: Measured) {
  const experimentId = await client.createExperiment(`peer-ingest-${client.label.replace(/\W+/g, '-')}`);
  const runIds: string[] = [];
  for (let c = 0; c < options.clients; c++) {
    runIds.push(await client.createRun(experimentId, { name: `client-${c}`, tags: {}, params: {}, metrics: [] }));
  }
  const batches = Math.ceil(options.points / 1000);
  const sent = new Map<number, number>();
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    runIds.map(async (runId, c) => {
      let step = 0;
      for (let batch = next++; batch < batches; batch = next++) {
        const points = Array.from({ length: 1000 }, (_, i) => ingestPoint(c, batch, i, step + Math.floor(i / 10)));
        step += 100;
        const before = performance.now();
        await client.logMetrics(runId, points, `peer-${c}-${batch}`);
        latencies.push(performance.now() - before);
        sent.set(c, (sent.get(c) ?? 0) + 100);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  out.values.set(ROWS.ingestRate, Math.round((batches * 1000) / seconds));
  out.values.set(ROWS.ingestLatency, `${round(percentile(latencies, 50), 0)} / ${round(percentile(latencies, 99), 0)}`);
  // Completeness: every key of the first client's run holds every step it was sent, once.
  for (let key = 0; key < 10; key++) {
    const history = await client.history(runIds[0] as string, `metric_${key}`);
    const expected = sent.get(0) ?? 0;
    const steps = new Set(history.map((point) => point.step));
    if (history.length !== expected || steps.size !== expected) {
      out.problems.push(`ingest: metric_${key} holds ${history.length} points (${steps.size} steps), sent ${expected}`);
    }
  }
}

async function historyPhase(client: TrackingClient, options: Required<PeerBenchOptions>, out: Measured) {
  const experimentId = await client.createExperiment(`peer-history-${client.label.replace(/\W+/g, '-')}`);
  const runId = await client.createRun(experimentId, { name: 'long', tags: {}, params: {}, metrics: [] });
  const batches = Math.ceil(options.history / 1000);
  const value = (step: number) => Math.sin(step / 1000) + (step === 424_242 ? 5 : 0);
  await inParallel(batches, options.clients, async (batch) => {
    const points = Array.from({ length: Math.min(1000, options.history - batch * 1000) }, (_, i) => {
      const step = batch * 1000 + i;
      return { key: 'loss', value: value(step), step, timestamp: 1_700_000_000_000 + step };
    });
    await client.logMetrics(runId, points, `history-${batch}`);
  });
  const started = performance.now();
  const history = await client.history(runId, 'loss');
  out.values.set(ROWS.historyFull, round((performance.now() - started) / 1000, 1));
  const steps = new Set(history.map((point) => point.step));
  if (history.length !== options.history || steps.size !== options.history) {
    out.problems.push(`history: read ${history.length} points (${steps.size} steps), logged ${options.history}`);
  }
  if (!client.downsampled) return;
  const downsample = async (row: string, unitsRow?: string) => {
    const latencies: number[] = [];
    const units: number[] = [];
    for (let sample = 0; sample < options.samples; sample++) {
      const sent = performance.now();
      const points = await (client.downsampled as NonNullable<TrackingClient['downsampled']>)(runId, 'loss', 1000);
      latencies.push(performance.now() - sent);
      units.push(client.meter.lastReadUnits);
      if (points.length > 1000 || points.length < 500) out.problems.push(`${row}: ${points.length} points`);
      const last = points[points.length - 1];
      if (points[0]?.step !== 0 || !last || last.step < options.history - 1) {
        out.problems.push(`${row}: the first or last point is missing`);
      }
      if (options.history > 424_242 && !points.some((point) => point.step === 424_242)) {
        out.problems.push(`${row}: the spike at step 424,242 is missing`);
      }
    }
    out.values.set(row, round(percentile(latencies, 50), 1));
    if (unitsRow) out.values.set(unitsRow, round(percentile(units, 50), 1));
  };
  // Let the last rollups seal (once a second per key) before timing reads of a finished history.
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await client.logMetrics(runId, [{ key: 'other', value: 0, step: 0, timestamp: Date.now() }], 'history-nudge');
  await downsample(ROWS.historyDownsampled, ROWS.historyDownsampledUnits);
  await client.logMetrics(
    runId,
    [{ key: 'loss', value: 0, step: options.history, timestamp: 1_700_000_000_000 + options.history }],
    'history-plus-one',
  );
  await downsample(ROWS.historyPlusOne);
}

const starters: Record<string, (directory: string) => Promise<PeerSystem>> = {
  mlflow: startMlflow,
  fasttrackml: startFastTrackMl,
  stratus: startStratus,
};

export async function runPeerBench(options: PeerBenchOptions = {}): Promise<BenchSection> {
  const settings: Required<PeerBenchOptions> = {
    runs: options.runs ?? 10_000,
    points: options.points ?? 1_000_000,
    history: options.history ?? 1_000_000,
    clients: options.clients ?? 8,
    samples: options.samples ?? 20,
    pacedRuns: options.pacedRuns ?? 600,
    pacedRate: options.pacedRate ?? 20,
    systems: options.systems ?? ['mlflow', 'fasttrackml', 'stratus'],
    phases: options.phases ?? [...phaseNames],
  };
  if (!(settings.pacedRate > 0 && Number.isFinite(settings.pacedRate))) {
    throw new Error(`--peer-paced-rate must be a positive number of runs a second, not '${settings.pacedRate}'`);
  }
  for (const name of settings.systems) {
    if (!starters[name]) throw new Error(`unknown system '${name}'; known: ${Object.keys(starters).join(', ')}`);
  }
  for (const phase of settings.phases) {
    if (!(phaseNames as readonly string[]).includes(phase)) {
      throw new Error(`unknown phase '${phase}'; known: ${phaseNames.join(', ')}`);
    }
  }
  if (settings.systems.some((name) => name !== 'stratus')) ensurePeers();
  // Every system is started first and each phase then runs on every system back to back, so that
  // the columns of a row are measured minutes apart, under much the same load from the rest of the machine.
  const started: Array<{ system: PeerSystem; directory: string }> = [];
  const measured: Measured[] = [];
  try {
    for (const name of settings.systems) {
      const directory = mkdtempSync(join(tmpdir(), `stratus-peer-${name}-`));
      process.stdout.write(`peer: starting ${name} ...\n`);
      try {
        started.push({
          system: await (starters[name] as (directory: string) => Promise<PeerSystem>)(directory),
          directory,
        });
      } catch (error) {
        // A system that fails to start is not among those stopped and removed below.
        rmSync(directory, { recursive: true, force: true });
        throw error;
      }
    }
    const columns = started.flatMap(({ system }) =>
      system.clients.map((client) => ({
        system,
        client,
        out: { label: client.label, values: new Map(), problems: [] } as Measured,
      })),
    );
    measured.push(...columns.map(({ out }) => out));
    for (const phase of settings.phases) {
      for (const { system, client, out } of columns) {
        process.stdout.write(`peer: ${phase}: ${client.label} ...\n`);
        // A system that fails a phase (a server closing connections under load) keeps the rows it has,
        // says why, and the other systems still run.
        try {
          if (phase === 'runs') await runsPhase(system, client, settings, out);
          else if (phase === 'ingest') await ingestPhase(client, settings, out);
          else await historyPhase(client, settings, out);
        } catch (error) {
          // fetch's TypeError says only 'fetch failed'; its cause says what the connection did.
          const cause = error instanceof Error && error.cause ? ` (${String(error.cause)})` : '';
          const problem = `${phase} phase failed: ${`${String(error)}${cause}`.slice(0, 300)}`;
          out.problems.push(problem);
          process.stdout.write(`peer: ${client.label}: ${problem}\n`);
        }
      }
    }
  } finally {
    for (const { system, directory } of started) {
      await system.stop();
      rmSync(directory, { recursive: true, force: true });
    }
  }
  return peerTable(settings, measured);
}

/** The issue's table: one column per system, and Stratus over MLflow. */
function peerTable(settings: Required<PeerBenchOptions>, measured: Measured[]): BenchSection {
  const mlflow = measured.find((m) => m.label === 'MLflow');
  const stratus = measured.find((m) => m.label === 'Stratus');
  const higherIsBetter = new Set<string>([ROWS.ingestRate, ROWS.runsRate]);
  const rows = Object.values(ROWS).map((row) => {
    const line: Record<string, string | number> = { row };
    for (const system of measured) line[system.label] = system.values.get(row) ?? '–';
    const ours = stratus?.values.get(row);
    const theirs = mlflow?.values.get(row);
    if (typeof ours === 'number' && typeof theirs === 'number' && ours > 0 && theirs > 0) {
      const ratio = higherIsBetter.has(row) ? ours / theirs : theirs / ours;
      line['Stratus vs MLflow'] = `${round(ratio, 2)}× ${ratio >= 1 ? 'better' : 'worse'}`;
    }
    return line;
  });
  rows.push({
    row: 'answers checked',
    ...Object.fromEntries(
      measured.map((m) => [m.label, m.problems.length ? `${m.problems.length} problem(s)` : 'all']),
    ),
  });
  return {
    title: `Peers: ${settings.runs.toLocaleString('en')} runs, ${settings.points.toLocaleString('en')} ingested points, a ${settings.history.toLocaleString('en')}-point history, ${settings.clients} clients`,
    rows,
  };
}
