import * as z from 'zod/mini';
import { workspaceIdPattern } from '../../domain/access.ts';
import { tokenScopes } from '../../domain/tokens.ts';
import { limits } from '../../limits.ts';
import { nameSchema, pageSize, pageToken } from './text.ts';

/** Request and response shapes of the admin routes (tokens and workspaces). */

export const tokenIdPath = z.object({
  token_id: z.string().check(z.regex(/^[0-9a-f]{16}$/, { error: 'must be 16 lowercase hex characters' })),
});

export const listQuery = z.object({
  max_results: pageSize(limits.pageSizeMax, limits.pageSizeDefault),
  page_token: pageToken,
});

export const createTokenBody = z.strictObject({
  scope: z.enum(tokenScopes),
  name: nameSchema,
});

export const createWorkspaceBody = z.strictObject({
  workspace_id: z.string().check(
    z.regex(workspaceIdPattern, {
      error: 'must be 1-40 lowercase letters, digits and dashes, starting with a letter or digit',
    }),
  ),
  name: z.optional(nameSchema),
});

export const tokenResponse = z.object({
  token_id: z.string(),
  workspace_id: z.string(),
  scope: z.enum(tokenScopes),
  name: z.string(),
  created_at: z.int(),
  revoked_at: z.optional(z.int()),
});

export const createdTokenResponse = z.extend(tokenResponse, {
  token: z.string().check(z.meta({ description: 'The bearer token. Shown only in this response; store it now.' })),
});

export const tokenListResponse = z.object({ tokens: z.array(tokenResponse), next_page_token: z.optional(z.string()) });

const workspaceResponse = z.object({ workspace_id: z.string(), name: z.string(), created_at: z.int() });

export const createdWorkspaceResponse = z.object({ workspace: workspaceResponse, admin_token: createdTokenResponse });

export const workspaceListResponse = z.object({
  workspaces: z.array(workspaceResponse),
  next_page_token: z.optional(z.string()),
});
