import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { DescribeTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { createStratusApp } from '../cdk/stratus-stack.ts';
import { startLocalStack } from '../local/stack.ts';
import { routes } from '../shared/http/route-table.ts';
import { configureRequestLog } from '../shared/http/request-log.ts';
import { issueToken } from '../shared/domain/tokens.ts';
import {
  alternativeCosts,
  bucketRequestMetrics,
  capacityCost,
  gigabyte,
  idleCost,
  type IndexShape,
  loadPrices,
  type Prices,
  requestCost,
  storedBytes,
  templatesOf,
  usd,
} from './cost-model.ts';
import type { BenchSection } from './section.ts';
import { round } from './stats.ts';

export interface CostBenchOptions {
  /** 1,000-point batches logged after a run's first one. */
  batches?: number;
  /** Runs created with 20 params and 10 metrics each. */
  runs?: number;
}

/**
 * The cost report: a bounded workload through the local HTTP API whose every
 * request's handler time and consumed capacity come from the functions' own
 * request log lines (what CloudWatch would receive), the items it left in the
 * table sized as DynamoDB bills them, the search section's read units
 * (bench/results/search.json), and the synthesized stack's idle charges, all
 * priced with bench/prices-us-east-1.json. Handler times on loopback include
 * DynamoDB Local, which is slower than DynamoDB: the Lambda figures are upper
 * bounds. Also writes bench/results/cost.md, the tables of docs/cost.md.
 */
export async function runCostBench(options: CostBenchOptions = {}): Promise<BenchSection> {
  const prices = loadPrices();
  const laterBatches = options.batches ?? 50;
  const runCount = options.runs ?? 100;
  const lines: LogLine[] = [];
  let phase = 'setup';
  // The request log is how a function reports itself in AWS; here it is captured instead of printed.
  process.env.STRATUS_METRICS_NAMESPACE = 'StratusCostBench';
  configureRequestLog('StratusCostBench', (line) => {
    const parsed = JSON.parse(line) as LogLine;
    lines.push({ ...parsed, phase, bytes: Buffer.byteLength(line) + 1 });
  });

  const token = issueToken().token;
  const stack = await startLocalStack({ port: 0, tableName: 'bench-cost', logLevel: 'error', bootstrapToken: token });
  try {
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${stack.url}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const answer = (await response.json()) as Record<string, any>;
      if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(answer)}`);
      return answer;
    };
    const table = new DynamoDBClient({ region: 'us-east-1', endpoint: process.env.STRATUS_DYNAMODB_ENDPOINT });
    const tableName = process.env.STRATUS_TABLE_NAME as string;
    const shape = await tableShape(table, tableName);
    const tableBytes = async () => storedBytes(await scanAll(table, tableName), shape.keys, shape.indexes);

    // 1. Metric points: a run's first batch (10 new keys), then later 1,000-point batches.
    phase = 'setup';
    const ingestRun = (await call('POST', '/runs', { experiment_name: 'cost-ingest' })).run_id as string;
    const batch = (first: number) => ({
      metrics: Array.from({ length: 1000 }, (_, i) => ({
        key: `metric_${i % 10}`,
        value: Math.random(),
        step: first + Math.floor(i / 10),
      })),
    });
    const batchKb = Buffer.byteLength(JSON.stringify(batch(0))) / 1024;
    phase = 'first-batch';
    await call('POST', `/runs/${ingestRun}/metrics`, batch(0));
    phase = 'later-batches';
    for (let b = 1; b <= laterBatches; b++) await call('POST', `/runs/${ingestRun}/metrics`, batch(b * 100));
    const bytesAfterIngest = await tableBytes();

    // 2. Runs as a training job makes them: create, 20 params, 10 metrics, finish.
    phase = 'runs';
    for (let r = 0; r < runCount; r++) {
      const runId = (await call('POST', '/runs', { experiment_name: 'cost-runs', run_name: `run-${r}` }))
        .run_id as string;
      await call('POST', `/runs/${runId}/params`, {
        params: Object.fromEntries(Array.from({ length: 20 }, (_, p) => [`param_${p}`, `value-${r}-${p}`])),
      });
      await call('POST', `/runs/${runId}/metrics`, {
        metrics: Array.from({ length: 10 }, (_, m) => ({ key: `score_${m}`, value: Math.random(), step: 0 })),
      });
      await call('PATCH', `/runs/${runId}`, { status: 'FINISHED' });
    }
    const bytesAfterRuns = await tableBytes();

    // 3. One artifact: plan, PUT to S3, complete (each artifact costs this much besides its bytes).
    phase = 'artifact';
    const planned = await call('POST', `/runs/${ingestRun}/artifacts`, {
      path: 'model.bin',
      artifact_type: 'model',
      size_bytes: 1024,
    });
    const upload = planned.upload as { url: string; headers: Record<string, string> };
    const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: Buffer.alloc(1024, 1) });
    if (put.status !== 200) throw new Error(`artifact PUT: ${put.status}`);
    await call('POST', `/runs/${ingestRun}/artifacts/complete`, { path: 'model.bin' });
    table.destroy();

    const searches = readSearchSection();
    const synthesized = (context: Record<string, unknown>) =>
      templatesOf(createStratusApp({ 'aws:cdk:bundling-stacks': [], ...context }).stack);
    const synthesizedIdle = (context: Record<string, unknown>) => idleCost(synthesized(context), prices);
    const templates = synthesized({});
    const idle = idleCost(templates, prices);
    const idleWithoutFunctionAlarms = synthesizedIdle({ 'stratus:functionAlarms': 'false' });
    const report = priceWorkload(prices, {
      lines,
      laterBatches,
      runCount,
      batchKb,
      bytesPerPoint: bytesAfterIngest / ((laterBatches + 1) * 1000),
      bytesPerRun: (bytesAfterRuns - bytesAfterIngest) / runCount,
      searches,
      idle,
      idleWithoutFunctionAlarms,
      bucketMetrics: bucketRequestMetrics(templates),
    });
    writeFileSync('bench/results/cost.md', report.markdown);
    return { title: report.title, rows: report.rows };
  } finally {
    configureRequestLog(undefined);
    await stack.stop();
  }
}

interface LogLine {
  phase: string;
  bytes: number;
  operation: string;
  status: number;
  latencyMs: number;
  readUnits?: number;
  writeUnits?: number;
  _aws?: { CloudWatchMetrics: Array<{ Dimensions: string[][]; Metrics: Array<{ Name: string }> }> };
  [field: string]: unknown;
}

interface SearchRow {
  query: string;
  'p50 (ms)': number;
  'read units': number;
}

interface Workload {
  lines: LogLine[];
  laterBatches: number;
  runCount: number;
  batchKb: number;
  bytesPerPoint: number;
  bytesPerRun: number;
  searches: { rows: SearchRow[]; source: string } | undefined;
  idle: ReturnType<typeof idleCost>;
  idleWithoutFunctionAlarms: ReturnType<typeof idleCost>;
  bucketMetrics: number;
}

/** Lambda's own START, END and REPORT lines per invocation (about 260 bytes in CloudWatch Logs). */
const platformLogBytes = 260;

const memoryOf = (operation: string) =>
  (routes as Record<string, { ingest?: boolean }>)[operation]?.ingest ? 1024 : 512;

/** Everything a set of requests costs per request: DynamoDB, API Gateway, Lambda, CloudWatch Logs. */
function perRequest(prices: Prices, lines: LogLine[], bodyKb?: number) {
  const sum = (pick: (line: LogLine) => number) => lines.reduce((total, line) => total + pick(line), 0);
  const read = sum((line) => line.readUnits ?? 0);
  const write = sum((line) => line.writeUnits ?? 0);
  const compute = sum((line) =>
    requestCost(prices, { durationMs: line.latencyMs, memoryMb: memoryOf(line.operation), bodyKb }),
  );
  const logBytes = sum((line) => line.bytes + platformLogBytes);
  const logs = (logBytes / gigabyte) * (prices.cloudwatch.logsIngestedGb + prices.cloudwatch.logsStoredGbMonth);
  return {
    requests: lines.length,
    read,
    write,
    durationMs: sum((line) => line.latencyMs),
    dollars: capacityCost(prices, { read, write }) + compute + logs,
    breakdown: { dynamodb: capacityCost(prices, { read, write }), compute, logs },
  };
}

/** The distinct metrics the request log lines declare (name and dimension values): each is billed per hour it is sent. */
function distinctMetrics(lines: LogLine[]): Set<string> {
  const seen = new Set<string>();
  for (const line of lines) {
    for (const directive of line._aws?.CloudWatchMetrics ?? []) {
      for (const dimensions of directive.Dimensions) {
        for (const metric of directive.Metrics) {
          seen.add([metric.Name, ...dimensions.map((name) => `${name}=${String(line[name])}`)].join('|'));
        }
      }
    }
  }
  return seen;
}

function readSearchSection(): Workload['searches'] {
  const file = 'bench/results/search.json';
  if (!existsSync(file)) return undefined;
  const section = JSON.parse(readFileSync(file, 'utf8')) as { title: string; rows: SearchRow[] };
  return {
    rows: section.rows,
    source: `${section.title}; ${file} of ${statSync(file).mtime.toISOString().slice(0, 16)}Z`,
  };
}

/**
 * Team sizes for the monthly table: what they log, search and keep, the hours
 * in which they send requests (custom metrics are billed by the hour they are
 * published) and how many operations they use in such an hour (each publishes
 * its ReadUnits and WriteUnits). The artifact bucket's request metrics are
 * counted in every active hour too (an upper bound).
 */
const teams = [
  { team: '3 people', runs: 300, points: 20e6, searches: 3_000, artifactGb: 10, activeHours: 150, operations: 10 },
  {
    team: '15 people',
    runs: 3_000,
    points: 200e6,
    searches: 30_000,
    artifactGb: 100,
    activeHours: 400,
    operations: 20,
  },
  {
    team: '60 people',
    runs: 30_000,
    points: 2e9,
    searches: 300_000,
    artifactGb: 1_000,
    activeHours: 730,
    operations: 40,
  },
];

function priceWorkload(prices: Prices, workload: Workload) {
  const phase = (name: string) => workload.lines.filter((line) => line.phase === name);
  const first = perRequest(prices, phase('first-batch'), workload.batchKb);
  const later = perRequest(prices, phase('later-batches'), workload.batchKb);
  const runs = perRequest(prices, phase('runs'));
  const artifact = perRequest(prices, phase('artifact'));
  const tableGbMonth = prices.dynamodb.storageGbMonth + prices.dynamodb.pitrGbMonth;

  const perMillionPoints = (later.dollars / (workload.laterBatches * 1000)) * 1e6;
  const per10kRuns = (runs.dollars / workload.runCount) * 10_000;
  const artifactRequests = artifact.dollars + prices.s3.putPer1000 / 1000;
  const searchKinds = (workload.searches?.rows ?? []).map((row) => {
    const dollars =
      capacityCost(prices, { read: row['read units'], write: 0 }) +
      requestCost(prices, { durationMs: row['p50 (ms)'], memoryMb: memoryOf('searchRunsPost') });
    return { query: row.query, readUnits: row['read units'], per1000: dollars * 1000 };
  });
  const typicalSearches = searchKinds.filter((kind) => !kind.query.startsWith('full read'));
  const perSearch =
    typicalSearches.reduce((sum, kind) => sum + kind.per1000, 0) / Math.max(1, typicalSearches.length) / 1000;
  const idleMonthly = workload.idle.reduce((sum, line) => sum + line.monthly, 0);
  const idleLean = workload.idleWithoutFunctionAlarms.reduce((sum, line) => sum + line.monthly, 0);
  const metricsSeen = distinctMetrics(workload.lines);
  const metricsPublished = metricsSeen.size;
  // Metrics not per operation (points ingested, artifact bytes, errors by class and code): as in this workload.
  const otherMetrics = [...metricsSeen].filter((key) => !/^(Read|Write)Units\|Operation=/.test(key)).length;

  const rows: Array<Record<string, string | number>> = [
    {
      item: '1,000,000 metric points (1,000-point batches)',
      dollars: round(perMillionPoints, 4),
      measured: `${round(later.write / (workload.laterBatches * 1000), 4)} write units/point, ${round(later.durationMs / workload.laterBatches, 1)} ms/batch at 1,024 MB`,
    },
    {
      item: "a run's first batch (1,000 points, 10 new keys)",
      dollars: round(first.dollars, 6),
      measured: `${round(first.write, 1)} write units (later batches: ${round(later.write / workload.laterBatches, 1)})`,
    },
    {
      item: '10,000 runs (create, 20 params, 10 metrics, finish)',
      dollars: round(per10kRuns, 4),
      measured: `${round(runs.requests / workload.runCount, 1)} requests, ${round(runs.write / workload.runCount, 1)} write and ${round(runs.read / workload.runCount, 1)} read units per run`,
    },
    ...searchKinds.map((kind) => ({
      item: `1,000 searches: ${kind.query}`,
      dollars: round(kind.per1000, 4),
      measured: `${kind.readUnits} read units each`,
    })),
    {
      item: 'one artifact upload (plan, PUT, complete), besides its bytes',
      dollars: round(artifactRequests, 6),
      measured: `${artifact.requests} API requests + 1 S3 PUT`,
    },
    {
      item: 'GB-month in the table (storage + PITR)',
      dollars: round(tableGbMonth, 3),
      measured: `${round(workload.bytesPerPoint, 1)} bytes/point, ${Math.round(workload.bytesPerRun)} bytes/run`,
    },
    { item: 'GB-month of artifacts (S3 Standard)', dollars: prices.s3.standardGbMonth, measured: 'list price' },
    ...workload.idle.map((line) => ({
      item: `idle per month: ${line.what}`,
      dollars: round(line.monthly, 2),
      measured: `${line.count} in the synthesized stack`,
    })),
    {
      item: 'idle per month with stratus:functionAlarms=false',
      dollars: round(idleLean, 2),
      measured: workload.idleWithoutFunctionAlarms.map((line) => `${line.count} ${line.what}`).join(', '),
    },
    {
      item: 'custom metrics per active hour',
      dollars: round((metricsPublished * prices.cloudwatch.customMetricMonth) / prices.hoursPerMonth, 4),
      measured: `${metricsPublished} distinct metrics in this workload's log lines`,
    },
  ];

  const teamRows = teams.map((team) => {
    const tableGb = ((team.points * workload.bytesPerPoint + team.runs * workload.bytesPerRun) * 12) / gigabyte;
    const usage =
      (team.points / 1e6) * perMillionPoints +
      (team.runs / 10_000) * per10kRuns +
      team.searches * perSearch +
      team.runs * 2 * artifactRequests;
    const storage = tableGb * tableGbMonth + team.artifactGb * prices.s3.standardGbMonth;
    const metricCount = 2 * team.operations + otherMetrics + workload.bucketMetrics;
    const metrics = (metricCount * prices.cloudwatch.customMetricMonth * team.activeHours) / prices.hoursPerMonth;
    return { ...team, tableGb, usage, storage, metricCount, metrics, total: idleMonthly + usage + storage + metrics };
  });

  const alternatives = prices.alternatives;
  const { sageMaker, selfHosted, withAlb } = alternativeCosts(prices);

  const markdown = [
    `Prices: ${prices.region}, list prices as of ${prices.asOf} (bench/prices-us-east-1.json). Searches: ${
      workload.searches?.source ?? 'no bench/results/search.json: run `npm run bench -- --only search` first'
    }.`,
    '',
    '| What | Cost (USD) | Measured |',
    '| --- | ---: | --- |',
    ...rows.map((row) => `| ${row.item} | ${usd(Number(row.dollars))} | ${row.measured} |`),
    '',
    `Idle: ${usd(idleMonthly)} per month (${workload.idle.map((line) => `${line.count} ${line.what}`).join(', ')}); ${usd(idleLean)} with \`stratus:functionAlarms=false\`.`,
    '',
    '| Team | Runs/month | Points/month | Searches/month | Table after 12 months | Artifacts | Usage | Storage | Metrics | Idle | Total/month |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...teamRows.map(
      (team) =>
        `| ${team.team} | ${team.runs.toLocaleString('en')} | ${(team.points / 1e6).toLocaleString('en')} M | ${team.searches.toLocaleString('en')} | ${round(team.tableGb, 1)} GB | ${team.artifactGb} GB | ${usd(team.usage)} | ${usd(team.storage)} | ${usd(team.metrics)} (${team.metricCount} × ${team.activeHours} h) | ${usd(idleMonthly)} | **${usd(team.total)}** |`,
    ),
    '',
    '| Alternative | Per month, idle |',
    '| --- | ---: |',
    `| SageMaker managed MLflow, Small (${usd(alternatives.sageMakerMlflowSmallHour)}/hour) | ${usd(sageMaker)} |`,
    `| Self-hosted MLflow: EC2 t4g.micro + RDS PostgreSQL db.t4g.micro, 8 + 20 GB gp3 | ${usd(selfHosted)} |`,
    `| the same behind an Application Load Balancer (HTTPS) | ${usd(withAlb)} |`,
    '',
  ].join('\n');

  return {
    title: `Cost (${prices.region}, prices of ${prices.asOf}): ${workload.laterBatches + 1} batches, ${workload.runCount} runs, idle from the synthesized stack; team table in bench/results/cost.md`,
    rows: [
      ...rows,
      ...teamRows.map((team) => ({
        item: `month, ${team.team}`,
        dollars: round(team.total, 2),
        measured: `usage ${usd(team.usage)}, storage ${usd(team.storage)}, metrics ${usd(team.metrics)}, idle ${usd(idleMonthly)}`,
      })),
    ],
    markdown,
  };
}

async function tableShape(client: DynamoDBClient, tableName: string) {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const indexes: IndexShape[] = (Table?.GlobalSecondaryIndexes ?? []).map((index) => ({
    keys: (index.KeySchema ?? []).map((key) => key.AttributeName as string),
    projection: (index.Projection?.ProjectionType ?? 'ALL') as IndexShape['projection'],
    included: index.Projection?.NonKeyAttributes ?? [],
  }));
  return { keys: (Table?.KeySchema ?? []).map((key) => key.AttributeName as string), indexes };
}

async function scanAll(client: DynamoDBClient, tableName: string) {
  const items: Array<Record<string, any>> = [];
  let start: Record<string, any> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}
