import { describe, expect, test } from 'vitest';
import { parseExperimentFilter } from '../../shared/domain/search/experiment-filter.ts';
import { parseLoggedModelFilter } from '../../shared/domain/search/logged-model-filter.ts';
import { parseRegistryFilter } from '../../shared/http/mlflow/registry-filters.ts';
import { ValidationError } from '../../shared/errors.ts';

/**
 * MLflow's experiment, registered-model, model-version and logged-model filters
 * (SearchExperimentsUtils, SearchModelUtils, SearchModelVersionUtils,
 * SearchLoggedModelsUtils) are read by sqlparse, and every AND keyword in them is
 * dropped wherever it stands: a leading, trailing or doubled AND is no error, and a
 * filter of ANDs alone is no filter (checked against mlflow 3.17's parse_search_filter).
 */
const dialects = [
  ['experiments', parseExperimentFilter, "name = 'a'", "tags.k = 'b'"],
  ['registered models', parseRegistryFilter, "name = 'a'", "tags.k = 'b'"],
  ['model versions', parseRegistryFilter, "name = 'a'", 'version_number > 2'],
  ['logged models', parseLoggedModelFilter, "name = 'a'", "params.k = 'b'"],
] as const;

describe.each(dialects)('%s filters take stray ANDs as MLflow does', (_, parse, first, second) => {
  const one = parse(first);
  const both = parse(`${first} AND ${second}`);

  test('the clean forms parse as they did', () => {
    expect(one).toHaveLength(1);
    expect(both).toHaveLength(2);
  });

  test('a trailing, leading or repeated AND is skipped', () => {
    expect(parse(`${first} AND`)).toEqual(one);
    expect(parse(`${first} and `)).toEqual(one);
    expect(parse(`AND ${first}`)).toEqual(one);
    expect(parse(` and AND ${first} AND AND`)).toEqual(one);
    expect(parse(`${first} AND AND ${second}`)).toEqual(both);
    expect(parse(`AND ${first} AND AND AND ${second} AND`)).toEqual(both);
  });

  test('a filter of ANDs alone has no clause', () => {
    expect(parse('AND')).toEqual([]);
    expect(parse(' AND and ')).toEqual([]);
  });

  test('what is not an AND between clauses is still refused', () => {
    for (const filter of [`${first} OR ${second}`, `${first} AND OR ${second}`, `${first} ANDOR`]) {
      expect(() => parse(filter), filter).toThrow(ValidationError);
    }
  });
});
