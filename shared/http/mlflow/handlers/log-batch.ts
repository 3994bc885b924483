import { trackingDeps } from '../../../runtime.ts';
import { logMetrics } from '../../../use-cases/metrics.ts';
import { getRun, logParams } from '../../../use-cases/runs.ts';
import { createHandler } from '../../handler.ts';
import { requestRunId, tagMap } from '../inputs.ts';
import { mlflowLogBatchRoute } from '../../routes/mlflow-log-batch.ts';
import { setMlflowRunTags } from './run-tags.ts';

/**
 * MLflow's log-batch over the existing use cases: params (immutable, all or
 * none), then tags, then metrics (one packed chunk per key).
 */
export const mlflowLogBatch = createHandler(mlflowLogBatchRoute, async ({ body }, { scope }) => {
  const deps = trackingDeps();
  const runId = requestRunId(body);
  const params = tagMap(body.params);
  const tags = tagMap(body.tags);
  const metrics = body.metrics ?? [];
  if (Object.keys(params).length > 0) await logParams(scope, runId, params, deps);
  if (Object.keys(tags).length > 0) await setMlflowRunTags(scope, runId, tags, deps);
  if (metrics.length > 0) await logMetrics(scope, runId, { points: metrics }, deps);
  // An empty batch still answers whether the run exists.
  if (Object.keys(params).length + Object.keys(tags).length + metrics.length === 0) await getRun(scope, runId, deps);
  return { body: {} };
});
