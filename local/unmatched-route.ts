import { type PublicError, type RenderedError, renderV1Error } from '../shared/http/error-rendering.ts';
import { renderMlflowError } from '../shared/http/mlflow/error-renderer.ts';
import { type Dialect, dialectOf, type RouteDefinition } from '../shared/http/route-definition.ts';
import type { RouteMatch } from './router.ts';

/**
 * The answer to a request no route takes. A path the table serves with other
 * methods is a 405 with `Allow` naming them (what MLflow's Flask server and
 * HTTP say), anything else a 404; each in the shape of the dialect the path
 * belongs to, so the MLflow client shows `ENDPOINT_NOT_FOUND: ...` rather
 * than failing to read the error. (On AWS, API Gateway answers these itself
 * before any function runs: see README, "From MLflow".)
 */

/**
 * MLflow's URL spaces: its REST API of any version, its artifact proxy, and its web app's `/ajax-api`.
 * Told apart however the path is spelt (`/Api/2.0/mlflow/...`, `/api//2.0/mlflow/...`), which no route
 * takes, so that an MLflow client's 404 is MLflow's too.
 */
const isMlflowPath = (path: string) =>
  /^\/(?:api\/\d+\.\d+\/mlflow(?:-artifacts)?(?:\/|$)|ajax-api\/)/i.test(path.replace(/\/+/g, '/'));

/** Methods a route may declare, in the order `Allow` lists them. */
const methods = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export function unmatchedRouteAnswer(
  method: string,
  pathname: string,
  route: (method: string, path: string) => RouteMatch | undefined,
): RenderedError {
  const allowed = methods.flatMap((candidate) => {
    const match = candidate === method ? undefined : route(candidate, pathname);
    return match ? [match.route] : [];
  });
  const first = allowed[0];
  const dialect: Dialect = first ? dialectOf(first) : isMlflowPath(pathname) ? 'mlflow' : 'v1';
  // The path as the URL parser left it (percent-encoded), within the server's URL limit.
  const error: PublicError = first
    ? methodNotAllowed(method, pathname, allowed)
    : { status: 404, code: 'route.not_found', message: `no route for ${method} ${pathname}` };
  return (dialect === 'mlflow' ? renderMlflowError : renderV1Error)(error);
}

function methodNotAllowed(method: string, path: string, allowed: readonly RouteDefinition[]): PublicError {
  const allow = allowed.map((definition) => definition.method).join(', ');
  return {
    status: 405,
    code: 'route.method_not_allowed',
    message: `${method} is not allowed on ${path}; it takes ${allow}`,
    headers: { allow },
  };
}

/**
 * The answer to a path with a `.` or `..` segment (shared/http/dot-segments.ts): a 400 naming the
 * path, in the shape of the dialect of the path the URL parser would have made of it.
 */
export function dotSegmentAnswer(resolvedPath: string, message: string): RenderedError {
  const error: PublicError = { status: 400, code: 'path.dot_segment', message };
  return (isMlflowPath(resolvedPath) ? renderMlflowError : renderV1Error)(error);
}
