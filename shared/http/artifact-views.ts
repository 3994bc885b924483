import type * as z from 'zod/mini';
import type { Artifact } from '../domain/artifacts.ts';
import type { PlannedUpload } from '../use-cases/artifacts.ts';
import type { artifactResponse, uploadPlanResponse } from './schemas/artifacts.ts';

/** Artifacts in the API's snake_case JSON shape. */

export const artifactView = (artifact: Artifact): z.input<typeof artifactResponse> => ({
  path: artifact.path,
  artifact_type: artifact.artifactType,
  size_bytes: artifact.sizeBytes,
  content_type: artifact.contentType,
  sha256: artifact.sha256,
  status: artifact.status,
  created_time: artifact.createdTime,
  updated_time: artifact.updatedTime,
});

export const uploadPlanView = ({ artifact, expiresAt, upload }: PlannedUpload): z.input<typeof uploadPlanResponse> => ({
  path: artifact.path,
  artifact_type: artifact.artifactType,
  size_bytes: artifact.sizeBytes,
  expires_at: expiresAt,
  upload:
    upload.kind === 'single'
      ? upload
      : {
          kind: 'multipart',
          upload_id: upload.uploadId,
          part_size_bytes: upload.partSizeBytes,
          parts: upload.parts.map((part) => ({
            part_number: part.partNumber,
            url: part.url,
            size_bytes: part.sizeBytes,
          })),
        },
});
