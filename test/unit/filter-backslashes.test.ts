import { describe, expect, test } from 'vitest';
import type { LoggedModel } from '../../shared/domain/logged-models.ts';
import { experimentMatches, parseExperimentFilter } from '../../shared/domain/search/experiment-filter.ts';
import { loggedModelMatches, parseLoggedModelFilter } from '../../shared/domain/search/logged-model-filter.ts';
import type { Experiment } from '../../shared/domain/types.ts';
import { ValidationError } from '../../shared/errors.ts';

/**
 * Backslashes in the quoted values of experiment and logged-model filters, as MLflow 3.17's
 * server reads them (checked against `mlflow server` on SQLite): a value is the text between
 * its quotes, every backslash kept (`\'` and `''` do not end it, and stay as written), and `\`
 * is an ordinary character in a LIKE pattern, where `_` and `%` stay wildcards. An IN list of
 * logged-model attributes is read as Python reads it (`ast.literal_eval`): Python's escapes are
 * decoded, any other backslash kept.
 */
const names = [String.raw`a\b`, String.raw`a\\b`, "it's", String.raw`it\'s`, "it''s", 'x_y', String.raw`q\"r`, 'a\\'];

const experiment = (name: string): Experiment => ({
  experimentId: name,
  name,
  description: undefined,
  tags: { t: name },
  createdAt: 1,
  updatedAt: 1,
  lifecycleStage: 'active',
});
const experimentsFound = (filter: string) =>
  names.filter((name) => experimentMatches(experiment(name), parseExperimentFilter(filter)));

const model = (name: string): LoggedModel => ({
  modelId: 'm-1',
  experimentId: '1',
  name,
  modelType: undefined,
  sourceRunId: 'r',
  status: 'READY',
  params: { p: name },
  tags: { t: name },
  createdAt: 1,
  updatedAt: 1,
  metrics: [],
});
const modelsFound = (filter: string) =>
  names.filter((name) => loggedModelMatches(model(name), parseLoggedModelFilter(filter)));

/** Filters and the names MLflow's server found with them, one backslash of the filter per `\`. */
const cases: Array<[string, string[]]> = [
  [String.raw`name = 'a\\b'`, [String.raw`a\\b`]],
  [String.raw`name = 'a\b'`, [String.raw`a\b`]],
  [String.raw`name = 'it\'s'`, [String.raw`it\'s`]],
  [String.raw`name = 'it''s'`, ["it''s"]],
  [String.raw`name = 'a\'`, ['a\\']],
  [String.raw`name = 'a\\'`, []],
  [String.raw`name LIKE '%\_%'`, [String.raw`a\b`, String.raw`a\\b`, String.raw`it\'s`, String.raw`q\"r`]],
  [String.raw`name LIKE '%\\_%'`, [String.raw`a\\b`]],
  [String.raw`name LIKE 'x\_y'`, []],
  [String.raw`name = 'it\'s' AND name != 'b'`, [String.raw`it\'s`]],
];

describe('experiment filters keep backslashes as MLflow does', () => {
  test.each(cases)('%s', (filter, found) => {
    expect(experimentsFound(filter)).toEqual(found);
    expect(experimentsFound(filter.replace('name', 'tags.t'))).toEqual(found);
  });

  test('a double-quoted value is read the same way', () => {
    expect(parseExperimentFilter(String.raw`name = "q\"r"`)[0]?.value).toBe(String.raw`q\"r`);
    expect(experimentsFound(String.raw`name = "q\"r"`)).toEqual([String.raw`q\"r`]);
  });

  test("a backslash before a closing quote that a clause follows swallows the quote, as sqlparse's does", () => {
    expect(() => parseExperimentFilter(String.raw`name = 'a\\' AND name = 'b'`)).toThrow(ValidationError);
  });
});

describe('logged-model filters keep backslashes as MLflow does', () => {
  test.each(cases)('%s', (filter, found) => {
    expect(modelsFound(filter)).toEqual(found);
    expect(modelsFound(filter.replace('name', 'tags.t'))).toEqual(found);
    expect(modelsFound(filter.replace('name', 'params.p'))).toEqual(found);
  });

  test("an IN list is read as Python's literal: its escapes decoded, any other backslash kept", () => {
    const values = (filter: string) => parseLoggedModelFilter(filter)[0]?.value;
    expect(values(String.raw`name IN ('a\\b', "it\'s", 'x\_y')`)).toEqual([String.raw`a\b`, "it's", String.raw`x\_y`]);
    expect(values(String.raw`name IN ('a\nb', 'a\tb', '\x41\101\u0041\U00000041')`)).toEqual(['a\nb', 'a\tb', 'AAAA']);
    expect(modelsFound(String.raw`name IN ('a\\b', 'it\'s')`)).toEqual([String.raw`a\b`, "it's"]);
    // Python reads `\b` as a backspace: MLflow's server finds no `a\b` with it.
    expect(modelsFound(String.raw`name IN ('a\b')`)).toEqual([]);
    for (const filter of [
      String.raw`name IN ('\x4')`,
      String.raw`name IN ('\N{BULLET}')`,
      String.raw`name IN ('\U00110000')`,
    ]) {
      expect(() => parseLoggedModelFilter(filter), filter).toThrow(ValidationError);
    }
  });
});
