import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import type { Artifact } from '../../shared/domain/artifacts.ts';
import { ArtifactRepository } from '../../shared/storage/artifact-repository.ts';
import { ArtifactObjectStore, type CompletedPart } from '../../shared/storage/artifact-store.ts';
import { S3RestClient } from '../../shared/storage/s3-rest.ts';
import { settlePending } from '../../shared/use-cases/artifacts.ts';
import type { RequestScope } from '../../shared/use-cases/deps.ts';
import { completeMultipartOnce } from '../../shared/use-cases/multipart-completion.ts';
import { tableDocumentClient, useTestStack } from '../support/local-api.ts';

/**
 * One CompleteMultipartUpload per upload, however many requests set out to
 * send it: LocalStack's S3 stored an empty object when two overlapped. The
 * use cases run on the test stack's real table and bucket; the store is the
 * real one, wrapped to count (and slow down, so that requests overlap) the
 * completions it sends.
 */
const local = useTestStack();
let repository: ArtifactRepository;
let rest: S3RestClient;
let store: ArtifactObjectStore;
let runId: string;
let experimentId: string;

beforeAll(async () => {
  repository = new ArtifactRepository(tableDocumentClient(local.stack), local.stack.tableName);
  const { credentials } = inject('s3');
  rest = new S3RestClient({
    region: 'us-east-1',
    endpoint: local.stack.s3Endpoint,
    credentials: async () => credentials,
  });
  store = new ArtifactObjectStore(rest, local.stack.artifactsBucket, 300);
  const run = (await local.api.post('/api/v1/runs', { experiment_name: 'completion-once' })).body;
  runId = run.run_id;
  experimentId = run.experiment_id;
});

afterAll(() => rest?.destroy());

/** The real store, counting the completions it sends; each takes at least `delayMs`. */
function countingStore(delayMs: number) {
  const sent: string[] = [];
  const objects = Object.create(store) as ArtifactObjectStore;
  objects.completeMultipartUpload = async (key: string, uploadId: string, parts: readonly CompletedPart[]) => {
    sent.push(uploadId);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    await store.completeMultipartUpload(key, uploadId, parts);
  };
  return { objects, sent };
}

/** An MLflow client's redirected PUT whose part went through: a PENDING artifact the service completes. */
async function redirectedUpload(path: string, body: string): Promise<Artifact> {
  const url = `${local.stack.url}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/${path}`;
  const put = await fetch(url, {
    method: 'PUT',
    redirect: 'manual',
    headers: { authorization: `Bearer ${local.stack.token}`, 'content-type': 'text/plain' },
    body,
  });
  expect(put.status).toBe(307);
  const part = await fetch(put.headers.get('location') as string, { method: 'PUT', body });
  expect(part.status).toBe(200);
  const artifact = await repository.get(local.stack.workspace, runId, path);
  expect(artifact).toMatchObject({ status: 'PENDING', multipart: { serviceCompletes: true } });
  return artifact as Artifact;
}

const scope = (): RequestScope => ({ workspace: local.stack.workspace });
const clock = { now: () => Date.now() };

describe('completing a multipart upload', () => {
  test('six concurrent settles send one completion, and all answer COMPLETE with the bytes kept', async () => {
    const artifact = await redirectedUpload('once/model.txt', 'the model');
    const { objects, sent } = countingStore(300);
    const deps = { artifacts: repository, objects, clock };
    const settled = await Promise.all(Array.from({ length: 6 }, () => settlePending(scope(), runId, [artifact], deps)));
    expect(sent).toEqual([artifact.multipart?.uploadId]);
    expect(settled.map(([one]) => one?.status)).toEqual(Array(6).fill('COMPLETE'));
    expect(await store.head(artifact.objectKey)).toEqual({ sizeBytes: 'the model'.length });
  });

  test('a claim held by a request that died is taken over once its lease has passed', async () => {
    const artifact = await redirectedUpload('once/orphan.txt', 'orphaned');
    const uploadId = artifact.multipart?.uploadId as string;
    const claim = { uploadId, now: Date.now(), leaseMs: 30_000 };
    expect(await repository.claimCompletion(local.stack.workspace, runId, artifact.path, claim)).toBe(true);
    // Within the lease nobody else may complete; past it (a clock 31 s later) the next request does.
    expect(await repository.claimCompletion(local.stack.workspace, runId, artifact.path, claim)).toBe(false);
    const { objects, sent } = countingStore(0);
    const later = { now: () => Date.now() + 31_000 };
    const [settled] = await settlePending(scope(), runId, [artifact], { artifacts: repository, objects, clock: later });
    expect(sent).toEqual([uploadId]);
    expect(settled?.status).toBe('COMPLETE');
  });

  test('a completion that fails gives its claim back at once', async () => {
    const artifact = await redirectedUpload('once/retried.txt', 'retried');
    const failing = Object.create(store) as ArtifactObjectStore;
    failing.completeMultipartUpload = async () => {
      throw new Error('S3 answered 500');
    };
    const multipart = artifact.multipart as NonNullable<Artifact['multipart']>;
    const part = { partNumber: 1, etag: '"unused"' };
    await expect(
      completeMultipartOnce(local.stack.workspace, runId, { ...artifact, multipart }, [part], {
        artifacts: repository,
        objects: failing,
        clock,
      }),
    ).rejects.toThrow('S3 answered 500');
    // Released: the next request claims at once, without waiting for a lease.
    const { objects, sent } = countingStore(0);
    const [settled] = await settlePending(scope(), runId, [artifact], { artifacts: repository, objects, clock });
    expect(sent).toEqual([multipart.uploadId]);
    expect(settled?.status).toBe('COMPLETE');
  });
});
