import { expect, test } from 'vitest';
import type { SearchedRun } from '../../web/src/api/types.ts';
import { defaultKeys, metricOrder } from '../../web/src/components/default-columns.ts';

const counts = (entries: Record<string, number>) => new Map(Object.entries(entries));

test('held-out losses and accuracies lead, then unmarked and training ones, a name of one’s own after them', () => {
  expect(
    metricOrder(
      counts({ nan_metric: 60, train_loss: 60, val_auc: 60, val_logloss: 60, f1: 60, train_gap: 60, val_custom: 60 }),
    ),
  ).toEqual(['val_auc', 'val_logloss', 'f1', 'train_loss', 'val_custom', 'nan_metric', 'train_gap']);
  // Before, name order put `f1` and `nan_metric` ahead of `val_auc` among the first four columns.
  expect(metricOrder(counts({ f1: 9, nan_metric: 9, precision_at_10: 9, rmse: 9, val_auc: 9 })).slice(0, 4)).toEqual([
    'val_auc',
    'f1',
    'precision_at_10',
    'rmse',
  ]);
});

test('eval/, test_ and validation words count as held out, in any case or separator', () => {
  expect(
    metricOrder(counts({ 'eval/rouge': 3, testAccuracy: 3, 'validation.loss': 3, 'training/loss': 3, accuracy: 3 })),
  ).toEqual(['eval/rouge', 'testAccuracy', 'validation.loss', 'accuracy', 'training/loss']);
});

test('schedules and counters after the model’s metrics, the machine’s system/ readings last, whatever their names', () => {
  expect(
    metricOrder(
      counts({
        'system/cpu_utilization_percentage': 10,
        'system/gpu_0_loss_of_power': 10,
        epoch: 10,
        lr: 10,
        grad_norm: 10,
        zzz_custom: 10,
        val_loss: 10,
      }),
    ),
  ).toEqual([
    'val_loss',
    'zzz_custom',
    'epoch',
    'grad_norm',
    'lr',
    'system/cpu_utilization_percentage',
    'system/gpu_0_loss_of_power',
  ]);
});

test('a metric fewer than half the runs logged comes after the common ones; the more runs, the sooner on a tie', () => {
  expect(metricOrder(counts({ val_accuracy: 4, val_loss: 10, custom: 10 }))).toEqual([
    'val_loss',
    'custom',
    'val_accuracy',
  ]);
  // Half counts as most: a tie on the name goes to the metric more runs have, then to the name.
  expect(metricOrder(counts({ val_b_loss: 5, val_a_loss: 5, val_c_loss: 10 }))).toEqual([
    'val_c_loss',
    'val_a_loss',
    'val_b_loss',
  ]);
});

test('the same metrics in any order give the same columns', () => {
  const entries: Array<[string, number]> = [
    ['val_loss', 5],
    ['val_accuracy', 5],
    ['loss', 5],
    ['accuracy', 5],
    ['lr', 5],
    ['system/memory', 5],
  ];
  const expected = metricOrder(new Map(entries));
  expect(metricOrder(new Map([...entries].reverse()))).toEqual(expected);
  expect(metricOrder(new Map([entries[3], entries[0], entries[5], entries[1], entries[4], entries[2]] as any))).toEqual(
    expected,
  );
  expect(metricOrder(new Map())).toEqual([]);
});

const run = (metrics: string[], params: Record<string, string>) =>
  ({
    run_id: 'r',
    metrics: Object.fromEntries(metrics.map((key) => [key, { value: 1, step: 0, timestamp: 0 }])),
    params,
    tags: {},
  }) as unknown as SearchedRun;

test('defaultKeys counts each metric over the runs, and ranks the params a sweep varied first', () => {
  const runs = [
    run(['nan_metric', 'val_auc', 'system/cpu'], { lr: '0.1', optimizer: 'adamw', out: '/a' }),
    run(['nan_metric', 'val_auc', 'system/cpu'], { lr: '0.01', optimizer: 'adamw', out: '/b' }),
    run(['nan_metric', 'val_auc', 'rare_loss'], { lr: '0.001', optimizer: 'adamw', out: '/c' }),
    run(['nan_metric'], { lr: '0.001', optimizer: 'adamw', out: '/d' }),
    run(['nan_metric'], { lr: '0.1', optimizer: 'adamw', out: '/e' }),
  ];
  expect(defaultKeys(runs)).toEqual({
    defaultMetrics: ['val_auc', 'nan_metric', 'rare_loss', 'system/cpu'],
    defaultParams: ['lr', 'out', 'optimizer'],
  });
});
