import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, test } from 'vitest';
import { runKey } from '../../shared/storage/keys.ts';
import fc from '../support/fast-check.ts';
import { tableDocumentClient, useTestStack } from '../support/local-api.ts';

const local = useTestStack();

/** What any JSON reader makes of a config: the value the API must give back (-0 reads as 0). */
const asJson = (config: unknown) => JSON.parse(JSON.stringify(config)) as unknown;

/**
 * A run's `pipeline_config` is free-form JSON: whatever a client may send
 * within the documented bounds (16 KB, 16 levels) is kept and given back as
 * sent, in every view of the run. Values JSON allows and a DynamoDB map does
 * not (an empty key, an integer past 2^53, numbers out of DynamoDB's range)
 * were 500s (found by Schemathesis).
 */
describe('a run pipeline_config', () => {
  let experimentId = '';
  const startRun = async (config: unknown) => {
    if (!experimentId) {
      const created = await local.api.post('/api/v1/experiments', { experiment_name: 'pipeline-config' });
      experimentId = created.body.experiment_id as string;
    }
    return local.api.post(`/api/v1/experiments/${experimentId}/runs`, {
      run_name: 'configured',
      pipeline: { pipeline_config: config, pipeline_components: [{ name: 'fit', type: 'trainer', position: 0 }] },
    });
  };
  const expectKept = async (config: Record<string, unknown>) => {
    const created = await startRun(config);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const runId = created.body.run_id as string;
    const expected = asJson(config);
    expect(created.body.pipeline.pipeline_config).toEqual(expected);
    const fetched = await local.api.get(`/api/v1/runs/${runId}`);
    expect(fetched.body.pipeline).toEqual({
      pipeline_config: expected,
      pipeline_components: [{ name: 'fit', type: 'trainer', position: 0 }],
    });
    const found = await local.api.post('/api/v1/runs/search', {
      experiment_ids: [experimentId],
      filter: `attributes.run_id = '${runId}'`,
    });
    expect(found.body.runs[0].pipeline.pipeline_config).toEqual(expected);
    return runId;
  };

  // As JSON text, the way a client sends it (an object literal's `__proto__` would set a prototype, not a key).
  test.each([
    ['an integer past 2^53', '{"batch_tokens": 22649818863617092, "seed": -9007199254740993}'],
    ['numbers beyond DynamoDB range', '{"huge": 1.7976931348623157e308, "tiny": 1e-300, "list": [1e200, -5e-324]}'],
    ['empty keys, at the top and nested', '{"": 1, "nested": {"": {"": []}}}'],
    ['keys an object would treat as special', '{"constructor": "x", "toString": 1, "hasOwnProperty": {"valueOf": []}}'],
    ['control characters and astral symbols', '{"a\\u0000b": "\\u0000", "𝕋": ["\\u001f", "🙂"], "tab\\t": null}'],
    ['empty containers and negative zero', '{"a": {}, "b": [], "c": "", "d": -0, "e": false}'],
  ])('%s: kept as sent', async (_name, text) => {
    await expectKept(JSON.parse(text) as Record<string, unknown>);
  });

  test('a __proto__ key is refused, naming where it is (as every user key of the API)', async () => {
    const refused = await startRun(JSON.parse('{"a": {"__proto__": {"polluted": true}}}'));
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('body.pipeline.pipeline_config.a.__proto__');
  });

  test('any JSON object within the bounds is kept as sent', async () => {
    const config = fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 6 });
    await fc.assert(
      fc.asyncProperty(config, async (value) => {
        await expectKept(value);
      }),
      { numRuns: 40, seed: 9 },
    );
  }, 120_000);

  test('a run written when the config was stored as a map still reads', async () => {
    const runId = await expectKept({ lr: 0.1 });
    await tableDocumentClient(local.stack).send(
      new UpdateCommand({
        TableName: local.stack.tableName,
        Key: runKey('default', runId),
        UpdateExpression: 'REMOVE pipeline.configJson SET pipeline.config = :config',
        ExpressionAttributeValues: { ':config': { lr: 0.2, layers: [64, 32] } },
      }),
    );
    const fetched = await local.api.get(`/api/v1/runs/${runId}`);
    expect(fetched.body.pipeline.pipeline_config).toEqual({ lr: 0.2, layers: [64, 32] });
  });
});
