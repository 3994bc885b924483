import { expect, test } from 'vitest';
import { routePaths } from '../../shared/http/route-definition.ts';
import { routeList } from '../../shared/http/route-table.ts';
import { createRouter } from '../../local/router.ts';

const route = createRouter(routeList);
const id = 'a'.repeat(32);

test('static segments win over variables, as in API Gateway', () => {
  expect(route('GET', '/api/v1/experiments/by-name/runs')?.route.operationId).toBe('getExperimentByName');
  expect(route('GET', `/api/v1/experiments/${id}/runs`)?.route.operationId).toBe('listRuns');
  expect(route('GET', '/api/v1/openapi.json')?.route.operationId).toBe('getOpenApi');
});

test('a greedy variable takes the rest of the path, slashes included', () => {
  const match = route('GET', `/api/v1/runs/${id}/metrics/train/loss`);
  expect(match?.route.operationId).toBe('getMetricHistory');
  expect(match?.pathParameters).toEqual({ run_id: id, metric_key: 'train/loss' });
});

test('unknown paths and methods match nothing', () => {
  expect(route('PUT', `/api/v1/runs/${id}`)).toBeUndefined();
  expect(route('GET', '/api/v2/runs')).toBeUndefined();
  expect(route('GET', `/api/v1/runs/${id}/extra/segments`)).toBeUndefined();
});

test('a trailing slash or an empty segment matches nothing; leading slashes are one', () => {
  expect(route('GET', `/api/v1/runs/${id}/`)).toBeUndefined();
  expect(route('GET', `/api/v1//runs/${id}`)).toBeUndefined();
  expect(route('PATCH', `/api/v1/runs/${id}//`)).toBeUndefined();
  expect(route('GET', `/api/v1/runs/${id}/metrics/train//loss`)).toBeUndefined();
  expect(route('GET', `/api/v1/runs/${id}/metrics/loss/`)).toBeUndefined();
  expect(route('GET', `/API/v1/runs/${id}`)).toBeUndefined();
  expect(route('GET', `//api/v1/runs/${id}`)?.route.operationId).toBe('getRun');
});

test('every route in the table is reachable by its own path and its aliases, each named as matched', () => {
  for (const definition of routeList) {
    for (const served of routePaths(definition)) {
      const path = served.replace(/\{(\w+)\+?\}/g, (_, name: string) => (name.endsWith('_id') ? id : 'x'));
      const match = route(definition.method, path);
      expect(match?.route, path).toBe(definition);
      expect(match?.path).toBe(served);
    }
  }
});
