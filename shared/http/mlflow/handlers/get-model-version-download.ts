import { registryDeps, registryRecordDeps } from '../../../runtime.ts';
import { getModelVersion, getModelVersionFileDownload } from '../../../use-cases/model-registry.ts';
import { createMlflowHandler } from '../handler.ts';
import { onMlflowVersion } from '../registry-refs.ts';
import { safeArtifactPath } from '../inputs.ts';
import { mlflowGetModelVersionArtifactRoute } from '../../routes/mlflow-get-model-version-artifact.ts';
import { mlflowGetModelVersionDownloadUriRoute } from '../../routes/mlflow-get-model-version-download-uri.ts';
import { versionArtifactUri } from '../registry-views.ts';

/**
 * Where the stock client reads a version's files: the source run's
 * `mlflow-artifacts:` URI, which the MLflow artifact routes answer with
 * presigned S3 URLs. The version holds those artifacts, so they cannot change.
 */
export const mlflowGetModelVersionDownloadUri = createMlflowHandler(
  mlflowGetModelVersionDownloadUriRoute,
  async ({ query }, { scope }) => {
    const version = await onMlflowVersion(query.name, query.version, (number) =>
      getModelVersion(scope, query.name, number, registryRecordDeps()),
    );
    const { source } = version;
    // A prompt version has no files: MLflow's server answers its source, the placeholder, here too.
    return { body: { artifact_uri: source.kind === 'prompt' ? source.placeholder : versionArtifactUri(source) } };
  },
);

/**
 * MLflow's `/model-versions/get-artifact?name=&version=&path=` (its web app's file
 * route for versions): the path, relative to the version's source, is checked as
 * MLflow's server checks it ("Invalid path") before the version is read; the answer
 * is a 302 to a presigned GET of that one file, which the version holds.
 */
export const mlflowGetModelVersionArtifact = createMlflowHandler(
  mlflowGetModelVersionArtifactRoute,
  async ({ query }, { scope }) => {
    const path = safeArtifactPath(query.path);
    const link = await onMlflowVersion(query.name, query.version, (version) =>
      getModelVersionFileDownload(scope, query.name, version, path, registryDeps()),
    );
    return { status: 302, headers: { location: link.url }, body: {} };
  },
);
