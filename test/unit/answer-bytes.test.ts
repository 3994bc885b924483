import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import type { RunDetails } from '../../shared/domain/types.ts';
import { limits } from '../../shared/limits.ts';
import { mlflowRun } from '../../shared/http/mlflow/views.ts';
import { runDetailsView } from '../../shared/http/views.ts';
import { runDetailsBytes } from '../../shared/use-cases/search.ts';

/**
 * A search page ends before its runs' payload passes limits.answerBytes, by an estimate of each run's
 * payload (runDetailsBytes): never below what either dialect's view of the run takes in a Lambda
 * response (its JSON, put into the response's JSON as a string), and close enough that a page of
 * 1,000 ordinary runs is whole.
 */
const payloadBytes = (body: unknown) => Buffer.byteLength(JSON.stringify(JSON.stringify(body)));

const text = fc.string({ unit: fc.constantFrom('a', 'Z', '0', '"', '\\', '€', '😀', ' ', '\n', '\t'), maxLength: 120 });

const runs = fc.record({
  runName: text,
  params: fc.dictionary(text, text, { maxKeys: 40 }),
  tags: fc.dictionary(text, text, { maxKeys: 20 }),
  metrics: fc.uniqueArray(
    fc.record({
      key: text,
      value: fc.oneof(fc.double(), fc.constantFrom(Number.NaN, Infinity, -Infinity, 0.1, 1e-300)),
      step: fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
      timestamp: fc.integer({ min: 0, max: 253402300799999 }),
    }),
    { maxLength: 60, selector: (metric) => metric.key },
  ),
});

function runOf(shape: { runName: string; params: object; tags: object; metrics: unknown[] }): RunDetails {
  return {
    runId: 'a'.repeat(32),
    experimentId: 'b'.repeat(32),
    runName: shape.runName,
    status: 'FINISHED',
    startTime: 1764480000000,
    endTime: 1764480001000,
    lifecycleStage: 'active',
    parentRunId: undefined,
    gitCommit: undefined,
    codeVersion: undefined,
    pipeline: undefined,
    tags: Object.assign(Object.create(null), shape.tags),
    params: Object.assign(Object.create(null), shape.params),
    metrics: (shape.metrics as Array<{ key: string; value: number; step: number; timestamp: number }>).map(
      (metric) => ({ ...metric, lowestStep: metric.step }),
    ),
  };
}

describe('a run answer size estimate', () => {
  test('is never below the payload of either dialect', () => {
    fc.assert(
      fc.property(runs, (shape) => {
        const run = runOf(shape);
        const estimate = runDetailsBytes(run);
        expect(estimate).toBeGreaterThanOrEqual(payloadBytes(mlflowRun(run)));
        expect(estimate).toBeGreaterThanOrEqual(payloadBytes(runDetailsView(run)));
      }),
      { numRuns: 300 },
    );
  });

  test('lets a page of 1,000 ordinary runs (20 params, 10 metrics, a tag) be whole', () => {
    const run = runOf({
      runName: 'sweep-run-00042',
      params: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`param_${i}`, `value ${i % 7}`])),
      tags: { owner: 'user-3' },
      metrics: Array.from({ length: 10 }, (_, i) => ({
        key: `metric_${i}`,
        value: 0.123456789,
        step: 9,
        timestamp: 1764480000123,
      })),
    });
    expect(1000 * runDetailsBytes(run)).toBeLessThanOrEqual(limits.answerBytes);
    // And not far above what MLflow's view takes: within a third.
    expect(runDetailsBytes(run)).toBeLessThan(payloadBytes(mlflowRun(run)) * 1.34);
  });
});
