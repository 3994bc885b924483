import { describe, expect, test } from 'vitest';
import { type ApiResponse, useTestStack } from '../support/local-api.ts';

/**
 * Every write to a deleted experiment's own fields, on both APIs, is refused and writes nothing,
 * as MLflow 3.17's server refuses it (found by sending it the same requests): its tags, set or
 * removed, with MLflow's 400 INVALID_PARAMETER_VALUE "The experiment <id> must be in the 'active'
 * state. Current state is deleted." (/api/v1: 409 experiment.deleted), and its name with MLflow's
 * INVALID_STATE "Cannot rename a non-active experiment." (a 500 there, a 400 here; /api/v1: 409
 * experiment.not_active). Once restored, the experiment takes them all again.
 */
const local = useTestStack();
const mlflow = (path: string, body: unknown) => local.api.post(`/api/2.0/mlflow/${path}`, body);

type Write = (experimentId: string, name: string) => Promise<ApiResponse>;
interface Refusal {
  mlflow: { error_code: string; message: (id: string) => string };
  v1: string;
}
const tagRefusal: Refusal = {
  mlflow: {
    error_code: 'INVALID_PARAMETER_VALUE',
    message: (id) => `The experiment ${id} must be in the 'active' state. Current state is deleted.`,
  },
  v1: 'experiment.deleted',
};
const renameRefusal: Refusal = {
  mlflow: { error_code: 'INVALID_STATE', message: () => 'Cannot rename a non-active experiment.' },
  v1: 'experiment.not_active',
};

const writes: Record<'mlflow' | 'v1', Array<[string, Write, Refusal]>> = {
  mlflow: [
    [
      'set-experiment-tag',
      (id) => mlflow('experiments/set-experiment-tag', { experiment_id: id, key: 'new', value: 'v' }),
      tagRefusal,
    ],
    [
      'delete-experiment-tag',
      (id) => mlflow('experiments/delete-experiment-tag', { experiment_id: id, key: 'kept' }),
      tagRefusal,
    ],
    [
      'update',
      (id, name) => mlflow('experiments/update', { experiment_id: id, new_name: `${name}-renamed` }),
      renameRefusal,
    ],
  ],
  v1: [
    ['set tags', (id) => local.api.post(`/api/v1/experiments/${id}/tags`, { tags: { new: 'v' } }), tagRefusal],
    ['delete a tag', (id) => local.api.delete(`/api/v1/experiments/${id}/tags/kept`), tagRefusal],
    [
      'rename',
      (id, name) => local.api.patch(`/api/v1/experiments/${id}`, { experiment_name: `${name}-renamed` }),
      renameRefusal,
    ],
  ],
};

async function deletedExperiment(): Promise<{ id: string; name: string }> {
  const name = `deleted-writes-${Date.now()}-${Math.random().toString(16).slice(2, 8)}`;
  const created = await mlflow('experiments/create', { name, tags: [{ key: 'kept', value: 'k' }] });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  const id = created.body.experiment_id as string;
  expect((await mlflow('experiments/delete', { experiment_id: id })).status).toBe(200);
  return { id, name };
}

const readBack = async (id: string) => {
  const answer = await local.api.get(`/api/2.0/mlflow/experiments/get?experiment_id=${id}`);
  expect(answer.status).toBe(200);
  return { name: answer.body.experiment.name, tags: answer.body.experiment.tags };
};

describe.each(Object.keys(writes) as Array<keyof typeof writes>)('%s', (dialect) => {
  test.each(writes[dialect])('%s on a deleted experiment is refused and writes nothing', async (_, write, refusal) => {
    const { id, name } = await deletedExperiment();
    const before = await readBack(id);
    const answer = await write(id, name);
    if (dialect === 'mlflow') {
      expect(answer.status, JSON.stringify(answer.body)).toBe(400);
      expect(answer.body).toEqual({ error_code: refusal.mlflow.error_code, message: refusal.mlflow.message(id) });
    } else {
      expect(answer.status, JSON.stringify(answer.body)).toBe(409);
      expect(answer.body.error.code).toBe(refusal.v1);
    }
    expect(await readBack(id)).toEqual(before);
    // Restored, it takes the same write.
    expect((await mlflow('experiments/restore', { experiment_id: id })).status).toBe(200);
    const again = await write(id, name);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
  });
});
