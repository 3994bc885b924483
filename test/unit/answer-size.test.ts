import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { answerPayloadBytes, listedEntryBytes } from '../../shared/domain/answer-size.ts';
import type { LoggedModel } from '../../shared/domain/logged-models.ts';
import type { ModelVersion, RegisteredModel } from '../../shared/domain/registry.ts';
import type { Experiment } from '../../shared/domain/types.ts';
import { checkAnswerSize } from '../../shared/http/answer-bound.ts';
import { mlflowModelVersion, mlflowRegisteredModel } from '../../shared/http/mlflow/registry-views.ts';
import { mlflowExperiment, mlflowLoggedModel } from '../../shared/http/mlflow/views.ts';
import { modelVersionView, registeredModelView } from '../../shared/http/registry-views.ts';
import { ValidationError } from '../../shared/errors.ts';

/**
 * Lists end their pages on `listedEntryBytes` of what they store: it must never be below what a
 * view of the entry takes in a function's payload, in either dialect, however its text is made
 * (`"` and `\` take 4 bytes there), and a version's bound must hold without its model's name,
 * which its item does not carry.
 */
const text = (maxLength: number) =>
  fc.string({ unit: fc.constantFrom('a', '"', '\\', '€', '😀', ' ', '\n', '\t'), maxLength });
const tags = fc.dictionary(text(30), text(60), { maxKeys: 30 });
const time = fc.integer({ min: 0, max: 253402300799999 });
const id = (c: string) => c.repeat(32);

const experiments = fc.record({ name: text(250), description: fc.option(text(200), { nil: undefined }), tags });
const loggedModels = fc.record({
  name: text(250),
  params: tags,
  tags,
  metrics: fc.array(fc.record({ key: text(250), value: fc.double(), step: fc.integer(), timestamp: time }), {
    maxLength: 20,
  }),
});
const versions = fc.record({
  modelName: text(250),
  path: text(200),
  description: fc.option(text(200), { nil: undefined }),
  tags,
  aliases: fc.array(fc.stringMatching(/^[a-z_-]{1,30}$/), { maxLength: 10 }),
});

describe('listedEntryBytes', () => {
  test("is never below an experiment's view", () => {
    fc.assert(
      fc.property(experiments, (shape) => {
        const experiment: Experiment = {
          experimentId: '123456789012',
          ...shape,
          createdAt: 1,
          updatedAt: 2,
          lifecycleStage: 'active',
        };
        expect(listedEntryBytes(experiment)).toBeGreaterThanOrEqual(answerPayloadBytes(mlflowExperiment(experiment)));
      }),
    );
  });

  test("is never below a logged model's view (its metrics repeat the run and model ids)", () => {
    fc.assert(
      fc.property(loggedModels, (shape) => {
        const model: LoggedModel = {
          modelId: `m-${id('a')}`,
          experimentId: '123456789012',
          name: shape.name,
          modelType: undefined,
          sourceRunId: id('b'),
          status: 'READY',
          params: shape.params,
          tags: shape.tags,
          createdAt: 1,
          updatedAt: 2,
          metrics: shape.metrics.map((metric) => ({
            ...metric,
            runId: id('b'),
            datasetName: undefined,
            datasetDigest: undefined,
          })),
        };
        expect(listedEntryBytes(model)).toBeGreaterThanOrEqual(answerPayloadBytes(mlflowLoggedModel(model)));
      }),
    );
  });

  test("is never below a model version's view in either dialect, counted without the model's name", () => {
    fc.assert(
      fc.property(versions, (shape) => {
        const version: ModelVersion = {
          modelId: id('c'),
          modelName: shape.modelName,
          version: 999_999_999,
          source: { runId: id('b'), experimentId: '123456789012', path: shape.path || 'model', kind: 'folder' },
          description: shape.description,
          tags: shape.tags,
          metadata: undefined,
          files: [],
          aliases: shape.aliases,
          stage: 'None',
          createdAt: 1,
          updatedAt: 2,
          createdBy: { tokenId: id('d').slice(0, 16) },
        };
        const bound = listedEntryBytes({ ...version, modelName: undefined });
        expect(bound).toBeGreaterThanOrEqual(answerPayloadBytes(mlflowModelVersion(version)));
        expect(bound).toBeGreaterThanOrEqual(answerPayloadBytes(modelVersionView(version)));
      }),
    );
  });

  test("is never below a registered model's view (aliases are a Map)", () => {
    fc.assert(
      fc.property(versions, (shape) => {
        const model: RegisteredModel = {
          modelId: id('c'),
          name: shape.modelName,
          description: shape.description,
          tags: shape.tags,
          aliases: new Map(shape.aliases.map((alias, i) => [alias, i + 1])),
          latestVersion: 999_999_999,
          createdAt: 1,
          updatedAt: 2,
        };
        const bound = listedEntryBytes(model);
        expect(bound).toBeGreaterThanOrEqual(answerPayloadBytes(mlflowRegisteredModel(model)));
        expect(bound).toBeGreaterThanOrEqual(answerPayloadBytes(registeredModelView(model, 999_999_999)));
      }),
    );
  });
});

describe('checkAnswerSize: the last guard of every answer', () => {
  const result = (answer: unknown) => ({ statusCode: 200, body: JSON.stringify(answer) });
  const refusal = (answer: unknown) => {
    try {
      checkAnswerSize(result(answer), answer);
    } catch (error) {
      if (error instanceof ValidationError) return { code: error.code, message: error.message };
      throw error;
    }
    return undefined;
  };

  test('lets an answer under 6 MB pass', () => {
    expect(refusal({ model: { data: { params: [{ key: 'a', value: '"'.repeat(1_000_000) }] } } })).toBeUndefined();
  });

  test('names the list that makes an answer too large, and how many entries it has', () => {
    const params = Array.from({ length: 300 }, (_, i) => ({ key: `p${i}`, value: '"'.repeat(6000) }));
    const answer = { model: { info: { model_id: 'm', tags: [] }, data: { params, metrics: [] } } };
    const refused = refusal(answer);
    expect(refused?.code).toBe('answer.too_large');
    expect(refused?.message).toMatch(/^model\.data\.params: 300 entries make this answer \d+ bytes, over the 6291456/);
  });

  test('names a map of many entries (an /api/v1 shape) as the part, not one of its entries', () => {
    const params = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`p${i}`, '"'.repeat(6000)]));
    expect(refusal({ run_id: 'r', params })?.message).toMatch(/^params: 300 entries/);
  });
});
