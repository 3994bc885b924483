import { createHash } from 'node:crypto';
import { expect, test } from 'vitest';
import type { Principal } from '../../shared/domain/access.ts';
import { registryDeps } from '../../shared/runtime.ts';
import * as registry from '../../shared/use-cases/model-registry.ts';
import { useTestStack } from '../support/local-api.ts';

const local = useTestStack();
const scope = { workspace: 'default' };
const principal: Principal = { workspaceId: 'default', scope: 'admin', tokenId: 'feedfacefeedface' };

async function logArtifact(runId: string, path: string, bytes: Buffer, declareSha = true) {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const plan = await local.api.post(`/api/v1/runs/${runId}/artifacts`, {
    path,
    artifact_type: 'model',
    size_bytes: bytes.length,
    ...(declareSha ? { sha256 } : {}),
  });
  expect(plan.status).toBe(201);
  const put = await fetch(plan.body.upload.url, { method: 'PUT', headers: plan.body.upload.headers, body: bytes });
  expect(put.status).toBe(200);
  expect((await local.api.post(`/api/v1/runs/${runId}/artifacts/complete`, { path })).status).toBe(200);
  return sha256;
}

test('scratch: register, alias, delete', async () => {
  const run = await local.api.post('/api/v1/runs', { experiment_name: 'reg', run_name: 'r' });
  const runId = run.body.run_id;
  const a = await logArtifact(runId, 'model/MLmodel', Buffer.from('flavors: {}\n'));
  const b = await logArtifact(runId, 'model/model.pkl', Buffer.from('pickle bytes'), false);
  const deps = registryDeps();
  await registry.createRegisteredModel(scope, { name: 'risk', tags: JSON.parse('{"__proto__":"x","team":"a"}') }, deps);
  const v1 = await registry.registerModelVersion(
    scope,
    principal,
    'risk',
    { runId, artifactPath: 'model', metadata: { accuracy: 0.93 } },
    deps,
  );
  expect(v1.version).toBe(1);
  expect(v1.files.map((f) => [f.path, f.sha256, f.sha256Source])).toEqual([
    ['MLmodel', a, 's3'],
    ['model.pkl', b, 'computed'],
  ]);
  const versions = await Promise.all(
    Array.from({ length: 20 }, () =>
      registry.registerModelVersion(scope, principal, 'risk', { runId, artifactPath: 'model/model.pkl' }, deps),
    ),
  );
  expect(versions.map((v) => v.version).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
  await registry.setModelAlias(scope, principal, 'risk', 'champion', 1, deps);
  await registry.setModelAlias(scope, principal, 'risk', 'champion', 3, deps);
  await registry.setModelAlias(scope, principal, 'risk', '__proto__', 3, deps);
  const model = await registry.getRegisteredModel(scope, 'risk', deps);
  expect([...model.aliases]).toEqual([
    ['champion', 3],
    ['__proto__', 3],
  ]);
  expect(Object.keys(model.tags).sort()).toEqual(['__proto__', 'team']);
  const byAlias = await registry.getModelVersionByAlias(scope, 'risk', 'champion', deps);
  expect(byAlias.version).toBe(3);
  expect(byAlias.aliases).toEqual(['__proto__', 'champion']);
  await registry.deleteModelVersion(scope, principal, 'risk', 3, deps);
  const history = await registry.getAliasHistory(scope, 'risk', { limit: 50 }, deps);
  console.log(JSON.stringify(history.items));
  const list = await registry.listRegisteredModels(
    scope,
    { limit: 10, tags: { team: 'a' }, nameContains: 'RIS' },
    deps,
  );
  expect(list.items.map((m) => m.name)).toEqual(['risk']);
  const held = await local.api.get(`/api/v1/runs/${runId}/artifacts`);
  console.log(JSON.stringify(held.body));
  await registry.updateRegisteredModel(
    scope,
    'risk',
    { newName: 'risk2', description: 'd', tags: new Map([['team', undefined]]) },
    deps,
  );
  const renamed = await registry.getModelVersion(scope, 'risk2', 2, deps);
  expect(renamed.modelName).toBe('risk2');
  await registry.deleteRegisteredModel(scope, principal, 'risk2', deps);
  await expect(registry.getRegisteredModel(scope, 'risk2', deps)).rejects.toThrow(/does not exist/);
});
