import { createHash, randomBytes } from 'node:crypto';
import { startLocalStack } from '../local/stack.ts';
import { issueToken } from '../shared/domain/tokens.ts';
import { round } from './stats.ts';
import type { BenchSection } from './section.ts';

export interface ArtifactBenchOptions {
  /** Artifact size in MiB (default 256). */
  mebibytes?: number;
  /** Parts in flight at once. */
  concurrency?: number;
}

interface Part {
  part_number: number;
  url: string;
  size_bytes: number;
}

const MiB = 1024 * 1024;

/**
 * Artifact throughput through the local stack: plan a multipart upload, PUT the
 * parts in parallel straight to the S3 server (versitygw on loopback, its data
 * on local disk) through the presigned URLs, complete it, then download it
 * through a presigned GET and check its SHA-256. No byte passes through the API.
 */
export async function runArtifactBench(options: ArtifactBenchOptions = {}): Promise<BenchSection> {
  const size = (options.mebibytes ?? 256) * MiB;
  const concurrency = options.concurrency ?? 4;
  const token = issueToken().token;
  const stack = await startLocalStack({
    port: 0,
    tableName: 'bench-artifacts',
    logLevel: 'error',
    bootstrapToken: token,
  });
  try {
    const api = async (path: string, body?: unknown) => {
      const response = await fetch(`${stack.url}/api/v1${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = (await response.json()) as Record<string, any>;
      if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(json)}`);
      return json;
    };
    const bytes = randomBytes(size);
    const digest = createHash('sha256').update(bytes).digest('hex');
    const { run_id: runId } = await api('/runs', { experiment_name: 'bench-artifacts' });

    const uploadStarted = performance.now();
    const plan = await api(`/runs/${runId}/artifacts`, {
      path: 'model.bin',
      artifact_type: 'model',
      size_bytes: size,
      sha256: digest,
    });
    const {
      upload_id: uploadId,
      part_size_bytes: partSize,
      parts,
    } = plan.upload as {
      upload_id: string;
      part_size_bytes: number;
      parts: Part[];
    };
    const etags: Array<{ part_number: number; etag: string }> = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let index = next++; index < parts.length; index = next++) {
          const part = parts[index] as Part;
          const offset = (part.part_number - 1) * partSize;
          const response = await fetch(part.url, {
            method: 'PUT',
            body: bytes.subarray(offset, offset + part.size_bytes),
          });
          await response.arrayBuffer();
          if (response.status !== 200) throw new Error(`part ${part.part_number}: ${response.status}`);
          etags[index] = { part_number: part.part_number, etag: response.headers.get('etag') as string };
        }
      }),
    );
    await api(`/runs/${runId}/artifacts/complete`, { path: 'model.bin', upload_id: uploadId, parts: etags });
    const uploadSeconds = (performance.now() - uploadStarted) / 1000;

    const downloadStarted = performance.now();
    const link = await api(`/runs/${runId}/artifacts/download?path=model.bin`);
    const response = await fetch(link.url as string);
    const hash = createHash('sha256');
    let received = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      received += chunk.length;
    }
    const downloadSeconds = (performance.now() - downloadStarted) / 1000;
    if (received !== size || hash.digest('hex') !== digest) throw new Error('the download differs from the upload');

    const mib = size / MiB;
    return {
      title: `Artifacts: one ${mib} MiB artifact through presigned URLs (${parts.length} parts of ${partSize / MiB} MiB, ${concurrency} in flight)`,
      rows: [
        { measure: 'upload MiB/s (plan, parallel parts, complete)', value: round(mib / uploadSeconds, 1) },
        { measure: 'upload wall time (s)', value: round(uploadSeconds, 2) },
        { measure: 'download MiB/s (one presigned GET, SHA-256 checked)', value: round(mib / downloadSeconds, 1) },
        { measure: 'download wall time (s)', value: round(downloadSeconds, 2) },
        { measure: 'parts', value: parts.length },
      ],
    };
  } finally {
    await stack.stop();
  }
}
