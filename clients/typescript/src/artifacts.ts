import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, isAbsolute, normalize, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { StratusError } from './errors.ts';
import { type Transport, exchange, errorFromResponse } from './http.ts';
import { type Artifact, type ArtifactType, artifactFrom } from './types.ts';

/** Called as bytes go out or come in. */
export type ProgressCallback = (bytesDone: number, totalBytes: number) => void;

type UploadPlan =
  | { kind: 'single'; method: 'PUT'; url: string; headers?: Record<string, string> }
  | {
      kind: 'multipart';
      upload_id: string;
      part_size_bytes: number;
      parts: Array<{ part_number: number; url: string; size_bytes: number }>;
    };

/** A relative path keeps its folders (`plots/roc.png`); an absolute one or one leaving the directory keeps its name. */
export function artifactPathFor(localPath: string): string {
  const normal = normalize(localPath).split(sep).join('/');
  return isAbsolute(localPath) || normal.startsWith('../') ? basename(normal) : normal;
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

async function readRegion(path: string, offset: number, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, offset);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** PUTs bytes to a presigned URL (never with the bearer token), retrying outages. */
async function putBytes(transport: Transport, url: string, body: Buffer, headers: Record<string, string>) {
  return transport.withRetries(() =>
    exchange(
      url,
      { method: 'PUT', body, headers: { 'content-length': String(body.length), ...headers } },
      transport.timeoutMs,
    ),
  );
}

export interface UploadOptions {
  artifactPath: string;
  artifactType: ArtifactType;
  contentType?: string | undefined;
  onProgress?: ProgressCallback | undefined;
  concurrency: number;
}

/** Uploads a file: one PUT, or the multipart plan's parts in parallel (progress per part). */
export async function uploadArtifact(
  transport: Transport,
  runId: string,
  localPath: string,
  options: UploadOptions,
): Promise<Artifact> {
  const { size } = await stat(localPath);
  const base = `/runs/${runId}/artifacts`;
  const created = await transport.json<{ upload: UploadPlan }>('POST', base, {
    body: {
      path: options.artifactPath,
      artifact_type: options.artifactType,
      size_bytes: size,
      content_type: options.contentType ?? 'application/octet-stream',
      sha256: await fileSha256(localPath),
    },
  });
  const plan = created.upload;
  let done = 0;
  const advance = (bytes: number) => {
    done += bytes;
    options.onProgress?.(done, size);
  };
  options.onProgress?.(0, size);
  if (plan.kind === 'single') {
    await putBytes(transport, plan.url, await readRegion(localPath, 0, size), plan.headers ?? {});
    advance(size);
    return artifactFrom(await transport.json('POST', `${base}/complete`, { body: { path: options.artifactPath } }));
  }
  const queue = [...plan.parts];
  const etags: Array<{ part_number: number; etag: string }> = [];
  const worker = async () => {
    for (let part = queue.shift(); part; part = queue.shift()) {
      const body = await readRegion(localPath, (part.part_number - 1) * plan.part_size_bytes, part.size_bytes);
      const response = await putBytes(transport, part.url, body, {});
      const etag = response.headers.get('etag');
      if (!etag) throw new StratusError(502, 'storage.no_etag', `part ${part.part_number} was stored without an ETag`);
      etags.push({ part_number: part.part_number, etag });
      advance(body.length);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
    etags.sort((a, b) => a.part_number - b.part_number);
    return artifactFrom(
      await transport.json('POST', `${base}/complete`, {
        body: { path: options.artifactPath, upload_id: plan.upload_id, parts: etags },
      }),
    );
  } catch (error) {
    await transport
      .request('POST', `${base}/abort`, { body: { path: options.artifactPath, upload_id: plan.upload_id } })
      .catch(() => undefined); // the original failure is the one to report
    throw error;
  }
}

/** Downloads an artifact to `destination` through its presigned URL; resolves to the file written. */
export async function downloadArtifact(
  transport: Transport,
  runId: string,
  artifactPath: string,
  destination: string,
  onProgress?: ProgressCallback,
): Promise<string> {
  const link = await transport.json<{ url: string; size_bytes: number }>('GET', `/runs/${runId}/artifacts/download`, {
    query: { path: artifactPath },
  });
  const isDirectory = await stat(destination).then(
    (info) => info.isDirectory(),
    () => false,
  );
  const target = isDirectory ? `${destination}/${basename(artifactPath)}` : destination;
  const response = await transport.withRetries(() => exchange(link.url, { method: 'GET' }, transport.timeoutMs));
  if (!response.body) throw await errorFromResponse(response);
  let done = 0;
  onProgress?.(0, link.size_bytes);
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      done += chunk.length;
      onProgress?.(done, link.size_bytes);
      callback(null, chunk);
    },
  });
  const partial = `${target}.part`;
  try {
    await pipeline(Readable.fromWeb(response.body as WebReadableStream), counter, createWriteStream(partial));
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  await rename(partial, target);
  return target;
}
