import type { ErrorSubject, RequestParameter } from '../errors.ts';

/**
 * How a failed request is answered, per dialect. The handler factory turns any
 * error into a `PublicError` (a typed error keeps its status, code and message;
 * anything else is a bare 500 `internal`), then the route's dialect renders it:
 * `/api/v1` as `{"error":{"code","message"}}` (here), MLflow routes in MLflow's own
 * shape (`mlflow/error-renderer.ts`, passed in by `mlflow/handler.ts`, so functions
 * that serve no MLflow route do not carry MLflow's code and message tables).
 */

/** An error as a client may learn of it. `headers` carries e.g. Retry-After or WWW-Authenticate. */
export interface PublicError {
  status: number;
  /** Stratus's stable dotted code, e.g. `run.not_found`. */
  code: string;
  message: string;
  headers?: Record<string, string>;
  /** The request field a 400 is about, when the edge's validation refused one. */
  parameter?: RequestParameter;
  /** The thing the error is about, when the error names one. */
  subject?: ErrorSubject;
}

export interface RenderedError {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export type ErrorRenderer = (error: PublicError) => RenderedError;

/** `/api/v1`: the status as is, `{"error":{"code","message"}}`. */
export const renderV1Error: ErrorRenderer = (error) => ({
  status: error.status,
  body: { error: { code: error.code, message: error.message } },
  headers: error.headers,
});
