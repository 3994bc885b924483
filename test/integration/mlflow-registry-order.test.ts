import { readFileSync } from 'node:fs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ModelVersion, RegisteredModel } from '../../shared/domain/registry.ts';
import { modelVersionKey, registeredModelKey } from '../../shared/storage/keys.ts';
import { ModelRegistryRepository } from '../../shared/storage/model-registry-repository.ts';
import { migrateRegistryIndexes } from '../../shared/storage/registry-index-migration.ts';
import {
  type ApiClient,
  apiClient,
  startTestStack,
  tableDocumentClient,
  type TestStack,
} from '../support/local-api.ts';

/**
 * MLflow's registry orders, side by side with MLflow's own server: the
 * reference (test/support/mlflow_registry_order_reference.py) is what MLflow
 * 3.17.2's registry store answered for models and versions whose times were
 * set by hand so that several share a millisecond. The same items, with the
 * same times, are written here through the repository, and Stratus's MLflow
 * routes must answer the same orders, page by page (2 a page, through
 * page tokens), and refuse the orders MLflow refuses, naming order_by.
 */
interface Reference {
  models: [string, number][];
  version_steps: (['model', string, number] | ['create', string, number] | ['describe', string, number, number])[];
  model_searches: { order_by: string[] | null; pages: string[][] }[];
  model_refusals: { order_by: string[]; message: string }[];
  version_searches: { filter: string | null; order_by: string[] | null; pages: [string, number, number][][] }[];
  version_refusals: { order_by: string[]; message: string }[];
}
const reference = JSON.parse(
  readFileSync(new URL('../support/mlflow-registry-order-reference.json', import.meta.url), 'utf8'),
) as Reference;

let stack: TestStack;
let api: ApiClient;
let registry: ModelRegistryRepository;
let runId: string;
let experimentId: string;
const models = new Map<string, string>();
const actor = { tokenId: 'order-test' };

function newModel(name: string, at: number): RegisteredModel {
  const modelId = `order-${name}`;
  models.set(name, modelId);
  return {
    modelId,
    name,
    description: undefined,
    tags: {},
    aliases: new Map(),
    latestVersion: 0,
    createdAt: at,
    updatedAt: at,
  };
}

async function register(name: string, at: number) {
  const model = await registry.getModel(stack.workspace, models.get(name) as string);
  if (!model) throw new Error(`no model ${name}`);
  const version: ModelVersion = {
    modelId: model.modelId,
    modelName: name,
    version: model.latestVersion + 1,
    source: { runId, experimentId, path: 'model', kind: 'folder' },
    description: undefined,
    tags: {},
    metadata: undefined,
    files: [],
    aliases: [],
    stage: 'None',
    createdAt: at,
    updatedAt: at,
    createdBy: actor,
  };
  await registry.createVersion(stack.workspace, model, { version, artifactPaths: [] });
}

async function describeVersion(name: string, number: number, at: number) {
  const version = await registry.getVersion(stack.workspace, models.get(name) as string, number);
  if (!version) throw new Error(`no version ${name}/${number}`);
  await registry.updateVersion(stack.workspace, version, { description: 'described' }, at);
}

function search(route: 'registered-models' | 'model-versions', params: Record<string, string | string[] | undefined>) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) query.append(key, one);
  }
  return api.get(`/api/2.0/mlflow/${route}/search?${query}`);
}

/** Every page of a search, 2 a page, as the stock client turns them. */
async function pages(
  route: 'registered-models' | 'model-versions',
  params: Record<string, string | string[] | undefined>,
) {
  const found: any[][] = [];
  let token: string | undefined;
  do {
    const response = await search(route, { ...params, max_results: '2', page_token: token });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    found.push(response.body[route === 'registered-models' ? 'registered_models' : 'model_versions'] ?? []);
    token = response.body.next_page_token;
  } while (token);
  return found;
}

beforeAll(async () => {
  stack = await startTestStack();
  api = apiClient(stack.url, stack.token);
  registry = new ModelRegistryRepository(tableDocumentClient(stack), stack.tableName);
  const run = await api.post('/api/v1/runs', { experiment_name: 'registry-order' });
  expect(run.status).toBe(201);
  runId = run.body.run_id;
  experimentId = run.body.experiment_id;
  for (const [name, at] of reference.models) await registry.createModel(stack.workspace, newModel(name, at));
  for (const step of reference.version_steps) {
    if (step[0] === 'model') await registry.createModel(stack.workspace, newModel(step[1], step[2]));
    else if (step[0] === 'create') await register(step[1], step[2]);
    else await describeVersion(step[1], step[2], step[3]);
  }
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('registered models', () => {
  test.each(reference.model_searches)(
    'order_by $order_by: the pages MLflow answers',
    async ({ order_by, pages: expected }) => {
      const answered = await pages('registered-models', { filter: "name LIKE 'm-%'", order_by: order_by ?? undefined });
      expect(answered.map((page) => page.map((model) => model.name))).toEqual(expected);
    },
  );

  test.each(reference.model_refusals)(
    'order_by $order_by: refused as MLflow refuses it',
    async ({ order_by, message }) => {
      const response = await search('registered-models', { order_by });
      expect(response.status).toBe(400);
      expect(response.body.error_code).toBe('INVALID_PARAMETER_VALUE');
      // MLflow prints its valid keys as a Python set, in no fixed order.
      expect(response.body.message).toContain(`order_by: ${message.split(' Valid keys')[0]}`);
    },
  );
});

describe('model versions', () => {
  test.each(reference.version_searches)(
    'filter $filter, order_by $order_by: the pages MLflow answers',
    async ({ filter, order_by, pages: expected }) => {
      const answered = await pages('model-versions', { filter: filter ?? undefined, order_by: order_by ?? undefined });
      expect(
        answered.map((page) => page.map((v) => [v.name, Number(v.version), Number(v.last_updated_timestamp)])),
      ).toEqual(expected);
    },
  );

  test.each(reference.version_refusals)(
    'order_by $order_by: refused as MLflow refuses it',
    async ({ order_by, message }) => {
      const response = await search('model-versions', { order_by });
      expect(response.status).toBe(400);
      expect(response.body.error_code).toBe('INVALID_PARAMETER_VALUE');
      expect(response.body.message).toContain(`order_by: ${message.split(' Valid keys')[0]}`);
    },
  );
});

describe('pages of a list that changes', () => {
  test('a tied group larger than a page is paged through in tie order, in both directions', async () => {
    const names = Array.from({ length: 25 }, (_, i) => `tie-${String(i).padStart(2, '0')}`);
    // Created out of name order, all in one millisecond, after every other model.
    for (const name of [...names].reverse()) await registry.createModel(stack.workspace, newModel(name, 9000));
    for (const [order, expected] of [
      [['timestamp DESC'], names],
      [['timestamp DESC', 'name DESC'], [...names].reverse()],
      [['timestamp ASC', 'name DESC'], [...names].reverse()],
    ] as const) {
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const response = await search('registered-models', {
          filter: "name LIKE 'tie-%'",
          order_by: [...order],
          max_results: '10',
          page_token: token,
        });
        expect(response.status).toBe(200);
        seen.push(...response.body.registered_models.map((model: { name: string }) => model.name));
        token = response.body.next_page_token;
      } while (token);
      expect(seen).toEqual(expected);
    }
  });

  test('a token goes on where its page ended after versions are registered and changed', async () => {
    const first = await search('model-versions', { filter: "name LIKE 'v-%'", max_results: '2' });
    expect(first.status).toBe(200);
    const [, ...rest] = reference.version_searches.find((s) => s.filter === null && s.order_by === null)?.pages ?? [];
    // A new version and a changed one move to the front: the rest of the list goes on without them.
    await register('v-a', 10_000);
    await describeVersion('v-c', 1, 10_001);
    const following: [string, number][] = [];
    let token: string | undefined = first.body.next_page_token;
    while (token) {
      const response = await search('model-versions', {
        filter: "name LIKE 'v-%'",
        max_results: '2',
        page_token: token,
      });
      expect(response.status).toBe(200);
      following.push(...response.body.model_versions.map((v: any) => [v.name, Number(v.version)] as [string, number]));
      token = response.body.next_page_token;
    }
    expect(following).toEqual(
      rest.flat().flatMap(([name, version]) => (name === 'v-c' && version === 1 ? [] : [[name, version]])),
    );
    const front = await search('model-versions', { filter: "name LIKE 'v-%'", max_results: '2' });
    expect(front.body.model_versions.map((v: any) => [v.name, v.version])).toEqual([
      ['v-c', '1'],
      ['v-a', '3'],
    ]);
  });

  test("a token is refused by another order's list, naming page_token", async () => {
    const first = await search('registered-models', { order_by: 'timestamp DESC', max_results: '1' });
    expect(first.body.next_page_token).toEqual(expect.any(String));
    const other = await search('registered-models', {
      order_by: 'timestamp ASC',
      max_results: '1',
      page_token: first.body.next_page_token,
    });
    expect(other.status).toBe(400);
    expect(other.body.message).toMatch(/^page_token/);
  });

  test('prompts are left out of version searches unless the filter asks for them', async () => {
    await registry.createModel(stack.workspace, newModel('prompt-a', 20_000));
    await register('prompt-a', 20_000);
    const version = await registry.getVersion(stack.workspace, models.get('prompt-a') as string, 1);
    await registry.updateVersion(
      stack.workspace,
      version as NonNullable<typeof version>,
      { tags: { 'mlflow.prompt.is_prompt': 'true' } },
      20_001,
    );
    const plain = await search('model-versions', { max_results: '3' });
    expect(plain.body.model_versions.map((v: any) => v.name)).not.toContain('prompt-a');
    const asked = await search('model-versions', { filter: "tags.`mlflow.prompt.is_prompt` = 'true'" });
    expect(asked.body.model_versions.map((v: any) => [v.name, v.version])).toEqual([['prompt-a', '1']]);
    // A model without the tag is not a prompt: = 'false' finds it, as on MLflow's server.
    const plainModels = await search('registered-models', { filter: "tags.`mlflow.prompt.is_prompt` = 'false'" });
    expect(plainModels.body.registered_models.map((m: { name: string }) => m.name)).toContain('m-a');
  });
});

describe('items stored before the by-update lists', () => {
  test('join their lists with npm run migrate, and at their first change', async () => {
    const client = tableDocumentClient(stack);
    const forget = (key: { pk: string; sk: string }) =>
      client.send(
        new UpdateCommand({ TableName: stack.tableName, Key: key, UpdateExpression: 'REMOVE gsi2pk, gsi2sk' }),
      );
    const ids = () => [models.get('m-a') as string, models.get('m-b') as string];
    const [a, b] = ids() as [string, string];
    await forget(registeredModelKey(stack.workspace, a));
    await forget(registeredModelKey(stack.workspace, b));
    await forget(modelVersionKey(stack.workspace, models.get('v-b') as string, 2));
    const names = async () =>
      (await pages('registered-models', { filter: "name LIKE 'm-%'", order_by: 'timestamp DESC' }))
        .flat()
        .map((model) => model.name);
    const versions = async () =>
      (await pages('model-versions', { filter: "name IN ('v-b', 'none')" })).flat().map((v) => v.version);
    expect(await names()).toEqual(['m-d', 'm-e', 'm-c', 'm-f']);
    expect(await versions()).toEqual(['1']);
    // A change puts an item back at once; the migration puts the others.
    const stored = await registry.getModel(stack.workspace, b);
    await registry.updateModel(stack.workspace, stored as NonNullable<typeof stored>, { description: 'x' }, 2000);
    expect(await names()).toEqual(['m-d', 'm-b', 'm-e', 'm-c', 'm-f']);
    const done = await migrateRegistryIndexes(client, stack.tableName);
    expect(done).toEqual({ models: 1, versions: 1 });
    expect(await names()).toEqual(['m-d', 'm-a', 'm-b', 'm-e', 'm-c', 'm-f']);
    expect(await versions()).toEqual(['2', '1']);
    expect(await migrateRegistryIndexes(client, stack.tableName)).toEqual({ models: 0, versions: 0 });
  });
});
