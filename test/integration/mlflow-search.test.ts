import { beforeAll, describe, expect, test } from 'vitest';
import { useTestStack } from '../support/local-api.ts';

/**
 * MLflow's search grammar beyond comparisons, through both dialects: `IS NULL` /
 * `IS NOT NULL` on params, tags and metrics, `datasets.name|digest|context` over
 * what runs logged with `log-inputs` (a run matches when any of its datasets
 * does), and `attributes.user_id` (the `mlflow.user` tag). Each answer is
 * checked against the runs as written here.
 */
const local = useTestStack();
let experimentId: string;
const runIds: Record<string, string> = {};

const mlflow = (path: string, body: unknown) => local.api.post(`/api/2.0/mlflow/${path}`, body);

interface Written {
  params: Record<string, string>;
  tags: Record<string, string>;
  metrics: Record<string, number>;
  datasets: Array<{ name: string; digest: string; context?: string }>;
}

const written: Record<string, Written> = {
  a: {
    params: { lr: '0.1' },
    tags: { 'mlflow.user': 'ann', team: 'x' },
    metrics: { acc: 0.9 },
    datasets: [
      { name: 'train', digest: 'd1', context: 'training' },
      { name: 'eval', digest: 'd2', context: 'evaluation' },
    ],
  },
  b: {
    params: {},
    tags: { 'mlflow.user': 'bob' },
    metrics: { acc: 0.5 },
    datasets: [{ name: 'train', digest: 'd3', context: 'training' }],
  },
  c: { params: { lr: '0.2' }, tags: { team: 'y' }, metrics: {}, datasets: [{ name: 'other', digest: 'd4' }] },
  d: { params: {}, tags: {}, metrics: {}, datasets: [] },
};

beforeAll(async () => {
  const created = await mlflow('experiments/create', { name: `mlflow-search-${Date.now()}` });
  expect(created.status).toBe(200);
  experimentId = created.body.experiment_id;
  for (const [name, run] of Object.entries(written)) {
    const response = await mlflow('runs/create', {
      experiment_id: experimentId,
      run_name: name,
      tags: Object.entries(run.tags).map(([key, value]) => ({ key, value })),
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const runId = response.body.run.info.run_id as string;
    runIds[name] = runId;
    const batch = await mlflow('runs/log-batch', {
      run_id: runId,
      params: Object.entries(run.params).map(([key, value]) => ({ key, value })),
      metrics: Object.entries(run.metrics).map(([key, value]) => ({ key, value, timestamp: 1, step: 0 })),
    });
    expect(batch.status).toBe(200);
    if (run.datasets.length === 0) continue;
    const inputs = await mlflow('runs/log-inputs', {
      run_id: runId,
      datasets: run.datasets.map(({ name: datasetName, digest, context }) => ({
        dataset: { name: datasetName, digest, source_type: 'local', source: '{}' },
        tags: context === undefined ? [] : [{ key: 'mlflow.data.context', value: context }],
      })),
    });
    expect(inputs.status, JSON.stringify(inputs.body)).toBe(200);
  }
});

/** The names of the runs a filter finds, through MLflow's search and the v1 search (both must agree). */
async function found(filter: string): Promise<string[]> {
  const names = (runs: Array<{ run_id: string }>) =>
    runs.map(({ run_id }) => Object.keys(runIds).find((name) => runIds[name] === run_id)).sort();
  const viaMlflow = await mlflow('runs/search', { experiment_ids: [experimentId], filter, max_results: 100 });
  expect(viaMlflow.status, JSON.stringify(viaMlflow.body)).toBe(200);
  const v1 = await local.api.post('/api/v1/runs/search', { experiment_ids: [experimentId], filter, max_results: 100 });
  expect(v1.status, JSON.stringify(v1.body)).toBe(200);
  const fromMlflow = names(((viaMlflow.body.runs ?? []) as Array<{ info: { run_id: string } }>).map((run) => run.info));
  expect(names(v1.body.runs)).toEqual(fromMlflow);
  return fromMlflow as string[];
}

describe('MLflow search grammar', () => {
  test('IS NULL and IS NOT NULL on params, tags and metrics', async () => {
    expect(await found('params.lr IS NULL')).toEqual(['b', 'd']);
    expect(await found('params.lr IS NOT NULL')).toEqual(['a', 'c']);
    expect(await found('tags.team is null')).toEqual(['b', 'd']);
    expect(await found('metrics.acc IS NULL')).toEqual(['c', 'd']);
    expect(await found('metrics.acc IS NOT NULL AND params.lr IS NULL')).toEqual(['b']);
    expect(await found('metrics.acc IS NOT NULL AND metrics.acc > 0.6')).toEqual(['a']);
  });

  test('datasets.name, digest and context hold when any dataset of the run matches', async () => {
    expect(await found("datasets.name = 'train'")).toEqual(['a', 'b']);
    expect(await found("dataset.name = 'eval'")).toEqual(['a']);
    expect(await found("datasets.context = 'training' AND metrics.acc < 0.6")).toEqual(['b']);
    expect(await found("datasets.digest IN ('d3', 'd4')")).toEqual(['b', 'c']);
    expect(await found("datasets.name LIKE 'tr%' AND params.lr = '0.1'")).toEqual(['a']);
    expect(await found("datasets.name != 'train'")).toEqual(['a', 'c']);
    expect(await found("datasets.context ILIKE 'EVAL%'")).toEqual(['a']);
  });

  test('attributes.user_id is the mlflow.user tag', async () => {
    expect(await found("attributes.user_id = 'ann'")).toEqual(['a']);
    expect(await found("user_id != 'ann'")).toEqual(['b']);
  });

  test("ANDs with no clause on one side are passed over, as MLflow's parser passes over them", async () => {
    // A script joining clauses with a trailing ' and ' works on MLflow's server: it works here.
    expect(await found('metrics.acc > 0.6 and ')).toEqual(['a']);
    expect(await found("AND params.lr = '0.1'")).toEqual(['a']);
    expect(await found('metrics.acc IS NOT NULL and and params.lr IS NULL AND')).toEqual(['b']);
    expect(await found('AND')).toEqual(['a', 'b', 'c', 'd']);
  });

  test('misuse is a 400 naming the filter and the position', async () => {
    for (const [filter, message] of [
      ["datasets.size = '1'", /unknown dataset field 'size'/],
      ['datasets.name IS NULL', /datasets.name is a list/],
    ] as const) {
      const response = await mlflow('runs/search', { experiment_ids: [experimentId], filter });
      expect(response.status).toBe(400);
      expect(response.body.error_code).toBe('INVALID_PARAMETER_VALUE');
      expect(response.body.message).toMatch(message);
      expect(response.body.message).toMatch(/position \d+/);
    }
    const ordered = await mlflow('runs/search', { experiment_ids: [experimentId], order_by: ['datasets.name'] });
    expect(ordered.status).toBe(400);
    expect(ordered.body.message).toMatch(/cannot order runs/);
  });
});
