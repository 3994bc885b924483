import { trackingDeps } from '../../../runtime.ts';
import { logMetrics } from '../../../use-cases/metrics.ts';
import { createHandler } from '../../handler.ts';
import { requestRunId } from '../inputs.ts';
import { mlflowLogMetricRoute } from '../../routes/mlflow-log-metric.ts';

export const mlflowLogMetric = createHandler(mlflowLogMetricRoute, async ({ body }, { scope }) => {
  await logMetrics(
    scope,
    requestRunId(body),
    { points: [{ key: body.key, value: body.value, step: body.step, timestamp: body.timestamp }] },
    trackingDeps(),
  );
  return { body: {} };
});
