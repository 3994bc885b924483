import { z } from 'zod';
import { workspaceIdPattern } from '../domain/access.ts';
import { tokenScopes } from '../domain/tokens.ts';
import { limits } from '../limits.ts';
import { nameSchema } from './schemas.ts';

/** Request and response shapes of the admin routes (tokens and workspaces). */

export const tokenIdPath = z.object({
  token_id: z.string().regex(/^[0-9a-f]{16}$/, { error: 'must be 16 lowercase hex characters' }),
});

export const listQuery = z.object({
  max_results: z.coerce.number().pipe(z.int().min(1).max(limits.pageSizeMax)).default(limits.pageSizeDefault),
  page_token: z.string().max(2048).optional(),
});

export const createTokenBody = z.strictObject({
  scope: z.enum(tokenScopes),
  name: nameSchema,
});

export const createWorkspaceBody = z.strictObject({
  workspace_id: z.string().regex(workspaceIdPattern, {
    error: 'must be 1-40 lowercase letters, digits and dashes, starting with a letter or digit',
  }),
  name: nameSchema.optional(),
});

export const tokenResponse = z.object({
  token_id: z.string(),
  workspace_id: z.string(),
  scope: z.enum(tokenScopes),
  name: z.string(),
  created_at: z.int(),
  revoked_at: z.int().optional(),
});

export const createdTokenResponse = tokenResponse.extend({
  token: z.string().meta({ description: 'The bearer token. Shown only in this response; store it now.' }),
});

export const tokenListResponse = z.object({ tokens: z.array(tokenResponse), next_page_token: z.string().optional() });

const workspaceResponse = z.object({ workspace_id: z.string(), name: z.string(), created_at: z.int() });

export const createdWorkspaceResponse = z.object({ workspace: workspaceResponse, admin_token: createdTokenResponse });

export const workspaceListResponse = z.object({
  workspaces: z.array(workspaceResponse),
  next_page_token: z.string().optional(),
});
