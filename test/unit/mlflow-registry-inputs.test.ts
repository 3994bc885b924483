import { describe, expect, test } from 'vitest';
import {
  conditionHolds,
  type FilterCondition,
  likeLiteral,
  parseRegistryFilter,
} from '../../shared/http/mlflow/registry-filters.ts';
import { parseModelOrder, parseVersionOrder } from '../../shared/http/mlflow/registry-orders.ts';
import { parseVersionSource } from '../../shared/http/mlflow/registry-sources.ts';

describe("MLflow's registry filters", () => {
  test('conditions joined by AND: names, runs, tags (quoted keys too), IN lists', () => {
    expect(parseRegistryFilter(undefined)).toEqual([]);
    expect(parseRegistryFilter('name = \'iris\' and tags.team = "risk"')).toEqual([
      { field: { kind: 'name' }, operator: '=', values: ['iris'] },
      { field: { kind: 'tag', key: 'team' }, operator: '=', values: ['risk'] },
    ]);
    expect(parseRegistryFilter("run_id IN ('a', 'b') AND tags.`my key` != 'x'")).toEqual([
      { field: { kind: 'run_id' }, operator: 'IN', values: ['a', 'b'] },
      { field: { kind: 'tag', key: 'my key' }, operator: '!=', values: ['x'] },
    ]);
    expect(parseRegistryFilter("name ilike '%Ir_s%'")[0]?.operator).toBe('ILIKE');
  });

  test('what is not understood is a 400 naming filter and the forms that are', () => {
    for (const filter of [
      'name = iris',
      "name = 'iris",
      "stage = 'x'",
      "name > 'a'",
      "version_number = 'x'",
      "version_number LIKE '1'",
      "source_path < 'x'",
      "name = 'a' OR name = 'b'",
      "run_id IN ('a'",
      "name = 'a' name = 'b'",
    ]) {
      expect(() => parseRegistryFilter(filter), filter).toThrow(/^filter: .* Stratus understands/);
    }
  });

  test('LIKE is exact about case, ILIKE is not; % and _ are wildcards, other characters literal', () => {
    const like = parseRegistryFilter("name LIKE 'ir%.v_'")[0]!;
    expect(conditionHolds(like, 'iris.v2')).toBe(true);
    expect(conditionHolds(like, 'IRIS.v2')).toBe(false);
    expect(conditionHolds(like, 'irisXv2')).toBe(false);
    expect(conditionHolds(parseRegistryFilter("name ILIKE 'IR%'")[0]!, 'iris')).toBe(true);
    // A missing tag differs from any value (how MLflow's client leaves prompts out of model searches).
    expect(conditionHolds(parseRegistryFilter("tag.`mlflow.prompt.is_prompt` != 'true'")[0]!, undefined)).toBe(true);
    expect(conditionHolds(parseRegistryFilter("tags.kind != 'prompt'")[0]!, 'prompt')).toBe(false);
    // Any other missing tag passes no condition, as on MLflow's server; the prompt tag reads as 'false'.
    expect(conditionHolds(parseRegistryFilter("tags.kind != 'prompt'")[0]!, undefined)).toBe(false);
    expect(conditionHolds(parseRegistryFilter("tags.`mlflow.prompt.is_prompt` = 'false'")[0]!, undefined)).toBe(true);
    expect(conditionHolds(parseRegistryFilter("tags.`mlflow.prompt.is_prompt` LIKE '%'")[0]!, undefined)).toBe(false);
  });

  test('version_number compares as a number; NOT IN; source_path', () => {
    const [above, notIn, source] = parseRegistryFilter(
      "version_number > 9 AND name NOT IN ('a', 'b') AND source_path = 'models:/m-1'",
    ) as [FilterCondition, FilterCondition, FilterCondition];
    expect(above.field).toEqual({ kind: 'version_number' });
    expect(conditionHolds(above, '10')).toBe(true);
    expect(conditionHolds(above, '9')).toBe(false);
    expect(conditionHolds(parseRegistryFilter("version_number <= '2'")[0]!, '2')).toBe(true);
    expect(conditionHolds(notIn, 'c')).toBe(true);
    expect(conditionHolds(notIn, 'a')).toBe(false);
    expect(conditionHolds(source, 'models:/m-1')).toBe(true);
    expect(likeLiteral('risk%')).toEqual({ prefix: 'risk', longest: 'risk' });
    expect(likeLiteral('%ab%cde%')).toEqual({ prefix: undefined, longest: 'cde' });
  });
});

describe("an MLflow version's source", () => {
  test("runs:/, models:/<logged model id>, models:/<name>/<version> and a run's mlflow-artifacts: URI", () => {
    expect(parseVersionSource('runs:/abc/model/')).toEqual({ kind: 'run_artifacts', runId: 'abc', path: 'model' });
    expect(parseVersionSource('models:/m-0123')).toEqual({ kind: 'logged_model', modelId: 'm-0123' });
    // MlflowClient.copy_model_version: another version's files.
    expect(parseVersionSource('models:/iris/3')).toEqual({ kind: 'registered_version', name: 'iris', version: 3 });
    expect(parseVersionSource('mlflow-artifacts:/7/abc/artifacts/models/m-1')).toEqual({
      kind: 'run_artifacts',
      runId: 'abc',
      path: 'models/m-1',
    });
  });

  test('anything else is a 400 naming source', () => {
    for (const source of [
      's3://bucket/model',
      '/tmp/model',
      'runs:/abc',
      'models:/iris@champion',
      'models:/iris/latest',
      'models:/iris/0',
      'mlflow-artifacts:/7/abc/artifacts',
      'mlflow-artifacts:/7/abc/elsewhere/x',
    ]) {
      expect(() => parseVersionSource(source), source).toThrow(/^source: /);
    }
  });
});

describe("MLflow's registry orders", () => {
  test('models: by name, or by last change (timestamp is its other name) with ties by name', () => {
    expect(parseModelOrder(undefined)).toEqual({ by: 'name', ascending: true });
    expect(parseModelOrder('name DESC,timestamp ASC')).toEqual({ by: 'name', ascending: false });
    expect(parseModelOrder('timestamp desc')).toEqual({
      by: 'last_updated_timestamp',
      ascending: false,
      nameAscending: true,
    });
    expect(parseModelOrder('last_updated_timestamp, name DESC')).toEqual({
      by: 'last_updated_timestamp',
      ascending: true,
      nameAscending: false,
    });
  });

  test('versions: last change, then name ascending, then number descending, unless the clauses say', () => {
    expect(parseVersionOrder(undefined)).toEqual([
      { key: 'last_updated_timestamp', ascending: false },
      { key: 'name', ascending: true },
      { key: 'version_number', ascending: false },
    ]);
    expect(parseVersionOrder('version_number ASC')).toEqual([
      { key: 'version_number', ascending: true },
      { key: 'name', ascending: true },
    ]);
  });

  test('unknown keys, directions and repeated fields are a 400 naming order_by', () => {
    for (const [order, says] of [
      ['creation_timestamp', /^order_by: Invalid order by key 'creation_timestamp'/],
      ['name up', /^order_by: Invalid ordering key in order_by clause 'name up'/],
      ['name ASC DESC', /^order_by: Invalid order_by clause 'name ASC DESC'. Could not be parsed/],
      [
        'timestamp,last_updated_timestamp',
        /^order_by: `order_by` contains duplicate fields: \['timestamp', 'last_updated_timestamp'\]/,
      ],
    ] as const) {
      expect(() => parseModelOrder(order), order).toThrow(says);
    }
    expect(() => parseVersionOrder('tags.x')).toThrow(/^order_by: Invalid attribute key 'tags.x'/);
  });
});
