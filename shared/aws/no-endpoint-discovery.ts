/**
 * Stands in for `@aws-sdk/middleware-endpoint-discovery` in the Lambda bundles
 * (an esbuild alias, cdk/bundling.ts). DynamoDB's client still resolves an
 * endpoint cache at construction, but none of its commands adds the discovery
 * plugin that would read it (DynamoDB needs no discovered endpoints): the
 * cache and the LRU library behind it are about 8 kB of every function's
 * bundle that no request uses. The local stack runs unbundled, with the real
 * module.
 */
export const NODE_ENDPOINT_DISCOVERY_CONFIG_OPTIONS = {
  environmentVariableSelector: () => undefined,
  configFileSelector: () => undefined,
  default: undefined,
};

export const resolveEndpointDiscoveryConfig = <T extends object>(
  input: T & { endpointDiscoveryEnabled?: boolean | undefined },
  { endpointDiscoveryCommandCtor }: { endpointDiscoveryCommandCtor: unknown },
) =>
  Object.assign(input, {
    endpointDiscoveryCommandCtor,
    endpointDiscoveryEnabled: () => Promise.resolve(input.endpointDiscoveryEnabled ?? false),
    isClientEndpointDiscoveryEnabled: input.endpointDiscoveryEnabled !== undefined,
  });
