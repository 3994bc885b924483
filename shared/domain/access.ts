import type { TokenScope } from './tokens.ts';

/** A workspace holds a team's experiments, runs and artifacts (the second seed's `project_name`). */
export interface Workspace {
  workspaceId: string;
  name: string;
  createdAt: number;
}

/** A token as stored and listed: never the secret, only what identifies and limits it. */
export interface ApiToken {
  tokenId: string;
  workspaceId: string;
  scope: TokenScope;
  name: string;
  createdAt: number;
  revokedAt: number | undefined;
  hash: string;
}

/** Who a request acts as, once its token checked out. */
export interface Principal {
  workspaceId: string;
  scope: TokenScope;
  tokenId: string;
}

export const workspaceIdPattern = /^[a-z0-9][a-z0-9-]{0,39}$/;
