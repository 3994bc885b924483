import { createHandler } from '../shared/http/handler.ts';
import { openApiDocument } from '../shared/http/openapi.ts';
import { getOpenApiRoute } from '../shared/http/routes/get-openapi.ts';

// Built on the first request, then kept for the container's life (it only changes with a deploy):
// generating it walks every route's schemas, which would lengthen every cold start of this function.
let document: ReturnType<typeof openApiDocument> | undefined;

export const handler = createHandler(getOpenApiRoute, async () => {
  document ??= openApiDocument();
  return { body: document };
});
