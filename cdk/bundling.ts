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

/** Modules left out of the bundle; empty because the SDK is bundled (see above). */
export const externalModules: string[] = [];

/** The esbuild options that NodejsFunction derives from our bundling props, for direct esbuild builds. */
export const esbuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: bundleTarget,
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  banner: { js: esmRequireBanner },
  external: externalModules,
} as const;
