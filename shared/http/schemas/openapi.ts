import * as z from 'zod/mini';

/** `GET /openapi.json` answers a JSON document described elsewhere (OpenAPI 3.1). */
export const openApiResponse = z.record(z.string(), z.unknown());
