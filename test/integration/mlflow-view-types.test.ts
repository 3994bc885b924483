import { beforeAll, describe, expect, test } from 'vitest';
import { useTestStack } from '../support/local-api.ts';

/**
 * `view_type` (experiments/search) and `run_view_type` (runs/search) as MLflow's server takes
 * them: the enum's name, or its number in MLflow's ViewType (1 ACTIVE_ONLY, 2 DELETED_ONLY, 3 ALL)
 * as a JSON number or a decimal string, which protobuf's JSON reader takes for an enum. Found by
 * sending the same requests to MLflow 3.17's server, which answered each number as its name.
 */
const local = useTestStack();
const mlflow = (path: string, body: unknown) => local.api.post(`/api/2.0/mlflow/${path}`, body);
const suffix = `${Date.now()}`;
let experimentId: string;
const names = { active: `views-active-${suffix}`, deleted: `views-deleted-${suffix}` };

beforeAll(async () => {
  for (const [stage, name] of Object.entries(names)) {
    const created = await mlflow('experiments/create', { name });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const id = created.body.experiment_id as string;
    if (stage === 'active') experimentId = id;
    else expect((await mlflow('experiments/delete', { experiment_id: id })).status).toBe(200);
  }
  for (const run of ['kept', 'gone']) {
    const created = await mlflow('runs/create', { experiment_id: experimentId, run_name: run });
    expect(created.status).toBe(200);
    if (run === 'gone') {
      expect((await mlflow('runs/delete', { run_id: created.body.run.info.run_id })).status).toBe(200);
    }
  }
});

const byView: Array<[string, number, string[], string[]]> = [
  ['ACTIVE_ONLY', 1, [names.active], ['kept']],
  ['DELETED_ONLY', 2, [names.deleted], ['gone']],
  ['ALL', 3, [names.active, names.deleted], ['gone', 'kept']],
];

describe.each(byView)('%s, by name or as %i', (name, number, experiments, runs) => {
  test.each([name, number, String(number)])('experiments/search finds the same experiments for %j', async (view) => {
    const answer = await mlflow('experiments/search', {
      filter: `name LIKE 'views-%-${suffix}'`,
      view_type: view,
      max_results: 10,
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.experiments.map((e: { name: string }) => e.name).sort()).toEqual([...experiments].sort());
  });

  test(`experiments/search as a GET query takes ${number}`, async () => {
    const query = new URLSearchParams({ filter: `name LIKE 'views-%-${suffix}'`, view_type: String(number) });
    const answer = await local.api.get(`/api/2.0/mlflow/experiments/search?${query}`);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.experiments.map((e: { name: string }) => e.name).sort()).toEqual([...experiments].sort());
  });

  test.each([name, number, String(number)])('runs/search finds the same runs for %j', async (view) => {
    const answer = await mlflow('runs/search', { experiment_ids: [experimentId], run_view_type: view });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.runs.map((r: { info: { run_name: string } }) => r.info.run_name).sort()).toEqual(runs);
  });
});

test.each([0, 4, '4', 'active_only', 'BOGUS'])(
  'a view type that is none of them, %j, is a 400 naming the field',
  async (view) => {
    const runs = await mlflow('runs/search', { experiment_ids: [experimentId], run_view_type: view });
    expect(runs.status).toBe(400);
    expect(runs.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(runs.body.message).toContain("'run_view_type'");
    const experiments = await mlflow('experiments/search', { view_type: view, max_results: 10 });
    expect(experiments.status).toBe(400);
    expect(experiments.body.message).toContain("'view_type'");
  },
);
