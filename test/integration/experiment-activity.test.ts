import { describe, expect, test } from 'vitest';
import { NotFoundError } from '../../shared/errors.ts';
import { experimentListResponse, experimentResponse } from '../../shared/http/schemas/experiments.ts';
import { newId, systemClock } from '../../shared/ids.ts';
import { ExperimentRepository } from '../../shared/storage/experiment-repository.ts';
import { MetricRepository } from '../../shared/storage/metric-repository.ts';
import { MetricSlots } from '../../shared/storage/metric-slots.ts';
import { RunRepository } from '../../shared/storage/run-repository.ts';
import { SearchRepository } from '../../shared/storage/search-repository.ts';
import { startRun } from '../../shared/use-cases/runs.ts';
import { tableDocumentClient, useTestStack } from '../support/local-api.ts';

/**
 * What the web app's experiments page shows beside each name: how many runs
 * were started (a counter kept by run creation) and the last activity (the
 * latest run start or end); and the case-insensitive name search.
 */
const local = useTestStack();

const experiment = async (id: string) =>
  experimentResponse.parse((await local.api.get(`/api/v1/experiments/${id}`)).body);

describe('run counts and last activity', () => {
  test('count every run started, by id or by name, even many at once; activity follows starts and ends', async () => {
    const created = await local.api.post('/api/v1/experiments', { experiment_name: 'activity-counted' });
    const id = created.body.experiment_id as string;
    expect(created.body.run_count).toBe(0);
    expect(created.body.last_activity_at).toBeUndefined();

    const first = await local.api.post(`/api/v1/experiments/${id}/runs`, { run_name: 'first' });
    const byName = await local.api.post('/api/v1/runs', { experiment_name: 'activity-counted', run_name: 'by-name' });
    expect([first.status, byName.status]).toEqual([201, 201]);
    let current = await experiment(id);
    expect(current.run_count).toBe(2);
    expect(current.last_activity_at).toBe(Math.max(first.body.start_time, byName.body.start_time));

    // A sweep starting runs together: the counter is one atomic ADD per run, never a lost update.
    const sweep = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        local.api.post(`/api/v1/experiments/${id}/runs`, { run_name: `sweep-${i}` }),
      ),
    );
    expect(sweep.map((answer) => answer.status)).toEqual(sweep.map(() => 201));
    current = await experiment(id);
    expect(current.run_count).toBe(26);
    const latestStart = Math.max(...sweep.map((answer) => answer.body.start_time as number));
    expect(current.last_activity_at).toBeGreaterThanOrEqual(latestStart);

    // An end moves the activity forward; an end dated earlier never moves it back.
    const later = (current.last_activity_at as number) + 60_000;
    expect(
      (await local.api.patch(`/api/v1/runs/${first.body.run_id}`, { status: 'FINISHED', end_time: later })).status,
    ).toBe(200);
    expect((await experiment(id)).last_activity_at).toBe(later);
    const earlier = byName.body.start_time + 1;
    expect(
      (await local.api.patch(`/api/v1/runs/${byName.body.run_id}`, { status: 'FAILED', end_time: earlier })).status,
    ).toBe(200);
    expect((await experiment(id)).last_activity_at).toBe(later);

    // The list shows the same figures; another experiment's counts are its own.
    await local.api.post('/api/v1/experiments', { experiment_name: 'activity-empty' });
    const listed = experimentListResponse.parse((await local.api.get('/api/v1/experiments?max_results=100')).body);
    const byNameListed = new Map(listed.experiments.map((item) => [item.experiment_name, item]));
    expect(byNameListed.get('activity-counted')).toMatchObject({ run_count: 26, last_activity_at: later });
    expect(byNameListed.get('activity-empty')?.run_count).toBe(0);
  });
});

describe('the count is the check that the experiment exists', () => {
  test("a run in no experiment is a 404 and counts nowhere; MLflow's default experiment is made on first use", async () => {
    const absent = '0123456789abcdef0123456789abcdef';
    const missing = await local.api.post(`/api/v1/experiments/${absent}/runs`, { run_name: 'lost' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain(absent);
    expect((await local.api.get(`/api/v1/experiments/${absent}`)).status).toBe(404);

    const inDefault = await local.api.post('/api/v1/experiments/0/runs', { run_name: 'first-in-default' });
    expect(inDefault.status).toBe(201);
    expect(await experiment('0')).toMatchObject({ experiment_name: 'Default', run_count: 1 });
  });

  test('a run that fails to be written is taken off the count again', async () => {
    const created = await local.api.post('/api/v1/experiments', { experiment_name: 'activity-failed-write' });
    const id = created.body.experiment_id as string;
    expect((await local.api.post(`/api/v1/experiments/${id}/runs`, { run_name: 'kept' })).status).toBe(201);

    // The same use case on the stack's experiments, with runs written to a table that does not exist.
    const client = tableDocumentClient(local.stack);
    const table = local.stack.tableName;
    const deps = {
      experiments: new ExperimentRepository(client, table),
      runs: new RunRepository(client, `${table}-absent`),
      metrics: new MetricRepository(client, `${table}-absent`),
      metricSlots: new MetricSlots(client, table),
      search: new SearchRepository(client, table),
      clock: systemClock,
      newId,
    };
    const scope = { workspace: 'default' };
    await expect(startRun(scope, id, { runName: 'not-written', params: { p: '1' } }, deps)).rejects.toThrow();
    expect((await experiment(id)).run_count).toBe(1);
    await expect(startRun(scope, 'no-such-experiment', { runName: 'x' }, deps)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('name search', () => {
  test('name_contains ignores case, combines with tag filters and pages', async () => {
    for (const [name, team] of [
      ['Risk-Prediction-A', 'clinical'],
      ['risk_prediction_b', 'clinical'],
      ['churn-RISK', 'growth'],
      ['image-classifier', 'clinical'],
    ] as const) {
      expect((await local.api.post('/api/v1/experiments', { experiment_name: name, tags: { team } })).status).toBe(201);
    }
    const names = async (query: string) => {
      const answer = await local.api.get(`/api/v1/experiments?${query}`);
      expect(answer.status).toBe(200);
      return experimentListResponse
        .parse(answer.body)
        .experiments.map((item) => item.experiment_name)
        .sort();
    };
    expect(await names('name_contains=RISK')).toEqual(['Risk-Prediction-A', 'churn-RISK', 'risk_prediction_b']);
    expect(await names('name_contains=risk&tag.team=clinical')).toEqual(['Risk-Prediction-A', 'risk_prediction_b']);
    expect(await names(`name_contains=${encodeURIComponent('prediction_')}`)).toEqual(['risk_prediction_b']);
    expect(await names('name_contains=nothing-like-this')).toEqual([]);

    // One match per page, following the token, still only matches.
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const answer = await local.api.get(
        `/api/v1/experiments?name_contains=risk&max_results=1${token ? `&page_token=${encodeURIComponent(token)}` : ''}`,
      );
      const page = experimentListResponse.parse(answer.body);
      expect(page.experiments.length).toBeLessThanOrEqual(1);
      seen.push(...page.experiments.map((item) => item.experiment_name));
      token = page.next_page_token;
    } while (token);
    expect(seen.sort()).toEqual(['Risk-Prediction-A', 'churn-RISK', 'risk_prediction_b']);

    const tooLong = await local.api.get(`/api/v1/experiments?name_contains=${'x'.repeat(251)}`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.message).toMatch(/name_contains/);
  });
});
