import { beforeAll, expect, test } from 'vitest';
import { ValidationError } from '../../shared/errors.ts';
import { decodeCursor, encodeCursor, usePageTokenSecret } from '../../shared/storage/cursor.ts';

const binding = JSON.stringify(['query', 'gsi1', 'gsi1pk = :partition', { ':partition': 'WS#team-a#EXPERIMENTS' }]);
const position = { gsi1pk: 'WS#team-a#EXPERIMENTS', gsi1sk: '0001#x', pk: 'WS#team-a#EXP#1', sk: 'EXP' };
const bound = { attribute: 'gsi1pk', partition: 'WS#team-a#EXPERIMENTS' };

beforeAll(() => usePageTokenSecret(async () => 'a test secret of at least thirty-two characters'));

const refused = async (token: string, on = binding) => {
  const error = await decodeCursor(on, token, bound).catch((caught: unknown) => caught);
  expect(error, token).toBeInstanceOf(ValidationError);
  expect((error as ValidationError).code).toBe('page_token.invalid');
};

test('a token opens with the binding that sealed it, and shows nothing of the position', async () => {
  const token = await encodeCursor(binding, position);
  expect(await decodeCursor(binding, token, bound)).toEqual(position);
  const visible = Buffer.from(token, 'base64url').toString('latin1');
  // Strings long enough that random ciphertext never spells them by chance.
  for (const secret of ['team-a', 'WS#team', 'gsi1pk', 'EXPERIMENTS', '"pk"']) expect(visible).not.toContain(secret);
  expect(await decodeCursor(binding, undefined)).toBeUndefined();
});

test('every single-bit flip, every truncation and any appended byte is refused', async () => {
  const token = await encodeCursor(binding, position);
  const bytes = Buffer.from(token, 'base64url');
  for (let bit = 0; bit < bytes.length * 8; bit++) {
    const flipped = Buffer.from(bytes);
    flipped[bit >> 3] = (flipped[bit >> 3] as number) ^ (1 << (bit & 7));
    await refused(flipped.toString('base64url'));
  }
  for (let length = 0; length < token.length; length++) await refused(token.slice(0, length));
  await refused(`${token}A`); // decodes to the same bytes: Node skips a trailing partial character
  await refused(`${token}==`);
  await refused(Buffer.concat([bytes, Buffer.of(0)]).toString('base64url'));
});

test('a token is refused under any other binding: list, workspace or query', async () => {
  const token = await encodeCursor(binding, position);
  await refused(token, binding.replace('team-a', 'team-b'));
  await refused(token, binding.replace('gsi1', 'gsi2'));
  await refused(token, JSON.stringify(['history', 'WS#team-a#EXPERIMENTS']));
});

test('a position that leaves its partition is refused even when authentic', async () => {
  const token = await encodeCursor(binding, { ...position, gsi1pk: 'WS#team-b#EXPERIMENTS' });
  await refused(token);
});

test('garbage, old readable tokens and other alphabets are refused, never a crash', async () => {
  const readable = Buffer.from(JSON.stringify({ p: bound.partition, k: position })).toString('base64url');
  for (const garbage of ['', '!!!', 'bm90IGpzb24', readable, '+/+/', '\u0000', 'A'.repeat(2048)]) {
    await refused(garbage);
  }
  const token = await encodeCursor(binding, position);
  const standard = Buffer.from(token, 'base64url').toString('base64'); // padded standard base64 is not ours
  if (standard !== token) await refused(standard);
});

test('two tokens of the same position differ (random nonce), both valid', async () => {
  const [a, b] = [await encodeCursor(binding, position), await encodeCursor(binding, position)];
  expect(a).not.toBe(b);
  expect(await decodeCursor(binding, b, bound)).toEqual(position);
});
