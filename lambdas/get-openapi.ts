import { createHandler } from '../shared/http/handler.ts';
import { openApiDocument } from '../shared/http/openapi.ts';
import { routes } from '../shared/http/routes.ts';

// Built once per container: the document only changes with a deploy.
const document = openApiDocument();

export const handler = createHandler(routes.getOpenApi, async () => ({ body: document }));
