import { loggedModelMetricDeps, runWriteDeps } from '../../../runtime.ts';
import { recordLoggedModelMetrics } from '../../../use-cases/logged-models.ts';
import { logBatch } from '../../../use-cases/log-batch.ts';
import { createMlflowHandler } from '../handler.ts';
import { requestRunId } from '../inputs.ts';
import { pointsOnce } from '../metric-writes.ts';
import { mlflowLogMetricRoute } from '../../routes/mlflow-log-metric.ts';

export const mlflowLogMetric = createMlflowHandler(mlflowLogMetricRoute, async ({ body }, { scope }) => {
  const runId = requestRunId(body);
  const point = { key: body.key, value: body.value, step: body.step, timestamp: body.timestamp };
  // The same point again (a retry, log_metric twice with one timestamp, log_model's copy) is stored once, as on MLflow's server.
  await logBatch(scope, runId, { ...pointsOnce([point]), evenIfEnded: true }, runWriteDeps());
  if (body.model_id !== undefined) {
    const { model_id: modelId, dataset_name: datasetName, dataset_digest: datasetDigest } = body;
    await recordLoggedModelMetrics(
      scope,
      runId,
      [{ ...point, modelId, datasetName, datasetDigest }],
      loggedModelMetricDeps(),
    );
  }
  return { body: {} };
});
