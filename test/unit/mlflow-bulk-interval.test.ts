import { expect, test } from 'vitest';
import { mlflowSampledPoints } from '../../shared/http/mlflow/bulk-interval.ts';
import { bulkIntervalCases } from '../support/mlflow-bulk-interval-cases.ts';

/**
 * get-history-bulk-interval samples as MLflow does: checked against the answers
 * of MLflow 3.17.2's own get_metric_history_bulk_interval for the same histories
 * (test/support/mlflow_bulk_interval_reference.py made them), MLflow's REST
 * test's case among them.
 */
const cases = bulkIntervalCases;

test('the reference has the cases that tell samplings apart', () => {
  expect(cases.length).toBeGreaterThanOrEqual(10);
  // MLflow's own REST test (test_get_metric_history_bulk_interval_respects_max_results).
  expect(cases[0]?.expected.map(([, step]) => step)).toEqual([0, 2, 4, 6, 8, 9]);
});

test.each(cases.map((c) => [c.label, c] as const))('%s', (_, c) => {
  const runs = c.run_ids.map((runId) => {
    const history = c.runs[runId] ?? [];
    const steps = history.map(([step]) => step);
    return {
      // The range a request reads: [start, end], or from step 0 without one (MLflow's default).
      points: history
        .map(([step, timestamp, value]) => ({ step, timestamp, value }))
        .filter((point) => point.step >= (c.start ?? 0) && (c.end === null || point.step <= c.end)),
      lowest: Math.min(...steps),
      highest: Math.max(...steps),
    };
  });
  const sampled = mlflowSampledPoints(runs, { start: c.start ?? 0, end: c.end ?? undefined }, c.max_results);
  const answer = sampled.flatMap((points, index) =>
    points.map((point) => [c.run_ids[index], point.step, point.timestamp, point.value]),
  );
  expect(answer).toEqual(c.expected);
});
