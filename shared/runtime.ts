import { loadConfig } from './config.ts';
import { newId, systemClock } from './ids.ts';
import { setLogLevel } from './logger.ts';
import { createDocumentClient } from './storage/dynamo-client.ts';
import { ExperimentRepository } from './storage/experiment-repository.ts';
import { MetricRepository } from './storage/metric-repository.ts';
import { RunRepository } from './storage/run-repository.ts';
import type { TrackingDeps } from './use-cases/deps.ts';

let deps: TrackingDeps | undefined;

/**
 * The production wiring, built once per Lambda container (module scope) so the
 * SDK client and its connections are reused across invocations.
 */
export function trackingDeps(): TrackingDeps {
  if (deps) return deps;
  const config = loadConfig();
  setLogLevel(config.logLevel);
  const client = createDocumentClient({ region: config.region, endpoint: config.dynamoDbEndpoint });
  deps = {
    experiments: new ExperimentRepository(client, config.tableName),
    runs: new RunRepository(client, config.tableName),
    metrics: new MetricRepository(client, config.tableName),
    clock: systemClock,
    newId,
  };
  return deps;
}
