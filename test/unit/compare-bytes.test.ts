import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { answerPayloadBytes, textPayloadBytes } from '../../shared/domain/answer-size.ts';
import type { RunDetails } from '../../shared/domain/types.ts';
import { comparisonView } from '../../shared/http/views.ts';
import { comparisonBytes } from '../../shared/use-cases/compare.ts';

/**
 * A comparison's columns end on `comparisonBytes` (use-cases/compare.ts): it must never be below
 * what the view takes in a function's payload, however the text is made (`"` and `\` take 4 bytes
 * there, a control character up to 7), with every run flagged truncated.
 */
const text = fc.string({
  unit: fc.constantFrom('a', 'Z', '0', '"', '\\', '€', '😀', ' ', '\n', '\t', '\u0001', '\u2028'),
  maxLength: 80,
});
const metric = fc.record({
  key: text,
  value: fc.oneof(fc.double(), fc.constantFrom(Number.NaN, Infinity, -Infinity, -1.7976931348623157e308)),
  step: fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
  lowestStep: fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
  timestamp: fc.integer({ min: 0, max: 253402300799999 }),
});
const runs = fc.array(
  fc.record({
    runName: text,
    status: fc.constantFrom('RUNNING', 'FINISHED', 'FAILED', 'KILLED', 'SCHEDULED') as fc.Arbitrary<
      RunDetails['status']
    >,
    params: fc.dictionary(text, text, { maxKeys: 20 }),
    metrics: fc.uniqueArray(metric, { maxLength: 20, selector: (point) => point.key }),
  }),
  { minLength: 1, maxLength: 6 },
);

function runOf(
  shape: { runName: string; status: RunDetails['status']; params: object; metrics: unknown[] },
  index: number,
): RunDetails {
  return {
    runId: index.toString(16).padStart(32, '0'),
    experimentId: '123456789012',
    runName: shape.runName,
    status: shape.status,
    startTime: 253402300799999,
    lifecycleStage: 'active',
    tags: Object.create(null),
    params: Object.assign(Object.create(null), shape.params),
    metrics: shape.metrics as RunDetails['metrics'],
  } as RunDetails;
}

describe('comparisonBytes', () => {
  test("is never below the payload of the comparison's view", () => {
    fc.assert(
      fc.property(runs, fc.array(text, { maxLength: 5 }), (shapes, extraNames) => {
        const compared = shapes.map(runOf);
        const metricNames = [...new Set([...compared.flatMap((run) => run.metrics.map((m) => m.key)), ...extraNames])];
        const paramNames = [...new Set([...compared.flatMap((run) => Object.keys(run.params)), ...extraNames])];
        const everyRun = new Set(compared.map((run) => run.runId));
        const view = comparisonView({
          metricNames,
          paramNames,
          runs: compared,
          paramsTruncated: everyRun,
          metricsTruncated: everyRun,
        });
        expect(comparisonBytes(compared, metricNames, paramNames)).toBeGreaterThanOrEqual(answerPayloadBytes(view));
      }),
      { numRuns: 300 },
    );
  });

  test('textPayloadBytes is exact: the text escaped twice, quotes and all', () => {
    fc.assert(
      fc.property(text, (value) => {
        expect(textPayloadBytes(value)).toBe(Buffer.byteLength(JSON.stringify(JSON.stringify(value))) - 2);
      }),
      { numRuns: 1000 },
    );
  });
});
