import { expect, test } from 'vitest';
import { issueToken } from '../../shared/domain/tokens.ts';
import { apiClient, useTestStack } from '../support/local-api.ts';

// The longest cache allowed: the flood must not outlast it, even on a loaded machine (it is eviction under test, not expiry).
const local = useTestStack({ authCacheSeconds: 300 });

test('1,000 anonymous requests with random well-formed tokens do not make the next real request read its token', async () => {
  const path = '/api/v1/experiments?max_results=1';
  await local.api.get(path); // the token is read once, then cached
  const warm = (await local.api.get(path)).headers.get('x-stratus-consumed-capacity');
  const ids = Array.from({ length: 1000 }, () => issueToken().token);
  for (let i = 0; i < ids.length; i += 50) {
    const answers = await Promise.all(ids.slice(i, i + 50).map((token) => apiClient(local.stack.url, token).get(path)));
    for (const answer of answers) expect(answer.status).toBe(401);
  }
  const after = (await local.api.get(path)).headers.get('x-stratus-consumed-capacity');
  expect(after, 'the same capacity as before the flood: no token read').toBe(warm);
});
