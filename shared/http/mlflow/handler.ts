import type { RouteDefinition } from '../route-definition.ts';
import { createHandler, type HandlerContext, type HttpResult, type RouteInput, type TokenChecker } from '../handler.ts';
import { renderMlflowError } from './error-renderer.ts';

/**
 * The handler factory for MLflow-dialect routes: the same edge checks, with errors
 * rendered in MLflow's shape and words. The renderer is passed in here rather than
 * chosen inside the factory so that only functions serving an MLflow route bundle it.
 */
export function createMlflowHandler<R extends RouteDefinition>(
  route: R,
  handle: (input: RouteInput<R>, context: HandlerContext) => Promise<HttpResult>,
  options: { authenticator?: () => TokenChecker } = {},
) {
  return createHandler(route, handle, { ...options, renderError: renderMlflowError });
}
