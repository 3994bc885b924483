import { request } from 'node:http';
import { expect, test } from 'vitest';
import { routeList } from '../../shared/http/route-table.ts';
import { apiClient } from '../support/local-api.ts';
import { useRouteFixture } from '../support/registry-fixture.ts';
import { exampleRequest } from '../support/route-requests.ts';

/**
 * Every path variable of every route, given as `.` or `..` (literal or
 * percent-encoded): a URL parser resolves such a segment against the one before
 * it, so `DELETE /models/M/aliases/%2e%2e` was served as `DELETE /models/M` and
 * deleted the model. Each is a 400 naming the path, and the fixture's
 * experiment, run and model are all still there afterwards.
 */
const local = useRouteFixture('dots');
const spellings = ['..', '.', '%2e%2e', '%2E%2e', '.%2e', '%2e'];

/** A request sent with its path exactly as given: fetch's URL parser would resolve the dots first. */
function rawRequest(method: string, path: string, body: unknown): Promise<{ status: number; body: any }> {
  const url = new URL(local.stack.url);
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const sent = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: {
          authorization: `Bearer ${local.stack.token}`,
          ...(text === undefined ? {} : { 'content-type': 'application/json' }),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const answer = Buffer.concat(chunks).toString('utf8');
          resolve({ status: response.statusCode ?? 0, body: answer ? JSON.parse(answer) : undefined });
        });
      },
    );
    sent.on('error', reject);
    sent.end(text);
  });
}

test("a '.' or '..' segment in place of any path variable is a 400, and changes nothing", async () => {
  const cases = routeList.flatMap((route) =>
    [...route.path.matchAll(/\{(\w+)\+?\}/g)].flatMap(([variable]) =>
      spellings.map((dots) => ({ route, variable, dots })),
    ),
  );
  // Runs, tags, metrics, experiments, models, versions, aliases, tokens, workspaces and artifact paths.
  expect(cases.length).toBeGreaterThan(100);
  for (const { route, variable, dots } of cases) {
    // The example request's path with the variable's segment (the first, for a greedy `{path+}`) replaced.
    const example = exampleRequest(route, local.fixture);
    const [pathname, query] = example.path.split('?', 2) as [string, string | undefined];
    const segments = pathname.split('/');
    segments[route.path.split('/').indexOf(variable)] = dots;
    const path = segments.join('/') + (query === undefined ? '' : `?${query}`);
    const label = `${route.method} ${path}`;
    const answer = await rawRequest(route.method, path, example.body);
    expect(answer.status, `${label}: ${JSON.stringify(answer.body)}`).toBe(400);
    if (route.dialect === 'mlflow') {
      expect(answer.body.error_code, label).toBe('INVALID_PARAMETER_VALUE');
      expect(answer.body.message, label).toMatch(/^path: a '.*' segment is not a name/);
    } else {
      expect(answer.body.error.code, label).toBe('path.dot_segment');
    }
  }
  const api = apiClient(local.stack.url, local.stack.token);
  const { runId, experimentId, modelName } = local.fixture;
  expect((await api.get(`/api/v1/runs/${runId}`)).body.lifecycle_stage).toBe('active');
  expect((await api.get(`/api/v1/experiments/${experimentId}`)).body.lifecycle_stage).toBe('active');
  expect((await api.get(`/api/v1/models/${encodeURIComponent(modelName as string)}`)).body.aliases).toEqual([
    { alias: 'prod', version: 1 },
  ]);
});
