import type * as z from 'zod/mini';
import type { TokenScope } from '../domain/tokens.ts';

/**
 * What a route declares. One module per operation under `routes/` exports its
 * definition; `route-table.ts` lists them all for the CDK stack, the local
 * server, the OpenAPI description and the generated tests. A Lambda entry
 * imports only its own route module(s), so its bundle carries only their schemas.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The API a route belongs to; it decides how errors are rendered (see error-renderers.ts). */
export type Dialect = 'v1' | 'mlflow';

/** DynamoDB actions a function may be granted. TransactWriteItems is authorised per item as PutItem. */
export type TableAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'Query'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'BatchWriteItem'
  | 'ConditionCheckItem';

/**
 * S3 actions on the artifacts bucket a function may be granted (presigning needs
 * the action the URL performs). s3:PutObject also covers CreateMultipartUpload,
 * UploadPart and CompleteMultipartUpload; s3:GetObject covers HeadObject.
 */
export type BucketAction =
  'GetObject' | 'PutObject' | 'DeleteObject' | 'AbortMultipartUpload' | 'ListMultipartUploadParts' | 'ListBucket';

export interface RouteDefinition {
  operationId: string;
  method: HttpMethod;
  /** API Gateway syntax: `{name}` for a segment, `{name+}` for the greedy rest of the path. */
  path: string;
  /**
   * Lambda entry file, relative to the repository root. Routes that name the
   * same entry are served by one function (one per operation: its `/api/v1`
   * route and its MLflow twin); the entry's handler dispatches on the route key.
   */
  entry: string;
  /** Absent means `v1`. */
  dialect?: Dialect;
  summary: string;
  tag: string;
  /** The token scope the operation needs; checked before anything else runs. */
  access: TokenScope;
  request: {
    path?: z.ZodMiniType;
    query?: z.ZodMiniType;
    body?: z.ZodMiniType;
    /**
     * Query parameters a client may give more than once, whose schema reads the values API Gateway
     * joins with commas as a list. On `/api/v1` any other parameter given twice is a 400 naming it.
     */
    repeatableQuery?: readonly string[];
  };
  /**
   * `alternatives`: other media types the handler can answer in, chosen by the Accept header.
   * `redirect`: the description of a redirect the handler may answer instead (its Location is the target):
   * a 302, or the route's own status when that is a redirect.
   */
  response: {
    status: number;
    description: string;
    body: z.ZodMiniType;
    alternatives?: readonly string[];
    redirect?: string;
    /** Another success status the route answers in some cases, with the same body schema. */
    also?: { status: number; description: string };
    /** Headers the route adds to some of its answers, by name: what each says (for the OpenAPI description). */
    headers?: Readonly<Record<string, string>>;
  };
  table: { actions: readonly TableAction[]; indexes?: readonly string[] };
  /** Absent for routes that never touch the artifacts bucket. */
  bucket?: { actions: readonly BucketAction[] };
  /**
   * The route hands out or takes page tokens, which are sealed with the
   * deployment's page-token secret (shared/storage/cursor.ts): its function may
   * read that secret. Every route whose answer has `next_page_token` says so.
   */
  pageTokens?: true;
  /** Ingest routes get their own, tighter throttle in the stack. */
  ingest?: boolean;
  /**
   * How long the function may run, for the few routes that read stored objects
   * (model registration hashes them) or a metric's whole history (MLflow's order);
   * 10 s when absent. At most 29: API Gateway gives up on an integration after 30 s.
   */
  timeoutSeconds?: number;
}

/** Declares a route, keeping its literal types (so handlers see their schemas' output types). */
export const defineRoute = <const R extends RouteDefinition>(definition: R) => definition;

/** The route key API Gateway uses for a route, e.g. `POST /api/v1/runs/{run_id}/metrics`. */
export const routeKey = (route: Pick<RouteDefinition, 'method' | 'path'>) => `${route.method} ${route.path}`;

export const dialectOf = (route: Pick<RouteDefinition, 'dialect'>): Dialect => route.dialect ?? 'v1';

/**
 * Every path a route is served at: its own, then its aliases. MLflow's server serves each route
 * of its REST API under `/api/<version>/` also under `/ajax-api/<version>/`, where its web app
 * and some clients call it, so an MLflow route there has that alias: the same operation, function
 * and answer. (Its file routes at the root, `/get-artifact` and `/model-versions/get-artifact`,
 * have none there either.)
 */
export function routePaths(route: Pick<RouteDefinition, 'dialect' | 'path'>): readonly string[] {
  if (dialectOf(route) !== 'mlflow' || !mlflowApiPrefix.test(route.path)) return [route.path];
  return [route.path, route.path.replace(mlflowApiPrefix, '/ajax-api/$1/')];
}
const mlflowApiPrefix = /^\/api\/(\d+\.\d+)\//;

/** The route keys of every path a route is served at (`routePaths`), its own first. */
export const routeKeys = (route: Pick<RouteDefinition, 'dialect' | 'method' | 'path'>) =>
  routePaths(route).map((path) => routeKey({ method: route.method, path }));

/** Routes grouped by entry file (one Lambda function each), in table order. */
export function routesByEntry(routes: readonly RouteDefinition[]): Map<string, RouteDefinition[]> {
  const byEntry = new Map<string, RouteDefinition[]>();
  for (const route of routes) byEntry.set(route.entry, [...(byEntry.get(route.entry) ?? []), route]);
  return byEntry;
}
