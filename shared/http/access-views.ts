import type * as z from 'zod/mini';
import type { ApiToken, Workspace } from '../domain/access.ts';
import type { tokenResponse } from './schemas/access.ts';

/** Tokens and workspaces in the API's JSON shape; a token's hash never leaves the service. */
export const tokenView = (token: ApiToken): z.input<typeof tokenResponse> => ({
  token_id: token.tokenId,
  workspace_id: token.workspaceId,
  scope: token.scope,
  name: token.name,
  created_at: token.createdAt,
  revoked_at: token.revokedAt,
});

export const workspaceView = (workspace: Workspace) => ({
  workspace_id: workspace.workspaceId,
  name: workspace.name,
  created_at: workspace.createdAt,
});
