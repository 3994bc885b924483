import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, expect, test } from 'vitest';
import { createStratusApp, type StratusStack } from '../../cdk/stratus-stack.ts';
import { noBundling } from './support.ts';

/**
 * `npm run synth` with a region the CLI knows (a profile, CDK_DEFAULT_REGION):
 * cdk/app.ts then gives the stack a concrete environment, and policy resources
 * name the region and account themselves instead of `<AWS::Region>` and
 * `<AWS::AccountId>`. Every acknowledgement must still name its finding.
 */
const env = { account: '123456789012', region: 'eu-west-1' };
let stack: StratusStack;
let synthError: unknown;

beforeAll(() => {
  const created = createStratusApp(noBundling, { env });
  stack = created.stack;
  try {
    // Runs cdk-nag as `cdk synth` does: an unacknowledged finding throws here.
    created.app.synth();
  } catch (error) {
    synthError = error;
  }
}, 240_000);

test('a stack synthesized for a concrete account and region has no unacknowledged cdk-nag finding', () => {
  expect(stack.region).toBe(env.region);
  const report = new AwsSolutionsChecks().validateScope(stack);
  expect(
    report.violations.map((violation) => `${violation.ruleName} ${violation.violatingResources[0]?.constructPath}`),
  ).toEqual([]);
  expect(synthError).toBeUndefined();
});

test("the web UI deploy role's acknowledgement names the staged-assets bucket with the real region and account", () => {
  const role = stack.node.findAll().find((construct) => construct.node.path.endsWith('/Web/DeployRole'));
  const acknowledged = role!.node.metadata
    .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
    .flatMap((entry) => Object.keys(entry.data as Record<string, string>));
  expect(acknowledged).toContainEqual(expect.stringContaining(`:s3:::cdk-*-assets-${env.account}-${env.region}/*]`));
});
