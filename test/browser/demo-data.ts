import { createHash } from 'node:crypto';
import { uploadArtifact } from '../support/artifact-upload.ts';
import type { ApiClient } from '../support/local-api.ts';
import { confusionMatrixPng } from './png.ts';

/**
 * Realistic data, logged through the API as a training job would: the browser
 * tests, the screenshots in docs/ and the UI benchmark all look at it.
 */

// A small deterministic generator, so screenshots and failures reproduce.
export function randomSource(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

async function ok<T>(response: Promise<{ status: number; body: T }>, what: string): Promise<T> {
  const answer = await response;
  if (answer.status >= 300) throw new Error(`${what}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

export interface LoggedPoint {
  key: string;
  value: number;
  step: number;
  timestamp: number;
}

/** Sends points in batches of 1,000, as the SDKs do. */
export async function logPoints(api: ApiClient, runId: string, points: readonly LoggedPoint[]) {
  for (let i = 0; i < points.length; i += 1000) {
    await ok(api.post(`/api/v1/runs/${runId}/metrics`, { metrics: points.slice(i, i + 1000) }), 'log metrics');
  }
}

/** Training curves: loss falling with noise, accuracy rising towards a ceiling set by the learning rate. */
export function trainingCurves(options: {
  steps: number;
  lr: number;
  depth: number;
  start: number;
  random: () => number;
}) {
  const { steps, lr, depth, start, random } = options;
  const ceiling = 0.8 + Math.min(0.17, depth * 0.012) - Math.abs(Math.log10(lr) + 2) * 0.03;
  const speed = steps / (3 + 1 / (lr * 40));
  const points: LoggedPoint[] = [];
  for (let step = 0; step < steps; step++) {
    const progress = 1 - Math.exp(-step / speed);
    const noise = (random() - 0.5) * 0.04 * (1 - progress * 0.6);
    const timestamp = start + step * 1500;
    const loss = Math.max(0.02, 2.3 * (1 - progress) + 0.12 + noise * 3);
    const accuracy = Math.min(0.999, 0.1 + (ceiling - 0.1) * progress + noise);
    points.push({ key: 'loss', value: loss, step, timestamp });
    points.push({ key: 'accuracy', value: accuracy, step, timestamp });
    if (step % 5 === 0) {
      points.push({ key: 'val_loss', value: loss * (1.08 + random() * 0.05) + step / steps / 10, step, timestamp });
      points.push({
        key: 'learning_rate',
        value: lr * 0.5 * (1 + Math.cos((Math.PI * step) / steps)),
        step,
        timestamp,
      });
    }
  }
  return points;
}

export interface DemoRun {
  runId: string;
  name: string;
}

export interface DemoData {
  experimentId: string;
  experimentName: string;
  runs: DemoRun[];
  /** The run with every kind of artifact, a pipeline and git provenance. */
  showcase: DemoRun;
}

/**
 * Experiment `risk_prediction` with `runCount` finished runs (one still
 * running), three other experiments, and on the showcase run a PNG, a CSV,
 * JSON, markdown and a log, whose model.pkl is version 1 of model
 * `readmission-risk` (alias champion).
 */
export async function seedDemo(api: ApiClient, options: { runCount?: number; steps?: number } = {}): Promise<DemoData> {
  const runCount = options.runCount ?? 8;
  const steps = options.steps ?? 300;
  const random = randomSource(7);
  const experimentName = 'risk_prediction';
  const experiment = await ok(
    api.post<{ experiment_id: string }>('/api/v1/experiments', {
      experiment_name: experimentName,
      description: 'Predict 90-day readmission risk from intake records',
      tags: { team: 'clinical-ml', project: 'mental_health' },
    }),
    'create experiment',
  );
  // The other teams' experiments hold a few short finished runs, so the list looks like a team's.
  for (const [name, description, team, runModels] of [
    ['image-classifier', 'ResNet variants on the retina scans', 'vision', ['resnet18', 'resnet50']],
    ['churn-forecast', 'Monthly churn model for the subscriptions team', 'growth', ['gbm', 'gbm', 'logit']],
    ['llm-summaries', 'Fine-tuning a small model to summarise discharge notes', 'clinical-ml', ['lora-r8']],
  ] as const) {
    const other = await ok(
      api.post<{ experiment_id: string }>('/api/v1/experiments', {
        experiment_name: name,
        description,
        tags: { team },
      }),
      'create experiment',
    );
    for (const [index, model] of runModels.entries()) {
      const run = await ok(
        api.post<{ run_id: string; start_time: number }>(`/api/v1/experiments/${other.experiment_id}/runs`, {
          run_name: `${model}-${index + 1}`,
        }),
        'create run',
      );
      await ok(api.post(`/api/v1/runs/${run.run_id}/params`, { params: { model } }), 'log params');
      const lr = [0.01, 0.003][index % 2] as number;
      await logPoints(api, run.run_id, trainingCurves({ steps: 40, lr, depth: 6, start: run.start_time, random }));
      await ok(api.patch(`/api/v1/runs/${run.run_id}`, { status: 'FINISHED' }), 'end run');
    }
  }

  const models = ['random_forest', 'xgboost', 'logistic_regression', 'lightgbm'];
  const runs: DemoRun[] = [];
  for (let i = 0; i < runCount; i++) {
    const model = models[i % models.length] as string;
    const lr = [0.1, 0.03, 0.01, 0.003][i % 4] as number;
    const depth = 4 + ((i * 3) % 9);
    const name = `${model.replace('_', '-')}-${String(i + 1).padStart(2, '0')}`;
    const running = i === runCount - 1;
    const run = await ok(
      api.post<{ run_id: string; start_time: number }>(`/api/v1/experiments/${experiment.experiment_id}/runs`, {
        run_name: name,
        tags: {
          model_type: model,
          'stratus.git.branch': i % 3 === 0 ? 'main' : 'feature/calibration',
          'stratus.git.dirty': i % 4 === 1 ? 'true' : 'false',
          'stratus.host': `gpu-node-${(i % 3) + 1}`,
          'stratus.command': `python train.py --model ${model} --lr ${lr}`,
          'stratus.python_version': '3.11.7',
        },
        git_commit: createHash('sha1').update(name).digest('hex'),
        ...(i === 0
          ? {
              pipeline: {
                pipeline_config: {
                  features: { scaler: 'standard', impute: 'median' },
                  split: { test_size: 0.2, seed: 42 },
                },
                pipeline_components: [
                  { name: 'impute', type: 'SimpleImputer', stage: 'preprocess', position: 0 },
                  { name: 'scale', type: 'StandardScaler', stage: 'preprocess', position: 1 },
                  { name: 'model', type: 'RandomForestClassifier', stage: 'train', position: 2 },
                ],
              },
            }
          : {}),
      }),
      'create run',
    );
    // The service stamps the start; the job's points follow it, 1.5 s apart.
    const start = run.start_time;
    await ok(
      api.post(`/api/v1/runs/${run.run_id}/params`, {
        params: { model_type: model, learning_rate: lr, max_depth: depth, n_estimators: 100 + (i % 3) * 100, seed: 42 },
      }),
      'log params',
    );
    await logPoints(
      api,
      run.run_id,
      trainingCurves({ steps: running ? Math.floor(steps / 2) : steps, lr, depth, start, random }),
    );
    if (!running) {
      await ok(
        api.patch(`/api/v1/runs/${run.run_id}`, {
          status: i === 5 ? 'FAILED' : 'FINISHED',
          end_time: start + steps * 1500,
        }),
        'end run',
      );
    }
    runs.push({ runId: run.run_id, name });
  }

  const showcase = runs[0] as DemoRun;
  await uploadArtifact(
    api,
    showcase.runId,
    'plots/confusion_matrix.png',
    confusionMatrixPng([
      [412, 38, 9],
      [51, 377, 22],
      [7, 30, 301],
    ]),
    'image/png',
    'plot',
  );
  const csv = [
    'fold,accuracy,precision,recall,f1',
    ...[1, 2, 3, 4, 5].map(
      (fold) =>
        `${fold},${(0.86 + random() * 0.04).toFixed(4)},${(0.83 + random() * 0.05).toFixed(4)},${(0.8 + random() * 0.06).toFixed(4)},${(0.82 + random() * 0.05).toFixed(4)}`,
    ),
  ].join('\n');
  await uploadArtifact(
    api,
    showcase.runId,
    'reports/cross_validation.csv',
    Buffer.from(`${csv}\n`),
    'text/csv',
    'report',
  );
  await uploadArtifact(
    api,
    showcase.runId,
    'reports/metrics.json',
    Buffer.from(
      JSON.stringify({
        accuracy: 0.912,
        auc: 0.951,
        thresholds: { high_risk: 0.7, medium_risk: 0.4 },
        calibrated: true,
      }),
    ),
    'application/json',
    'report',
  );
  await uploadArtifact(
    api,
    showcase.runId,
    'README.md',
    Buffer.from(
      '# Baseline random forest\n\nTrained on the **2026-10** intake snapshot.\n\n- 100 trees, depth 4\n- median imputation\n\n| split | rows |\n| --- | --- |\n| train | 48,210 |\n| test | 12,052 |\n',
    ),
    'text/markdown',
    'report',
  );
  await uploadArtifact(
    api,
    showcase.runId,
    'logs/train.log',
    Buffer.from('epoch 1 loss=2.31\nepoch 2 loss=1.42\nepoch 3 loss=0.88\n'),
    'text/plain',
    'other',
  );
  await uploadArtifact(
    api,
    showcase.runId,
    'model/model.pkl',
    Buffer.alloc(2048, 7),
    'application/octet-stream',
    'model',
  );

  // The showcase's model is registered and in production, so its run page links to the version.
  await ok(
    api.post('/api/v1/models', {
      name: 'readmission-risk',
      description: 'The model that scores every intake',
      tags: { team: 'clinical-ml' },
    }),
    'create model',
  );
  await ok(
    api.post('/api/v1/models/readmission-risk/versions', {
      run_id: showcase.runId,
      artifact_path: 'model/model.pkl',
      metadata: { experiment_id: experiment.experiment_id, run_id: showcase.runId, accuracy: 0.912 },
    }),
    'register model version',
  );
  await ok(api.call('PUT', '/api/v1/models/readmission-risk/aliases/champion', { version: 1 }), 'set alias');

  return { experimentId: experiment.experiment_id, experimentName, runs, showcase };
}
