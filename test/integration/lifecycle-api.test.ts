import { describe, expect, test } from 'vitest';
import { ExperimentTracker, StratusError } from '../../clients/typescript/src/index.ts';
import { useTestStack } from '../support/local-api.ts';

/**
 * Lifecycle through /api/v1 and the TypeScript SDK: soft delete and restore,
 * renames, tag removal and purge, with what each changes in lists and searches.
 */
const local = useTestStack();
const sdk = () => new ExperimentTracker({ endpoint: local.stack.url, token: local.stack.token, warn: () => undefined });

describe('lifecycle', () => {
  test('a deleted run leaves lists and searches until restored, and takes no data meanwhile', async () => {
    const { api } = local;
    const run = (await api.post('/api/v1/runs', { experiment_name: 'life-runs', run_name: 'a' })).body;
    await api.post(`/api/v1/runs/${run.run_id}/metrics`, { metric_name: 'acc', metric_value: 0.9 });
    const deleted = await api.delete(`/api/v1/runs/${run.run_id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.lifecycle_stage).toBe('deleted');
    const listed = (lifecycle: string) =>
      api
        .get(`/api/v1/experiments/${run.experiment_id}/runs?lifecycle=${lifecycle}`)
        .then((r) => r.body.runs.map((x: { run_id: string }) => x.run_id));
    expect(await listed('active')).toEqual([]);
    expect(await listed('deleted')).toEqual([run.run_id]);
    expect(await listed('all')).toEqual([run.run_id]);
    const searched = await api.post('/api/v1/runs/search', {
      experiment_ids: [run.experiment_id],
      filter: 'metrics.acc > 0.5',
    });
    expect(searched.body.runs).toEqual([]);
    const searchedDeleted = await api.post('/api/v1/runs/search', {
      experiment_ids: [run.experiment_id],
      filter: 'metrics.acc > 0.5',
      lifecycle: 'deleted',
    });
    expect(searchedDeleted.body.runs.map((r: { run_id: string }) => r.run_id)).toEqual([run.run_id]);
    const refused = await api.post(`/api/v1/runs/${run.run_id}/metrics`, { metric_name: 'acc', metric_value: 1 });
    expect([refused.status, refused.body.error.code]).toEqual([409, 'run.deleted']);
    expect((await api.post(`/api/v1/runs/${run.run_id}/restore`)).body.lifecycle_stage).toBe('active');
    expect(await listed('active')).toEqual([run.run_id]);
  });

  test("a deleted experiment's runs are all deleted with it, and come back as they were when it is restored", async () => {
    const { api } = local;
    const kept = (await api.post('/api/v1/runs', { experiment_name: 'life-exp-runs', run_name: 'kept' })).body;
    const experimentId = kept.experiment_id as string;
    const dropped = (await api.post(`/api/v1/experiments/${experimentId}/runs`, { run_name: 'dropped' })).body;
    await api.post(`/api/v1/runs/${kept.run_id}/metrics`, { metric_name: 'acc', metric_value: 0.9 });
    expect((await api.delete(`/api/v1/runs/${dropped.run_id}`)).status).toBe(200);
    expect((await api.delete(`/api/v1/experiments/${experimentId}`)).status).toBe(200);
    const stages = (runs: Array<{ run_id: string; lifecycle_stage: string }>) =>
      runs.map((run) => [run.run_id === kept.run_id ? 'kept' : 'dropped', run.lifecycle_stage]).sort();
    const listed = async (lifecycle: string) =>
      stages((await api.get(`/api/v1/experiments/${experimentId}/runs?lifecycle=${lifecycle}`)).body.runs);
    const searched = async (lifecycle: string, filter = '') =>
      stages((await api.post('/api/v1/runs/search', { experiment_ids: [experimentId], filter, lifecycle })).body.runs);
    expect((await api.get(`/api/v1/runs/${kept.run_id}`)).body.lifecycle_stage).toBe('deleted');
    expect(await listed('active')).toEqual([]);
    expect(await listed('all')).toEqual([
      ['dropped', 'deleted'],
      ['kept', 'deleted'],
    ]);
    expect(await searched('active')).toEqual([]);
    expect(await searched('active', 'metrics.acc > 0.5')).toEqual([]);
    expect(await searched('active', "attributes.run_name = 'kept'")).toEqual([]);
    expect(await searched('deleted')).toEqual([
      ['dropped', 'deleted'],
      ['kept', 'deleted'],
    ]);
    expect(await searched('deleted', 'metrics.acc > 0.5')).toEqual([['kept', 'deleted']]);
    // A run of a deleted experiment cannot be restored on its own: it would still be deleted.
    const refused = await api.post(`/api/v1/runs/${kept.run_id}/restore`);
    expect([refused.status, refused.body.error.code]).toEqual([409, 'experiment.deleted']);
    expect((await api.post(`/api/v1/experiments/${experimentId}/restore`)).status).toBe(200);
    // Each run is back to its own stage: the one deleted on its own before stays deleted.
    expect(await listed('all')).toEqual([
      ['dropped', 'deleted'],
      ['kept', 'active'],
    ]);
    expect(await searched('active')).toEqual([['kept', 'active']]);
    expect((await api.get(`/api/v1/runs/${kept.run_id}`)).body.lifecycle_stage).toBe('active');
  });

  test('renames and tag removal name what is wrong', async () => {
    const { api } = local;
    const a = (await api.post('/api/v1/experiments', { experiment_name: 'life-a', tags: { t: '1' } })).body;
    await api.post('/api/v1/experiments', { experiment_name: 'life-b' });
    const taken = await api.patch(`/api/v1/experiments/${a.experiment_id}`, { experiment_name: 'life-b' });
    expect([taken.status, taken.body.error.code]).toEqual([409, 'experiment.name_taken']);
    expect(taken.body.error.message).toContain('life-b');
    const renamed = await api.patch(`/api/v1/experiments/${a.experiment_id}`, { experiment_name: 'life-a2' });
    expect(renamed.body.experiment_name).toBe('life-a2');
    expect((await api.get('/api/v1/experiments/by-name/life-a')).status).toBe(404);
    expect((await api.post('/api/v1/experiments', { experiment_name: 'life-a' })).status).toBe(201);
    expect((await api.delete(`/api/v1/experiments/${a.experiment_id}/tags/t`)).body.tags).toEqual({});
    const missing = await api.delete(`/api/v1/experiments/${a.experiment_id}/tags/t`);
    expect([missing.status, missing.body.error.code]).toEqual([404, 'tag.not_found']);
    const empty = await api.patch(`/api/v1/runs/${'0'.repeat(32)}`, {});
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toMatch(/^body\.status: give status/);
  });

  test('the TypeScript SDK deletes, restores, renames and purges; purge needs an admin token and a deleted run', async () => {
    const client = sdk();
    const run = await client.startRun('life-sdk', { runName: 'one', tags: { keep: 'k', drop: 'd' } });
    await client.endRun('FINISHED');
    expect((await client.renameRun(run.runId, 'two')).runName).toBe('two');
    const parent = await client.startRun('life-sdk-parents', { runName: 'parent' });
    await client.endRun('FINISHED');
    expect((await client.setRunParent(run.runId, parent.runId)).parentRunId).toBe(parent.runId);
    expect((await client.setRunParent(run.runId, null)).parentRunId).toBeUndefined();
    await expect(client.setRunParent(run.runId, '0'.repeat(32))).rejects.toMatchObject({ status: 404 });
    // The SDK adds its own stratus.* tags (git, host); the user's other tag stays.
    const untagged = (await client.deleteRunTag(run.runId, 'drop')).tags;
    expect(untagged.keep).toBe('k');
    expect(Object.hasOwn(untagged, 'drop')).toBe(false);
    await expect(client.purgeRun(run.runId)).rejects.toMatchObject({ status: 409, code: 'run.not_deleted' });
    expect((await client.deleteRun(run.runId)).lifecycleStage).toBe('deleted');
    const writer = await local.api.post('/api/v1/admin/tokens', { scope: 'write', name: 'ts-writer' });
    const limited = new ExperimentTracker({
      endpoint: local.stack.url,
      token: writer.body.token,
      warn: () => undefined,
    });
    await expect(limited.purgeRun(run.runId)).rejects.toBeInstanceOf(StratusError);
    expect(await client.purgeRun(run.runId)).toMatchObject({ runs: 1, objects: 0 });
    expect((await local.api.get(`/api/v1/runs/${run.runId}`)).status).toBe(404);

    const experiment = await client.getExperiment('life-sdk');
    expect((await client.deleteExperiment('life-sdk')).lifecycleStage).toBe('deleted');
    expect((await client.restoreExperiment(experiment.experimentId)).lifecycleStage).toBe('active');
    expect((await client.renameExperiment(experiment.experimentId, 'life-sdk-2')).experimentName).toBe('life-sdk-2');
    await client.deleteExperiment(experiment.experimentId);
    expect(await client.purgeExperiment(experiment.experimentId)).toEqual({ runs: 0, items: 2, objects: 0 });
    expect((await client.createExperiment('life-sdk-2')).experimentName).toBe('life-sdk-2');
  });
});
