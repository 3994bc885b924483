import type { RouteDefinition } from '../route-definition.ts';
import { createHandler, type HandlerContext, type HttpResult, type RouteInput, type TokenChecker } from '../handler.ts';
import { renderMlflowError } from './error-renderer.ts';
import { numberTextAt } from './json-text.ts';
import { protoJsonBody } from './proto-json.ts';

/**
 * The handler factory for MLflow-dialect routes: the same edge checks, with errors
 * rendered in MLflow's shape and words, quoting a refused number as the client wrote
 * it (`9.0`, as MLflow's server quotes it), and reading bodies as protobuf's JSON parser
 * does (`null` is a field left out). The renderer, the JSON text finder and the body reader
 * are passed in here rather than chosen inside the factory so that only functions serving
 * an MLflow route bundle them.
 */
export function createMlflowHandler<R extends RouteDefinition>(
  route: R,
  handle: (input: RouteInput<R>, context: HandlerContext) => Promise<HttpResult>,
  options: { authenticator?: () => TokenChecker } = {},
) {
  return createHandler(route, handle, {
    ...options,
    renderError: renderMlflowError,
    sentText: numberTextAt,
    readBody: protoJsonBody,
  });
}
