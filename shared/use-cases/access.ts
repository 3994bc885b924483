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

/** Entries each token cache holds at most; past that, the least recently used goes. */
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
 * A map of at most `capacity` entries that forgets the least recently used
 * one first (a Map keeps insertion order; a hit moves its entry to the end).
 */
class RecentCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();

  constructor(private readonly capacity: number) {}

  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expires <= now) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, value: V, expires: number): void {
    this.entries.delete(key);
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { value, expires });
  }

  get size() {
    return this.entries.size;
  }
}

/**
 * Checks bearer tokens. Records are cached per container for `cacheMs` (30 s by
 * default), so a busy job costs one read per token per container per half
 * minute, and a revoked token stops working within that time. The secret is
 * compared on every request.
 *
 * Ids that name no token are remembered apart, in a cache of their own: a
 * caller sending well-formed random tokens costs one read per new id (counted
 * as the UnknownTokenLookups metric) but cannot push real tokens out of the
 * cache, so their callers keep being served from memory.
 */
export class Authenticator {
  private readonly known: RecentCache<ApiToken>;
  private readonly unknown: RecentCache<true>;

  constructor(
    private readonly deps: AccessDeps,
    private readonly cacheMs: number,
    capacity = CACHE_MAX_ENTRIES,
  ) {
    this.known = new RecentCache(capacity);
    this.unknown = new RecentCache(capacity);
  }

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

  /** How many entries each cache holds (for tests). */
  get cacheSizes() {
    return { known: this.known.size, unknown: this.unknown.size };
  }

  private async lookup(tokenId: string): Promise<ApiToken | undefined> {
    const now = this.deps.clock.now();
    const cached = this.known.get(tokenId, now);
    if (cached) return cached;
    if (this.unknown.get(tokenId, now)) return undefined;
    const record = await this.deps.access.getToken(tokenId);
    if (!record) addMetric('UnknownTokenLookups', 1);
    if (this.cacheMs > 0) {
      if (record) this.known.set(tokenId, record, now + this.cacheMs);
      else this.unknown.set(tokenId, true, now + this.cacheMs);
    }
    return record;
  }
}
