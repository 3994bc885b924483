import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { idempotencyKeyOf } from '../shared/http/inputs.ts';
import { mlflowLogMetric } from '../shared/http/mlflow/handlers/log-metrics.ts';
import { logMetricsRoute } from '../shared/http/routes/log-metrics.ts';
import { runWriteDeps } from '../shared/runtime.ts';
import { logMetrics } from '../shared/use-cases/metrics.ts';

const deps = runWriteDeps();

export const handler = serveRoutes(
  createHandler(logMetricsRoute, async ({ path, body, headers }, { scope }) => {
    const points =
      'metrics' in body
        ? body.metrics
        : [{ key: body.metric_name, value: body.metric_value, step: body.step, timestamp: body.timestamp }];
    const idempotencyKey = idempotencyKeyOf(body.idempotency_key, headers);
    const result = await logMetrics(scope, path.run_id, { points, idempotencyKey }, deps);
    return { body: { run_id: path.run_id, ...result } };
  }),
  mlflowLogMetric,
);
