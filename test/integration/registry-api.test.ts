import { createHash, randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, test } from 'vitest';
import { registryLimits } from '../../shared/domain/registry.ts';
import { registryRecordDeps, trackingDeps } from '../../shared/runtime.ts';
import { deleteRun } from '../../shared/use-cases/lifecycle.ts';
import { refuseIfHeldByModelVersions } from '../../shared/use-cases/model-holds.ts';
import { type ApiClient, apiClient, useTestStack } from '../support/local-api.ts';

/**
 * The model registry through HTTP against DynamoDB Local and versitygw: every
 * /api/v1 registry route, the concurrency of version numbers, immutability and
 * checksums, aliases and their history.
 */
const MiB = 1024 * 1024;
const local = useTestStack({ multipartThresholdBytes: 5 * MiB, partSizeBytes: 5 * MiB });
let api: ApiClient;
let tokens: { read: string; write: string; readId: string; writeId: string };

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const models = (name: string) => `/api/v1/models/${encodeURIComponent(name)}`;

beforeAll(async () => {
  api = local.api;
  const read = await api.post('/api/v1/admin/tokens', { scope: 'read', name: 'reader' });
  const write = await api.post('/api/v1/admin/tokens', { scope: 'write', name: 'writer' });
  tokens = { read: read.body.token, write: write.body.token, readId: read.body.token_id, writeId: write.body.token_id };
});

async function newRun(name = 'registry') {
  const run = await api.post('/api/v1/runs', { experiment_name: name, run_name: 'train' });
  expect(run.status).toBe(201);
  return run.body as { run_id: string; experiment_id: string };
}

/** Plans, uploads and completes an artifact (single PUT, or multipart above 5 MiB). */
async function logArtifact(
  runId: string,
  path: string,
  bytes: Buffer,
  options: { declare?: string | false; complete?: boolean } = {},
) {
  const declared = options.declare === undefined ? sha256(bytes) : options.declare;
  const plan = await api.post(`/api/v1/runs/${runId}/artifacts`, {
    path,
    artifact_type: 'model',
    size_bytes: bytes.length,
    ...(declared ? { sha256: declared } : {}),
  });
  expect(plan.status, JSON.stringify(plan.body)).toBe(201);
  const upload = plan.body.upload;
  if (upload.kind === 'single') {
    const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: bytes });
    expect(put.status).toBe(200);
    if (options.complete === false) return;
    expect((await api.post(`/api/v1/runs/${runId}/artifacts/complete`, { path })).status).toBe(200);
    return;
  }
  const parts = [];
  for (const part of upload.parts) {
    const start = (part.part_number - 1) * upload.part_size_bytes;
    const put = await fetch(part.url, { method: 'PUT', body: bytes.subarray(start, start + part.size_bytes) });
    expect(put.status).toBe(200);
    parts.push({ part_number: part.part_number, etag: put.headers.get('etag') });
  }
  const done = await api.post(`/api/v1/runs/${runId}/artifacts/complete`, {
    path,
    upload_id: upload.upload_id,
    parts,
  });
  expect(done.status).toBe(200);
}

describe('registered models', () => {
  test('create, get, duplicate, list with filters and pages, update, rename', async () => {
    const created = await api.post(
      '/api/v1/models',
      '{"name": "Fraud Detector", "description": "catches fraud", "tags": {"team": "risk", "constructor": "kept"}}',
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'Fraud Detector',
      description: 'catches fraud',
      aliases: [],
      latest_version: 0,
    });
    const duplicate = await api.post('/api/v1/models', { name: 'Fraud Detector' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.code).toBe('registered_model.exists');

    const got = await api.get(models('Fraud Detector'));
    expect(got.status).toBe(200);
    expect(got.body.tags).toEqual(JSON.parse('{"team":"risk","constructor":"kept"}'));
    // The code names the API's entity; the message says "model", as people and `stratus models` do.
    expect((await api.get(models('nope'))).body.error).toMatchObject({
      code: 'registered_model.not_found',
      message: "model 'nope' does not exist",
    });

    for (const name of ['fraud-a', 'fraud-b', 'churn']) {
      expect(
        (await api.post('/api/v1/models', { name, tags: { team: name === 'churn' ? 'growth' : 'risk' } })).status,
      ).toBe(201);
    }
    const names = async (query: string) =>
      ((await api.get(`/api/v1/models?${query}`)).body.models as Array<{ name: string }>).map((m) => m.name);
    expect(await names('name_prefix=fraud')).toEqual(['fraud-a', 'fraud-b']);
    expect(await names('name_contains=FRAUD')).toEqual(['Fraud Detector', 'fraud-a', 'fraud-b']);
    expect(await names('tag.team=growth')).toEqual(['churn']);
    // By last change: newest first with DESC, ties by name A to Z; a filter still applies.
    const recent = (await api.get('/api/v1/models?order_by=updated_at%20DESC')).body.models as Array<{
      name: string;
      updated_at: number;
    }>;
    expect(recent.map((m) => m.name)).toEqual(
      [...recent].sort((a, b) => b.updated_at - a.updated_at || (a.name < b.name ? -1 : 1)).map((m) => m.name),
    );
    expect(recent.map((m) => m.name).sort()).toEqual(['Fraud Detector', 'churn', 'fraud-a', 'fraud-b']);
    expect(await names('order_by=updated_at&name_prefix=fraud')).toEqual(['fraud-a', 'fraud-b']);
    expect(await names('order_by=name%20DESC&max_results=2')).toEqual(['fraud-b', 'fraud-a']);
    expect((await api.get('/api/v1/models?order_by=created_at')).body.error.message).toMatch(/^query.order_by: /);
    const first = await api.get('/api/v1/models?max_results=2');
    expect(first.body.models).toHaveLength(2);
    const second = await api.get(
      `/api/v1/models?max_results=2&page_token=${encodeURIComponent(first.body.next_page_token)}`,
    );
    expect([...first.body.models, ...second.body.models].map((m: { name: string }) => m.name)).toEqual([
      'Fraud Detector',
      'churn',
      'fraud-a',
      'fraud-b',
    ]);

    const updated = await api.patch(models('fraud-a'), { description: 'v2', tags: { team: null, owner: 'ana' } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ description: 'v2', tags: { owner: 'ana' } });
    const cleared = await api.patch(models('fraud-a'), { description: null });
    expect(cleared.body.description).toBeUndefined();
    const taken = await api.patch(models('fraud-a'), { new_name: 'fraud-b' });
    expect(taken.status).toBe(409);
    const renamed = await api.patch(models('fraud-a'), { new_name: 'fraud-c' });
    expect(renamed.body.name).toBe('fraud-c');
    expect((await api.get(models('fraud-a'))).status).toBe(404);
    expect(await names('name_prefix=fraud')).toEqual(['fraud-b', 'fraud-c']);
    // The old name is free again.
    expect((await api.post('/api/v1/models', { name: 'fraud-a' })).status).toBe(201);
  });

  test('names, aliases and tag budgets are checked, naming the field', async () => {
    const bad = [
      [{ name: 'a/b' }, 'body.name'],
      [{ name: 'a@b' }, 'body.name'],
      [{ name: ' ' }, 'body.name'],
      [{ name: 'x'.repeat(251) }, 'body.name'],
      [{ name: 'ok', tags: { k: 'v'.repeat(registryLimits.tagValueLength + 1) } }, 'body.tags.k'],
      [{ name: 'ok', extra: 1 }, 'body'],
    ] as const;
    for (const [body, field] of bad) {
      const response = await api.post('/api/v1/models', body);
      expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(response.body.error.message.startsWith(field), response.body.error.message).toBe(true);
    }
    await api.post('/api/v1/models', { name: 'budget' });
    // 20 tags of 4,000 bytes each are 80 KB: over the 64 KiB budget, refused whole.
    const tags = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, 'v'.repeat(4000)]));
    const tooMuch = await api.patch(models('budget'), { tags });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.error.message).toMatch(/^tags: .*65536/);
    expect((await api.get(models('budget'))).body.tags).toEqual({});
    for (const alias of ['latest', 'v3', '42', 'has space', 'a'.repeat(256)]) {
      const response = await api.call('PUT', `${models('budget')}/aliases/${encodeURIComponent(alias)}`, {
        version: 1,
      });
      expect(response.status, alias).toBe(400);
      expect(response.body.error.message).toMatch(/^path\.alias: /);
    }
    expect((await api.get(`${models('budget')}/versions/0`)).status).toBe(400);
    expect((await api.get(`${models('budget')}/versions/1e3`)).status).toBe(400);
  });
});

describe('versions', () => {
  test('a file and a folder are registered with sizes and SHA-256; metadata is kept as sent', async () => {
    const run = await newRun();
    const pickle = randomBytes(3000);
    const mlmodel = Buffer.from('flavors:\n  python_function: {}\n');
    const weights = randomBytes(2000);
    await logArtifact(run.run_id, 'model.pkl', pickle);
    await logArtifact(run.run_id, 'model/MLmodel', mlmodel);
    await logArtifact(run.run_id, 'model/data/weights.bin', weights, { declare: false });
    await api.post('/api/v1/models', { name: 'risk' });

    const metadata = { experiment_id: run.experiment_id, run_id: run.run_id, accuracy: 0.93, nested: { a: [1, 2] } };
    const v1 = await api.post(`${models('risk')}/versions`, {
      run_id: run.run_id,
      artifact_path: 'model.pkl',
      metadata,
      description: 'first',
      tags: { stage: 'candidate' },
    });
    expect(v1.status).toBe(201);
    expect(v1.body).toMatchObject({
      name: 'risk',
      version: 1,
      status: 'READY',
      source: { run_id: run.run_id, experiment_id: run.experiment_id, artifact_path: 'model.pkl', kind: 'file' },
      metadata,
      description: 'first',
      tags: { stage: 'candidate' },
      size_bytes: 3000,
      aliases: [],
      created_by: { token_id: expect.stringMatching(/^[0-9a-f]{16}$/) },
    });
    expect(v1.body.files).toEqual([
      { path: 'model.pkl', artifact_path: 'model.pkl', size_bytes: 3000, sha256: sha256(pickle), sha256_source: 's3' },
    ]);

    const v2 = await api.post(`${models('risk')}/versions`, { run_id: run.run_id, artifact_path: 'model' });
    expect(v2.status).toBe(201);
    expect(v2.body.source.kind).toBe('folder');
    expect(v2.body.files).toEqual([
      {
        path: 'MLmodel',
        artifact_path: 'model/MLmodel',
        size_bytes: mlmodel.length,
        sha256: sha256(mlmodel),
        sha256_source: 's3',
      },
      {
        path: 'data/weights.bin',
        artifact_path: 'model/data/weights.bin',
        size_bytes: 2000,
        sha256: sha256(weights),
        sha256_source: 'computed',
      },
    ]);

    const download = await api.get(`${models('risk')}/versions/2/download`);
    expect(download.status).toBe(200);
    expect(download.body.expires_at).toBeGreaterThan(Date.now());
    for (const file of download.body.files) {
      const bytes = Buffer.from(await (await fetch(file.url)).arrayBuffer());
      expect(sha256(bytes)).toBe(file.sha256);
      expect(bytes.length).toBe(file.size_bytes);
    }

    const listed = await api.get(`${models('risk')}/versions`);
    expect(listed.body.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const page = await api.get(`${models('risk')}/versions?max_results=1`);
    const rest = await api.get(
      `${models('risk')}/versions?max_results=1&page_token=${encodeURIComponent(page.body.next_page_token)}`,
    );
    expect(rest.body.versions.map((v: { version: number }) => v.version)).toEqual([1]);
    expect((await api.get(`${models('risk')}/versions/1`)).body).toEqual(v1.body);
    expect((await api.get(models('risk'))).body.latest_version).toBe(2);

    const changed = await api.patch(`${models('risk')}/versions/1`, {
      description: 'promoted',
      tags: { stage: null, reviewed: 'yes' },
    });
    expect(changed.body).toMatchObject({ description: 'promoted', tags: { reviewed: 'yes' }, files: v1.body.files });

    const fromRun = await api.get(`/api/v1/runs/${run.run_id}/model-versions`);
    expect(fromRun.status).toBe(200);
    expect(
      fromRun.body.versions.map((v: { name: string; version: number }) => `${v.name}/${v.version}`).sort(),
    ).toEqual(['risk/1', 'risk/2']);
  });

  test('20 concurrent registrations get the numbers 1..20, none twice, none skipped', async () => {
    const run = await newRun();
    await logArtifact(run.run_id, 'model.pkl', randomBytes(100));
    await api.post('/api/v1/models', { name: 'racy' });
    const writer = apiClient(local.stack.url, tokens.write);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        writer.post(`${models('racy')}/versions`, { run_id: run.run_id, artifact_path: 'model.pkl' }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    const numbers = results.map((r) => r.body.version as number).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const stored = await api.get(`${models('racy')}/versions?max_results=100`);
    expect(stored.body.versions.map((v: { version: number }) => v.version)).toEqual(
      Array.from({ length: 20 }, (_, i) => 20 - i),
    );
    expect((await api.get(models('racy'))).body.latest_version).toBe(20);
  });

  test('only COMPLETE artifacts of a live run can be registered, with clear errors', async () => {
    const run = await newRun();
    await api.post('/api/v1/models', { name: 'strict' });
    await logArtifact(run.run_id, 'model/MLmodel', Buffer.from('x'));
    // Planned, bytes never sent: PENDING. (Bytes sent but not completed are settled at registration, as by a listing.)
    const planned = await api.post(`/api/v1/runs/${run.run_id}/artifacts`, {
      path: 'model/model.pkl',
      artifact_type: 'model',
      size_bytes: 1,
    });
    expect(planned.status).toBe(201);
    await logArtifact(run.run_id, 'model/settled.pkl', Buffer.from('z'), { complete: false });
    const pending = await api.post(`${models('strict')}/versions`, { run_id: run.run_id, artifact_path: 'model' });
    expect(pending.status).toBe(409);
    expect(pending.body.error.code).toBe('model_version.artifacts_incomplete');
    expect(pending.body.error.message).toContain("'model/model.pkl'");
    expect(pending.body.error.message).not.toContain('settled.pkl');

    const missing = await api.post(`${models('strict')}/versions`, { run_id: run.run_id, artifact_path: 'nothing' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('artifact.not_found');
    const noRun = await api.post(`${models('strict')}/versions`, { run_id: 'f'.repeat(32), artifact_path: 'model' });
    expect(noRun.body.error.code).toBe('run.not_found');
    const noModel = await api.post(`${models('ghost')}/versions`, { run_id: run.run_id, artifact_path: 'model' });
    expect(noModel.body.error.code).toBe('registered_model.not_found');
    const badPath = await api.post(`${models('strict')}/versions`, { run_id: run.run_id, artifact_path: '../etc' });
    expect(badPath.status).toBe(400);
    expect(badPath.body.error.message).toMatch(/^artifact_path: /);

    const deleted = await newRun();
    await logArtifact(deleted.run_id, 'model.pkl', Buffer.from('z'));
    await deleteRun({ workspace: 'default' }, deleted.run_id, trackingDeps());
    const fromDeleted = await api.post(`${models('strict')}/versions`, {
      run_id: deleted.run_id,
      artifact_path: 'model.pkl',
    });
    expect(fromDeleted.status).toBe(409);
    expect(fromDeleted.body.error.code).toBe('run.deleted');
    // A run of a deleted experiment reads deleted (and may be purged) though its own stage is active.
    const withExperiment = (await api.post('/api/v1/runs', { experiment_name: 'registry-deleted-experiment' })).body;
    await logArtifact(withExperiment.run_id, 'model.pkl', Buffer.from('y'));
    expect((await api.delete(`/api/v1/experiments/${withExperiment.experiment_id}`)).status).toBe(200);
    const fromDeletedExperiment = await api.post(`${models('strict')}/versions`, {
      run_id: withExperiment.run_id,
      artifact_path: 'model.pkl',
    });
    expect([fromDeletedExperiment.status, fromDeletedExperiment.body.error.code]).toEqual([409, 'run.deleted']);
    expect(fromDeletedExperiment.body.error.message).toMatch(/deleted with its experiment/);
    // Nothing was given out by the refusals.
    expect((await api.get(models('strict'))).body.latest_version).toBe(0);
  });

  test('a multipart upload whose bytes differ from its declared SHA-256 cannot be registered', async () => {
    const run = await newRun();
    const bytes = randomBytes(6 * MiB);
    await logArtifact(run.run_id, 'big.bin', bytes, { declare: sha256(Buffer.from('something else')) });
    await api.post('/api/v1/models', { name: 'liar' });
    const refused = await api.post(`${models('liar')}/versions`, { run_id: run.run_id, artifact_path: 'big.bin' });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('model_version.checksum_mismatch');

    await logArtifact(run.run_id, 'honest.bin', bytes);
    const accepted = await api.post(`${models('liar')}/versions`, { run_id: run.run_id, artifact_path: 'honest.bin' });
    expect(accepted.status).toBe(201);
    expect(accepted.body.files[0]).toMatchObject({
      sha256: sha256(bytes),
      sha256_source: 'computed',
      size_bytes: 6 * MiB,
    });
  });

  test("a version's artifacts are held: no overwrite, no purge, until the version is deleted", async () => {
    const run = await newRun('registry-held');
    await logArtifact(run.run_id, 'model.pkl', Buffer.from('held'));
    await api.post('/api/v1/models', { name: 'held' });
    await api.post(`${models('held')}/versions`, { run_id: run.run_id, artifact_path: 'model.pkl' });
    await api.post(`${models('held')}/versions`, { run_id: run.run_id, artifact_path: 'model.pkl' });
    const again = await api.post(`/api/v1/runs/${run.run_id}/artifacts`, {
      path: 'model.pkl',
      artifact_type: 'model',
      size_bytes: 4,
    });
    expect(again.status).toBe(409);

    // A purge of the run, or of its experiment, is refused naming the versions; nothing is removed.
    expect((await api.delete(`/api/v1/runs/${run.run_id}`)).status).toBe(200);
    const purge = await api.post(`/api/v1/runs/${run.run_id}/purge`, {});
    expect(purge.status).toBe(409);
    expect(purge.body.error.code).toBe('artifact.held_by_model_version');
    expect(purge.body.error.message).toMatch(/held by the model versions held\/1, held\/2/);
    expect((await api.delete(`/api/v1/experiments/${run.experiment_id}`)).status).toBe(200);
    const experimentPurge = await api.post(`/api/v1/experiments/${run.experiment_id}/purge`, {});
    expect(experimentPurge.status).toBe(409);
    expect(experimentPurge.body.error.message).toMatch(/held\/1, held\/2/);
    expect((await api.get(`/api/v1/runs/${run.run_id}/artifacts/download?path=model.pkl`)).status).toBe(200);

    // Deleting a version needs an admin token, and releases only its own hold.
    const writer = apiClient(local.stack.url, tokens.write);
    expect((await writer.delete(`${models('held')}/versions/1`)).status).toBe(403);
    expect((await api.delete(`${models('held')}/versions/1`)).status).toBe(200);
    const stillHeld = await api.post(`/api/v1/runs/${run.run_id}/purge`, {});
    expect(stillHeld.status).toBe(409);
    expect(stillHeld.body.error.message).toMatch(/model versions held\/2;/);
    // Numbers are never reused (registration needs a live run: restore it, and its experiment first, for a moment).
    const restored = await api.post(`/api/v1/experiments/${run.experiment_id}/restore`, {});
    expect(restored.status, JSON.stringify(restored.body)).toBe(200);
    expect((await api.post(`/api/v1/runs/${run.run_id}/restore`, {})).status).toBe(200);
    const next = await api.post(`${models('held')}/versions`, { run_id: run.run_id, artifact_path: 'model.pkl' });
    expect(next.body.version).toBe(3);
    for (const version of [2, 3]) expect((await api.delete(`${models('held')}/versions/${version}`)).status).toBe(200);
    expect((await api.delete(`/api/v1/runs/${run.run_id}`)).status).toBe(200);
    expect((await api.delete(`/api/v1/experiments/${run.experiment_id}`)).status).toBe(200);
    const purged = await api.post(`/api/v1/experiments/${run.experiment_id}/purge`, {});
    expect(purged.status, JSON.stringify(purged.body)).toBe(200);
    expect(purged.body.purged.objects).toBeGreaterThan(0);
    expect((await api.get(`/api/v1/runs/${run.run_id}`)).status).toBe(404);
  });
});

describe('latest version', () => {
  test('latest_version is the highest version the model has now; deleted versions do not count', async () => {
    const run = await newRun();
    await logArtifact(run.run_id, 'model.pkl', Buffer.from('shrinking'));
    await api.post('/api/v1/models', { name: 'shrinking' });
    for (let index = 0; index < 3; index++) {
      expect(
        (await api.post(`${models('shrinking')}/versions`, { run_id: run.run_id, artifact_path: 'model.pkl' })).status,
      ).toBe(201);
    }
    const latest = async () => {
      const one = (await api.get(models('shrinking'))).body.latest_version;
      const listed = (await api.get('/api/v1/models?name_prefix=shrinking')).body.models;
      expect(listed.map((model: { latest_version: number }) => model.latest_version)).toEqual([one]);
      return one;
    };
    expect(await latest()).toBe(3);
    expect((await api.delete(`${models('shrinking')}/versions/3`)).status).toBe(200);
    expect(await latest()).toBe(2);
    expect((await api.delete(`${models('shrinking')}/versions/1`)).status).toBe(200);
    expect(await latest()).toBe(2);
    // Answers that carry the model say the same.
    expect((await api.call('PUT', `${models('shrinking')}/aliases/prod`, { version: 2 })).body.latest_version).toBe(2);
    expect((await api.patch(models('shrinking'), { description: 'smaller' })).body.latest_version).toBe(2);
    await api.delete(`${models('shrinking')}/aliases/prod`);
    expect((await api.delete(`${models('shrinking')}/versions/2`)).status).toBe(200);
    expect(await latest()).toBe(0);
    // Numbers are never given twice: the next registration is 4, and it is the latest.
    const next = await api.post(`${models('shrinking')}/versions`, { run_id: run.run_id, artifact_path: 'model.pkl' });
    expect(next.body.version).toBe(4);
    expect(await latest()).toBe(4);
  });
});

describe('aliases', () => {
  test('set, move, resolve, delete; every move is in the history with who, when and from where', async () => {
    const run = await newRun();
    await logArtifact(run.run_id, 'model.pkl', Buffer.from('m'));
    await api.post('/api/v1/models', { name: 'ranker' });
    for (let i = 0; i < 3; i++) {
      await api.post(`${models('ranker')}/versions`, { run_id: run.run_id, artifact_path: 'model.pkl' });
    }
    const writer = apiClient(local.stack.url, tokens.write);
    const alias = `${models('ranker')}/aliases/champion`;
    const set = await writer.call('PUT', alias, { version: 1 });
    expect(set.status).toBe(200);
    expect(set.body.aliases).toEqual([{ alias: 'champion', version: 1 }]);
    const beforeMove = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await api.call('PUT', alias, { version: 3 });
    await api.call('PUT', `${models('ranker')}/aliases/challenger`, { version: 2 });
    // Listed in name order, not the order they were set in (as MLflow's server lists them).
    expect((await api.get(models('ranker'))).body.aliases).toEqual([
      { alias: 'challenger', version: 2 },
      { alias: 'champion', version: 3 },
    ]);
    // An alias is a user-chosen key like any other: `__proto__` is just a name.
    expect((await api.call('PUT', `${models('ranker')}/aliases/__proto__`, { version: 2 })).status).toBe(200);
    expect((await api.get(`${models('ranker')}/aliases/__proto__`)).body.version).toBe(2);
    expect((await api.delete(`${models('ranker')}/aliases/__proto__`)).status).toBe(200);

    const resolved = await api.get(alias);
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ version: 3, aliases: ['champion'] });
    expect((await api.get(`${models('ranker')}/versions/1`)).body.aliases).toEqual([]);
    const missingVersion = await api.call('PUT', alias, { version: 9 });
    expect(missingVersion.status).toBe(404);
    expect(missingVersion.body.error.code).toBe('model_version.not_found');

    expect((await writer.delete(`${models('ranker')}/aliases/challenger`)).status).toBe(200);
    expect((await api.get(`${models('ranker')}/aliases/challenger`)).body.error.code).toBe('alias.not_found');
    expect((await api.delete(`${models('ranker')}/aliases/challenger`)).status).toBe(404);

    // Deleting the version under champion removes the alias, and says so in the history.
    expect((await api.delete(`${models('ranker')}/versions/3`)).status).toBe(200);
    expect((await api.get(models('ranker'))).body.aliases).toEqual([]);

    const history = await api.get(`${models('ranker')}/alias-history`);
    expect(
      history.body.events.map((e: Record<string, unknown>) => [e.alias, e.change, e.from_version, e.to_version]),
    ).toEqual([
      ['champion', 'version_deleted', 3, undefined],
      ['challenger', 'deleted', 2, undefined],
      ['__proto__', 'deleted', 2, undefined],
      ['__proto__', 'set', undefined, 2],
      ['challenger', 'set', undefined, 2],
      ['champion', 'set', 1, 3],
      ['champion', 'set', undefined, 1],
    ]);
    const adminId = history.body.events[0].by.token_id;
    expect(history.body.events.map((e: { by: { token_id: string } }) => e.by.token_id)).toEqual([
      adminId,
      tokens.writeId,
      adminId,
      adminId,
      adminId,
      adminId,
      tokens.writeId,
    ]);
    // Where champion stood just before it was moved: version 1.
    const then = await api.get(`${models('ranker')}/alias-history?alias=champion&until=${beforeMove}`);
    expect(then.body.events.map((e: { to_version: number }) => e.to_version)).toEqual([1]);
    const paged = await api.get(`${models('ranker')}/alias-history?max_results=2`);
    const more = await api.get(
      `${models('ranker')}/alias-history?max_results=10&page_token=${encodeURIComponent(paged.body.next_page_token)}`,
    );
    expect(paged.body.events.length + more.body.events.length).toBe(7);
  });

  test('racing moves of one alias leave a history that is exactly the sequence of moves', async () => {
    const run = await newRun();
    await logArtifact(run.run_id, 'model.pkl', Buffer.from('m'));
    await api.post('/api/v1/models', { name: 'contested' });
    for (let i = 0; i < 5; i++) {
      await api.post(`${models('contested')}/versions`, { run_id: run.run_id, artifact_path: 'model.pkl' });
    }
    const moves = await Promise.all(
      [1, 2, 3, 4, 5, 1, 2, 3].map((version) => api.call('PUT', `${models('contested')}/aliases/prod`, { version })),
    );
    expect(moves.map((m) => m.status)).toEqual(Array(8).fill(200));
    const events = (await api.get(`${models('contested')}/alias-history?alias=prod`)).body.events.reverse();
    // Each event starts where the one before it ended, and the last one is where prod points.
    for (let i = 1; i < events.length; i++) expect(events[i].from_version).toBe(events[i - 1].to_version);
    expect(events[0].from_version).toBeUndefined();
    const prod = await api.get(`${models('contested')}/aliases/prod`);
    expect(prod.body.version).toBe(events[events.length - 1].to_version);
  });
});

describe('deleting a model', () => {
  test('removes its versions, aliases and history, frees the name and releases its artifacts', async () => {
    const run = await newRun();
    await logArtifact(run.run_id, 'model.pkl', Buffer.from('bye'));
    await api.post('/api/v1/models', { name: 'doomed' });
    await api.post(`${models('doomed')}/versions`, { run_id: run.run_id, artifact_path: 'model.pkl' });
    await api.post(`${models('doomed')}/versions`, { run_id: run.run_id, artifact_path: 'model.pkl' });
    await api.call('PUT', `${models('doomed')}/aliases/prod`, { version: 2 });
    const writer = apiClient(local.stack.url, tokens.write);
    expect((await writer.delete(models('doomed'))).status).toBe(403);
    expect((await api.delete(models('doomed'))).status).toBe(200);
    expect((await api.get(models('doomed'))).status).toBe(404);
    expect((await api.get(`${models('doomed')}/versions/1`)).status).toBe(404);
    expect((await api.delete(models('doomed'))).status).toBe(404);
    await expect(
      refuseIfHeldByModelVersions({ workspace: 'default' }, run.run_id, 'purge', registryRecordDeps()),
    ).resolves.toBeUndefined();
    const reborn = await api.post('/api/v1/models', { name: 'doomed' });
    expect(reborn.body.latest_version).toBe(0);
    expect((await api.get(`${models('doomed')}/alias-history`)).body.events).toEqual([]);
  });
});

describe('workspaces and scopes', () => {
  test("another workspace sees none of this workspace's models and cannot register its runs", async () => {
    const run = await newRun();
    await logArtifact(run.run_id, 'model.pkl', Buffer.from('private'));
    await api.post('/api/v1/models', { name: 'secret' });
    await api.post(`${models('secret')}/versions`, { run_id: run.run_id, artifact_path: 'model.pkl' });
    await api.call('PUT', `${models('secret')}/aliases/prod`, { version: 1 });
    const other = await api.post('/api/v1/admin/workspaces', { workspace_id: 'registry-other' });
    const outsider = apiClient(local.stack.url, other.body.admin_token.token);
    const attempts = [
      await outsider.get(models('secret')),
      await outsider.patch(models('secret'), { description: 'mine' }),
      await outsider.delete(models('secret')),
      await outsider.get(`${models('secret')}/versions`),
      await outsider.get(`${models('secret')}/versions/1`),
      await outsider.patch(`${models('secret')}/versions/1`, { description: 'mine' }),
      await outsider.delete(`${models('secret')}/versions/1`),
      await outsider.get(`${models('secret')}/versions/1/download`),
      await outsider.call('PUT', `${models('secret')}/aliases/prod`, { version: 1 }),
      await outsider.get(`${models('secret')}/aliases/prod`),
      await outsider.delete(`${models('secret')}/aliases/prod`),
      await outsider.get(`${models('secret')}/alias-history`),
      await outsider.post(`${models('secret')}/versions`, { run_id: run.run_id, artifact_path: 'model.pkl' }),
      await outsider.get(`/api/v1/runs/${run.run_id}/model-versions`),
    ];
    for (const attempt of attempts) expect(attempt.status).toBe(404);
    expect((await outsider.get('/api/v1/models')).body.models).toEqual([]);
    // The same name is free in the other workspace, and its runs are its own.
    expect((await outsider.post('/api/v1/models', { name: 'secret' })).status).toBe(201);
    const stolen = await outsider.post(`${models('secret')}/versions`, {
      run_id: run.run_id,
      artifact_path: 'model.pkl',
    });
    expect(stolen.body.error.code).toBe('run.not_found');
    const mine = await api.get(models('secret'));
    expect(mine.body).toMatchObject({ latest_version: 1, aliases: [{ alias: 'prod', version: 1 }] });
    expect(mine.body.description).toBeUndefined();
  });

  test('a read token reads the registry and changes nothing', async () => {
    const reader = apiClient(local.stack.url, tokens.read);
    await api.post('/api/v1/models', { name: 'readable' });
    expect((await reader.get(models('readable'))).status).toBe(200);
    expect((await reader.get('/api/v1/models')).status).toBe(200);
    expect((await reader.post('/api/v1/models', { name: 'nope' })).status).toBe(403);
    expect((await reader.patch(models('readable'), { description: 'x' })).status).toBe(403);
    expect((await reader.call('PUT', `${models('readable')}/aliases/prod`, { version: 1 })).status).toBe(403);
  });
});
