import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RouteDefinition } from '../../shared/http/route-definition.ts';
import { routeList } from '../../shared/http/route-table.ts';
import { apiClient, startTestStack, type TestStack } from '../support/local-api.ts';
import { errorCodeOf } from '../support/mlflow-requests.ts';
import { exampleRequest, type RouteFixture } from '../support/route-requests.ts';

/**
 * Every route taking a step range (`start_step` and `end_step` in its query
 * schema), in both dialects: a reversed range is a
 * 400 naming both fields (it was a 500: DynamoDB refuses a reversed key range),
 * and an empty or one-step range is an ordinary answer.
 */
let stack: TestStack;
let api: ReturnType<typeof apiClient>;
let fixture: RouteFixture;

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClient(stack.url, stack.token);
  const run = await api.post('/api/v1/runs', { experiment_name: 'ranges' });
  await api.post(`/api/v1/runs/${run.body.run_id}/metrics`, {
    metrics: [1, 2, 3, 4, 5, 6].map((step) => ({ key: 'acc', value: step / 10, step })),
  });
  fixture = {
    experimentId: run.body.experiment_id,
    experimentName: 'ranges',
    runId: run.body.run_id,
    metricKey: 'acc',
    tokenId: '0123456789abcdef',
    artifactPath: 'ranges/never.bin',
  };
});
afterAll(() => stack?.stop());

const withRange = (path: string, start: number, end: number) =>
  `${path}${path.includes('?') ? '&' : '?'}start_step=${start}&end_step=${end}`;

const queryFields = (route: RouteDefinition): string[] =>
  Object.keys((route.request.query as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def?.shape ?? {});
const routes = routeList.filter((route) => {
  const fields = queryFields(route);
  return fields.includes('start_step') && fields.includes('end_step');
});

test('step-range routes exist in both dialects', () => {
  expect(routes.some((route) => route.dialect === 'mlflow')).toBe(true);
  expect(routes.some((route) => route.dialect !== 'mlflow')).toBe(true);
});

describe.each(routes.map((route) => [`${route.method} ${route.path}`, route] as const))('%s', (_, route) => {
  test('a reversed step range is a 400 naming start_step and end_step; a one-step range is answered', async () => {
    const { path } = exampleRequest(route, fixture);
    for (const [start, end] of [
      [5, 2],
      [1, 0],
      [0, -1],
      [2 ** 53 - 1, -(2 ** 53 - 1)],
    ] as const) {
      const answer = await api.get(withRange(path, start, end));
      const label = `${start}..${end}: ${answer.status} ${JSON.stringify(answer.body)}`;
      expect(answer.status, label).toBe(400);
      expect(errorCodeOf(route, answer.body), label).toBe(
        route.dialect === 'mlflow' ? 'INVALID_PARAMETER_VALUE' : 'query.invalid',
      );
      const message: string = answer.body.message ?? answer.body.error.message;
      expect(message, label).toMatch(/start_step/);
      expect(message, label).toMatch(/end_step/);
    }
    const single = await api.get(withRange(path, 3, 3));
    expect(single.status, JSON.stringify(single.body)).toBe(200);
    const points: Array<{ step: number }> = single.body.points ?? single.body.metrics;
    expect(points.map((point) => point.step)).toEqual([3]);
  });
});
