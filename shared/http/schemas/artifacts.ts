import * as z from 'zod/mini';
import '../../zod-messages.ts';
import { artifactLimits, artifactStatuses, artifactTypes } from '../../domain/artifacts.ts';
import { limits } from '../../limits.ts';
import { maxUtf8Bytes } from './text.ts';

/**
 * Request and response shapes of the artifact routes (the contract agreed with
 * the clients). Paths are checked in full by the use cases
 * (`normalizeArtifactPath`), which name `path` in their errors; here they are
 * only bounded.
 */

// Twice the byte limit in UTF-16 units is a bound no valid path reaches; the exact check follows in the use case.
const artifactPath = z.string().check(
  z.minLength(1, { error: 'must not be empty' }),
  z.maxLength(artifactLimits.pathBytes * 2, {
    error: `must be at most ${artifactLimits.pathBytes} bytes`,
  }),
);

const contentType = z.string().check(
  z.maxLength(255),
  z.regex(/^[\w.+-]+\/[\w.+-]+(\s*;\s*[\w.+-]+=("[^"\u0000-\u001f]*"|[\w.+-]+))*$/, {
    error: 'must be a media type such as text/csv or text/plain; charset=utf-8',
  }),
);

const uploadId = z.string().check(z.minLength(1), z.maxLength(1024));
const etag = z.string().check(z.minLength(1), z.maxLength(256));

export const createArtifactBody = z.strictObject({
  path: artifactPath,
  artifact_type: z.enum(artifactTypes),
  size_bytes: z.int().check(z.gte(0), z.lte(artifactLimits.sizeBytes)),
  content_type: z.optional(contentType),
  sha256: z
    .optional(z.string().check(z.regex(/^[0-9a-f]{64}$/, { error: 'must be 64 lowercase hex characters' })))
    .check(z.meta({ description: 'SHA-256 of the content; S3 rejects a single upload whose bytes do not match it' })),
});

export const completeArtifactBody = z.strictObject({
  path: artifactPath,
  upload_id: z.optional(uploadId),
  parts: z.optional(
    z
      .array(z.strictObject({ part_number: z.int().check(z.gte(1), z.lte(10_000)), etag }))
      .check(z.minLength(1), z.maxLength(artifactLimits.planParts)),
  ),
});

export const abortArtifactBody = z.strictObject({ path: artifactPath, upload_id: uploadId });

export const listArtifactsQuery = z.object({
  prefix: z.optional(
    z
      .string()
      .check(
        z.maxLength(artifactLimits.pathBytes),
        maxUtf8Bytes(artifactLimits.pathBytes),
        z.regex(/^[^\u0000-\u001f\u007f]*$/, { error: 'must not contain control characters' }),
      ),
  ),
  max_results: z._default(
    z.pipe(z.coerce.number(), z.int().check(z.gte(1), z.lte(limits.pageSizeMax))),
    limits.pageSizeDefault,
  ),
  page_token: z.optional(z.string().check(z.maxLength(2048))),
  delimiter: z.optional(z.literal('/')).check(
    z.meta({
      description:
        "'/': list one folder level, as S3 does with a delimiter: the files directly in the folder `prefix` names (the run's root without it) and its subfolders in `folders`, `max_results` entries in all a page; nothing inside a subfolder is read",
    }),
  ),
});

export const downloadArtifactQuery = z.object({
  path: artifactPath,
  redirect: z
    ._default(z.stringbool(), false)
    .check(z.meta({ description: 'true: answer 302 with the URL in Location' })),
});

export const artifactResponse = z.object({
  path: z.string(),
  artifact_type: z.enum(artifactTypes),
  size_bytes: z.int(),
  content_type: z.string(),
  sha256: z.optional(z.string()),
  status: z.enum(artifactStatuses),
  created_time: z.int(),
  updated_time: z.int(),
});

export const uploadPlanResponse = z.object({
  path: z.string(),
  artifact_type: z.enum(artifactTypes),
  size_bytes: z.int(),
  expires_at: z.int(),
  upload: z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('single'),
      method: z.literal('PUT'),
      url: z.string(),
      headers: z.record(z.string(), z.string()),
    }),
    z.object({
      kind: z.literal('multipart'),
      upload_id: z.string(),
      part_size_bytes: z.int(),
      parts: z.array(z.object({ part_number: z.int(), url: z.string(), size_bytes: z.int() })),
    }),
  ]),
});

export const abortArtifactResponse = z.object({
  path: z.string(),
  upload_id: z.string(),
  status: z.literal('ABORTED'),
});

export const artifactListResponse = z.object({
  artifacts: z.array(artifactResponse),
  folders: z
    .optional(z.array(z.string()))
    .check(z.meta({ description: "With delimiter=/: the level's subfolders, as paths from the run's root" })),
  next_page_token: z.optional(z.string()),
});

export const downloadArtifactResponse = z.object({
  path: z.string(),
  url: z.string(),
  expires_at: z.int(),
  size_bytes: z.int(),
});
