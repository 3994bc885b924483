import autocannon from 'autocannon';
import { startLocalStack } from '../local/stack.ts';
import { issueToken } from '../shared/domain/tokens.ts';
import type { BenchSection } from './section.ts';

/**
 * A bounded load test on loopback: autocannon drives the local stack for a fixed
 * time with a mix of reads and small metric batches, and we report sustained
 * requests per second, latency and the error rate.
 */
export async function runLoadBench(options: { seconds?: number; connections?: number } = {}): Promise<BenchSection> {
  const seconds = options.seconds ?? 20;
  const connections = options.connections ?? 16;
  const token = issueToken().token;
  const stack = await startLocalStack({ port: 0, tableName: 'bench-load', logLevel: 'error', bootstrapToken: token });
  try {
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const started = await fetch(`${stack.url}/api/v1/runs`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ experiment_name: 'load' }),
    });
    const { run_id: runId } = (await started.json()) as { run_id: string };
    let step = 0;
    const result = await autocannon({
      url: stack.url,
      connections,
      duration: seconds,
      headers,
      requests: [
        { method: 'GET', path: `/api/v1/runs/${runId}` },
        {
          method: 'POST',
          path: `/api/v1/runs/${runId}/metrics`,
          setupRequest: (request) => {
            const base = (step += 10);
            request.body = JSON.stringify({
              metrics: Array.from({ length: 10 }, (_, i) => ({ key: 'loss', value: Math.random(), step: base + i })),
            });
            return request;
          },
        },
        { method: 'GET', path: `/api/v1/runs/${runId}/metrics/loss?max_results=100` },
      ],
    });
    const total = result.requests.total;
    const failed = result.non2xx + result.errors + result.timeouts;
    return {
      title: `Load: ${connections} connections for ${seconds} s on loopback (get run, log 10 points, read history)`,
      rows: [
        { measure: 'requests per second (mean)', value: Math.round(result.requests.average) },
        { measure: 'requests', value: total },
        { measure: 'latency p50 (ms)', value: result.latency.p50 },
        { measure: 'latency p99 (ms)', value: result.latency.p99 },
        { measure: 'errors + non-2xx + timeouts', value: failed },
        { measure: 'error rate', value: total ? `${((100 * failed) / total).toFixed(2)} %` : 'n/a' },
      ],
    };
  } finally {
    await stack.stop();
  }
}
