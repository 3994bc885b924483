import { ValidationError } from '../../../errors.ts';
import { artifactDeps } from '../../../runtime.ts';
import { downloadArtifact } from '../../../use-cases/artifacts.ts';
import { createMlflowHandler } from '../handler.ts';
import { parseProxiedPath } from '../inputs.ts';
import { mlflowDownloadArtifactProxiedRoute } from '../../routes/mlflow-download-artifact-proxied.ts';
import { mlflowPresignedDownloadRoute } from '../../routes/mlflow-presigned-download.ts';

const fileOf = (raw: string) => {
  const target = parseProxiedPath(raw, 'path');
  if (!target.path) throw new ValidationError('path: names a folder; list it instead', 'path.invalid');
  return target;
};

/** A GET of a file is a 302 to a short-lived presigned S3 GET. */
export const mlflowDownloadArtifactProxied = createMlflowHandler(
  mlflowDownloadArtifactProxiedRoute,
  async ({ path }, { scope }) => {
    const target = fileOf(path.artifact_path);
    const link = await downloadArtifact(scope, target.runId, target.path, artifactDeps());
    return { status: 302, headers: { location: link.url }, body: {} };
  },
);

export const mlflowPresignedDownload = createMlflowHandler(
  mlflowPresignedDownloadRoute,
  async ({ path }, { scope }) => {
    const target = fileOf(path.artifact_path);
    const link = await downloadArtifact(scope, target.runId, target.path, artifactDeps());
    return { body: { url: link.url, headers: {}, file_size: link.sizeBytes } };
  },
);
