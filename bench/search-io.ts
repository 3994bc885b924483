import { parseArgs } from 'node:util';
import { atMost } from '../shared/at-most.ts';
import { issueToken } from '../shared/domain/tokens.ts';
import { startLocalStack } from '../local/stack.ts';
import { consumedCapacity, percentile, round } from './stats.ts';

/**
 * What MLflow's runs/search costs on a page whose runs all have inputs and outputs (docs/search.md,
 * "Inputs and outputs"): an experiment of `--runs` runs, each with a dataset input (tags, context
 * among them, and a schema and profile as sklearn's autolog logs) and a model output, written through
 * the API, and one of as many runs without any; then `--samples` searches of a page of all of them,
 * through MLflow's API and /api/v1 (which answers no IO), with read units from the
 * x-stratus-consumed-capacity header. Run on DynamoDB Local: `npx tsx bench/search-io.ts`.
 */
const { values } = parseArgs({
  options: { runs: { type: 'string', default: '1000' }, samples: { type: 'string', default: '7' } },
});
const runCount = Number(values.runs);
const samples = Number(values.samples);
const token = issueToken().token;
const stack = await startLocalStack({
  port: 0,
  tableName: 'bench-search-io',
  logLevel: 'error',
  bootstrapToken: token,
});
try {
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${stack.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return { response, body: (await response.json()) as Record<string, any> };
  };
  const mlflow = (path: string, body: unknown) => post(`/api/2.0/mlflow/${path}`, body);
  const experiment = async (name: string, withIo: boolean) => {
    const experimentId = (await mlflow('experiments/create', { name })).body.experiment_id as string;
    await atMost(16, [...Array(runCount).keys()], async (i) => {
      const runId = (await mlflow('runs/create', { experiment_id: experimentId, run_name: `run-${i}` })).body.run.info
        .run_id as string;
      await mlflow('runs/log-batch', {
        run_id: runId,
        params: [{ key: 'lr', value: String(i / runCount) }],
        metrics: [{ key: 'loss', value: 1 / (i + 1), step: 0, timestamp: 1_700_000_000_000 }],
      });
      if (!withIo) return;
      await mlflow('runs/log-inputs', {
        run_id: runId,
        datasets: [
          {
            tags: [
              { key: 'mlflow.data.context', value: 'training' },
              { key: 'split', value: 'train' },
            ],
            dataset: {
              name: 'iris',
              digest: 'a1b2c3d4',
              source_type: 'code',
              source:
                '{"tags": {"mlflow.user": "bench", "mlflow.source.name": "train.py", "mlflow.source.type": "LOCAL"}}',
              schema:
                '{"mlflow_tensorspec": {"features": "[{\\"type\\": \\"tensor\\", \\"tensor-spec\\": {\\"dtype\\": \\"float64\\", \\"shape\\": [-1, 4]}}]", "targets": "[{\\"type\\": \\"tensor\\", \\"tensor-spec\\": {\\"dtype\\": \\"int64\\", \\"shape\\": [-1]}}]"}}',
              profile:
                '{"features_shape": [150, 4], "features_size": 600, "features_nbytes": 4800, "targets_shape": [150], "targets_size": 150, "targets_nbytes": 1200}',
            },
          },
        ],
      });
      const model = await mlflow('logged-models', { experiment_id: experimentId, name: 'model', source_run_id: runId });
      await mlflow('runs/outputs', { run_id: runId, models: [{ model_id: model.body.model.info.model_id, step: 0 }] });
    });
    return experimentId;
  };
  const loading = performance.now();
  const withIo = await experiment('bench-search-io', true);
  const withoutIo = await experiment('bench-search-no-io', false);
  console.log(`loaded 2 x ${runCount} runs in ${round((performance.now() - loading) / 1000)} s`);

  const measure = async (label: string, path: string, experimentId: string) => {
    const latencies: number[] = [];
    const reads: number[] = [];
    for (let i = 0; i < samples + 1; i++) {
      const sent = performance.now();
      const { response, body } = await post(path, { experiment_ids: [experimentId], max_results: runCount });
      const elapsed = performance.now() - sent;
      if ((body.runs as unknown[]).length !== runCount) throw new Error(`${label}: ${body.runs.length} runs`);
      // The first search warms the function and DynamoDB Local: not counted.
      if (i === 0) continue;
      latencies.push(elapsed);
      reads.push(consumedCapacity(response).read);
    }
    const sorted = (list: number[]) => [...list].sort((a, b) => a - b);
    console.log(
      `${label}: median ${round(percentile(sorted(latencies), 50))} ms (${sorted(latencies).map(Math.round).join(', ')}), ` +
        `${round(percentile(sorted(reads), 50))} read units`,
    );
  };
  for (const [label, experimentId] of [
    ['every run with a dataset and an output', withIo],
    ['no run with IO', withoutIo],
  ] as const) {
    await measure(`MLflow runs/search, ${label}`, '/api/2.0/mlflow/runs/search', experimentId);
    await measure(`/api/v1 runs/search, ${label}`, '/api/v1/runs/search', experimentId);
  }
} finally {
  await stack.stop();
}
