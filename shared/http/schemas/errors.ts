import * as z from 'zod/mini';

/** The v1 error body every route answers with on failure. */
export const errorResponse = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** The MLflow dialect's error body (mlflow/protos/databricks.proto's ErrorCode names in `error_code`). */
export const mlflowErrorResponse = z.object({ error_code: z.string(), message: z.string() });
