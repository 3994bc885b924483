import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API tokens. A token reads `stratus_<id>_<secret>`: the id (16 hex) finds the
 * stored record with one GetItem, the secret (256 random bits) is never stored,
 * only the SHA-256 of the whole token. Shown once, at creation.
 */
/**
 * Each scope includes the ones before it. `admin` manages its own workspace's
 * tokens; `operator` also creates and lists workspaces (the whole deployment).
 * Only the bootstrap token is an operator, and tokens an operator mints with
 * that scope: no token can mint or revoke a token of a larger scope than its own.
 */
export const tokenScopes = ['read', 'write', 'admin', 'operator'] as const;
export type TokenScope = (typeof tokenScopes)[number];

const rank: Record<TokenScope, number> = { read: 0, write: 1, admin: 2, operator: 3 };

/** Whether a token of scope `held` may perform an operation that needs `needed`. */
export const scopeAllows = (held: TokenScope, needed: TokenScope) => rank[held] >= rank[needed];

const tokenPattern = /^stratus_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface IssuedToken {
  tokenId: string;
  token: string;
  hash: string;
}

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function issueToken(): IssuedToken {
  const tokenId = randomBytes(8).toString('hex');
  const token = `stratus_${tokenId}_${randomBytes(32).toString('base64url')}`;
  return { tokenId, token, hash: hashToken(token) };
}

/** The id inside a well-formed token, or undefined for anything else. */
export function tokenIdOf(token: string): string | undefined {
  return tokenPattern.exec(token)?.[1];
}

/** Compares a presented token with a stored hash in constant time. */
export function tokenMatches(token: string, storedHash: string): boolean {
  const presented = Buffer.from(hashToken(token), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}

/** A token chosen by the operator (STRATUS_TOKEN at first start) must still look like one of ours. */
export function isWellFormedToken(token: string): boolean {
  return tokenPattern.test(token);
}

/** A token whose id and secret come from the operator's chosen string, for the bootstrap step. */
export function adoptToken(token: string): IssuedToken {
  const tokenId = tokenIdOf(token);
  if (!tokenId) throw new Error('a bootstrap token must look like stratus_<16 hex>_<43 base64url characters>');
  return { tokenId, token, hash: hashToken(token) };
}
