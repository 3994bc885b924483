import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * The OpenAPI document travels inside the OpenAPI function's bundle, built at
 * bundle time (cdk/bundling.ts defines `STRATUS_OPENAPI_GZIP`): generating it
 * at run time needs every route's schemas and zod's JSON Schema generator,
 * which alone would put that function over the 350 kB bundle target. Gzipped
 * and base64-encoded it is about a tenth of the JSON; node:zlib is built in.
 */
export const packOpenApiDocument = (document: unknown): string =>
  gzipSync(JSON.stringify(document), { level: 9 }).toString('base64');

export const unpackOpenApiDocument = (packed: string): unknown =>
  JSON.parse(gunzipSync(Buffer.from(packed, 'base64')).toString('utf8'));
