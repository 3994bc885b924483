import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { expect, test } from 'vitest';
import { createHandler } from '../../shared/http/handler.ts';
import { createMlflowHandler } from '../../shared/http/mlflow/handler.ts';
import type { RouteDefinition } from '../../shared/http/route-definition.ts';
import { routeList, routes } from '../../shared/http/route-table.ts';
import { type MlflowIds, mlflowRequestFor } from '../support/mlflow-requests.ts';
import { schemaFields, withField } from '../support/schema-fields.ts';

/**
 * Protobuf JSON `null`, generated from the route table: on every MLflow route with a body, every
 * field the body's schema declares (and the fields of the first entry of its lists) is sent as
 * `null` and left out, and the two answers must be the same, as on MLflow's server, whose JSON
 * reader (ParseDict) clears a field sent as null. The handler echoes what the edge parsed, so
 * "the same answer" means the use case would get the same input, or the same refusal.
 */

const ids: MlflowIds = {
  experimentId: '1',
  runId: '0123456789abcdef0123456789abcdef',
  modelId: 'm-0123456789abcdef0123456789abcdef',
};
const tags = [{ key: 'k', value: 'v' }];

/** Bodies with every optional field set, beyond the route table's minimal examples, so each is tried. */
const fuller: Record<string, object> = {
  mlflowCreateExperiment: { artifact_location: 's3://b/p', tags },
  mlflowSearchExperiments: { page_token: 't', filter: "name = 'a'", view_type: 'ALL', order_by: ['name'] },
  mlflowCreateRun: { user_id: 'u', run_name: 'r', start_time: 1, tags },
  mlflowUpdateRun: { status: 'FINISHED', end_time: 2 },
  mlflowLogMetric: { model_id: ids.modelId, dataset_name: 'd', dataset_digest: 'x' },
  mlflowLogBatch: {
    metrics: [{ key: 'acc', value: 1, timestamp: 1, step: 1, model_id: ids.modelId, dataset_name: 'd' }],
    params: [{ key: 'p', value: '1' }],
    tags,
  },
  mlflowLogInputs: {
    datasets: [
      { tags, dataset: { name: 'd', digest: 'x', source_type: 'local', source: '{}', schema: '{}', profile: '{}' } },
    ],
    models: [{ model_id: ids.modelId }],
  },
  mlflowLogOutputs: { models: [{ model_id: ids.modelId, step: 1 }] },
  mlflowSearchRuns: { filter: 'metrics.acc > 0', run_view_type: 'ALL', max_results: 5, order_by: ['start_time'] },
  mlflowCompleteMultipartUpload: { parts: [{ part_number: 1, etag: 'e', url: 'https://example.com/u' }] },
  mlflowCreateLoggedModel: { model_type: 't', params: [{ key: 'p', value: '1' }], tags },
  mlflowSearchLoggedModels: {
    filter: 'name = "m"',
    datasets: [{ dataset_name: 'd', dataset_digest: 'x' }],
    max_results: 5,
    order_by: [{ field_name: 'name', ascending: true, dataset_name: 'd', dataset_digest: 'x' }],
    page_token: 't',
  },
  mlflowCreateRegisteredModel: { tags, description: 'd' },
  mlflowGetLatestVersions: { stages: ['Production'] },
  mlflowCreateModelVersion: {
    run_id: ids.runId,
    tags,
    run_link: 'https://example.com/r',
    description: 'd',
    model_id: ids.modelId,
  },
};

const writer = () => ({
  authenticate: async () => ({ workspaceId: 'w', scope: 'admin' as const, tokenId: '0123456789abcdef' }),
});
const context = { awsRequestId: 'req-1' } as Context;

/** The route's event for `body`, with the example's path variables and query. */
function event(route: RouteDefinition, body: unknown): APIGatewayProxyEventV2 {
  const { path } = mlflowRequestFor(route, ids);
  const [rawPath = '', query = ''] = path.split('?');
  const pathParameters: Record<string, string> = {};
  const pattern = new RegExp(
    `^${route.path.replace(/\{(\w+)(\+)?\}/g, (_, name, greedy) => `(?<${name}>${greedy ? '.+' : '[^/]+'})`)}$`,
  );
  Object.assign(pathParameters, pattern.exec(rawPath)?.groups ?? {});
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath,
    rawQueryString: query,
    headers: { 'content-type': 'application/json' },
    pathParameters,
    ...(query ? { queryStringParameters: Object.fromEntries(new URLSearchParams(query)) } : {}),
    requestContext: { requestId: 'r1' },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2;
}

/** What the edge makes of the body: the parsed input the handler would get, or the refusal. */
async function answer(route: RouteDefinition, body: unknown) {
  const handler = createMlflowHandler(route, async (input) => ({ body: { parsed: input.body } }), {
    authenticator: writer,
  });
  const response = await handler(event(route, body), context);
  return { status: response.statusCode, body: JSON.parse(response.body as string) as unknown };
}

const bodied = routeList.filter((route) => route.dialect === 'mlflow' && route.request.body);
const cases = bodied.flatMap((route) => {
  const example = { ...(mlflowRequestFor(route, ids).body as object), ...fuller[route.operationId] };
  return schemaFields(route.request.body!, example).map(
    (field) => [route.operationId, field.path.join('.'), { route, example, field }] as const,
  );
});

test('every MLflow route with a body, and its fields, are covered', () => {
  expect(new Set(cases.map(([operationId]) => operationId)).size).toBe(bodied.length);
  // Nested fields are reached too: a batch's metrics, a dataset's fields, a multipart upload's parts.
  expect(cases.map(([operationId, field]) => `${operationId} ${field}`)).toEqual(
    expect.arrayContaining([
      'mlflowLogBatch metrics.0.step',
      'mlflowLogInputs datasets.0.dataset.profile',
      'mlflowCompleteMultipartUpload parts.0.url',
    ]),
  );
  expect(cases.length).toBeGreaterThan(150);
});

test.each(cases)('%s: %s sent as null is answered as if left out', async (_, __, { route, example, field }) => {
  const absent = await answer(route, withField(example, field.path, undefined));
  const sentNull = await answer(route, withField(example, field.path, null));
  expect(sentNull).toEqual(absent);
  // The examples are valid requests: leaving out an optional field keeps them valid (run_uuid aside,
  // which stands for run_id only when run_id is left out).
  if (field.optional && field.path.join('.') !== 'run_id') expect(absent.status).toBe(200);
});

test('a body of null is an empty request, as MLflow reads it', async () => {
  const route = routes.mlflowSearchExperiments;
  expect(await answer(route, null)).toEqual(await answer(route, {}));
  expect((await answer(route, null)).status).toBe(200);
});

test('a null element of a list is not a field: it is refused, naming it', async () => {
  const response = await answer(routes.mlflowSearchRuns, { experiment_ids: ['1', null] });
  expect(response.status).toBe(400);
  expect(response.body).toMatchObject({
    error_code: 'INVALID_PARAMETER_VALUE',
    message: expect.stringContaining("'experiment_ids[1]'"),
  });
});

test('/api/v1 stays strict: null is not a field left out there', async () => {
  const route = routes.updateRun;
  const handler = createHandler(route, async (input) => ({ body: input.body }), { authenticator: writer });
  const response = await handler(
    {
      ...event(routes.mlflowUpdateRun, { status: 'FINISHED', end_time: null }),
      routeKey: `${route.method} ${route.path}`,
      pathParameters: { run_id: ids.runId },
    } as APIGatewayProxyEventV2,
    context,
  );
  expect(response.statusCode).toBe(400);
  expect(JSON.parse(response.body as string).error.message).toMatch(/^body\.end_time: /);
});
