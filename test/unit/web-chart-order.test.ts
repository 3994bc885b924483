import { expect, test } from 'vitest';
import { chartOrder } from '../../web/src/charts/chart-order.ts';

const at = (steps: Record<string, number>) =>
  Object.fromEntries(Object.entries(steps).map(([key, step]) => [key, { step }]));

test('curves before values logged once, each group in the runs table’s order of names', () => {
  // The churn run: by name alone, f1, nan_metric and precision_at_10 (one point each, step 0) opened the page.
  expect(
    chartOrder(
      at({ f1: 0, nan_metric: 0, precision_at_10: 0, train_loss: 59, val_auc: 59, epoch: 59, val_logloss: 59 }),
    ),
  ).toEqual(['val_auc', 'val_logloss', 'train_loss', 'epoch', 'f1', 'precision_at_10', 'nan_metric']);
});

test('a schedule with a history comes before a headline score logged once; system/ curves stay after the model’s', () => {
  expect(chartOrder(at({ test_accuracy: 0, lr: 100, 'system/cpu': 100, 'train/loss': 100 }))).toEqual([
    'train/loss',
    'lr',
    'system/cpu',
    'test_accuracy',
  ]);
});

test('a key named like an Object property is ordered as any other', () => {
  expect(chartOrder(JSON.parse('{"__proto__": {"step": 0}, "constructor": {"step": 3}, "loss": {"step": 3}}'))).toEqual(
    ['loss', 'constructor', '__proto__'],
  );
});
