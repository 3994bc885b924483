import { expect, test } from 'vitest';
import {
  bestIndices,
  directionOf,
  directionsFrom,
  flipUpdate,
  hasBest,
  inferDirection,
} from '../../web/src/components/best-values.ts';

test('losses, errors and times are lower-is-better by their names; scores are higher-is-better', () => {
  for (const name of [
    'loss',
    'val_loss',
    'train/loss',
    'logloss',
    'val_logloss',
    'eval/perplexity',
    'test_error',
    'top1_err',
    'mse',
    'val/rmse',
    'MAE',
    'wer',
    'cer',
    'latency_p99_ms',
    'inference_time',
    'epochTime',
    'kl_divergence',
  ])
    expect(inferDirection(name), name).toBe('lower');
  for (const name of [
    'accuracy',
    'val_accuracy',
    'f1',
    'f1_score',
    'auc',
    'roc_auc',
    'precision',
    'recall',
    'eval/mmlu/acc',
    'ms_ssim',
    'bleu',
    'tokens_per_second',
    // Words that merely contain a lower-is-better word are not one.
    'timeliness_score',
    'hellaswag_acc',
    'errorless_fraction',
  ])
    expect(inferDirection(name), name).toBe('higher');
});

test('the best value is marked with every tie; NaN, ±Infinity and missing values never are', () => {
  expect([...bestIndices([0.3, 0.1, 0.2], 'lower')]).toEqual([1]);
  expect([...bestIndices([0.3, 0.1, 0.2], 'higher')]).toEqual([0]);
  expect([...bestIndices([0.9, 0.95, 0.95, 0.1], 'higher')]).toEqual([1, 2]);
  expect([...bestIndices([Number.NaN, 0.5, Number.NaN, 0.7], 'lower')]).toEqual([1]);
  expect([...bestIndices([-Infinity, 0.5, 0.7], 'lower')]).toEqual([1]);
  expect([...bestIndices([Infinity, 0.5, 0.7], 'higher')]).toEqual([2]);
  // One comparable value: nothing to compare it with.
  expect([...bestIndices([Number.NaN, 0.5], 'higher')]).toEqual([]);
  expect([...bestIndices([Number.NaN, Number.NaN], 'higher')]).toEqual([]);
  // Equal everywhere (the values that can be compared): none is better, so none is marked.
  expect([...bestIndices([2, 2, 2], 'lower')]).toEqual([]);
  expect([...bestIndices([2, Number.NaN, 2], 'higher')]).toEqual([]);
  expect([...bestIndices([2, 2, 3], 'lower')]).toEqual([0, 1]);
});

test("the machine's system/ readings, a schedule's learning rate and counters have no best value", () => {
  for (const name of [
    'system/cpu_utilization_percentage',
    'learning_rate',
    'lr',
    'train/lr',
    'epoch',
    'global_step',
    'train/grad_norm',
    'tokens_seen',
  ])
    expect(hasBest(name), name).toBe(false);
  for (const name of ['val_loss', 'accuracy', 'eval/perplexity', 'f1_score', 'mae'])
    expect(hasBest(name), name).toBe(true);
});

test('a flipped direction is kept in the URL only while it differs from the guess', () => {
  const empty = directionsFrom(new URLSearchParams());
  expect(directionOf('loss', empty)).toBe('lower');
  const flipped = flipUpdate('loss', empty);
  expect(flipped).toEqual({ lower: [], higher: ['loss'] });
  const query = new URLSearchParams();
  for (const name of flipped.higher) query.append('higher', name);
  // A name with characters a joined list would split on survives.
  query.append('lower', 'margin, a/b=c&d');
  const chosen = directionsFrom(query);
  expect(directionOf('loss', chosen)).toBe('higher');
  expect(directionOf('margin, a/b=c&d', chosen)).toBe('lower');
  expect(directionOf('accuracy', chosen)).toBe('higher');
  // Flipped back, it is the guess again and leaves the URL.
  expect(flipUpdate('loss', chosen)).toEqual({ lower: ['margin, a/b=c&d'], higher: [] });
});
