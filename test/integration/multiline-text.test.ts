import { describe, expect, test } from 'vitest';
import { useTestStack } from '../support/local-api.ts';

/**
 * Text people write spans lines: an MLflow run description is the tag
 * `mlflow.note.content`, params hold multi-line commands and config dumps,
 * filters get written over several lines. Tabs and line breaks in values,
 * descriptions and filters are kept exactly, through both dialects; keys and
 * names stay one line, and other control characters stay refused.
 */
const local = useTestStack();
const note = 'Baseline sweep.\n\n- lr from 1e-4 to 1e-1\r\n- batch\t64\n';
const command = 'python train.py \\\n  --lr 0.01 \\\n  --epochs 10';

const mlflow = (path: string, body: unknown) => local.api.post(`/api/2.0/mlflow/${path}`, body);

describe('multi-line text', () => {
  test('v1: experiment descriptions, run tags and params, model descriptions and tags round-trip', async () => {
    const experiment = await local.api.post('/api/v1/experiments', {
      experiment_name: 'multi-line v1',
      description: note,
      tags: { notes: note },
    });
    expect(experiment.status).toBe(201);
    const experimentId = experiment.body.experiment_id as string;
    const read = await local.api.get(`/api/v1/experiments/${experimentId}`);
    expect(read.body).toMatchObject({ description: note, tags: { notes: note } });

    const run = await local.api.post(`/api/v1/experiments/${experimentId}/runs`, {
      run_name: 'r1',
      tags: { 'mlflow.note.content': note },
    });
    expect(run.status).toBe(201);
    const runId = run.body.run_id as string;
    expect((await local.api.post(`/api/v1/runs/${runId}/params`, { params: { command } })).status).toBe(200);
    expect((await local.api.post(`/api/v1/runs/${runId}/tags`, { tags: { log: 'line 1\nline 2' } })).status).toBe(200);
    const details = await local.api.get(`/api/v1/runs/${runId}`);
    expect(details.body).toMatchObject({
      params: { command },
      tags: { 'mlflow.note.content': note, log: 'line 1\nline 2' },
    });

    // A value with a line break is found by equality, in a filter written over lines.
    const found = await local.api.post('/api/v1/runs/search', {
      experiment_ids: [experimentId],
      filter: `params.command = '${command}'\n  AND tags.log = 'line 1\nline 2'`,
    });
    expect(found.status).toBe(200);
    expect(found.body.runs.map((r: { run_id: string }) => r.run_id)).toEqual([runId]);

    const model = await local.api.post('/api/v1/models', { name: 'multi-line model', description: note });
    expect(model.status).toBe(201);
    const updated = await local.api.patch('/api/v1/models/multi-line%20model', { tags: { card: note } });
    expect(updated.status).toBe(200);
    expect((await local.api.get('/api/v1/models/multi-line%20model')).body).toMatchObject({
      description: note,
      tags: { card: note },
    });
  });

  test('MLflow: a run description, tags, params and experiment notes round-trip; filters span lines', async () => {
    const experiment = await mlflow('experiments/create', { name: 'multi-line mlflow' });
    expect(experiment.status).toBe(200);
    const experimentId = experiment.body.experiment_id as string;
    expect(
      (
        await mlflow('experiments/set-experiment-tag', {
          experiment_id: experimentId,
          key: 'mlflow.note.content',
          value: note,
        })
      ).status,
    ).toBe(200);
    const created = await mlflow('runs/create', {
      experiment_id: experimentId,
      tags: [{ key: 'mlflow.note.content', value: note }],
    });
    expect(created.status).toBe(200);
    const runId = created.body.run.info.run_id as string;
    expect((await mlflow('runs/log-parameter', { run_id: runId, key: 'command', value: command })).status).toBe(200);
    expect((await mlflow('runs/set-tag', { run_id: runId, key: 'log', value: 'a\tb\nc' })).status).toBe(200);
    expect(
      (
        await mlflow('runs/log-batch', {
          run_id: runId,
          params: [{ key: 'config', value: '{\n  "lr": 0.01\n}' }],
          tags: [{ key: 'stack', value: 'Traceback:\n  File "x.py"' }],
        })
      ).status,
    ).toBe(200);

    const run = await local.api.get(`/api/2.0/mlflow/runs/get?run_id=${runId}`);
    const byKey = (list: Array<{ key: string; value: string }>) =>
      new Map(list.map((entry) => [entry.key, entry.value]));
    const params = byKey(run.body.run.data.params);
    const tags = byKey(run.body.run.data.tags);
    expect(params.get('command')).toBe(command);
    expect(params.get('config')).toBe('{\n  "lr": 0.01\n}');
    expect(tags.get('mlflow.note.content')).toBe(note);
    expect(tags.get('log')).toBe('a\tb\nc');
    expect(tags.get('stack')).toBe('Traceback:\n  File "x.py"');
    const experimentRead = await local.api.get(`/api/2.0/mlflow/experiments/get?experiment_id=${experimentId}`);
    expect(byKey(experimentRead.body.experiment.tags).get('mlflow.note.content')).toBe(note);

    const search = await mlflow('runs/search', {
      experiment_ids: [experimentId],
      filter: "params.config = '{\n  \"lr\": 0.01\n}'\nAND tags.log = 'a\tb\nc'",
    });
    expect(search.status).toBe(200);
    expect(search.body.runs.map((r: { info: { run_id: string } }) => r.info.run_id)).toEqual([runId]);
  });

  test('keys and names stay one line; other control characters stay refused, naming the field', async () => {
    const experiment = await local.api.post('/api/v1/experiments', { experiment_name: 'multi-line refusals' });
    const experimentId = experiment.body.experiment_id as string;
    const run = await local.api.post(`/api/v1/experiments/${experimentId}/runs`, {});
    const runId = run.body.run_id as string;

    const refusals: Array<[Promise<{ status: number; body: Record<string, unknown> }>, RegExp]> = [
      [local.api.post('/api/v1/experiments', { experiment_name: 'two\nlines' }), /^body\.experiment_name:/],
      [local.api.post(`/api/v1/runs/${runId}/tags`, { tags: { 'a\nb': 'x' } }), /^body\.tags/],
      [local.api.post(`/api/v1/runs/${runId}/tags`, { tags: { a: 'bell\u0007' } }), /^body\.tags\.a:/],
      [local.api.post(`/api/v1/runs/${runId}/params`, { params: { p: 'nul\u0000' } }), /^body\.params\.p:/],
      [
        local.api.post('/api/v1/experiments', { experiment_name: 'esc', description: 'colour \u001b[31m' }),
        /^body\.description:/,
      ],
    ];
    for (const [pending, field] of refusals) {
      const answer = await pending;
      expect(answer.status).toBe(400);
      expect((answer.body.error as { message: string }).message).toMatch(field);
    }
    const mlflowTag = await mlflow('runs/set-tag', { run_id: runId, key: 'k', value: 'vertical\u000btab' });
    expect(mlflowTag.status).toBe(400);
    expect(mlflowTag.body).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' });
    expect(mlflowTag.body.message).toContain('value');
  });
});
