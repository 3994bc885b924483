import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

/**
 * `npm run test:localstack`: the integration tests that exercise DynamoDB and S3
 * through the HTTP API, run against LocalStack's S3 and DynamoDB instead of
 * DynamoDB Local and versitygw (test/support/global-setup.ts switches on
 * STRATUS_TEST_BACKEND). A representative subset, not the whole suite: LocalStack
 * serves DynamoDB with the same DynamoDB Local engine the default run already
 * tests, so the files chosen are those whose answers depend on the services'
 * behaviour (conditional writes, transactions, indexes, presigned URLs, S3
 * conditional PUTs, multipart, deletes); docs/localstack.md lists them and why.
 */
export const localStackFiles = [
  'test/integration/smoke.test.ts',
  'test/integration/runs-api.test.ts',
  'test/integration/metrics-api.test.ts',
  'test/integration/experiments-api.test.ts',
  'test/integration/artifacts-api.test.ts',
  'test/integration/artifacts-immutable.test.ts',
  'test/integration/artifact-store-s3.test.ts',
  'test/integration/mlflow-artifacts-immutable.test.ts',
  'test/integration/multipart-completion.test.ts',
  'test/integration/registry-api.test.ts',
];

// Not mergeConfig: it would append this list to the base config's include patterns.
export default defineConfig({
  test: {
    ...base.test,
    include: localStackFiles,
    // Every DynamoDB call goes through LocalStack's Python gateway before DynamoDB Local: a test
    // that pages a history one point per request (300 requests) took over 60 s at load average 19.
    testTimeout: 180_000,
  },
});
