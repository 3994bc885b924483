import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestStack, startTestStack } from '../../../test/support/local-api.ts';
import { ExperimentTracker, StratusError } from '../src/index.ts';
import { FlakyProxy } from './flaky-proxy.ts';

let stack: TestStack;
const fastRetry = { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 300 };
const quiet = () => undefined;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack.stop();
});

const tracker = (options: Partial<ConstructorParameters<typeof ExperimentTracker>[0]> = {}) =>
  new ExperimentTracker({
    endpoint: stack.url,
    token: stack.token,
    flushIntervalMs: 100,
    retry: fastRetry,
    warn: quiet,
    ...options,
  });

describe('TypeScript SDK', () => {
  it('reads see the points this tracker just logged', async () => {
    // A sender that would otherwise wait a minute: only the reads themselves can make the points visible.
    const client = tracker({ flushIntervalMs: 60_000 });
    const run = await client.startRun('ts-reads-own-writes', { runName: 'reads-own-writes' });
    client.logMetrics({ loss: 0.5, acc: 0.7 }, { step: 0 });
    expect((await client.getRun(run.runId)).metrics).toEqual({ loss: 0.5, acc: 0.7 });
    client.logMetrics({ loss: 0.25 }, { step: 1 });
    expect((await client.getMetricHistory(run.runId, 'loss')).map((point) => point.value)).toEqual([0.5, 0.25]);
    client.logMetrics({ loss: 0.125 }, { step: 2 });
    const found: string[] = [];
    for await (const match of client.searchRuns({
      experimentName: 'ts-reads-own-writes',
      filter: 'metrics.loss < 0.2',
    }))
      found.push(match.runId);
    expect(found).toEqual([run.runId]);
    client.logMetrics({ acc: 0.95 }, { step: 3 });
    const rows = await client.compareRuns({ runIds: [run.runId], metricNames: ['acc'] });
    expect(rows[0]?.['metrics.acc']).toBe(0.95);
    await client.close();
  });

  it('says so when something other than the API answers at the endpoint', async () => {
    // Here the local stack's web UI page, as a mistyped endpoint path gets it.
    const client = tracker({ endpoint: `${stack.url}/somewhere` });
    const error = await client.getExperiment('0').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StratusError);
    expect((error as StratusError).code).toBe('response.not_json');
    expect((error as StratusError).message).toContain("not the Stratus API's JSON: is the endpoint the API's address?");
  });

  it("reaches the default experiment by the id '0' that lists show", async () => {
    // Before, '0' was taken for a name: "experiment '0' does not exist".
    const client = tracker();
    expect((await client.getExperiment('0')).experimentName).toBe('Default');
    const experiments: string[] = [];
    for await (const run of client.runs('0')) experiments.push(run.experimentId);
    expect(experiments.filter((id) => id !== '0')).toEqual([]);
  });

  it("counts an experiment's active and deleted runs, through deletes and restores", async () => {
    const client = tracker();
    const name = `ts-run-counts-${Date.now()}`;
    const runs: string[] = [];
    for (let i = 0; i < 3; i++) {
      runs.push((await client.startRun(name)).runId);
      await client.endRun();
    }
    const counts = async () => {
      const one = await client.getExperiment(name);
      let listed: typeof one | undefined;
      for await (const experiment of client.experiments())
        if (experiment.experimentId === one.experimentId) listed = experiment;
      // The list and the single read agree.
      expect([listed?.runCount, listed?.deletedRunCount]).toEqual([one.runCount, one.deletedRunCount]);
      return [one.runCount, one.deletedRunCount];
    };
    expect(await counts()).toEqual([3, 0]);
    await client.deleteRun(runs[0] as string);
    expect(await counts()).toEqual([2, 1]);
    const deleted = await client.deleteExperiment(name);
    // A deleted experiment's runs all read as deleted.
    expect([deleted.runCount, deleted.deletedRunCount]).toEqual([0, 3]);
    const restored = await client.restoreExperiment(deleted.experimentId);
    expect([restored.runCount, restored.deletedRunCount]).toEqual([2, 1]);
    await client.restoreRun(runs[0] as string);
    expect(await counts()).toEqual([3, 0]);
    await client.close();
  });

  it('records a run the way the quick start does', async () => {
    const client = tracker();
    const run = await client.startRun('ts-quick-start', { runName: 'baseline_v1', tags: { model_type: 'rf' } });
    expect(run.status).toBe('RUNNING');
    await client.logParams({ n_estimators: 100, max_depth: 10, learning_rate: 0.01 });
    for (let epoch = 0; epoch < 10; epoch++)
      client.logMetrics({ accuracy: 0.5 + epoch / 20, loss: 1 / (epoch + 1) }, { step: epoch });
    client.logMetrics({ weird: Number.NaN, big: Number.POSITIVE_INFINITY });
    const ended = await client.endRun('FINISHED');
    expect(ended?.status).toBe('FINISHED');
    expect(client.activeRun).toBeUndefined();

    const stored = await client.getRun(run.runId);
    expect(stored.params).toEqual({ n_estimators: '100', max_depth: '10', learning_rate: '0.01' });
    expect(stored.metrics.accuracy).toBeCloseTo(0.95);
    expect(stored.latestMetrics.accuracy?.step).toBe(9);
    expect(stored.metrics.weird).toBeNaN();
    expect(stored.metrics.big).toBe(Number.POSITIVE_INFINITY);
    expect(stored.gitCommit).toMatch(/^[0-9a-f]{40}$/);
    expect(stored.tags['stratus.git.commit']).toBe(stored.gitCommit);
    expect(stored.tags['stratus.node_version']).toBe(process.versions.node);
    const history = await client.getMetricHistory(run.runId, 'loss');
    expect(history.map((point) => point.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('sends params and tags past one request in several the service takes, whole', async () => {
    // 100 params of 6,000 four-byte characters are 2.4 MB, and 150 tags more than the 100 a request holds.
    const client = tracker();
    const params = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`p${i}`, '😀'.repeat(6000)]));
    const tags = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`t${i}`, '"'.repeat(8000)]));
    const own = (entries: Record<string, string>) =>
      Object.fromEntries(Object.entries(entries).filter(([key]) => key.startsWith('t')));
    const started = await client.startRun('ts-chunks', { tags });
    expect(own(started.tags)).toEqual(tags);
    await client.logParams(params);
    await client.endRun();
    const stored = await client.getRun(started.runId);
    expect(stored.params).toEqual(params);
    expect(own(stored.tags)).toEqual(tags);
    const later = await client.startRun('ts-chunks');
    await client.setTags(tags);
    await client.endRun();
    expect(own((await client.getRun(later.runId)).tags)).toEqual(tags);
  });

  it('withRun ends FINISHED, or FAILED and rethrows', async () => {
    const client = tracker();
    const ok = await client.withRun('ts-with-run', { runName: 'ok' }, async (run, t) => {
      t.logMetrics({ acc: 0.9 }, { runId: run.runId });
      return run.runId;
    });
    expect((await client.getRun(ok)).status).toBe('FINISHED');
    expect((await client.getRun(ok)).metrics).toEqual({ acc: 0.9 });

    let failedId = '';
    await expect(
      client.withRun('ts-with-run', { runName: 'boom' }, async (run) => {
        failedId = run.runId;
        throw new Error('bad data');
      }),
    ).rejects.toThrow('bad data');
    expect((await client.getRun(failedId)).status).toBe('FAILED');
  });

  it('throws typed errors for what the API rejects', async () => {
    const client = tracker();
    await client.startRun('ts-errors');
    await client.logParams({ lr: 0.1 });
    const conflict = await client.logParams({ lr: 0.2 }).catch((error: unknown) => error);
    expect(conflict).toBeInstanceOf(StratusError);
    expect((conflict as StratusError).status).toBe(409);
    expect((conflict as StratusError).apiMessage).toContain('lr');
    await client.endRun();
    const missing = await client.getRun('0'.repeat(32)).catch((error: unknown) => error);
    expect((missing as StratusError).status).toBe(404);
    const anonymous = new ExperimentTracker({
      endpoint: stack.url,
      token: `stratus_${'0'.repeat(16)}_${'A'.repeat(43)}`,
    });
    const unauthorized = await anonymous.getExperiment('x').catch((error: unknown) => error);
    expect((unauthorized as StratusError).status).toBe(401);
  });

  it("refuses a '.' or '..' key in a path, which fetch would resolve to the run itself", async () => {
    const client = tracker();
    const run = await client.startRun('ts-dot-keys');
    for (const key of ['..', '.']) {
      const refused = await client.deleteRunTag(run.runId, key).catch((error: unknown) => error);
      expect(refused, key).toBeInstanceOf(StratusError);
      expect((refused as StratusError).code, key).toBe('path.dot_segment');
    }
    expect((await client.getRun(run.runId)).lifecycleStage).toBe('active');
    await client.endRun();
  });

  it('iterates experiments and runs page by page', async () => {
    const client = tracker();
    const experiment = await client.createExperiment(`ts-pages-${Date.now()}`, { tags: { team: 'ts' } });
    const ids: string[] = [];
    for (let index = 0; index < 3; index++) {
      ids.push((await client.startRun({ experimentId: experiment.experimentId, runName: `r${index}` })).runId);
      await client.endRun();
    }
    const seen: string[] = [];
    for await (const run of client.runs(experiment.experimentName, { pageSize: 1 })) seen.push(run.runId);
    expect(seen).toEqual([...ids].reverse());
    const found: string[] = [];
    for await (const item of client.experiments({ tags: { team: 'ts' }, pageSize: 1 })) found.push(item.experimentId);
    expect(found).toContain(experiment.experimentId);
  });

  it('survives an outage and a lost answer without losing or duplicating points', async () => {
    const proxy = new FlakyProxy(stack.url);
    await proxy.start();
    try {
      const client = tracker({ endpoint: proxy.url, batchSize: 100 });
      const run = await client.startRun('ts-outage');
      proxy.loseAnswers = 1; // the first batch is stored, its answer never arrives
      for (let step = 0; step < 50; step++) client.logMetrics({ loss: 1 / (step + 1) }, { step });
      expect(await client.flush(20_000)).toBe(true);
      expect(proxy.idempotencyKeys[0]).toBeTruthy();
      expect(proxy.idempotencyKeys[1]).toBe(proxy.idempotencyKeys[0]);

      await proxy.stop(); // connections refused from here on
      for (let step = 50; step < 350; step++) client.logMetrics({ loss: 1 / (step + 1) }, { step });
      expect(await client.flush(500)).toBe(false);
      expect(client.metricStats().unsent).toBe(300);
      await proxy.start(); // back on the same port
      expect(await client.flush(20_000)).toBe(true);
      await client.endRun();

      const steps = (await tracker().getMetricHistory(run.runId, 'loss')).map((point) => point.step);
      expect(steps).toEqual(Array.from({ length: 350 }, (_, index) => index));
    } finally {
      await proxy.stop();
    }
  });

  it('a run create whose answer was lost is sent again and answers the same run', async () => {
    const proxy = new FlakyProxy(stack.url);
    proxy.pathContains = '/api/v1/runs';
    await proxy.start();
    try {
      const client = tracker({ endpoint: proxy.url, strict: true });
      proxy.loseAnswers = 1; // the create is stored, its answer never arrives
      const run = await client.startRun('ts-lost-create', { runName: 'once', tags: { team: 'a' } });
      await client.endRun();
      const runs = [];
      for await (const each of tracker().runs('ts-lost-create')) runs.push(each);
      expect(runs.map((each) => each.runId)).toEqual([run.runId]);
      expect(runs[0]?.tags.team).toBe('a');
    } finally {
      await proxy.stop();
    }
  });

  it('drops new points on a full spool, or throws in strict mode', async () => {
    const proxy = new FlakyProxy(stack.url);
    await proxy.start();
    try {
      const lenient = tracker({ endpoint: proxy.url, batchSize: 10, maxSpool: 30 });
      const run = await lenient.startRun('ts-spool');
      const strict = tracker({ endpoint: proxy.url, batchSize: 10, maxSpool: 30, strict: true });
      await proxy.stop();
      for (let step = 0; step < 50; step++) lenient.logMetrics({ x: step }, { step });
      expect(lenient.metricStats().dropped).toBe(20);
      for (let step = 0; step < 30; step++) strict.logMetrics({ y: step }, { step, runId: run.runId });
      expect(() => strict.logMetrics({ y: 99 }, { step: 99, runId: run.runId })).toThrow(/spool is full/);
      await expect(strict.flush(200)).rejects.toThrow(/still unsent/);
      await proxy.start();
      expect(await lenient.flush(20_000)).toBe(true);
      expect(await strict.flush(20_000)).toBe(true);
      await lenient.endRun();
      const reader = tracker();
      const thirty = Array.from({ length: 30 }, (_, index) => index);
      expect((await reader.getMetricHistory(run.runId, 'x')).map((point) => point.step)).toEqual(thirty);
      expect((await reader.getMetricHistory(run.runId, 'y')).map((point) => point.step)).toEqual(thirty);
    } finally {
      await proxy.stop();
    }
  });

  it('goes offline when the service is down at startRun, as the Python SDK does', async () => {
    const warnings: string[] = [];
    const client = tracker({ endpoint: 'http://127.0.0.1:9', warn: (message) => warnings.push(message) });
    const run = await client.startRun('ts-offline', { runName: 'offline' });
    expect(run.offline).toBe(true);
    expect(client.activeRun).toBe(run);
    client.logMetrics({ loss: 0.1 }, { step: 1 }); // training goes on
    await client.logParams({ lr: 0.1 });
    await client.setTags({ a: 'b' });
    expect(await client.logArtifact('no-such-file')).toBeUndefined();
    expect(await client.endRun()).toBeUndefined();
    expect(client.activeRun).toBeUndefined();
    expect(warnings[0]).toMatch(/^cannot start a run \(.*\); this run will not be recorded$/);
    expect(warnings.filter((w) => w.includes('offline'))).toHaveLength(1);
    const strict = tracker({ endpoint: 'http://127.0.0.1:9', strict: true });
    await expect(strict.startRun('ts-offline')).rejects.toBeInstanceOf(StratusError);
  });

  it('stacks runs, nests withRun, records pipelines and keeps counters after endRun', async () => {
    const client = tracker();
    const parentId = await client.withRun('ts-stack', { runName: 'parent' }, async (parent, t) => {
      await t.withRun('ts-stack', { runName: 'child' }, async (child) => {
        expect(t.activeRun?.runId).toBe(child.runId);
        expect(child.parentRunId).toBe(parent.runId);
      });
      expect(t.activeRun?.runId).toBe(parent.runId);
      return parent.runId;
    });
    expect(client.activeRun).toBeUndefined();
    const children: string[] = [];
    for await (const run of client.searchRuns({ experimentName: 'ts-stack', filter: `parent_run_id = '${parentId}'` }))
      children.push(run.runName);
    expect(children).toEqual(['child']);

    const run = await client.startRun('ts-stack', {
      runName: 'summarizer',
      pipelineConfig: { model: 'zephyr-7b' },
      pipelineComponents: [
        { name: 'tokenizer', type: 'preprocessor', stage: 'prep' },
        { name: 'summarizer', type: 'llm' },
      ],
    });
    client.logMetrics({ a: 1, b: 2 });
    await client.endRun('COMPLETED');
    expect(client.metricStats()).toEqual({ acknowledged: 2, dropped: 0, rejected: 0, retries: 0, unsent: 0 });
    const stored = await client.getRun(run.runId);
    expect(stored.status).toBe('FINISHED');
    expect(stored.pipelineConfig).toEqual({ model: 'zephyr-7b' });
    expect(stored.pipelineComponents).toEqual([
      { name: 'tokenizer', type: 'preprocessor', stage: 'prep', position: 0 },
      { name: 'summarizer', type: 'llm', stage: undefined, position: 1 },
    ]);
    expect(await client.compareRuns({ runIds: [] })).toEqual([]);
  });

  it("reads a run's lineage: the datasets and models MLflow's client logged for it", async () => {
    const client = tracker();
    const run = await client.startRun('ts-lineage', { runName: 'trained' });
    await client.endRun();
    const mlflow = async (route: string, body: unknown) => {
      const response = await fetch(`${stack.url}/api/2.0/mlflow/${route}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status, route).toBe(200);
      return (await response.json()) as any;
    };
    await mlflow('runs/log-inputs', {
      run_id: run.runId,
      datasets: [
        {
          dataset: { name: 'train', digest: 'd1', source_type: 'local', source: '{"uri": "/data/train"}' },
          tags: [{ key: 'mlflow.data.context', value: 'training' }],
        },
      ],
    });
    const created = await mlflow('logged-models', {
      experiment_id: run.experimentId,
      name: 'clf',
      source_run_id: run.runId,
    });
    const modelId = created.model.info.model_id as string;
    await mlflow('runs/log-inputs', { run_id: run.runId, models: [{ model_id: modelId }] });

    const lineage = await client.getRunLineage(run.runId);
    expect(lineage.runId).toBe(run.runId);
    expect(lineage.datasets).toEqual([
      {
        name: 'train',
        digest: 'd1',
        sourceType: 'local',
        source: '{"uri": "/data/train"}',
        schema: undefined,
        profile: undefined,
        context: 'training',
        tags: { 'mlflow.data.context': 'training' },
      },
    ]);
    expect(lineage.models).toMatchObject([{ modelId, used: true, producedAtStep: undefined, name: 'clf' }]);
    expect(lineage.modelsLookedUp).toBe(1);
    await expect(client.getRunLineage('0'.repeat(32))).rejects.toMatchObject({ status: 404 });

    // The experiment's logged models, by name, a page of one at a time: newest first.
    const second = (
      await mlflow('logged-models', { experiment_id: run.experimentId, name: 'reg', source_run_id: run.runId })
    ).model.info.model_id as string;
    await mlflow('runs/log-metric', {
      run_id: run.runId,
      key: 'rmse',
      value: 'Infinity',
      timestamp: 7,
      step: 1,
      model_id: second,
    });
    const models = [];
    for await (const model of client.loggedModels('ts-lineage', { pageSize: 1 })) models.push(model);
    expect(models.map((model) => [model.modelId, model.name, model.status])).toEqual([
      [second, 'reg', 'PENDING'],
      [modelId, 'clf', 'PENDING'],
    ]);
    expect(models[0]?.metrics).toEqual([
      {
        key: 'rmse',
        value: Infinity,
        step: 1,
        timestamp: 7,
        runId: run.runId,
        datasetName: undefined,
        datasetDigest: undefined,
      },
    ]);
    expect(models[0]?.sourceRunId).toBe(run.runId);
    await client.close();
  });

  it('logInput records what the run trained on; the same dataset again keeps its first record', async () => {
    const client = tracker();
    const run = await client.startRun('ts-log-input', { runName: 'fit' });
    const first = await client.logInput('train', 's3://bucket/train.parquet', {
      context: 'training',
      tags: { rows: 1000 },
    });
    await client.logInput('holdout', '/data/holdout.csv', { context: 'evaluation', digest: 'c0ffee' });
    const again = await client.logInput('train', 's3://bucket/train.parquet', { context: 'evaluation' });
    await client.endRun();
    expect(first?.datasets).toMatchObject([
      {
        name: 'train',
        sourceType: 's3',
        context: 'training',
        tags: { rows: '1000', 'mlflow.data.context': 'training' },
      },
    ]);
    expect(JSON.parse(first?.datasets[0]?.source ?? '')).toEqual({ uri: 's3://bucket/train.parquet' });
    const lineage = await client.getRunLineage(run.runId);
    expect(lineage.datasets.map((d) => [d.name, d.sourceType, d.digest, d.context])).toEqual([
      ['train', 's3', first?.datasets[0]?.digest, 'training'],
      ['holdout', 'local', 'c0ffee', 'evaluation'],
    ]);
    expect(again?.datasets).toEqual(lineage.datasets);
    await expect(
      client.logInput('x', '/x', { context: 'training', tags: { 'mlflow.data.context': 'other' }, runId: run.runId }),
    ).rejects.toMatchObject({ status: 400 });
    await client.close();
  });
});
