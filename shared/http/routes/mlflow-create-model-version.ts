import { defineRoute } from '../route-definition.ts';
import { createModelVersionBody, mlflowRegistryObject } from '../mlflow/registry-schemas.ts';

export const mlflowCreateModelVersionRoute = defineRoute({
  operationId: 'mlflowCreateModelVersion',
  dialect: 'mlflow',
  method: 'POST',
  path: '/api/2.0/mlflow/model-versions/create',
  entry: 'lambdas/create-model-version.ts',
  summary:
    "Register the next version from a run's artifacts (runs:/, models:/<logged model id> or mlflow-artifacts: source); sizes and SHA-256 recorded, artifacts held (MLflow)",
  access: 'write',
  tag: 'mlflow',
  request: { body: createModelVersionBody },
  response: { status: 200, description: 'MLflow\'s answer: {"model_version"}', body: mlflowRegistryObject },
  // gsi1: a runs:/<run>/<name> source with no files there is the run's MLflow 3 logged model of that name.
  table: { actions: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'ConditionCheckItem'], indexes: ['gsi1'] },
  // A redirected MLflow PUT is settled here: ListParts, then CompleteMultipartUpload (s3:PutObject) of its one part.
  bucket: { actions: ['GetObject', 'ListMultipartUploadParts', 'PutObject'] },
});
