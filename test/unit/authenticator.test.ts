import { expect, test } from 'vitest';
import type { ApiToken } from '../../shared/domain/access.ts';
import { issueToken } from '../../shared/domain/tokens.ts';
import { UnauthorizedError } from '../../shared/errors.ts';
import { collectMetrics } from '../../shared/observability/metrics.ts';
import type { AccessRepository } from '../../shared/storage/access-repository.ts';
import { Authenticator } from '../../shared/use-cases/access.ts';

/** An in-memory token store that counts reads, and a clock the test moves. */
function world(tokenCount: number) {
  const records = new Map<string, ApiToken>();
  const tokens = Array.from({ length: tokenCount }, (_, i) => {
    const issued = issueToken();
    records.set(issued.tokenId, {
      tokenId: issued.tokenId,
      workspaceId: 'w',
      scope: 'write',
      name: `t${i}`,
      createdAt: 0,
      revokedAt: undefined,
      hash: issued.hash,
    });
    return issued.token;
  });
  const store = {
    reads: 0,
    async getToken(tokenId: string) {
      store.reads++;
      return records.get(tokenId);
    },
  };
  const clock = { time: 0, now: () => clock.time };
  const authenticator = new Authenticator({ access: store as unknown as AccessRepository, clock }, 30_000, 100);
  return { tokens, store, clock, authenticator };
}

const bearer = (token: string) => `Bearer ${token}`;
const randomToken = () => issueToken().token; // well formed, in no store

test('a flood of unknown token ids never evicts a known token, and each is counted', async () => {
  const { tokens, store, authenticator } = world(1);
  const [real] = tokens as [string];
  await authenticator.authenticate(bearer(real));
  const readsBefore = store.reads;
  const { samples } = await collectMetrics(async () => {
    for (let i = 0; i < 1000; i++) {
      await expect(authenticator.authenticate(bearer(randomToken()))).rejects.toBeInstanceOf(UnauthorizedError);
    }
  });
  expect(store.reads - readsBefore).toBe(1000);
  expect(samples).toContainEqual({ name: 'UnknownTokenLookups', value: 1000, dimension: undefined });
  await authenticator.authenticate(bearer(real));
  expect(store.reads - readsBefore, 'the real token is still served from memory').toBe(1000);
  expect(authenticator.cacheSizes.unknown).toBeLessThanOrEqual(100);
});

test('an unknown id is remembered: asking again within the cache time costs no read', async () => {
  const { store, clock, authenticator } = world(0);
  const stranger = randomToken();
  for (let i = 0; i < 5; i++) await expect(authenticator.authenticate(bearer(stranger))).rejects.toThrow();
  expect(store.reads).toBe(1);
  clock.time += 30_001;
  await expect(authenticator.authenticate(bearer(stranger))).rejects.toThrow();
  expect(store.reads).toBe(2);
});

test('known tokens beyond the capacity push out the least recently used one, not all of them', async () => {
  const { tokens, store, authenticator } = world(101);
  for (const token of tokens.slice(0, 100)) await authenticator.authenticate(bearer(token));
  await authenticator.authenticate(bearer(tokens[0] as string)); // recently used again
  const before = store.reads;
  await authenticator.authenticate(bearer(tokens[100] as string)); // evicts tokens[1], the oldest now
  await authenticator.authenticate(bearer(tokens[0] as string));
  await authenticator.authenticate(bearer(tokens[50] as string));
  expect(store.reads - before).toBe(1);
  await authenticator.authenticate(bearer(tokens[1] as string));
  expect(store.reads - before).toBe(2);
  expect(authenticator.cacheSizes.known).toBe(100);
});

test('a wrong secret for a real token id is refused and leaves the cached record in place', async () => {
  const { tokens, store, authenticator } = world(1);
  const real = tokens[0] as string;
  await authenticator.authenticate(bearer(real));
  const forged = `${real.slice(0, -4)}AAAA` === real ? `${real.slice(0, -4)}BBBB` : `${real.slice(0, -4)}AAAA`;
  await expect(authenticator.authenticate(bearer(forged))).rejects.toBeInstanceOf(UnauthorizedError);
  await authenticator.authenticate(bearer(real));
  expect(store.reads).toBe(1);
});
