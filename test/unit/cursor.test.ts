import { expect, test } from 'vitest';
import { ValidationError } from '../../shared/errors.ts';
import { decodeCursor, encodeCursor } from '../../shared/storage/cursor.ts';

test('a token decodes on the partition that issued it', () => {
  const token = encodeCursor('WS#a#EXPERIMENTS', { gsi1pk: 'WS#a#EXPERIMENTS', gsi1sk: '1#x', pk: 'p', sk: 's' });
  expect(decodeCursor('WS#a#EXPERIMENTS', token, 'gsi1pk')).toMatchObject({ gsi1sk: '1#x' });
});

test('a token is refused on another partition, or when its position points elsewhere', () => {
  const token = encodeCursor('WS#a#EXPERIMENTS', { gsi1pk: 'WS#a#EXPERIMENTS', gsi1sk: '1#x' });
  expect(() => decodeCursor('WS#b#EXPERIMENTS', token, 'gsi1pk')).toThrow(ValidationError);
  const forged = encodeCursor('WS#b#EXPERIMENTS', { gsi1pk: 'WS#a#EXPERIMENTS', gsi1sk: '1#x' });
  expect(() => decodeCursor('WS#b#EXPERIMENTS', forged, 'gsi1pk')).toThrow(/page_token/);
});

test('garbage is a validation error, not a crash', () => {
  for (const garbage of ['', '!!!', 'bm90IGpzb24', Buffer.from('{"p":1}').toString('base64url')]) {
    expect(() => decodeCursor('P', garbage)).toThrow(ValidationError);
  }
  expect(decodeCursor('P', undefined)).toBeUndefined();
});
