import { expect, test } from 'vitest';
import { adoptToken, hashToken, issueToken, scopeAllows, tokenIdOf, tokenMatches } from '../../shared/domain/tokens.ts';

test('issued tokens are unique, carry their id and match only their own hash', () => {
  const a = issueToken();
  const b = issueToken();
  expect(a.token).not.toBe(b.token);
  expect(tokenIdOf(a.token)).toBe(a.tokenId);
  expect(a.hash).toBe(hashToken(a.token));
  expect(a.hash).not.toContain(a.token.slice(-43));
  expect(tokenMatches(a.token, a.hash)).toBe(true);
  expect(tokenMatches(b.token, a.hash)).toBe(false);
  expect(tokenMatches(`${a.token.slice(0, -1)}x`, a.hash)).toBe(false);
});

test('anything that is not a well-formed token has no id', () => {
  const { token } = issueToken();
  for (const bad of ['', 'Bearer x', token.slice(1), `${token}=`, token.replace('stratus_', 'stratos_')]) {
    expect(tokenIdOf(bad)).toBeUndefined();
  }
  expect(() => adoptToken('hunter2')).toThrow(/stratus_/);
  expect(adoptToken(token).tokenId).toBe(tokenIdOf(token));
});

test('scopes nest: operator ⊃ admin ⊃ write ⊃ read', () => {
  expect(scopeAllows('operator', 'admin')).toBe(true);
  expect(scopeAllows('admin', 'operator')).toBe(false);
  expect(scopeAllows('admin', 'write')).toBe(true);
  expect(scopeAllows('write', 'read')).toBe(true);
  expect(scopeAllows('read', 'write')).toBe(false);
  expect(scopeAllows('write', 'admin')).toBe(false);
});
