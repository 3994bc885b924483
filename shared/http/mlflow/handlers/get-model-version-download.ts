import { registryRecordDeps } from '../../../runtime.ts';
import { getModelVersion } from '../../../use-cases/model-registry.ts';
import { createMlflowHandler } from '../handler.ts';
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
    const version = await getModelVersion(scope, query.name, query.version, registryRecordDeps());
    return { body: { artifact_uri: versionArtifactUri(version.source) } };
  },
);
