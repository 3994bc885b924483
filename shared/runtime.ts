import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadConfig } from './config.ts';
import { newId, systemClock } from './ids.ts';
import { configureRequestLog } from './http/request-log.ts';
import { setLogLevel } from './logger.ts';
import { createDocumentClient } from './storage/dynamo-client.ts';
import { AccessRepository } from './storage/access-repository.ts';
import { ArtifactRepository, ArtifactTreeReader } from './storage/artifact-repository.ts';
import { ArtifactObjectStore, createS3Client } from './storage/artifact-store.ts';
import { ExperimentRepository } from './storage/experiment-repository.ts';
import { LoggedModelRepository } from './storage/logged-model-repository.ts';
import { LoggedModelMetricWriter } from './storage/logged-model-metrics.ts';
import { LoggedModelParamWriter } from './storage/logged-model-params.ts';
import { ModelHoldsReader } from './storage/model-holds.ts';
import { ArtifactChecksums } from './storage/artifact-checksums.ts';
import { PurgeRepository } from './storage/purge-repository.ts';
import { MetricRepository } from './storage/metric-repository.ts';
import { MetricSlots } from './storage/metric-slots.ts';
import { ModelRegistryRepository } from './storage/model-registry-repository.ts';
import { RunReader } from './storage/run-reader.ts';
import { RunRepository } from './storage/run-repository.ts';
import { SearchRepository } from './storage/search-repository.ts';
import { type AccessDeps, Authenticator } from './use-cases/access.ts';
import type { ArtifactDeps } from './use-cases/artifacts.ts';
import type { RunCreateDeps, TrackingDeps } from './use-cases/deps.ts';
import type { RegistryDeps } from './use-cases/model-registry.ts';
import type { LoggedModelDeps, LoggedModelMetricDeps, LoggedModelParamDeps } from './use-cases/logged-models.ts';
import type { PurgeDeps } from './use-cases/purge.ts';

let deps: TrackingDeps | undefined;
let search: Pick<TrackingDeps, 'experiments' | 'search' | 'clock'> | undefined;
let client: DynamoDBDocumentClient | undefined;
let access: AccessDeps | undefined;
let authenticator: Authenticator | undefined;
let artifacts: ArtifactDeps | undefined;
let artifactRecords: ArtifactRepository | undefined;
let registryRecords: Omit<RegistryDeps, 'objects' | 'checksums'> | undefined;
let loggedModels: LoggedModelDeps | undefined;
let loggedModelParams: LoggedModelParamDeps | undefined;
let runRecords: RunRepository | undefined;
let runReads: RunReader | undefined;
let experimentRecords: Pick<TrackingDeps, 'experiments' | 'clock'> | undefined;
let metricReads: Pick<TrackingDeps, 'runs' | 'metrics' | 'clock'> | undefined;
let runWrites: Pick<TrackingDeps, 'runs' | 'metrics' | 'metricSlots' | 'clock' | 'newId'> | undefined;
let slots: MetricSlots | undefined;
let runCreates: RunCreateDeps | undefined;
let loggedModelMetrics: LoggedModelMetricDeps | undefined;
let checksums: ArtifactChecksums | undefined;

/** One document client per container, created on first use and reused by every invocation. */
function documentClient(): DynamoDBDocumentClient {
  if (client) return client;
  const config = loadConfig();
  setLogLevel(config.logLevel);
  configureRequestLog(config.metricsNamespace);
  client = createDocumentClient({
    region: config.region,
    endpoint: config.dynamoDbEndpoint,
    attemptTimeoutMs: config.awsAttemptTimeoutMs,
  });
  return client;
}

/**
 * The run records with their writes, for the metric functions' wiring alone:
 * metric history reads (metricReadDeps) and, through them, logging to a run
 * (runWriteDeps: log-batch, log-metrics). Functions that only read runs by id
 * take runReader(); the rest take trackingDeps().
 */
function runRepository(): RunRepository {
  runRecords ??= new RunRepository(documentClient(), loadConfig().tableName);
  return runRecords;
}

/** Runs read by id alone (artifacts, the registry, logged models): RunRepository's writes stay out of their bundles. */
export function runReader(): RunReader {
  runReads ??= new RunReader(documentClient(), loadConfig().tableName);
  return runReads;
}

/**
 * The production wiring, built once per Lambda container (module scope) so the
 * SDK client and its connections are reused across invocations.
 */
export function trackingDeps(): TrackingDeps {
  if (deps) return deps;
  const config = loadConfig();
  const client = documentClient();
  const runs = new RunRepository(client, config.tableName);
  deps = {
    experiments: new ExperimentRepository(client, config.tableName),
    runs,
    metrics: new MetricRepository(client, config.tableName),
    metricSlots: metricSlots(),
    search: new SearchRepository(client, config.tableName, metricSlots()),
    clock: systemClock,
    newId,
  };
  return deps;
}

/**
 * What search needs (experiments, runs found by key, the index entries), and
 * not the metric repository: the search functions' bundles stay within their
 * size target (test/infra/bundle-size.test.ts).
 */
export function searchDeps(): Pick<TrackingDeps, 'experiments' | 'search' | 'clock'> {
  if (deps) return deps;
  if (search) return search;
  const config = loadConfig();
  const client = documentClient();
  search = {
    experiments: new ExperimentRepository(client, config.tableName),
    search: new SearchRepository(client, config.tableName, metricSlots()),
    clock: systemClock,
  };
  return search;
}

/** Experiments alone, for functions that list or search experiments (their bundles stay within the size target). */
export function experimentRecordDeps(): Pick<TrackingDeps, 'experiments' | 'clock'> {
  if (deps) return deps;
  experimentRecords ??= {
    experiments: new ExperimentRepository(documentClient(), loadConfig().tableName),
    clock: systemClock,
  };
  return experimentRecords;
}

/** What metric history reads need (runs and metrics), without search or experiments. */
export function metricReadDeps(): Pick<TrackingDeps, 'runs' | 'metrics' | 'clock'> {
  if (deps) return deps;
  metricReads ??= {
    runs: runRepository(),
    metrics: new MetricRepository(documentClient(), loadConfig().tableName),
    clock: systemClock,
  };
  return metricReads;
}

/**
 * What logging to a run needs (runs and metrics), without the experiment and search
 * repositories: log-batch and log-metrics stay within their size target.
 */
export function runWriteDeps(): Pick<TrackingDeps, 'runs' | 'metrics' | 'metricSlots' | 'clock' | 'newId'> {
  if (deps) return deps;
  runWrites ??= { ...metricReadDeps(), metricSlots: metricSlots(), newId };
  return runWrites;
}

/** The experiments' metric slots, as many as the table has GSIs for (STRATUS_METRIC_INDEX_SLOTS). */
function metricSlots(): MetricSlots {
  slots ??= new MetricSlots(documentClient(), loadConfig().tableName, loadConfig().metricIndexSlots);
  return slots;
}

/**
 * What starting a run needs (its experiment's count, the run, its first
 * metrics), and not search: the functions that create runs stay within their
 * bundle size target (test/infra/bundle-size.test.ts).
 */
export function runCreateDeps(): RunCreateDeps {
  if (deps) return deps;
  runCreates ??= {
    ...runWriteDeps(),
    experiments: new ExperimentRepository(documentClient(), loadConfig().tableName),
  };
  return runCreates;
}

/**
 * What ending or renaming a run needs (the run, its experiment's counters, the
 * rollups its end seals), and not search: update-run serves both APIs' run
 * updates and stays within its bundle size target (test/infra/bundle-size.test.ts).
 */
export function runEndDeps(): Pick<TrackingDeps, 'runs' | 'experiments' | 'metrics' | 'clock'> {
  return runCreateDeps();
}

/** The writer of logged models' latest metrics alone, for the metrics a run logs against a model (MLflow's model_id). */
export function loggedModelMetricDeps(): LoggedModelMetricDeps {
  loggedModelMetrics ??= {
    loggedModelMetrics: new LoggedModelMetricWriter(documentClient(), loadConfig().tableName),
    clock: systemClock,
  };
  return loggedModelMetrics;
}

export function accessDeps(): AccessDeps {
  access ??= { access: new AccessRepository(documentClient(), loadConfig().tableName), clock: systemClock };
  return access;
}

/** The token check every route runs first (see shared/http/handler.ts). */
export function requestAuthenticator(): Authenticator {
  authenticator ??= new Authenticator(accessDeps(), loadConfig().authCacheSeconds * 1000);
  return authenticator;
}

/**
 * The artifact routes' wiring: the S3 client is created once per container. A
 * missing bucket name fails the cold start, naming the variable.
 */
export function artifactDeps(): ArtifactDeps {
  if (artifacts) return artifacts;
  const config = loadConfig();
  const { bucket, s3Endpoint, urlTtlSeconds, multipartThresholdBytes, partSizeBytes } = config.artifacts;
  if (!bucket) throw new Error('invalid Stratus configuration: STRATUS_ARTIFACTS_BUCKET is required for artifacts');
  const s3 = createS3Client({
    region: config.region,
    endpoint: s3Endpoint,
    attemptTimeoutMs: config.awsAttemptTimeoutMs,
  });
  artifacts = {
    artifacts: artifactRepository(),
    objects: new ArtifactObjectStore(s3, bucket, urlTtlSeconds),
    // The run records alone rather than trackingDeps(): the artifact functions' bundles then carry
    // neither the metric nor the search repositories (test/infra/bundle-size.test.ts).
    runs: runReader(),
    clock: systemClock,
    sizing: { multipartThresholdBytes, partSizeBytes },
  };
  return artifacts;
}

/** Artifact records alone, for routes that never touch the bucket. */
export function artifactRepository(): ArtifactRepository {
  artifactRecords ??= new ArtifactRepository(documentClient(), loadConfig().tableName);
  return artifactRecords;
}

/** Which model versions hold a run's artifacts, for purges (without the rest of the registry). */
export function modelHoldsReader(): ModelHoldsReader {
  return new ModelHoldsReader(documentClient(), loadConfig().tableName);
}

/** The model registry's records, with the run and artifact records it checks; for routes that never touch the bucket. */
export function registryRecordDeps(): Omit<RegistryDeps, 'objects' | 'checksums'> {
  registryRecords ??= {
    registry: new ModelRegistryRepository(documentClient(), loadConfig().tableName),
    holds: modelHoldsReader(),
    runs: runReader(),
    artifacts: new ArtifactTreeReader(documentClient(), loadConfig().tableName),
    clock: systemClock,
    newId,
  };
  return registryRecords;
}

/** The registry's wiring with the bucket, for registration (checksums) and downloads. */
export function registryDeps(): RegistryDeps {
  const config = loadConfig();
  const { bucket, s3Endpoint, urlTtlSeconds } = config.artifacts;
  const s3 = createS3Client({
    region: config.region,
    endpoint: s3Endpoint,
    attemptTimeoutMs: config.awsAttemptTimeoutMs,
  });
  checksums ??= new ArtifactChecksums(s3, bucket ?? '', urlTtlSeconds);
  return { ...registryRecordDeps(), objects: artifactDeps().objects, checksums };
}

/** MLflow's logged models and run inputs/outputs, beside the tracking wiring. */
export function loggedModelDeps(): LoggedModelDeps {
  // The run and experiment records alone rather than trackingDeps(): the logged-model functions' bundles then
  // carry neither the metric nor the search repository (test/infra/bundle-size.test.ts).
  loggedModels ??= {
    experiments: new ExperimentRepository(documentClient(), loadConfig().tableName),
    runs: runReader(),
    clock: systemClock,
    newId,
    loggedModels: new LoggedModelRepository(documentClient(), loadConfig().tableName),
  };
  return loggedModels;
}

/** A logged model's params (their writer apart, so that only the function logging them carries it). */
export function loggedModelParamDeps(): LoggedModelParamDeps {
  loggedModelParams ??= {
    loggedModelParams: new LoggedModelParamWriter(documentClient(), loadConfig().tableName),
    clock: systemClock,
  };
  return loggedModelParams;
}

/** Purge: the tracking repositories, the purge repository and the bucket. */
export function purgeDeps(): PurgeDeps {
  const { experiments, runs } = trackingDeps();
  return {
    experiments,
    runs,
    purge: new PurgeRepository(documentClient(), loadConfig().tableName),
    objects: artifactDeps().objects,
    holds: modelHoldsReader(),
  };
}
