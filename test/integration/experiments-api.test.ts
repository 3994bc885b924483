import { describe, expect, test } from 'vitest';
import { experimentListResponse, experimentResponse } from '../../shared/http/schemas/experiments.ts';
import { useTestStack } from '../support/local-api.ts';

const local = useTestStack();

describe('experiments', () => {
  test('create, get by id and by name; a taken name is a 409', async () => {
    const created = await local.api.post('/api/v1/experiments', {
      experiment_name: 'risk prediction/v2',
      description: 'Suicide risk prediction models',
      tags: { project: 'mental_health' },
    });
    expect(created.status).toBe(201);
    const experiment = experimentResponse.parse(created.body);
    expect(experiment).toMatchObject({ experiment_name: 'risk prediction/v2', tags: { project: 'mental_health' } });

    const byId = await local.api.get(`/api/v1/experiments/${experiment.experiment_id}`);
    expect(byId).toMatchObject({ status: 200, body: experiment });
    const byName = await local.api.get(`/api/v1/experiments/by-name/${encodeURIComponent('risk prediction/v2')}`);
    expect(byName).toMatchObject({ status: 200, body: experiment });

    const duplicate = await local.api.post('/api/v1/experiments', { experiment_name: 'risk prediction/v2' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error).toMatchObject({ code: 'experiment.name_taken' });
    expect(duplicate.body.error.message).toContain('experiment_name');
  });

  test('unknown ids are 404, ids of the wrong shape are 400 naming the field', async () => {
    const missing = await local.api.get(`/api/v1/experiments/${'0'.repeat(32)}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('experiment.not_found');
    expect((await local.api.get('/api/v1/experiments/by-name/nobody')).status).toBe(404);
    const malformed = await local.api.get('/api/v1/experiments/not-an-id');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toMatch(/^path\.experiment_id:/);
  });

  test('concurrent creations of one name: exactly one wins', async () => {
    const attempts = await Promise.all(
      Array.from({ length: 8 }, () => local.api.post('/api/v1/experiments', { experiment_name: 'race' })),
    );
    expect(attempts.filter((r) => r.status === 201)).toHaveLength(1);
    expect(attempts.filter((r) => r.status === 409)).toHaveLength(7);
  });

  test('lists newest first, pages without gaps or repeats, and filters by tags', async () => {
    const names: string[] = [];
    for (let i = 0; i < 7; i++) {
      const name = `listed-${i}`;
      names.push(name);
      const response = await local.api.post('/api/v1/experiments', {
        experiment_name: name,
        tags: { team: i % 2 === 0 ? 'vision' : 'nlp', env: 'prod' },
      });
      expect(response.status).toBe(201);
      await new Promise((resolve) => setTimeout(resolve, 2)); // distinct creation times
    }
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await local.api.get(
        `/api/v1/experiments?max_results=3${token ? `&page_token=${encodeURIComponent(token)}` : ''}`,
      );
      expect(page.status).toBe(200);
      const body = experimentListResponse.parse(page.body);
      expect(body.experiments.length).toBeLessThanOrEqual(3);
      seen.push(...body.experiments.map((e) => e.experiment_name));
      token = body.next_page_token;
    } while (token);
    const listed = seen.filter((name) => name.startsWith('listed-'));
    expect(listed).toEqual([...names].reverse());
    expect(new Set(seen).size).toBe(seen.length);

    const vision = await local.api.get('/api/v1/experiments?tag.team=vision&tag.env=prod&max_results=2');
    const visionNames: string[] = vision.body.experiments.map((e: { experiment_name: string }) => e.experiment_name);
    expect(visionNames).toEqual(['listed-6', 'listed-4']);
    const rest = await local.api.get(
      `/api/v1/experiments?tag.team=vision&tag.env=prod&page_token=${encodeURIComponent(vision.body.next_page_token)}`,
    );
    expect(rest.body.experiments.map((e: { experiment_name: string }) => e.experiment_name)).toEqual([
      'listed-2',
      'listed-0',
    ]);
  });

  test('a page token from another list, or made up, is a 400', async () => {
    const forged = Buffer.from(
      JSON.stringify({ p: 'WS#other#EXPERIMENTS', k: { gsi1pk: 'WS#other#EXPERIMENTS' } }),
    ).toString('base64url');
    const response = await local.api.get(`/api/v1/experiments?page_token=${forged}`);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('page_token.invalid');
    expect((await local.api.get('/api/v1/experiments?max_results=0')).status).toBe(400);
    expect((await local.api.get('/api/v1/experiments?max_results=abc')).status).toBe(400);
  });

  test("tag writes leave the last update time; a rename or a stage change moves it (MLflow's last_update_time)", async () => {
    const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
    const created = await local.api.post('/api/v1/experiments', { experiment_name: 'touched', tags: { a: '1' } });
    const id = created.body.experiment_id as string;
    const mlflowTime = async () =>
      (await local.api.get(`/api/2.0/mlflow/experiments/get?experiment_id=${id}`)).body.experiment.last_update_time;
    const v1Time = async () => (await local.api.get(`/api/v1/experiments/${id}`)).body.updated_at;
    const before = await v1Time();
    expect(String(await mlflowTime())).toBe(String(before));
    await tick();
    expect((await local.api.post(`/api/v1/experiments/${id}/tags`, { tags: { b: '2' } })).status).toBe(200);
    expect((await local.api.delete(`/api/v1/experiments/${id}/tags/a`)).status).toBe(200);
    const mlflowTag = { experiment_id: id, key: 'c', value: '3' };
    expect((await local.api.post('/api/2.0/mlflow/experiments/set-experiment-tag', mlflowTag)).status).toBe(200);
    const untag = { experiment_id: id, key: 'c' };
    expect((await local.api.post('/api/2.0/mlflow/experiments/delete-experiment-tag', untag)).status).toBe(200);
    expect(await v1Time()).toBe(before);
    expect(String(await mlflowTime())).toBe(String(before));
    await tick();
    expect(
      (await local.api.post('/api/2.0/mlflow/experiments/update', { experiment_id: id, new_name: 'moved' })).status,
    ).toBe(200);
    const renamed = await v1Time();
    expect(renamed).toBeGreaterThan(before);
    await tick();
    expect((await local.api.delete(`/api/v1/experiments/${id}`)).status).toBe(200);
    expect(await v1Time()).toBeGreaterThan(renamed);
  });

  test('bad bodies: missing or oversized fields and unknown fields are 400 naming the field', async () => {
    const missing = await local.api.post('/api/v1/experiments', { description: 'x' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/^body\.experiment_name:/);
    const long = await local.api.post('/api/v1/experiments', { experiment_name: 'x'.repeat(251) });
    expect(long.body.error.message).toMatch(/^body\.experiment_name: must be at most 250/);
    const unknown = await local.api.post('/api/v1/experiments', { experiment_name: 'ok', colour: 'red' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain('colour');
    const blank = await local.api.post('/api/v1/experiments', { experiment_name: '   ' });
    expect(blank.status).toBe(400);
    const control = await local.api.post('/api/v1/experiments', { experiment_name: 'a\u0000b' });
    expect(control.status).toBe(400);
  });
});
