import { fileURLToPath } from 'node:url';
import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowGetServerInfo } from '../shared/http/mlflow/handlers/get-server-info.ts';
import type { openApiDocument } from '../shared/http/openapi.ts';
import { unpackOpenApiDocument } from '../shared/http/openapi-embedded.ts';
import { getOpenApiRoute } from '../shared/http/routes/get-openapi.ts';

/** Set by the bundler (cdk/bundling.ts) to the packed document; absent when run from source (local server, tests). */
declare const STRATUS_OPENAPI_GZIP: string | undefined;

// From source, the generator is imported by a computed file path, which the bundler does not
// follow: the bundle carries neither it nor the route table, only the generator's output.
const generator = () => fileURLToPath(new URL('../shared/http/openapi.ts', import.meta.url));

// Kept for the container's life: the document only changes with a deploy.
let document: unknown;

// MLflow's server-info is its twin: what this server is and can do, read before anything else.
export const handler = serveRoutes(
  createHandler(getOpenApiRoute, async () => {
    document ??=
      typeof STRATUS_OPENAPI_GZIP === 'string'
        ? unpackOpenApiDocument(STRATUS_OPENAPI_GZIP)
        : ((await import(generator())) as { openApiDocument: typeof openApiDocument }).openApiDocument();
    return { body: document as Record<string, unknown> };
  }),
  mlflowGetServerInfo,
);
