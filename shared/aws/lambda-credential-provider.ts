import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles (an
 * esbuild alias, cdk/bundling.ts). Lambda hands every function its role's
 * credentials in environment variables, which is where the SDK's default chain
 * looks first; the chain's other sources (SSO, shared ini files, credential
 * processes, web identity, container and instance metadata) and the STS and
 * SSO clients they bring are about 100 kB of bundle and module load that a
 * function never uses. The local stack runs unbundled, with the full chain.
 */
export const defaultProvider: typeof fromEnv = (init) => fromEnv(init);
