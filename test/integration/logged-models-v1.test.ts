import { describe, expect, test } from 'vitest';
import { newLoggedModel, newMlflowRun } from '../support/logged-model-fixture.ts';
import { useTestStack } from '../support/local-api.ts';

/**
 * `GET /api/v1/experiments/{experiment_id}/logged-models`: the models MLflow 3's `log_model` makes,
 * listed for `/api/v1`, the SDKs and the web app's experiment page, newest first and paged.
 */
const local = useTestStack();
const mlflow = (path: string, body: unknown) => local.api.post(`/api/2.0/mlflow/${path}`, body);
const list = (experimentId: string, query = '') =>
  local.api.get(`/api/v1/experiments/${experimentId}/logged-models${query}`);

describe("an experiment's logged models through /api/v1", () => {
  test('newest first, with params, tags, status and the latest metric values; a deleted model is gone', async () => {
    const { experimentId, runId } = await newMlflowRun(local.api, 'lm-v1');
    const first = await newLoggedModel(local.api, experimentId, runId, 'first', {
      model_type: 'sklearn',
      params: [
        { key: 'alpha', value: '0.5' },
        { key: 'toString', value: 'a param named so' },
      ],
      tags: [{ key: 'constructor', value: 'a tag named so' }],
    });
    const second = await newLoggedModel(local.api, experimentId, runId, 'second');
    const deleted = await newLoggedModel(local.api, experimentId, runId, 'deleted');
    const ready = await local.api.patch(`/api/2.0/mlflow/logged-models/${first}`, {
      model_id: first,
      status: 'LOGGED_MODEL_READY',
    });
    expect(ready.status, JSON.stringify(ready.body)).toBe(200);
    for (const [value, step] of [
      [0.7, 1],
      [0.9, 2],
    ] as const) {
      const logged = await mlflow('runs/log-metric', {
        run_id: runId,
        key: 'accuracy',
        value,
        step,
        timestamp: 1000 + step,
        model_id: first,
        dataset_name: 'eval',
        dataset_digest: 'abc',
      });
      expect(logged.status, JSON.stringify(logged.body)).toBe(200);
    }
    expect((await local.api.delete(`/api/2.0/mlflow/logged-models/${deleted}`)).status).toBe(200);

    const answer = await list(experimentId);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.next_page_token).toBeUndefined();
    expect(answer.body.models.map((model: { model_id: string }) => model.model_id)).toEqual([second, first]);
    const model = answer.body.models[1];
    expect(model).toEqual({
      model_id: first,
      experiment_id: experimentId,
      name: 'first',
      model_type: 'sklearn',
      status: 'READY',
      source_run_id: runId,
      created_at: expect.any(Number),
      updated_at: expect.any(Number),
      params: { alpha: '0.5', toString: 'a param named so' },
      tags: expect.objectContaining({ constructor: 'a tag named so' }),
      metrics: [
        {
          key: 'accuracy',
          value: 0.9,
          step: 2,
          timestamp: 1002,
          run_id: runId,
          dataset_name: 'eval',
          dataset_digest: 'abc',
        },
      ],
    });
    expect(answer.body.models[0]).toMatchObject({ name: 'second', status: 'PENDING', params: {}, metrics: [] });
  });

  test('pages follow each other with their token, which only continues the same listing', async () => {
    const { experimentId, runId } = await newMlflowRun(local.api, 'lm-v1-pages');
    const made: string[] = [];
    for (let index = 0; index < 5; index++)
      made.push(await newLoggedModel(local.api, experimentId, runId, `m${index}`));
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await list(experimentId, `?max_results=2${token ? `&page_token=${encodeURIComponent(token)}` : ''}`);
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      expect(page.body.models.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.models.map((model: { model_id: string }) => model.model_id));
      token = page.body.next_page_token;
    } while (token);
    expect(seen).toEqual([...made].reverse());

    const firstPage = await list(experimentId, '?max_results=2');
    const other = await newMlflowRun(local.api, 'lm-v1-other');
    const foreign = await list(other.experimentId, `?page_token=${encodeURIComponent(firstPage.body.next_page_token)}`);
    expect(foreign.status).toBe(400);
    expect(JSON.stringify(foreign.body)).toContain('page_token');
  });

  test('an experiment without models lists none; a missing one is a 404; a bad page size is a 400 naming it', async () => {
    const { experimentId } = await newMlflowRun(local.api, 'lm-v1-empty');
    const empty = await list(experimentId);
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ models: [] });

    const missing = await list('0123456789abcdef0123456789abcdef');
    expect(missing.status).toBe(404);
    for (const size of ['0', '1001', 'ten']) {
      const refused = await list(experimentId, `?max_results=${size}`);
      expect(refused.status, size).toBe(400);
      expect(JSON.stringify(refused.body), size).toContain('max_results');
    }
  });
});
