import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { renderMlflowError } from '../../shared/http/mlflow/error-renderer.ts';

/**
 * Every conflict or limit the registry can raise has its MLflow error code
 * decided here. Without an entry, a 409 would fall back to MLflow's
 * RESOURCE_ALREADY_EXISTS, which is what `register_model` swallows as "the
 * model exists, go on": so a new code in the registry's sources fails this test
 * until it is classified below and mapped in shared/http/mlflow/error-renderer.ts.
 */
const registrySources = [
  'shared/domain/registry.ts',
  'shared/use-cases/model-registry.ts',
  'shared/use-cases/model-holds.ts',
  'shared/storage/model-registry-repository.ts',
  'shared/storage/model-holds.ts',
];

/** What MLflow's server answers for each (mlflow/store/model_registry/sqlalchemy_store.py, mlflow/server/handlers.py). */
const expected: Record<string, string> = {
  'registered_model.exists': 'RESOURCE_ALREADY_EXISTS',
  'model_version.artifacts_incomplete': 'INVALID_STATE',
  'model_version.artifact_changed': 'INVALID_STATE',
  'model_version.checksum_mismatch': 'INVALID_STATE',
  'model_version.checksum_unknown': 'INVALID_STATE',
  'artifact.held_by_model_version': 'INVALID_STATE',
  'model_version.too_many_files': 'RESOURCE_LIMIT_EXCEEDED',
  'registered_model.version_limit': 'RESOURCE_LIMIT_EXCEEDED',
  'registered_model.alias_limit': 'RESOURCE_LIMIT_EXCEEDED',
  'registered_model.too_many_tags': 'RESOURCE_LIMIT_EXCEEDED',
  'model_version.too_many_tags': 'RESOURCE_LIMIT_EXCEEDED',
  'run.deleted': 'INVALID_PARAMETER_VALUE',
};

/** Codes raised in the sources: literal ones, and `${entity}.x` ones expanded over the entities. */
function raisedCodes(): Set<string> {
  const codes = new Set<string>();
  for (const file of registrySources) {
    const source = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
    for (const match of source.matchAll(/new ConflictError\(\s*'([a-z_]+\.[a-z_.]+)'/g)) codes.add(match[1] as string);
    for (const match of source.matchAll(/`\$\{entity\}\.([a-z_]+)`/g)) {
      for (const entity of ['registered_model', 'model_version']) codes.add(`${entity}.${match[1]}`);
    }
  }
  return codes;
}

test('every conflict or limit the registry raises is classified', () => {
  const raised = [...raisedCodes()].sort();
  expect(raised.length).toBeGreaterThan(8);
  expect(raised.filter((code) => !Object.hasOwn(expected, code))).toEqual([]);
});

test.each(Object.entries(expected))('%s renders as %s, a 400 the client does not retry', (code, errorCode) => {
  for (const status of [400, 409]) {
    const rendered = renderMlflowError({ status, code, message: 'm' });
    expect(rendered.body).toEqual({ error_code: errorCode, message: 'm' });
    // MLflow's client retries 408, 429 and 5xx for minutes before showing the error.
    expect(rendered.status).toBe(400);
  }
});

test("an alias the model lacks is MLflow's INVALID_PARAMETER_VALUE, a missing model its RESOURCE_DOES_NOT_EXIST", () => {
  expect(renderMlflowError({ status: 404, code: 'alias.not_found', message: 'm' })).toMatchObject({
    status: 400,
    body: { error_code: 'INVALID_PARAMETER_VALUE' },
  });
  expect(renderMlflowError({ status: 404, code: 'registered_model.not_found', message: 'm' })).toMatchObject({
    status: 404,
    body: { error_code: 'RESOURCE_DOES_NOT_EXIST' },
  });
});
