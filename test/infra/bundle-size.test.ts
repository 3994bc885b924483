import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { beforeAll, expect, test } from 'vitest';
import { bundleTargets } from '../../bench/bundle.ts';
import { bundleAliases, bundleDefines, esbuildOptions, lambdaBundling } from '../../cdk/bundling.ts';
import { openApiDocument } from '../../shared/http/openapi.ts';
import { unpackOpenApiDocument } from '../../shared/http/openapi-embedded.ts';
import { dialectOf, routesByEntry } from '../../shared/http/route-definition.ts';
import { routeList } from '../../shared/http/route-table.ts';

/**
 * Every function's bundle, built with the stack's own esbuild options, stays
 * within the size target (npm run bench measures size and load time; this
 * keeps the size from creeping back). One esbuild run builds them all.
 */
const routesOfEntry = routesByEntry(routeList);
const entries = [...routesOfEntry.keys()];
let metafile: Metafile;
const outputOf = (entry: string) => {
  const name = `out/${path.basename(entry, '.ts')}.mjs`;
  const output = metafile.outputs[name];
  if (!output) throw new Error(`no bundle for ${entry}`);
  return output;
};
const packagesIn = (entry: string) =>
  new Set(
    Object.keys(outputOf(entry).inputs)
      .map((input) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1])
      .filter((pkg): pkg is string => pkg !== undefined),
  );

beforeAll(async () => {
  const result = await build({
    ...esbuildOptions,
    mainFields: [...esbuildOptions.mainFields],
    define: bundleDefines(),
    external: [...esbuildOptions.external],
    entryPoints: Object.fromEntries(entries.map((entry) => [path.basename(entry, '.ts'), entry])),
    outdir: 'out',
    outExtension: { '.js': '.mjs' },
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  metafile = result.metafile;
}, 240_000);

test('the stack bundles with the options measured here', () => {
  expect(lambdaBundling.esbuildArgs).toEqual(
    Object.fromEntries(Object.entries(bundleAliases).map(([from, to]) => [`--alias:${from}`, to])),
  );
  expect(esbuildOptions.alias).toEqual(bundleAliases);
});

test('the OpenAPI function embeds the document the route table generates', () => {
  const packed = JSON.parse(bundleDefines().STRATUS_OPENAPI_GZIP as string) as string;
  expect(unpackOpenApiDocument(packed)).toEqual(openApiDocument());
  // Each function's bundle is checked below; the document is a small part of the OpenAPI one's.
  expect(packed.length / 1024).toBeLessThan(64);
});

test.each(entries)(`%s is at most ${bundleTargets.maxKilobytes} kB`, (entry) => {
  expect(outputOf(entry).bytes / 1024).toBeLessThanOrEqual(bundleTargets.maxKilobytes);
});

test.each(entries)('%s carries neither the SDK S3 client nor the default credential chain', (entry) => {
  const packages = packagesIn(entry);
  for (const heavy of [
    '@aws-sdk/client-s3',
    '@aws-sdk/credential-provider-node',
    '@aws-sdk/credential-provider-ini',
    '@aws-sdk/credential-provider-sso',
    '@aws-sdk/nested-clients',
  ]) {
    expect(packages, heavy).not.toContain(heavy);
  }
});

test.each(entries)('%s reads the page-token secret exactly when one of its routes issues page tokens', (entry) => {
  const paged = (routesOfEntry.get(entry) ?? []).some((route) => route.pageTokens);
  // The wiring in the bundle (not tree-shaken away), not only the reader: a paged function without it
  // answers 500 on its first token.
  const wiring = outputOf(entry).inputs['shared/runtime-page-tokens.ts']?.bytesInOutput ?? 0;
  expect(wiring > 0, 'shared/runtime-page-tokens.ts').toBe(paged);
  expect(packagesIn(entry).has('@aws-sdk/client-secrets-manager'), '@aws-sdk/client-secrets-manager').toBe(paged);
});

test.each(entries)("%s carries MLflow's error renderer exactly when one of its routes is an MLflow route", (entry) => {
  const mlflow = (routesOfEntry.get(entry) ?? []).some((route) => dialectOf(route) === 'mlflow');
  // Without it an MLflow route would answer in the v1 shape; with it, a v1-only function carries MLflow's tables for nothing.
  const renderer = outputOf(entry).inputs['shared/http/mlflow/error-renderer.ts']?.bytesInOutput ?? 0;
  expect(renderer > 0, 'shared/http/mlflow/error-renderer.ts').toBe(mlflow);
});
