import { expect, test } from 'vitest';
import type { Comparison } from '../../web/src/api/types.ts';
import { completedComparison } from '../../web/src/api/completed-comparison.ts';

type Row = Comparison['runs'][number];
const row = (id: string, fields: Partial<Row>): Row => ({
  run_id: id,
  run_name: id,
  experiment_id: '1',
  status: 'FINISHED',
  start_time: 0,
  metrics: {},
  metric_steps: {},
  params: {},
  ...fields,
});

test("a cut comparison's marked runs are put in whole, their keys among the columns; the other rows stay as answered", () => {
  const answer: Comparison = {
    metric_names: ['acc'],
    param_names: ['a', 'b'],
    runs: [
      row('cut', {
        params: { a: '1', b: null },
        params_truncated: true,
        metrics: { acc: 0.5 },
        metric_steps: { acc: { step: 3, min_step: 0 } },
        metrics_truncated: true,
      }),
      row('whole', { params: { a: null, b: '2' }, metrics: { acc: null } }),
    ],
  };
  const completed = completedComparison(
    answer,
    new Map([['cut', { a: '1', 'z-past': '9', constructor: 'c' }]]),
    new Map([
      [
        'cut',
        {
          acc: { value: 0.5, step: 3, min_step: 0, timestamp: 1 },
          loss: { value: 'NaN' as const, step: 7, min_step: 7, timestamp: 2 },
        },
      ],
    ]),
  );
  expect(completed.param_names).toEqual(['a', 'b', 'constructor', 'z-past']);
  expect(completed.metric_names).toEqual(['acc', 'loss']);
  const [cut, whole] = completed.runs;
  expect(cut).toMatchObject({ params: { a: '1', 'z-past': '9' }, metrics: { acc: 0.5, loss: 'NaN' } });
  expect(cut?.metric_steps.loss).toEqual({ step: 7, min_step: 7 });
  expect(cut?.params_truncated).toBeUndefined();
  expect(cut?.metrics_truncated).toBeUndefined();
  expect(Object.hasOwn(cut?.params ?? {}, 'b')).toBe(false);
  expect(whole).toBe(answer.runs[1]);
  // Nothing cut: the answer itself.
  expect(completedComparison(answer, new Map(), new Map()).runs[1]).toBe(answer.runs[1]);
});
