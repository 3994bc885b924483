import { describe, expect, it } from 'vitest';
import type { Artifact } from '../../shared/domain/artifacts.ts';
import type { Experiment } from '../../shared/domain/types.ts';
import {
  experimentComparator,
  experimentMatches,
  parseExperimentFilter,
} from '../../shared/domain/search/experiment-filter.ts';
import { directoryListing, parseProxiedPath, runFieldsFromTags, tagMap } from '../../shared/http/mlflow/inputs.ts';
import { tokenOfAuthorization } from '../../shared/use-cases/access.ts';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('the token of an Authorization header', () => {
  it('is the bearer token, or the password of HTTP Basic whatever the user name', () => {
    expect(tokenOfAuthorization('Bearer abc.def')).toBe('abc.def');
    expect(tokenOfAuthorization('bearer   abc')).toBe('abc');
    expect(tokenOfAuthorization(basic('anyone', 'stx_secret'))).toBe('stx_secret');
    expect(tokenOfAuthorization(basic('', 'with:colon'))).toBe('with:colon');
  });
  it('is nothing for other schemes, missing passwords and malformed headers', () => {
    for (const header of [undefined, '', 'Bearer', 'Token abc', basic('user', ''), 'Basic !!!', 'Basic dXNlcg==']) {
      expect(tokenOfAuthorization(header)).toBeUndefined();
    }
  });
});

describe('MLflow request inputs', () => {
  it('turns key/value lists into prototype-free maps, the last duplicate winning', () => {
    const map = tagMap([
      { key: '__proto__', value: 'x' },
      { key: 'a', value: '1' },
      { key: 'a', value: '2' },
    ]);
    expect(Object.getPrototypeOf(map)).toBeNull();
    expect(Object.entries(map)).toEqual([
      ['__proto__', 'x'],
      ['a', '2'],
    ]);
  });

  it("takes the run's name and parent out of MLflow's tags", () => {
    expect(
      runFieldsFromTags(
        tagMap([
          { key: 'mlflow.runName', value: 'r' },
          { key: 'mlflow.parentRunId', value: 'p' },
          { key: 'mlflow.user', value: 'u' },
        ]),
      ),
    ).toEqual({ tags: { 'mlflow.user': 'u' }, runName: 'r', parentRunId: 'p' });
  });

  it('parses proxied artifact paths and names the field when they are not a run artifact path', () => {
    expect(parseProxiedPath('0/abc/artifacts/a/b.txt')).toEqual({ experimentId: '0', runId: 'abc', path: 'a/b.txt' });
    expect(parseProxiedPath('/7/abc/artifacts')).toEqual({ experimentId: '7', runId: 'abc', path: '' });
    expect(() => parseProxiedPath('7/abc/other/x')).toThrow(/path: must be <experiment id>\/<run id>\/artifacts/);
    expect(() => parseProxiedPath('')).toThrow(/path:/);
  });

  it('lists one folder level: folders once, complete files with their sizes', () => {
    const artifact = (path: string, sizeBytes: number, status: Artifact['status'] = 'COMPLETE') =>
      ({ path, sizeBytes, status }) as Artifact;
    const artifacts = [
      artifact('a.txt', 3),
      artifact('d/x.bin', 4),
      artifact('d/e/y.bin', 5),
      artifact('d/pending.bin', 6, 'PENDING'),
      artifact('z.txt', 1),
    ];
    expect(directoryListing(artifacts, '', false)).toEqual([
      { path: 'a.txt', is_dir: false, file_size: 3 },
      { path: 'd', is_dir: true },
      { path: 'z.txt', is_dir: false, file_size: 1 },
    ]);
    expect(directoryListing(artifacts, 'd', false)).toEqual([
      { path: 'd/e', is_dir: true },
      { path: 'd/x.bin', is_dir: false, file_size: 4 },
    ]);
    expect(directoryListing(artifacts, 'd/', true)).toEqual([
      { path: 'e', is_dir: true },
      { path: 'x.bin', is_dir: false, file_size: 4 },
    ]);
  });
});

describe("MLflow's experiment search grammar", () => {
  const experiment = (name: string, createdAt: number, tags: Record<string, string> = {}): Experiment => ({
    experimentId: name,
    name,
    description: undefined,
    tags,
    createdAt,
    updatedAt: createdAt,
    lifecycleStage: 'active',
  });
  const all = [
    experiment('alpha', 1, { team: 'risk' }),
    experiment('beta', 2),
    experiment('Alphabet', 3, { team: 'ops' }),
  ];
  const search = (filter: string, orderBy: string[] = []) =>
    all
      .filter((e) => experimentMatches(e, parseExperimentFilter(filter)))
      .sort(experimentComparator(orderBy))
      .map((e) => e.name);

  it('filters on name, tags and times, joined by AND', () => {
    expect(search("name = 'alpha'")).toEqual(['alpha']);
    expect(search("attribute.name LIKE 'alpha%'")).toEqual(['alpha']);
    expect(search("name ILIKE 'alpha%'")).toEqual(['Alphabet', 'alpha']);
    expect(search("tags.team = 'risk'")).toEqual(['alpha']);
    expect(search("tags.`team` != 'risk' AND creation_time >= 2")).toEqual(['Alphabet']);
  });

  it("tests a tag's presence with IS NULL and IS NOT NULL, as MLflow does", () => {
    expect(search('tags.team IS NULL')).toEqual(['beta']);
    expect(search('tags.`team` is not null')).toEqual(['Alphabet', 'alpha']);
    expect(search("tags.team IS NOT NULL AND name LIKE 'alpha%'")).toEqual(['alpha']);
    expect(() => parseExperimentFilter('name IS NULL')).toThrow(/filter: cannot parse 'name IS NULL'/);
  });

  it('orders by name or time, newest first by default', () => {
    expect(search('')).toEqual(['Alphabet', 'beta', 'alpha']);
    expect(search('', ['name ASC'])).toEqual(['Alphabet', 'alpha', 'beta']);
    expect(search('', ['creation_time'])).toEqual(['alpha', 'beta', 'Alphabet']);
  });

  it('names what it cannot parse', () => {
    expect(() => parseExperimentFilter("name = 'a' OR name = 'b'")).toThrow(/filter: expected AND/);
    expect(() => parseExperimentFilter('name > 3')).toThrow(/filter: name compares with a quoted string/);
    // An unknown key, in MLflow's words (test/unit/experiment-search-words.test.ts).
    expect(() => experimentComparator(['size DESC'])).toThrow(/^Invalid attribute key 'size' specified/);
  });
});
