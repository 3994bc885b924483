import { createHandler } from '../shared/http/handler.ts';
import { openApiDocument } from '../shared/http/openapi.ts';
import { getOpenApiRoute } from '../shared/http/routes/get-openapi.ts';

// Built once per container: the document only changes with a deploy.
const document = openApiDocument();

export const handler = createHandler(getOpenApiRoute, async () => ({ body: document }));
