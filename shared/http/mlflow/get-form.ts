import type * as z from 'zod/mini';
import type { RouteDefinition } from '../route-definition.ts';

/**
 * The GET form of an MLflow POST route. MLflow's protos declare a few operations with both methods
 * (`experiments/search`, `registered-models/get-latest-versions`: the `rpc` option's endpoints,
 * which its server serves one by one), reading a GET's fields from the query string. The form is
 * the same operation on the same function, with the same grants and answer; only its input moves to
 * the query, where API Gateway joins a repeated parameter (`stages=A&stages=B`) with commas.
 */
export function mlflowGetForm<const R extends RouteDefinition, const Q extends z.ZodMiniType>(
  route: R & { method: 'POST'; dialect: 'mlflow' },
  form: { operationId: string; query: Q },
): Omit<R, 'operationId' | 'method' | 'summary' | 'request'> & GetForm<Q> {
  return {
    ...route,
    operationId: form.operationId,
    method: 'GET',
    summary: `${route.summary}, GET form`,
    request: { query: form.query },
  };
}

interface GetForm<Q extends z.ZodMiniType> {
  operationId: string;
  method: 'GET';
  summary: string;
  request: { query: Q };
}
