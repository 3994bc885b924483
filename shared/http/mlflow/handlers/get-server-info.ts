import { mlflowGetServerInfoRoute } from '../../routes/mlflow-get-server-info.ts';
import { createMlflowHandler } from '../handler.ts';

/**
 * MLflow 3's client reads this before it moves an artifact (`mlflow_artifacts_repo.py`). Saying
 * multipart uploads are on sends files of `MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE` (500 MB unless
 * set) or more up in presigned parts, with no `MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD`: a single PUT of
 * such a file could never pass through API Gateway and a function. Saying multipart downloads are on
 * makes it fetch every file through the presigned route, in parallel ranges straight from S3.
 * Nothing else here is on: no store of MLflow's kinds (its telemetry reads `store_type`), none of its
 * workspaces (a Stratus token names the workspace), no trace archival, no AI gateway, and none of its
 * `presigned-upload-url` routes.
 */
export const mlflowServerInfo = {
  store_type: null,
  workspaces_enabled: false,
  trace_archival_enabled: false,
  multipart_uploads_enabled: true,
  multipart_downloads_enabled: true,
  presigned_upload_run_id_supported: false,
  presigned_upload_model_id_supported: false,
  features_enabled: { gateway: false },
} as const;

export const mlflowGetServerInfo = createMlflowHandler(mlflowGetServerInfoRoute, async () => ({
  body: mlflowServerInfo,
}));
