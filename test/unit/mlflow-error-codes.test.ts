import { readdirSync, readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { renderMlflowError } from '../../shared/http/mlflow/error-renderer.ts';

/**
 * Every conflict or limit Stratus can raise has its MLflow error code decided
 * here. A 409 once fell back to MLflow's RESOURCE_ALREADY_EXISTS, which is what
 * `register_model` swallows as "the model exists, go on" (and what an aborted
 * multipart upload with a wrong upload id answered); the fallback is now
 * INVALID_STATE, and a new conflict code anywhere under shared/ fails this test
 * until it is classified below and, where it differs, mapped in
 * shared/http/mlflow/error-renderer.ts.
 */
const sources = (directory: string): string[] =>
  readdirSync(new URL(`../../${directory}`, import.meta.url), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(`${directory}/${entry.name}`)
      : entry.name.endsWith('.ts')
        ? [`${directory}/${entry.name}`]
        : [],
  );

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
  // Tracking (mlflow/store/tracking/sqlalchemy_store.py, mlflow/server/handlers.py).
  'artifact.exists': 'RESOURCE_ALREADY_EXISTS',
  'artifact.not_complete': 'INVALID_STATE',
  'artifact.replaced': 'INVALID_STATE',
  'artifact.size_mismatch': 'INVALID_STATE',
  'artifact.upload_missing': 'INVALID_STATE',
  'artifact.upload_mismatch': 'INVALID_PARAMETER_VALUE',
  'experiment.name_taken': 'RESOURCE_ALREADY_EXISTS',
  'experiment.deleted': 'INVALID_PARAMETER_VALUE',
  'experiment.not_deleted': 'INVALID_STATE',
  'experiment.not_active': 'INVALID_STATE',
  'experiment.too_many_tags': 'RESOURCE_LIMIT_EXCEEDED',
  'param.immutable': 'INVALID_PARAMETER_VALUE',
  'run.already_ended': 'INVALID_STATE',
  'run.not_deleted': 'INVALID_STATE',
  'run.not_running': 'INVALID_PARAMETER_VALUE',
  'run.too_many_metric_keys': 'RESOURCE_LIMIT_EXCEEDED',
  'run.too_many_tags': 'RESOURCE_LIMIT_EXCEEDED',
  'workspace.exists': 'RESOURCE_ALREADY_EXISTS',
};
/** Conflicts MLflow's client may retry: not a 400. */
const retryable: Record<string, string> = { 'experiment.changed': 'ABORTED', 'artifact.completing': 'ABORTED' };

/** Codes raised in the sources: literal ones, and `${entity}.x` ones expanded over the entities. */
function raisedCodes(): Set<string> {
  const codes = new Set<string>();
  for (const file of sources('shared')) {
    const source = readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
    for (const match of source.matchAll(/new (?:Conflict|TooMany\w*)Error\(\s*'([a-z_]+\.[a-z_.]+)'/g)) {
      codes.add(match[1] as string);
    }
    for (const match of source.matchAll(/`\$\{entity\}\.([a-z_]+)`/g)) {
      for (const entity of ['registered_model', 'model_version']) codes.add(`${entity}.${match[1]}`);
    }
  }
  return codes;
}

test('every conflict or limit raised under shared/ is classified', () => {
  const raised = [...raisedCodes()].sort();
  expect(raised.length).toBeGreaterThan(25);
  expect(raised.filter((code) => !Object.hasOwn(expected, code) && !Object.hasOwn(retryable, code))).toEqual([]);
});

test.each(Object.entries(retryable))('%s renders as %s, a 409', (code, errorCode) => {
  expect(renderMlflowError({ status: 409, code, message: 'm' })).toMatchObject({
    status: 409,
    body: { error_code: errorCode },
  });
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
