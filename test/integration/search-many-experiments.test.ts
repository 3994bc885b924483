import { beforeAll, describe, expect, test } from 'vitest';
import { useTestStack } from '../support/local-api.ts';

const local = useTestStack();

/**
 * MLflow's `search_runs(search_all_experiments=True)` sends the id of every
 * active experiment in one request: a workspace's worth, not a handful. Past
 * 20 experiments each experiment's stream starts with a share of the page
 * (search.ts streamFirstPage); the answers must not change for it.
 */
describe('a run search over many experiments', () => {
  const experimentIds: string[] = [];
  /** Every run, newest first (ties by id, as the search orders them), with its `score`. */
  const runs: Array<{ runId: string; score: number; startTime: number }> = [];

  beforeAll(async () => {
    for (let e = 0; e < 30; e++) {
      const created = await local.api.post('/api/v1/experiments', { experiment_name: `many-${e}` });
      experimentIds.push(created.body.experiment_id as string);
    }
    // Runs started one after the other, round-robin over the experiments: the newest ones are spread over all.
    for (let i = 0; i < 75; i++) {
      const score = (i * 37) % 101;
      const run = await local.api.post(`/api/v1/experiments/${experimentIds[i % 30]}/runs`, {
        run_name: `run-${i}`,
        metrics: [{ key: 'score', value: score, step: 0 }],
      });
      expect(run.status).toBe(201);
      runs.push({ runId: run.body.run_id as string, score, startTime: run.body.start_time as number });
    }
    runs.sort((a, b) => b.startTime - a.startTime || (a.runId < b.runId ? -1 : 1));
  }, 120_000);

  const allPages = async (body: Record<string, unknown>) => {
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const page = await local.api.post('/api/v1/runs/search', { ...body, page_token: token });
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      ids.push(...(page.body.runs as Array<{ run_id: string }>).map((run) => run.run_id));
      token = page.body.next_page_token as string | undefined;
    } while (token);
    return ids;
  };

  test('newest first, page by page, every run once', async () => {
    expect(await allPages({ experiment_ids: experimentIds, max_results: 7 })).toEqual(runs.map((run) => run.runId));
  });

  test('ordered by a metric and filtered, across all of them', async () => {
    const expected = [...runs]
      .filter((run) => run.score > 20)
      .sort((a, b) => b.score - a.score || (a.runId < b.runId ? -1 : 1))
      .map((run) => run.runId);
    expect(
      await allPages({
        experiment_ids: experimentIds,
        filter: 'metrics.score > 20',
        order_by: ['metrics.score DESC'],
        max_results: 9,
      }),
    ).toEqual(expected);
  });

  test("through MLflow's API, as search_all_experiments sends it", async () => {
    const answer = await local.api.post('/api/2.0/mlflow/runs/search', {
      experiment_ids: experimentIds,
      max_results: 1000,
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.runs.map((run: { info: { run_id: string } }) => run.info.run_id)).toEqual(
      runs.map((run) => run.runId),
    );
  });

  test('more than 1,000 experiments is a 400 naming experiment_ids, in both dialects', async () => {
    const tooMany = Array.from({ length: 1001 }, (_, i) => i.toString(16).padStart(32, '0'));
    const v1 = await local.api.post('/api/v1/runs/search', { experiment_ids: tooMany });
    expect(v1.status).toBe(400);
    expect(v1.body.error.message).toContain('experiment_ids');
    const mlflow = await local.api.post('/api/2.0/mlflow/runs/search', { experiment_ids: tooMany });
    expect(mlflow.status).toBe(400);
    expect(mlflow.body.message).toContain('experiment_ids');
  });
});
