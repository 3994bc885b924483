import { createStratusApp } from './stratus-stack.ts';

/**
 * The CDK app (`npx cdk synth`, `npx cdk deploy`, `cdklocal deploy`). The stack
 * is environment-agnostic unless the CLI knows an account and region, so the
 * same app deploys to AWS and to LocalStack.
 */
createStratusApp({}, { env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION } });
