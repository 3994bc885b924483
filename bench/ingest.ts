import { startLocalStack } from '../local/stack.ts';
import { issueToken } from '../shared/domain/tokens.ts';
import { consumedCapacity, percentile, round } from './stats.ts';
import type { BenchSection } from './section.ts';

export interface IngestBenchOptions {
  points?: number;
  clients?: number;
  batchSize?: number;
  keys?: number;
  getRunSamples?: number;
}

/**
 * Ingest through the local HTTP API: `clients` concurrent jobs, each logging to
 * its own run in batches of `batchSize` points spread over `keys` metric keys,
 * until `points` points are in. Reports throughput, write units per point (from
 * DynamoDB's ConsumedCapacity, via the response header) and batch latency; then
 * get-run latency on a run that holds the full history.
 */
export async function runIngestBench(options: IngestBenchOptions = {}): Promise<BenchSection> {
  const totalPoints = options.points ?? 1_000_000;
  const clients = options.clients ?? 8;
  const batchSize = options.batchSize ?? 1000;
  const keys = options.keys ?? 10;
  const batches = Math.ceil(totalPoints / batchSize);
  const token = issueToken().token;
  const stack = await startLocalStack({ port: 0, tableName: 'bench-ingest', logLevel: 'error', bootstrapToken: token });
  try {
    const api = (path: string, init?: RequestInit) =>
      fetch(`${stack.url}/api/v1${path}`, {
        ...init,
        // The API refuses a body of any other type (415).
        headers: { authorization: `Bearer ${token}`, ...(init?.body ? { 'content-type': 'application/json' } : {}) },
      });
    const post = (path: string, body: unknown) => api(path, { method: 'POST', body: JSON.stringify(body) });
    const runIds: string[] = [];
    for (let c = 0; c < clients; c++) {
      const response = await post('/runs', { experiment_name: 'bench-ingest', run_name: `client-${c}` });
      runIds.push(((await response.json()) as { run_id: string }).run_id);
    }

    const latencies: number[] = [];
    let writeUnits = 0;
    let readUnits = 0;
    let failures = 0;
    let nextBatch = 0;
    const started = performance.now();
    await Promise.all(
      runIds.map(async (runId, client) => {
        let step = 0;
        for (let batch = nextBatch++; batch < batches; batch = nextBatch++) {
          const stepsPerKey = batchSize / keys;
          const metrics = Array.from({ length: batchSize }, (_, i) => ({
            key: `metric_${i % keys}`,
            value: Math.exp(-(step + Math.floor(i / keys)) / 5000) + Math.random() * 0.01,
            step: step + Math.floor(i / keys),
          }));
          step += stepsPerKey;
          const sent = performance.now();
          const response = await post(`/runs/${runId}/metrics`, {
            metrics,
            idempotency_key: `bench-${client}-${batch}`,
          });
          await response.arrayBuffer();
          latencies.push(performance.now() - sent);
          if (response.status !== 200) failures++;
          const capacity = consumedCapacity(response);
          writeUnits += capacity.write;
          readUnits += capacity.read;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const ingested = batches * batchSize;

    const getLatencies: number[] = [];
    let getReadUnits = 0;
    const samples = options.getRunSamples ?? 200;
    for (let i = 0; i < samples; i++) {
      const sent = performance.now();
      const response = await api(`/runs/${runIds[0]}`);
      await response.arrayBuffer();
      getLatencies.push(performance.now() - sent);
      getReadUnits += consumedCapacity(response).read;
    }

    return {
      title: `Ingest: ${ingested.toLocaleString('en')} points, ${keys} keys, batches of ${batchSize}, ${clients} concurrent clients`,
      rows: [
        { measure: 'points per second', value: Math.round(ingested / seconds) },
        { measure: 'write units per point', value: round(writeUnits / ingested, 4) },
        { measure: 'read units per batch', value: round(readUnits / batches, 2) },
        { measure: 'batch latency p50 (ms)', value: round(percentile(latencies, 50), 1) },
        { measure: 'batch latency p99 (ms)', value: round(percentile(latencies, 99), 1) },
        { measure: 'failed batches', value: failures },
        { measure: 'get-run latency p50 (ms)', value: round(percentile(getLatencies, 50), 1) },
        { measure: 'get-run latency p99 (ms)', value: round(percentile(getLatencies, 99), 1) },
        { measure: 'get-run read units', value: round(getReadUnits / samples, 2) },
        { measure: 'wall time (s)', value: round(seconds, 1) },
      ],
    };
  } finally {
    await stack.stop();
  }
}
