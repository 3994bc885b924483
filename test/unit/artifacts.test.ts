import fc from '../support/fast-check.ts';
import { describe, expect, test } from 'vitest';
import { artifactLimits, normalizeArtifactPath, partSize, uploadShape } from '../../shared/domain/artifacts.ts';
import { ValidationError } from '../../shared/errors.ts';
import { artifactObjectKey, runObjectPrefix } from '../../shared/storage/keys.ts';

const MiB = 1024 * 1024;
const sizing = { multipartThresholdBytes: 64 * MiB, partSizeBytes: 16 * MiB };

describe('normalizeArtifactPath', () => {
  test('accepts ordinary relative paths, NFC-normalised', () => {
    expect(normalizeArtifactPath('models/model.pkl')).toBe('models/model.pkl');
    expect(normalizeArtifactPath('plots/roc curve (v2).png')).toBe('plots/roc curve (v2).png');
    expect(normalizeArtifactPath('cafe\u0301.txt')).toBe('caf\u00e9.txt');
    expect(normalizeArtifactPath('..hidden/...')).toBe('..hidden/...');
  });

  test.each([
    '',
    '..',
    '../x',
    'a/../b',
    './a',
    'a/.',
    '/a',
    'a//b',
    'a/',
    'a\\b',
    'a\u0000',
    'a\u0085b',
    ' /a',
    '\ud800',
  ])('refuses %j naming path', (path) => {
    expect(() => normalizeArtifactPath(path)).toThrow(ValidationError);
    expect(() => normalizeArtifactPath(path)).toThrow(/^path: /);
  });

  test('no accepted path can leave its run prefix', () => {
    const prefix = runObjectPrefix('ws', 'e'.repeat(32), 'r'.repeat(32));
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '.', '/', '\\', '%', ' ', 'é'), maxLength: 12 }), (raw) => {
        let path: string;
        try {
          path = normalizeArtifactPath(raw);
        } catch {
          return;
        }
        const key = artifactObjectKey('ws', 'e'.repeat(32), 'r'.repeat(32), path);
        expect(key.startsWith(prefix)).toBe(true);
        expect(key.split('/')).not.toContain('..');
        expect(key.split('/')).not.toContain('');
        expect(Buffer.byteLength(key)).toBeLessThanOrEqual(1024);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('uploadShape', () => {
  test('one PUT below the threshold, parts at and above it', () => {
    expect(uploadShape(0, sizing)).toEqual({ kind: 'single' });
    expect(uploadShape(64 * MiB - 1, sizing)).toEqual({ kind: 'single' });
    expect(uploadShape(64 * MiB, sizing)).toEqual({ kind: 'multipart', partSizeBytes: 16 * MiB, partCount: 4 });
    expect(uploadShape(256 * MiB, sizing)).toEqual({ kind: 'multipart', partSizeBytes: 16 * MiB, partCount: 16 });
  });

  test('parts grow so that a plan never has more than 1,000, and stay within S3 bounds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 64 * MiB, max: artifactLimits.sizeBytes }), (size) => {
        const shape = uploadShape(size, sizing);
        if (shape.kind !== 'multipart') throw new Error('expected multipart');
        expect(shape.partCount).toBeLessThanOrEqual(artifactLimits.planParts);
        expect(shape.partSizeBytes).toBeGreaterThanOrEqual(5 * MiB);
        expect(shape.partSizeBytes).toBeLessThanOrEqual(5 * 1024 * MiB);
        const last = partSize(size, shape.partSizeBytes, shape.partCount);
        expect(last).toBeGreaterThan(0);
        expect((shape.partCount - 1) * shape.partSizeBytes + last).toBe(size);
      }),
    );
  });
});
