import { defineRoute } from '../route-definition.ts';
import { mlflowObject } from '../mlflow/fields.ts';

export const mlflowGetServerInfoRoute = defineRoute({
  operationId: 'mlflowGetServerInfo',
  dialect: 'mlflow',
  method: 'GET',
  path: '/api/3.0/mlflow/server-info',
  entry: 'lambdas/get-openapi.ts',
  summary:
    "What this server can do, as MLflow 3's client asks before moving artifacts: multipart uploads and presigned, ranged downloads straight from S3; no workspaces of MLflow's kind (MLflow)",
  access: 'read',
  tag: 'mlflow-artifacts',
  request: {},
  response: {
    status: 200,
    description:
      'MLflow\'s answer: {"store_type", "workspaces_enabled", "trace_archival_enabled", "multipart_uploads_enabled", "multipart_downloads_enabled", "presigned_upload_run_id_supported", "presigned_upload_model_id_supported", "features_enabled"}',
    body: mlflowObject,
  },
  table: { actions: ['GetItem'] },
});
