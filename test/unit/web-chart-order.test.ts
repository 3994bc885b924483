import { expect, test } from 'vitest';
import { chartOrder } from '../../web/src/charts/chart-order.ts';

/** Keys logged from `min_step` to `step`; a number alone is a key logged at that one step. */
const at = (spans: Record<string, number | [number, number]>) =>
  Object.fromEntries(
    Object.entries(spans).map(([key, span]) => {
      const [min_step, step] = typeof span === 'number' ? [span, span] : span;
      return [key, { step, min_step }];
    }),
  );

test('curves before values logged at one step, each group in the runs table’s order of names', () => {
  // The churn run: by name alone, f1, nan_metric and precision_at_10 (one point each, step 0) opened the page.
  expect(
    chartOrder(
      at({
        f1: 0,
        nan_metric: 0,
        precision_at_10: 0,
        train_loss: [0, 59],
        val_auc: [0, 59],
        epoch: [0, 59],
        val_logloss: [0, 59],
      }),
    ),
  ).toEqual(['val_auc', 'val_logloss', 'train_loss', 'epoch', 'f1', 'precision_at_10', 'nan_metric']);
});

test('a schedule with a history comes before a headline score logged once; system/ curves stay after the model’s', () => {
  expect(chartOrder(at({ test_accuracy: 0, lr: [0, 100], 'system/cpu': [1, 100], 'train/loss': [0, 100] }))).toEqual([
    'train/loss',
    'lr',
    'system/cpu',
    'test_accuracy',
  ]);
});

test('the lowest step decides, not the latest: a final score logged at the last step is a value, a curve may start late', () => {
  // Logged once at step 500 (the run's last step): its latest step alone would have made it a curve.
  // A curve resumed from a checkpoint starts at 400: a history, though it never was at step 0.
  expect(chartOrder(at({ test_accuracy: 500, train_loss: [400, 500], f1: 0 }))).toEqual([
    'train_loss',
    'test_accuracy',
    'f1',
  ]);
});

test('a key named like an Object property is ordered as any other', () => {
  expect(
    chartOrder(
      JSON.parse(
        '{"__proto__": {"step": 0, "min_step": 0}, "constructor": {"step": 3, "min_step": 0}, "loss": {"step": 3, "min_step": 1}}',
      ),
    ),
  ).toEqual(['loss', 'constructor', '__proto__']);
});
