import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { routeList } from '../../shared/http/route-table.ts';
import { type ApiClient, apiClient, startTestStack, type TestStack } from '../support/local-api.ts';

/**
 * Routes whose body has several forms (a union) name the field that is wrong
 * in the form the client used: a bad `step` in the single-point metric form is
 * a 400 naming `body.step`, never the other form's "body.metrics: expected
 * array". Every union-bodied route of the route table must have its forms here.
 */
let stack: TestStack;
let api: ApiClient;
let runId: string;

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClient(stack.url, stack.token);
  runId = (await api.post('/api/v1/runs', { experiment_name: 'forms' })).body.run_id;
});
afterAll(() => stack?.stop());

/** Values no field of the forms accepts, per kind of field. */
const wrong = {
  key: ['', ' ', 5, null, {}, [], true, 'k'.repeat(251)],
  value: ['x', 'inf', null, {}, [], true],
  integer: [1.5, 'x', '1', null, {}, [], true, 2 ** 53, -(2 ** 53), 1e300],
};

interface Form {
  /** A valid body of this form. */
  valid: Record<string, unknown>;
  /** Each field of the form, where it sits in the body, and its kind. */
  fields: Array<{ name: string; set: (value: unknown) => Record<string, unknown>; kind: keyof typeof wrong }>;
}

const point = { key: 'm', value: 1, step: 1, timestamp: 1_700_000_000_000 };
const forms: Record<string, Record<string, Form>> = {
  logMetrics: {
    'single point': {
      valid: { metric_name: 'm', metric_value: 1, step: 1, timestamp: 1_700_000_000_000 },
      fields: (
        [
          ['metric_name', 'key'],
          ['metric_value', 'value'],
          ['step', 'integer'],
          ['timestamp', 'integer'],
        ] as const
      ).map(([name, kind]) => ({
        name: `body.${name}`,
        kind,
        set: (value) => ({ metric_name: 'm', metric_value: 1, step: 1, timestamp: 1_700_000_000_000, [name]: value }),
      })),
    },
    batch: {
      valid: { metrics: [point] },
      fields: (
        [
          ['key', 'key'],
          ['value', 'value'],
          ['step', 'integer'],
          ['timestamp', 'integer'],
        ] as const
      ).map(([name, kind]) => ({
        name: `body.metrics[1].${name}`,
        kind,
        set: (value) => ({ metrics: [point, { ...point, [name]: value }] }),
      })),
    },
  },
};

test('every route whose body has several forms is listed', () => {
  const unions = routeList
    .filter((route) => route.request.body?._zod.def.type === 'union')
    .map((route) => route.operationId);
  expect(unions.sort()).toEqual(Object.keys(forms).sort());
});

describe.each(Object.entries(forms))('%s', (operationId, byForm) => {
  const route = routeList.find((candidate) => candidate.operationId === operationId);
  const path = () => (route?.path ?? '').replace('{run_id}', runId);

  test.each(Object.entries(byForm))('%s: each wrong field is a 400 naming it', async (_, form) => {
    expect((await api.post(path(), form.valid)).status).toBe(200);
    const failures: string[] = [];
    for (const field of form.fields) {
      for (const value of wrong[field.kind]) {
        const response = await api.post(path(), field.set(value));
        const message: string = response.body.error?.message ?? '';
        const named = message.startsWith(`${field.name}:`);
        if (response.status !== 400 || !named) {
          failures.push(`${field.name} = ${JSON.stringify(value)?.slice(0, 30)}: ${response.status} ${message}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
