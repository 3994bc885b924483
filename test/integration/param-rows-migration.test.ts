import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, test } from 'vitest';
import { startLocalStack } from '../../local/stack.ts';
import {
  experimentKey,
  legacyParamIndexKey,
  legacyParamIndexPartition,
  paramRowKey,
} from '../../shared/storage/keys.ts';
import {
  isParamDigestAttribute,
  paramDigest,
  paramDigestsOf,
  paramRowAddition,
  wideParamDigest,
} from '../../shared/storage/run-items.ts';
import { tableDocumentClient, useTestStack } from '../support/local-api.ts';
import { moveToPerRunRow } from '../support/param-layout.ts';

/**
 * Runs created before param rows (commit 6c41137) had an index entry per param
 * and no param row. Such runs are written here as that version left them (the
 * row removed, the entries written, the experiment unmarked); param search
 * finds them through the older entries, and `npm run migrate` moves them to
 * param rows, removes the entries and marks the experiment; again, it does nothing.
 */
const local = useTestStack();
const run = promisify(execFile);

/** The 4-byte digests a param row holds (in its `b…` attributes), sorted, and those of `params`. */
const rowDigests = (row: Record<string, unknown> | undefined) =>
  Object.entries(row ?? {})
    .flatMap(([name, value]) => (isParamDigestAttribute(name, value) ? paramDigestsOf(value) : []))
    .sort();
const digestsOf = (params: Record<string, string>) =>
  Object.entries(params)
    .map(([key, value]) => paramDigest(key, value))
    .sort();

describe('runs from before param rows', () => {
  test('param search finds them without a step; npm run migrate moves them to param rows, once', async () => {
    const table = local.stack.tableName;
    const documents = tableDocumentClient(local.stack);
    const created = await local.api.post('/api/v1/experiments', { experiment_name: 'from-before-param-rows' });
    const experimentId = created.body.experiment_id as string;
    const start = async (name: string, params: Record<string, string>) => {
      const answer = await local.api.post(`/api/v1/experiments/${experimentId}/runs`, { run_name: name, params });
      expect(answer.status).toBe(201);
      return answer.body.run_id as string;
    };
    const manyParams = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, `v${i}`]));
    const old = {
      a: await start('old-a', { optimizer: 'adam', lr: '0.1' }),
      b: await start('old-b', { optimizer: 'sgd', lr: '0.1' }),
      // More params than a row holds digests of (and than the values item holds: items of their own).
      many: await start('old-many', { optimizer: 'adam' }),
    };
    for (let i = 0; i < 300; i += 100) {
      const chunk = Object.fromEntries(Object.entries(manyParams).slice(i, i + 100));
      expect((await local.api.post(`/api/v1/runs/${old.many}/batch`, { params: chunk })).status).toBe(200);
    }
    await start('current', { optimizer: 'adam', lr: '0.2' });

    // Turn the three old ones into what the earlier layout wrote.
    const paramsOf: Record<string, Record<string, string>> = {
      [old.a]: { optimizer: 'adam', lr: '0.1' },
      [old.b]: { optimizer: 'sgd', lr: '0.1' },
      [old.many]: { ...manyParams, optimizer: 'adam' },
    };
    for (const [runId, params] of Object.entries(paramsOf)) {
      await moveToPerRunRow(documents, table, 'default', experimentId, runId);
      await documents.send(new DeleteCommand({ TableName: table, Key: paramRowKey('default', experimentId, runId) }));
      const entries = Object.entries(params).map(([key, value]) =>
        legacyParamIndexKey('default', experimentId, key, value, runId),
      );
      for (let i = 0; i < entries.length; i += 25) {
        await documents.send(
          new BatchWriteCommand({
            RequestItems: { [table]: entries.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) },
          }),
        );
      }
    }
    const marker = async (set: boolean) =>
      documents.send(
        new UpdateCommand({
          TableName: table,
          Key: experimentKey('default', experimentId),
          UpdateExpression: set ? 'SET paramRows = :true' : 'REMOVE paramRows',
          ...(set ? { ExpressionAttributeValues: { ':true': true } } : {}),
        }),
      );
    await marker(false);

    const names = async (filter: string) => {
      const answer = await local.api.post('/api/v1/runs/search', {
        experiment_ids: [experimentId],
        filter,
        max_results: 100,
      });
      expect(answer.status).toBe(200);
      return (answer.body.runs as Array<{ run_name: string }>).map((found) => found.run_name).sort();
    };
    const expectAllFound = async () => {
      expect(await names("params.optimizer = 'adam'")).toEqual(['current', 'old-a', 'old-many']);
      expect(await names("params.optimizer IN ('sgd', 'adam') AND params.lr = '0.1'")).toEqual(['old-a', 'old-b']);
      expect(await names("params.k299 = 'v299'")).toEqual(['old-many']);
      expect(await names("params.lr = '0.2'")).toEqual(['current']);
    };
    await expectAllFound();
    // What finds them is the older entries: with the experiment marked as all param rows, they are missed.
    await marker(true);
    expect(await names("params.optimizer = 'adam'")).toEqual(['current']);
    await marker(false);

    const migrate = () =>
      run('npx', ['tsx', 'scripts/migrate.ts', '--table', table, '--endpoint', local.stack.dynamoDbEndpoint], {
        env: { ...process.env, AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' },
      });
    const first = await migrate();
    expect(first.stdout).toContain(`experiment ${experimentId}: 4 runs in param rows`);
    expect(first.stdout).toMatch(/param rows: 1 experiments migrated/);

    const experiment = await documents.send(
      new GetCommand({ TableName: table, Key: experimentKey('default', experimentId) }),
    );
    expect(experiment.Item?.paramRows).toBe(true);
    const row = async (runId: string) =>
      (await documents.send(new GetCommand({ TableName: table, Key: paramRowKey('default', experimentId, runId) })))
        .Item;
    expect(rowDigests(await row(old.a))).toEqual(digestsOf({ optimizer: 'adam', lr: '0.1' }));
    expect((await row(old.many))?.x).toBe(true);
    for (const key of ['optimizer', 'lr', 'k0']) {
      const left = await documents.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': legacyParamIndexPartition('default', experimentId, key) },
        }),
      );
      expect(left.Items).toEqual([]);
    }
    await expectAllFound();

    const again = await migrate();
    expect(again.stdout).toMatch(/param rows: 0 experiments migrated \(\d+ already were\), 0 runs/);
    await expectAllFound();
  }, 120_000);

  test('the local stack migrates them itself when it starts on an existing table', async () => {
    const table = local.stack.tableName;
    const documents = tableDocumentClient(local.stack);
    const created = await local.api.post('/api/v1/experiments', { experiment_name: 'old-on-a-local-stack' });
    const experimentId = created.body.experiment_id as string;
    const answer = await local.api.post(`/api/v1/experiments/${experimentId}/runs`, {
      run_name: 'old',
      params: { optimizer: 'adam' },
    });
    const runId = answer.body.run_id as string;
    await moveToPerRunRow(documents, table, 'default', experimentId, runId);
    await documents.send(new DeleteCommand({ TableName: table, Key: paramRowKey('default', experimentId, runId) }));
    await documents.send(
      new UpdateCommand({
        TableName: table,
        Key: experimentKey('default', experimentId),
        UpdateExpression: 'REMOVE paramRows',
      }),
    );

    const lines: string[] = [];
    const restarted = await startLocalStack({
      port: 0,
      tableName: table,
      artifactsBucket: local.stack.artifactsBucket,
      dynamoDbEndpoint: local.stack.dynamoDbEndpoint,
      s3: inject('s3'),
      logLevel: 'error',
      log: (line) => lines.push(line),
    });
    try {
      expect(restarted.tableStatus).toBe('existing');
      expect(lines).toContain('migrated 1 runs of 1 experiments to param rows (docs/search.md)');
      const row = await documents.send(
        new GetCommand({ TableName: table, Key: paramRowKey('default', experimentId, runId) }),
      );
      expect(rowDigests(row.Item)).toEqual(digestsOf({ optimizer: 'adam' }));
      const experiment = await documents.send(
        new GetCommand({ TableName: table, Key: experimentKey('default', experimentId) }),
      );
      expect(experiment.Item?.paramRows).toBe(true);
    } finally {
      await restarted.stop();
    }
  }, 120_000);

  test('rows with the wider digests of before (h) are still found, and later params land beside them (b…)', async () => {
    const table = local.stack.tableName;
    const documents = tableDocumentClient(local.stack);
    const created = await local.api.post('/api/v1/experiments', { experiment_name: 'wide-digest-rows' });
    const experimentId = created.body.experiment_id as string;
    const start = async (name: string, params: Record<string, string>) =>
      (await local.api.post(`/api/v1/experiments/${experimentId}/runs`, { run_name: name, params })).body
        .run_id as string;
    const old = await start('old', { optimizer: 'adam', lr: '0.1' });
    await start('new', { optimizer: 'adam', lr: '0.2' });
    await moveToPerRunRow(documents, table, 'default', experimentId, old);
    // The row as the 12-character digests left it.
    await documents.send(
      new PutCommand({
        TableName: table,
        Item: {
          ...paramRowKey('default', experimentId, old),
          type: 'ParamRow',
          h: new Set([wideParamDigest('optimizer', 'adam'), wideParamDigest('lr', '0.1')]),
        },
      }),
    );
    const names = async (filter: string) =>
      (
        (await local.api.post('/api/v1/runs/search', { experiment_ids: [experimentId], filter, max_results: 100 })).body
          .runs as Array<{ run_name: string }>
      )
        .map((found) => found.run_name)
        .sort();
    expect(await names("params.optimizer = 'adam'")).toEqual(['new', 'old']);
    expect(await names("params.lr = '0.1'")).toEqual(['old']);
    expect((await local.api.post(`/api/v1/runs/${old}/params`, { params: { seed: '7' } })).status).toBe(200);
    const row = await documents.send(
      new GetCommand({ TableName: table, Key: paramRowKey('default', experimentId, old) }),
    );
    expect(rowDigests(row.Item)).toEqual(digestsOf({ seed: '7' }));
    expect(row.Item?.h).toEqual(new Set([wideParamDigest('optimizer', 'adam'), wideParamDigest('lr', '0.1')]));
    expect(await names("params.seed = '7' AND params.lr IN ('0.1', '0.2')")).toEqual(['old']);
  });

  test('params added later whose attribute name is taken by other digests mark the row a candidate for every clause', async () => {
    const table = local.stack.tableName;
    const documents = tableDocumentClient(local.stack);
    const created = await local.api.post('/api/v1/experiments', { experiment_name: 'digest-name-taken' });
    const experimentId = created.body.experiment_id as string;
    const runId = (
      await local.api.post(`/api/v1/experiments/${experimentId}/runs`, { run_name: 'r', params: { a: '1' } })
    ).body.run_id as string;
    await moveToPerRunRow(documents, table, 'default', experimentId, runId);
    // The attribute the next batch would write, already holding other digests (a 2^-48 clash, made by hand).
    const next = paramRowAddition([['seed', '7']]);
    await documents.send(
      new UpdateCommand({
        TableName: table,
        Key: paramRowKey('default', experimentId, runId),
        UpdateExpression: 'SET #name = :other',
        ExpressionAttributeNames: { '#name': next.name },
        ExpressionAttributeValues: { ':other': paramRowAddition([['other', 'x']]).value },
      }),
    );
    expect((await local.api.post(`/api/v1/runs/${runId}/params`, { params: { seed: '7' } })).status).toBe(200);
    const row = await documents.send(
      new GetCommand({ TableName: table, Key: paramRowKey('default', experimentId, runId) }),
    );
    expect(row.Item?.x).toBe(true);
    const search = await local.api.post('/api/v1/runs/search', {
      experiment_ids: [experimentId],
      filter: "params.seed = '7' AND params.a = '1'",
    });
    expect(search.body.runs.map((found: { run_name: string }) => found.run_name)).toEqual(['r']);
  });
});
