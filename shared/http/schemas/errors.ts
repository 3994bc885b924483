import * as z from 'zod/mini';

/** The v1 error body every route answers with on failure. */
export const errorResponse = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
