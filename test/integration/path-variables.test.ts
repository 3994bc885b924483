import { expect, test } from 'vitest';
import { createRouter } from '../../local/router.ts';
import { dialectOf, type RouteDefinition, routePaths } from '../../shared/http/route-definition.ts';
import { routeList } from '../../shared/http/route-table.ts';
import { apiClient } from '../support/local-api.ts';
import { useRouteFixture } from '../support/registry-fixture.ts';
import { exampleRequest } from '../support/route-requests.ts';

/**
 * A static segment of one route in the place of another route's variable, generated over the
 * route table: `PATCH /api/v1/runs/search` is updateRun's, with run id "search" (searchRuns takes
 * only GET there). Where the variable's schema cannot hold the segment (an id), the answer is a 400
 * naming the variable, with or without a body, and never reaches the operation; the fixture's
 * run, experiment and model are still there afterwards.
 */
const local = useRouteFixture('statics');
const route = createRouter(routeList);
const servedPaths = routeList.flatMap(routePaths).map((path) => path.split('/'));

/** The static segments other routes have where `path` has its variable at `index`, after the same segments. */
const staticsAt = (path: readonly string[], index: number) => [
  ...new Set(
    servedPaths
      .filter((other) => other.length > index && other.slice(0, index).join('/') === path.slice(0, index).join('/'))
      .map((other) => other[index] as string)
      .filter((segment) => !segment.startsWith('{')),
  ),
];

const cases = routeList
  .filter((definition) => dialectOf(definition) === 'v1')
  .flatMap((definition) => {
    const segments = definition.path.split('/');
    return segments.flatMap((segment, index) => {
      const variable = /^\{(\w+)\}$/.exec(segment)?.[1];
      if (variable === undefined) return [];
      return staticsAt(segments, index).map((value) => ({ definition, index, variable, value }));
    });
  });

/** The example request's path with the segment at `index` replaced by `value`. */
function pathWith(definition: RouteDefinition, index: number, value: string) {
  const [pathname, query] = exampleRequest(definition, local.fixture).path.split('?', 2) as [string, string?];
  const segments = pathname.split('/');
  segments[index] = value;
  return segments.join('/') + (query === undefined ? '' : `?${query}`);
}

test('the table has such paths: runs/search, experiments/by-name, models/search...', () => {
  const keys = cases.map(({ definition, value }) => `${definition.method} ${definition.path} ${value}`);
  expect(keys).toContain('PATCH /api/v1/runs/{run_id} search');
  expect(keys).toContain('GET /api/v1/experiments/{experiment_id} by-name');
});

test('a static segment that cannot be the variable is a 400 naming it, with or without a body', async () => {
  const api = apiClient(local.stack.url, local.stack.token);
  const checked: string[] = [];
  for (const { definition, index, variable, value } of cases) {
    const path = pathWith(definition, index, value);
    // Another route takes this path with this method: it is not the variable's.
    if (route(definition.method, path.split('?')[0] as string)?.route !== definition) continue;
    const parameters = { ...route(definition.method, path.split('?')[0] as string)!.pathParameters };
    if (definition.request.path?.safeParse(parameters).success) continue;
    const example = exampleRequest(definition, local.fixture);
    for (const body of definition.request.body ? [undefined, {}, example.body] : [undefined]) {
      const label = `${definition.method} ${path} ${JSON.stringify(body) ?? '(no body)'}`;
      const answer = await api.call(definition.method, path, body);
      expect(answer.status, `${label}: ${JSON.stringify(answer.body)}`).toBe(400);
      expect(answer.body.error.message, label).toMatch(new RegExp(`^path\\.${variable}: `));
    }
    checked.push(`${definition.method} ${path}`);
  }
  expect(checked).toContain('PATCH /api/v1/runs/search');
  expect(checked.length).toBeGreaterThan(10);
  const { runId, experimentId, modelName } = local.fixture;
  expect((await api.get(`/api/v1/runs/${runId}`)).body.status).toBe('RUNNING');
  expect((await api.get(`/api/v1/experiments/${experimentId}`)).body.lifecycle_stage).toBe('active');
  expect((await api.get(`/api/v1/models/${encodeURIComponent(modelName as string)}`)).status).toBe(200);
});
