import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { packOpenApiDocument } from '../shared/http/openapi-embedded.ts';
import { openApiDocument } from '../shared/http/openapi.ts';

/**
 * How every Lambda entry is bundled, in one place so that the stack and the
 * bundle measurement (bench/bundle.ts) build exactly the same thing.
 *
 * The AWS SDK is bundled, not taken from the runtime: measured on this machine
 * (docs/deploy.md, "Bundle size and load time"), bundling it costs a few hundred
 * kB of asset but loads faster than resolving the runtime's SDK from its many
 * files, and it pins the SDK version we test against instead of whatever the
 * Node 24 runtime ships that month.
 */

/** Node runtime targeted by the bundle; matches Runtime.NODEJS_LATEST. */
export const bundleTarget = 'node24';

/**
 * ESM output needs `require` for the CommonJS modules inside the SDK's
 * dependency tree (esbuild's shim throws "Dynamic require is not supported"
 * without one).
 */
export const esmRequireBanner =
  "import { createRequire as stratusCreateRequire } from 'node:module'; const require = stratusCreateRequire(import.meta.url);";

/**
 * Packages replaced in the Lambda bundles: the SDK's default credential chain by
 * its first link, the environment variables Lambda sets, and DynamoDB's unused
 * endpoint discovery by a no-op (see each module's comment). A replacement that
 * lacks an export the SDK imports fails the build (test/infra/bundle-size.test.ts).
 */
export const bundleAliases = {
  '@aws-sdk/credential-provider-node': './shared/aws/lambda-credential-provider.ts',
  '@aws-sdk/middleware-endpoint-discovery': './shared/aws/no-endpoint-discovery.ts',
};

/** NodejsFunction's bundling props for every route function. */
export const lambdaBundling = {
  format: OutputFormat.ESM,
  target: bundleTarget,
  minify: true,
  sourceMap: true,
  // Source maps without the sources: stack traces still name file and line, the asset stays small.
  sourcesContent: false,
  mainFields: ['module', 'main'],
  banner: esmRequireBanner,
  bundleAwsSDK: true,
  // Nothing external: the SDK is bundled (see above).
  externalModules: [],
  // Local esbuild only: synth must work without Docker.
  forceDockerBundling: false,
  esbuildArgs: Object.fromEntries(Object.entries(bundleAliases).map(([from, to]) => [`--alias:${from}`, to])),
} satisfies BundlingOptions;

/** The same build as esbuild options, for building an entry directly (bench/bundle.ts). */
export const esbuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: lambdaBundling.target,
  minify: lambdaBundling.minify,
  sourcemap: lambdaBundling.sourceMap,
  sourcesContent: lambdaBundling.sourcesContent,
  mainFields: lambdaBundling.mainFields,
  banner: { js: lambdaBundling.banner },
  external: lambdaBundling.externalModules,
  alias: bundleAliases,
} as const;

let packedOpenApi: string | undefined;

/**
 * Constants the bundler writes into the code: the OpenAPI function gets its
 * document, generated here from the route table (shared/http/openapi-embedded.ts
 * says why). The other functions never read it, so nothing of it reaches them.
 */
export function bundleDefines(): Record<string, string> {
  packedOpenApi ??= packOpenApiDocument(openApiDocument());
  return { STRATUS_OPENAPI_GZIP: JSON.stringify(packedOpenApi) };
}

/** NodejsFunction's bundling props for one entry. */
export const lambdaBundlingFor = (entry: string): BundlingOptions =>
  entry.endsWith('get-openapi.ts') ? { ...lambdaBundling, define: bundleDefines() } : lambdaBundling;
