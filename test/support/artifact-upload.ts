import { createHash } from 'node:crypto';
import type { ApiClient } from './local-api.ts';

/** An answer's body, or an error naming `what` when it is not a success. */
async function ok<T>(response: Promise<{ status: number; body: T }>, what: string): Promise<T> {
  const answer = await response;
  if (answer.status >= 300) throw new Error(`${what}: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** Uploads `body` as the run's artifact at `path` the way clients do: plan, PUT to the presigned URL, complete. */
export async function uploadArtifact(
  api: ApiClient,
  runId: string,
  path: string,
  body: Buffer,
  contentType: string,
  type = 'other',
) {
  const plan = await ok(
    api.post<{ upload: { url: string; headers: Record<string, string> } }>(`/api/v1/runs/${runId}/artifacts`, {
      path,
      artifact_type: type,
      size_bytes: body.length,
      content_type: contentType,
      sha256: createHash('sha256').update(body).digest('hex'),
    }),
    `plan ${path}`,
  );
  const put = await fetch(plan.upload.url, { method: 'PUT', headers: plan.upload.headers, body: new Uint8Array(body) });
  if (!put.ok) throw new Error(`upload ${path}: HTTP ${put.status} ${await put.text()}`);
  await ok(api.post(`/api/v1/runs/${runId}/artifacts/complete`, { path }), `complete ${path}`);
}
