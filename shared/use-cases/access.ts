import type { ApiToken, Principal, Workspace } from '../domain/access.ts';
import {
  adoptToken,
  issueToken,
  scopeAllows,
  tokenIdOf,
  tokenMatches,
  type TokenScope,
  tokenScopes,
} from '../domain/tokens.ts';
import type { Page } from '../domain/types.ts';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../errors.ts';
import type { Clock } from '../ids.ts';
import type { AccessRepository } from '../storage/access-repository.ts';
import { addMetric } from '../observability/metrics.ts';

export interface AccessDeps {
  access: AccessRepository;
  clock: Clock;
}

/** A token as the API shows it once, at creation: the only time its secret is ever visible. */
export interface CreatedToken {
  token: string;
  record: ApiToken;
}

async function createTokenIn(
  workspaceId: string,
  scope: TokenScope,
  name: string,
  deps: AccessDeps,
  chosen?: string,
): Promise<CreatedToken> {
  const issued = chosen ? adoptToken(chosen) : issueToken();
  const record: ApiToken = {
    tokenId: issued.tokenId,
    workspaceId,
    scope,
    name,
    createdAt: deps.clock.now(),
    revokedAt: undefined,
    hash: issued.hash,
  };
  await deps.access.putToken(record);
  return { token: issued.token, record };
}

/** Creates a token in the caller's workspace, of at most the caller's own scope. */
export function createToken(principal: Principal, input: { scope: TokenScope; name: string }, deps: AccessDeps) {
  if (!scopeAllows(principal.scope, input.scope)) {
    throw new ForbiddenError(`scope: a ${principal.scope} token cannot create a ${input.scope} token`);
  }
  return createTokenIn(principal.workspaceId, input.scope, input.name, deps);
}

export function listTokens(
  principal: Principal,
  input: { limit: number; pageToken?: string | undefined },
  deps: AccessDeps,
): Promise<Page<ApiToken>> {
  return deps.access.listTokens(principal.workspaceId, input.limit, input.pageToken);
}

/**
 * Revokes a token of the caller's workspace of at most the caller's scope;
 * another workspace's token is reported missing, not forbidden.
 */
export async function revokeToken(principal: Principal, tokenId: string, deps: AccessDeps): Promise<ApiToken> {
  const revocable = tokenScopes.filter((scope) => scopeAllows(principal.scope, scope));
  const revoked = await deps.access.revokeToken(principal.workspaceId, tokenId, deps.clock.now(), revocable);
  if (revoked === 'forbidden') {
    throw new ForbiddenError(`token_id: a ${principal.scope} token cannot revoke a token of a larger scope`);
  }
  if (!revoked) throw new NotFoundError('token', tokenId);
  return revoked;
}

/** Creates a workspace and its first admin token, which is returned once. */
export async function createWorkspace(
  input: { workspaceId: string; name?: string | undefined },
  deps: AccessDeps,
): Promise<{ workspace: Workspace; admin: CreatedToken }> {
  const workspace: Workspace = {
    workspaceId: input.workspaceId,
    name: input.name ?? input.workspaceId,
    createdAt: deps.clock.now(),
  };
  await deps.access.createWorkspace(workspace);
  const admin = await createTokenIn(workspace.workspaceId, 'admin', 'first admin token', deps);
  return { workspace, admin };
}

export function listWorkspaces(input: { limit: number; pageToken?: string | undefined }, deps: AccessDeps) {
  return deps.access.listWorkspaces(input.limit, input.pageToken);
}

/**
 * First start of a deployment: creates the workspace and an operator token (an
 * admin of that workspace that may also create and list workspaces), or does
 * nothing when the workspace exists. `chosenToken` (STRATUS_TOKEN) lets
 * scripts and CI know the token in advance.
 */
export async function bootstrapAccess(
  input: { workspaceId: string; chosenToken?: string | undefined },
  deps: AccessDeps,
): Promise<{ created: boolean; token: string | undefined }> {
  if (await deps.access.getWorkspace(input.workspaceId)) return { created: false, token: undefined };
  await deps.access.createWorkspace({
    workspaceId: input.workspaceId,
    name: input.workspaceId,
    createdAt: deps.clock.now(),
  });
  const admin = await createTokenIn(input.workspaceId, 'operator', 'bootstrap operator token', deps, input.chosenToken);
  return { created: true, token: admin.token };
}

const CACHE_MAX_ENTRIES = 1000;

/**
 * The token an Authorization header carries: `Bearer <token>` (what
 * MLFLOW_TRACKING_TOKEN sends), or HTTP Basic with the token as the password and
 * any user name (MLFLOW_TRACKING_USERNAME / _PASSWORD, for tools that only do Basic).
 */
export function tokenOfAuthorization(authorization: string | undefined): string | undefined {
  const [, scheme, credentials] = /^(\S+) +(\S+)$/.exec(authorization?.trim() ?? '') ?? [];
  if (!scheme || !credentials) return undefined;
  if (scheme.toLowerCase() === 'bearer') return credentials;
  if (scheme.toLowerCase() !== 'basic' || !/^[A-Za-z0-9+/]+={0,2}$/.test(credentials)) return undefined;
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : decoded.slice(colon + 1) || undefined;
}

/**
 * Checks bearer tokens. Records are cached per container for `cacheMs` (30 s by
 * default), so a busy job costs one read per token per container per half
 * minute, and a revoked token stops working within that time. The secret is
 * compared on every request.
 */
export class Authenticator {
  private readonly cache = new Map<string, { record: ApiToken | undefined; expires: number }>();

  constructor(
    private readonly deps: AccessDeps,
    private readonly cacheMs: number,
  ) {}

  async authenticate(authorization: string | undefined): Promise<Principal> {
    const token = tokenOfAuthorization(authorization);
    const tokenId = token && tokenIdOf(token);
    if (!token || !tokenId) throw new UnauthorizedError();
    const record = await this.lookup(tokenId);
    if (!record || record.revokedAt !== undefined || !tokenMatches(token, record.hash)) {
      throw new UnauthorizedError();
    }
    return { workspaceId: record.workspaceId, scope: record.scope, tokenId: record.tokenId };
  }

  private async lookup(tokenId: string): Promise<ApiToken | undefined> {
    const now = this.deps.clock.now();
    const cached = this.cache.get(tokenId);
    if (cached && cached.expires > now) return cached.record;
    const record = await this.deps.access.getToken(tokenId);
    if (!record) addMetric('UnknownTokenLookups', 1);
    if (this.cache.size >= CACHE_MAX_ENTRIES) this.cache.clear();
    if (this.cacheMs > 0) this.cache.set(tokenId, { record, expires: now + this.cacheMs });
    return record;
  }
}
