import { loggedModelMetricDeps, runWriteDeps } from '../../../runtime.ts';
import { logBatch } from '../../../use-cases/log-batch.ts';
import { recordLoggedModelMetrics } from '../../../use-cases/logged-models.ts';
import { renameRun, requireParentFor, setRunParent } from '../../../use-cases/lifecycle.ts';
import { getRun } from '../../../use-cases/runs.ts';
import { createMlflowHandler } from '../handler.ts';
import { batchParams, checkBatchSize, requestRunId, tagMap } from '../inputs.ts';
import { pointsOnce } from '../metric-writes.ts';
import { inMlflowParamWords } from '../param-changes.ts';
import { mlflowLogBatchRoute } from '../../routes/mlflow-log-batch.ts';
import { mlflowLimits } from '../fields.ts';
import { parentRunTag, runNameTag } from '../views.ts';

/**
 * MLflow's log-batch over the same use case as `POST /api/v1/runs/{id}/batch`:
 * params, tags and metrics in one write, whole or not at all. `mlflow.runName`
 * renames the run and `mlflow.parentRunId` nests it (Stratus keeps both as fields,
 * shown as those tags).
 */
export const mlflowLogBatch = createMlflowHandler(mlflowLogBatchRoute, async ({ body }, { scope }) => {
  const deps = runWriteDeps();
  const runId = requestRunId(body);
  const metrics = body.metrics ?? [];
  checkBatchSize(metrics.length + (body.params?.length ?? 0) + (body.tags?.length ?? 0), mlflowLimits.batchEntries);
  const params = batchParams(body.params);
  const tags = tagMap(body.tags);
  // Points stored already (a retry, log_model's copy for its model, repeats within the batch) are kept once, as on MLflow's server.
  const once = pointsOnce(metrics);
  const { [runNameTag]: runName, [parentRunTag]: parentRunId, ...otherTags } = tags;
  // A parent that would be refused refuses the whole batch before anything of it is written.
  if (parentRunId !== undefined) await requireParentFor(scope, runId, parentRunId, deps);
  const parts = Object.keys(params).length + Object.keys(otherTags).length + once.metrics.length;
  const someTags = Object.keys(otherTags).length > 0 ? otherTags : undefined;
  // An ended run still takes them, as on MLflow's server.
  if (parts > 0) {
    await inMlflowParamWords('batch', () =>
      logBatch(scope, runId, { params, tags: someTags, ...once, evenIfEnded: true }, deps),
    );
  }
  // An empty batch still answers whether the run exists.
  else if (runName === undefined && parentRunId === undefined) await getRun(scope, runId, deps);
  // After the params, metrics and other tags, as MLflow's store applies a batch's tags last.
  if (runName !== undefined) await renameRun(scope, runId, runName, deps);
  if (parentRunId !== undefined) await setRunParent(scope, runId, parentRunId, deps);
  const modelPoints = metrics.flatMap(({ model_id: modelId, dataset_name, dataset_digest, ...point }) =>
    modelId === undefined ? [] : [{ ...point, modelId, datasetName: dataset_name, datasetDigest: dataset_digest }],
  );
  if (modelPoints.length > 0) await recordLoggedModelMetrics(scope, runId, modelPoints, loggedModelMetricDeps());
  return { body: {} };
});
