import * as z from 'zod/mini';
import '../../zod-messages.ts';
import { artifactLimits } from '../../domain/artifacts.ts';
import { maxUtf8Bytes } from '../schemas/text.ts';
import { integer, mlflowId, pageToken } from './fields.ts';

/** MLflow's artifact request shapes: listing, proxied and presigned transfers, multipart uploads (fields.ts says how they are read). */

export const listArtifactsQuery = z.object({
  run_id: z.optional(mlflowId),
  run_uuid: z.optional(mlflowId),
  // A folder of the run's artifacts: bounded as artifact paths are, in bytes (it prefixes a key).
  path: z.optional(z.string().check(z.maxLength(artifactLimits.pathBytes), maxUtf8Bytes(artifactLimits.pathBytes))),
  page_token: pageToken,
});

/** MLflow's `/get-artifact`: one file of a run, by its path under the run's artifact root. */
export const getArtifactQuery = z.object({
  run_id: z.optional(mlflowId),
  run_uuid: z.optional(mlflowId),
  path: z.string().check(z.maxLength(artifactLimits.pathBytes), maxUtf8Bytes(artifactLimits.pathBytes)),
});

/** `/mlflow-artifacts/...`: the artifact's path after `artifacts/`, `mpu/create/` etc. */
export const artifactPathParameter = z.object({ artifact_path: z.string().check(z.maxLength(2048)) });
export const artifactListQuery = z.object({ path: z.optional(z.string().check(z.maxLength(2048))) });
export const createMultipartBody = z.object({
  path: z.optional(z.string()),
  num_parts: integer(1, 10_000),
});
export const completeMultipartBody = z.object({
  path: z.optional(z.string()),
  upload_id: z.string().check(z.minLength(1), z.maxLength(1024)),
  parts: z
    .array(
      z.object({
        part_number: integer(1, 10_000),
        etag: z.string().check(z.maxLength(256)),
        url: z.optional(z.string()),
      }),
    )
    .check(z.minLength(1, { error: 'must list the uploaded parts' }), z.maxLength(10_000)),
});
export const abortMultipartBody = z.object({
  path: z.optional(z.string()),
  upload_id: z.string().check(z.minLength(1), z.maxLength(1024)),
});
