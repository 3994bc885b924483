import { NotFoundError, ValidationError } from '../../../errors.ts';
import { artifactDeps } from '../../../runtime.ts';
import { downloadArtifact } from '../../../use-cases/artifacts.ts';
import { createMlflowHandler } from '../handler.ts';
import { parseProxiedPath, requestRunId, safeArtifactPath } from '../inputs.ts';
import { mlflowDownloadArtifactProxiedRoute } from '../../routes/mlflow-download-artifact-proxied.ts';
import { mlflowGetArtifactRoute } from '../../routes/mlflow-get-artifact.ts';
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

/**
 * MLflow's `/get-artifact?run_id=&path=` (its web app's file route): the path is
 * checked as MLflow's server checks it ("Invalid path") before the run is read; a
 * missing file of a missing run is the run's 404 ("Run with id=... not found"),
 * as MLflow reads the run first. The answer is a 302 to a presigned GET of that
 * one object, which the client follows.
 */
export const mlflowGetArtifact = createMlflowHandler(mlflowGetArtifactRoute, async ({ query }, { scope }) => {
  const path = safeArtifactPath(query.path);
  const runId = requestRunId(query);
  const deps = artifactDeps();
  try {
    const link = await downloadArtifact(scope, runId, path, deps);
    return { status: 302, headers: { location: link.url }, body: {} };
  } catch (error) {
    // Only on the error path: the run is read to say which of the two is missing.
    if (error instanceof NotFoundError && !(await deps.runs.get(scope.workspace, runId))) {
      throw new NotFoundError('run', runId);
    }
    throw error;
  }
});
