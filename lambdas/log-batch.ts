import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { idempotencyKeyOf } from '../shared/http/inputs.ts';
import { mlflowLogBatch } from '../shared/http/mlflow/handlers/log-batch.ts';
import { logBatchRoute } from '../shared/http/routes/log-batch.ts';
import { runWriteDeps } from '../shared/runtime.ts';
import { logBatch } from '../shared/use-cases/log-batch.ts';

const deps = runWriteDeps();

export const handler = serveRoutes(
  createHandler(logBatchRoute, async ({ path, body, headers }, { scope }) => {
    const result = await logBatch(
      scope,
      path.run_id,
      {
        params: body.params,
        tags: body.tags,
        metrics: body.metrics,
        idempotencyKey: idempotencyKeyOf(body.idempotency_key, headers),
      },
      deps,
    );
    return {
      body: {
        run_id: path.run_id,
        params: Object.keys(body.params ?? {}).length,
        tags: Object.keys(body.tags ?? {}).length,
        ...result,
      },
    };
  }),
  mlflowLogBatch,
);
