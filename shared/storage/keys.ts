import { createHash } from 'node:crypto';
/**
 * Every DynamoDB key in Stratus is built here, and nowhere else.
 *
 * Single-table layout (see docs/data-model.md):
 *   Workspace       pk WORKSPACE#<ws>              sk WORKSPACE
 *   ApiToken        pk TOKEN#<token id>            sk TOKEN
 *   Experiment      pk WS#<ws>#EXP#<id>            sk EXPERIMENT
 *   ExperimentName  pk WS#<ws>#EXPNAME#<name>      sk EXPERIMENT_NAME   (uniqueness guard)
 *   Run             pk WS#<ws>#RUN#<id>            sk RUN               (fields and tags)
 *   RunValues       pk WS#<ws>#RUN#<id>            sk VALUES            (params and every metric key's latest value)
 *   MetricPage      pk WS#<ws>#RUN#<id>            sk METRICS#<n>       (latest values that did not fit RunValues)
 *   TagPage         pk WS#<ws>#RUN#<id>            sk TAGS#<n>          (tags that did not fit the run item)
 *   Param           pk WS#<ws>#RUN#<id>            sk PARAM#<key>       (params that did not fit RunValues)
 *   MetricChunk     pk WS#<ws>#RUN#<id>#METRIC#<key>  sk <minStep>#<batch>#<n>
 *   MetricRollup    pk WS#<ws>#RUN#<id>#METRIC#<key>  sk R<level>#<item index>
 *   Artifact        pk WS#<ws>#RUN#<id>#ARTIFACTS  sk <path>
 *   RegisteredModel pk WS#<ws>#MODEL#<model id>    sk MODEL
 *   ModelName       pk WS#<ws>#MODELNAME#<name>    sk MODEL_NAME        (uniqueness guard)
 *   ModelVersion    pk WS#<ws>#MODEL#<model id>    sk VERSION#<10 digits>
 *   AliasEvent      pk WS#<ws>#MODEL#<model id>#ALIAS_HISTORY  sk <at ms>#<event id>
 *   RunInput        pk WS#<ws>#RUN#<id>#IO         sk INPUT#<digest> | MODEL_INPUT#<model id> | OUTPUT#<model id>
 *                   (MLflow's datasets, the logged models a run used, and those it produced)
 *   LoggedModel     pk WS#<ws>#MODEL#<id>          sk LOGGED_MODEL
 *
 * Search index entries are items of their own, in a partition per experiment
 * and key (docs/search.md), with no `type`: pk and sk are the whole item, but
 * for a MetricIndex entry's `p` (run-items.ts metricIndexEntry).
 *   MetricIndex     pk WS#<ws>#EXP#<id>#METRIC#<key>  sk <sortable value>#<run id>
 *   ParamIndex      pk WS#<ws>#EXP#<id>#PARAM#<key>   sk <value prefix>\u0001<run id>
 *   TagIndex        pk WS#<ws>#EXP#<id>#TAG#<key>     sk <value prefix>\u0001<run id>
 *   ChildIndex      pk WS#<ws>#EXP#<id>#CHILDREN      sk <parent run id>\u0001<run id>
 *
 * Logical indexes over the generic GSI `gsi1` (projection ALL: listings read it alone):
 *   workspacesByCreation   gsi1pk WORKSPACES             gsi1sk <createdMs>#<ws>
 *   tokensByWorkspace      gsi1pk WS#<ws>#TOKENS         gsi1sk <createdMs>#<token id>
 *   experimentsByCreation  gsi1pk WS#<ws>#EXPERIMENTS     gsi1sk <createdMs>#<id>
 *   runsByExperiment       gsi1pk WS#<ws>#EXP#<id>#RUNS   gsi1sk <startMs>#<id>
 *   modelsByName           gsi1pk WS#<ws>#MODELS         gsi1sk <name>
 *   modelVersionsByRun     gsi1pk WS#<ws>#RUN#<id>#MODEL_VERSIONS  gsi1sk <createdMs>#<model id>#<version>
 *   loggedModelsByExperiment gsi1pk WS#<ws>#EXP#<id>#MODELS gsi1sk <createdMs>#<id>
 *     (a deleted one under gsi1pk WS#<ws>#EXP#<id>#MODELS#DELETED)
 * and over `gsi2` (projection KEYS_ONLY):
 *   runsByName             gsi2pk WS#<ws>#EXP#<id>#RUNNAMES  gsi2sk <run name>\u0001<run id>
 *   modelsByUpdate         gsi2pk WS#<ws>#MODELS_BY_UPDATE   gsi2sk <updatedMs>#<name>
 *   modelVersionsByUpdate  gsi2pk WS#<ws>#MODEL_VERSIONS_BY_UPDATE  gsi2sk <updatedMs>#<model id>#<version>
 *
 * The run partition holds only what `GET /runs/{id}` returns, so that read is one
 * Query; each metric key's history has a partition of its own, which keeps a busy
 * run's ingest spread over partitions and lets history pages start at any step.
 *
 * Hand-written rather than ElectroDB/dynamodb-toolbox: metric chunks are packed
 * binary with per-key conditional "latest" updates, and we want exact control of
 * every request's consumed capacity; the layer is one small module.
 *
 * Artifacts have a partition per run, sorted by path, so a prefix listing is one
 * begins_with Query. Their S3 object keys are built here too (artifactObjectKey).
 */

export const entityTypes = {
  workspace: 'Workspace',
  apiToken: 'ApiToken',
  experiment: 'Experiment',
  experimentName: 'ExperimentName',
  run: 'Run',
  runValues: 'RunValues',
  metricPage: 'MetricPage',
  tagPage: 'TagPage',
  param: 'Param',
  paramRow: 'ParamRow',
  metricChunk: 'MetricChunk',
  metricRollup: 'MetricRollup',
  artifact: 'Artifact',
  registeredModel: 'RegisteredModel',
  modelName: 'ModelName',
  modelVersion: 'ModelVersion',
  aliasEvent: 'AliasEvent',
  runInput: 'RunInput',
  runModelInput: 'RunModelInput',
  runOutput: 'RunOutput',
  loggedModel: 'LoggedModel',
} as const;

export interface PrimaryKey {
  pk: string;
  sk: string;
}

const join = (...parts: (string | number)[]) => parts.join('#');

const MS_DIGITS = 15;
/** Zero-padded milliseconds so that string order is time order (until year 33658). */
export const encodeTime = (ms: number) => String(Math.max(0, Math.trunc(ms))).padStart(MS_DIGITS, '0');

const STEP_OFFSET = 2n ** 53n;
/** Safe-integer step shifted to be non-negative and padded: string order is numeric order. */
export const encodeStep = (step: number) => (BigInt(step) + STEP_OFFSET).toString().padStart(17, '0');

const workspacePrefix = (workspace: string) => join('WS', workspace);

export const workspaceKey = (workspace: string): PrimaryKey => ({ pk: join('WORKSPACE', workspace), sk: 'WORKSPACE' });

export const workspacesByCreationPartition = 'WORKSPACES';

export const workspacesByCreationKey = (createdMs: number, workspace: string) => ({
  gsi1pk: workspacesByCreationPartition,
  gsi1sk: join(encodeTime(createdMs), workspace),
});

export const apiTokenKey = (tokenId: string): PrimaryKey => ({ pk: join('TOKEN', tokenId), sk: 'TOKEN' });

export const tokensByWorkspacePartition = (workspace: string) => join(workspacePrefix(workspace), 'TOKENS');

export const tokensByWorkspaceKey = (workspace: string, createdMs: number, tokenId: string) => ({
  gsi1pk: tokensByWorkspacePartition(workspace),
  gsi1sk: join(encodeTime(createdMs), tokenId),
});

export const experimentKey = (workspace: string, experimentId: string): PrimaryKey => ({
  pk: join(workspacePrefix(workspace), 'EXP', experimentId),
  sk: 'EXPERIMENT',
});

export const experimentNameKey = (workspace: string, name: string): PrimaryKey => ({
  pk: join(workspacePrefix(workspace), 'EXPNAME', name),
  sk: 'EXPERIMENT_NAME',
});

export const experimentsByCreationKey = (workspace: string, createdMs: number, experimentId: string) => ({
  gsi1pk: join(workspacePrefix(workspace), 'EXPERIMENTS'),
  gsi1sk: join(encodeTime(createdMs), experimentId),
});

export const experimentsByCreationPartition = (workspace: string) => join(workspacePrefix(workspace), 'EXPERIMENTS');

const runPartition = (workspace: string, runId: string) => join(workspacePrefix(workspace), 'RUN', runId);

export const runKey = (workspace: string, runId: string): PrimaryKey => ({
  pk: runPartition(workspace, runId),
  sk: 'RUN',
});

export const runsByExperimentPartition = (workspace: string, experimentId: string) =>
  join(workspacePrefix(workspace), 'EXP', experimentId, 'RUNS');

export const runsByExperimentKey = (workspace: string, experimentId: string, startMs: number, runId: string) => ({
  gsi1pk: runsByExperimentPartition(workspace, experimentId),
  gsi1sk: join(encodeTime(startMs), runId),
});

export const runPartitionKey = (workspace: string, runId: string) => runPartition(workspace, runId);

export const paramKey = (workspace: string, runId: string, key: string): PrimaryKey => ({
  pk: runPartition(workspace, runId),
  sk: join('PARAM', key),
});

/** The run's params and latest metric values: what changes while it runs, apart from its fields and tags. */
export const runValuesKey = (workspace: string, runId: string): PrimaryKey => ({
  pk: runPartition(workspace, runId),
  sk: 'VALUES',
});

/** Overflow pages (n ≥ 1) of the latest metric values and of the tags. */
export const metricPageKey = (workspace: string, runId: string, page: number): PrimaryKey => ({
  pk: runPartition(workspace, runId),
  sk: join('METRICS', page),
});

export const tagPageKey = (workspace: string, runId: string, page: number): PrimaryKey => ({
  pk: runPartition(workspace, runId),
  sk: join('TAGS', page),
});

export const metricHistoryPartition = (workspace: string, runId: string, metricKey: string) =>
  join(runPartition(workspace, runId), 'METRIC', metricKey);

/** Chunks of one metric key sort by their smallest step, then batch and index. */
export const metricChunkKey = (
  workspace: string,
  runId: string,
  metricKey: string,
  minStep: number,
  batchId: string,
  chunkIndex: number,
): PrimaryKey => ({
  pk: metricHistoryPartition(workspace, runId, metricKey),
  sk: join(encodeStep(minStep), batchId, chunkIndex),
});

/** Sort-key bound: the chunks whose smallest step is at least `step` start here. */
export const metricChunkFromStep = (step: number) => encodeStep(step);

/** A run's artifacts, one item per path, in path order. */
export const artifactPartition = (workspace: string, runId: string) =>
  join(runPartition(workspace, runId), 'ARTIFACTS');

export const artifactKey = (workspace: string, runId: string, path: string): PrimaryKey => ({
  pk: artifactPartition(workspace, runId),
  sk: path,
});

/**
 * The S3 key of an artifact. Only the service builds it, from ids it looked up
 * and a path that `normalizeArtifactPath` accepted (no `..`, no leading `/`), so
 * every object of a run lies under that run's prefix and nowhere else.
 */
export const artifactObjectKey = (workspace: string, experimentId: string, runId: string, path: string) =>
  `${runObjectPrefix(workspace, experimentId, runId)}${path}`;

export const runObjectPrefix = (workspace: string, experimentId: string, runId: string) =>
  `workspaces/${workspace}/experiments/${experimentId}/runs/${runId}/artifacts/`;
/**
 * A rollup item of one metric key: the summaries of 32 buckets of one level
 * (shared/domain/rollup.ts). `R` sorts after every chunk key (digits), so
 * chunk ranges never meet them.
 */
export const metricRollupKey = (
  workspace: string,
  runId: string,
  metricKey: string,
  level: number,
  itemIndex: number,
): PrimaryKey => ({
  pk: metricHistoryPartition(workspace, runId, metricKey),
  sk: metricRollupSortKey(level, itemIndex),
});

export const metricRollupSortKey = (level: number, itemIndex: number) =>
  join(`R${String(level).padStart(2, '0')}`, encodeStep(itemIndex));

export const runsByNamePartition = (workspace: string, experimentId: string) =>
  join(workspacePrefix(workspace), 'EXP', experimentId, 'RUNNAMES');

/**
 * Control characters never occur in names and values (they are refused at the
 * edge), so U+0001 ends the value part of an index sort key unambiguously.
 */
const VALUE_END = '\u0001';
/** A sort key holds at most 1,024 bytes: longer values are indexed by a prefix and checked in full later. */
const VALUE_PREFIX_BYTES = 900;

function utf8Prefix(value: string, maxBytes: number): string {
  if (Buffer.byteLength(value, 'utf8') <= maxBytes) return value;
  let prefix = '';
  let bytes = 0;
  for (const char of value) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > maxBytes) break;
    prefix += char;
    bytes += size;
  }
  return prefix;
}

/** Every index entry of a value (or of a longer one sharing its 900-byte prefix) begins with this. */
export const indexedValuePrefix = (value: string) => utf8Prefix(value, VALUE_PREFIX_BYTES) + VALUE_END;

/** The run's place in its experiment's name order (by the name's first 900 bytes: under DynamoDB's 1 KB sort key). */
export const runsByNameKey = (workspace: string, experimentId: string, runName: string, runId: string) => ({
  gsi2pk: runsByNamePartition(workspace, experimentId),
  gsi2sk: indexedValuePrefix(runName) + runId,
});

export const metricIndexPartition = (workspace: string, experimentId: string, metricKey: string) =>
  join(workspacePrefix(workspace), 'EXP', experimentId, 'METRIC', metricKey);

/**
 * A metric slot GSI's partition for one experiment's key: 22 characters of a
 * SHA-256 over the index item's partition (128 bits), since every run's values
 * item and every GSI entry carries it (a key may be 250 characters); a clash
 * would only add candidates that search drops on the runs it reads.
 */
export const metricSlotPartition = (workspace: string, experimentId: string, metricKey: string) =>
  createHash('sha256')
    .update(metricIndexPartition(workspace, experimentId, metricKey))
    .digest('base64url')
    .slice(0, 22);

/**
 * A metric slot GSI's sort key: the value's sortable form and the separator an
 * index item's sort key has before its run id (the run is the entry's table
 * key), so that the sort key ranges search reads index items by select the
 * same values here.
 */
export const metricSlotSortKey = (sortableValue: string) => `${sortableValue}#`;

/** `sortableValue` comes from encodeSortableNumber: string order is numeric order, NaN last. */
export const metricIndexKey = (
  workspace: string,
  experimentId: string,
  metricKey: string,
  sortableValue: string,
  runId: string,
): PrimaryKey => ({
  pk: metricIndexPartition(workspace, experimentId, metricKey),
  sk: join(sortableValue, runId),
});

/**
 * The experiment's param rows: one item per run that has params, holding a
 * digest of each (key, value) pair (run-items.ts paramRowItem). A param
 * equality scans these rows rather than reading an index entry per param.
 */
export const paramRowsPartition = (workspace: string, experimentId: string) =>
  join(workspacePrefix(workspace), 'EXP', experimentId, 'PARAMS');

export const paramRowKey = (workspace: string, experimentId: string, runId: string): PrimaryKey => ({
  pk: paramRowsPartition(workspace, experimentId),
  sk: runId,
});

/** Runs whose param digests share one param row (a bucket), by their number in the experiment. */
export const RUNS_PER_PARAM_BUCKET = 8;

/** Digits of a bucket's number in its sort key: string order is number order. */
const BUCKET_DIGITS = 10;

/**
 * The param row of runs numbered `RUNS_PER_PARAM_BUCKET * bucket + 1` on
 * (run-items.ts paramBucketValue). Its sort key, `#` and the bucket's number,
 * sorts before every run id (hex), so one partition holds both layouts and each
 * is read by a range of its own.
 */
export const paramBucketKey = (workspace: string, experimentId: string, bucket: number): PrimaryKey => ({
  pk: paramRowsPartition(workspace, experimentId),
  sk: paramBucketSortKey(bucket),
});

export const paramBucketSortKey = (bucket: number) => `#${String(bucket).padStart(BUCKET_DIGITS, '0')}`;

/** Bounds of the bucket rows' sort keys and of the per-run rows' (run ids), for BETWEEN. */
export const paramBucketSortKeys = { from: '#', to: '#~' } as const;
export const paramPerRunSortKeys = { from: '0', to: '\u{10ffff}' } as const;

/** The bucket of the run numbered `runNumber` (1 for the experiment's first run) and its slot in it. */
export const paramBucketOf = (runNumber: number) => ({
  bucket: Math.floor((runNumber - 1) / RUNS_PER_PARAM_BUCKET),
  slot: (runNumber - 1) % RUNS_PER_PARAM_BUCKET,
});

/**
 * Before param rows (runs created before commit 6c41137), each of a run's
 * params had an index entry here instead. Param search still reads these in
 * experiments not marked `paramRows`; `npm run migrate` gives such runs their
 * param rows, removes these entries and marks the experiment (docs/search.md).
 */
export const legacyParamIndexPartition = (workspace: string, experimentId: string, paramKey: string) =>
  join(workspacePrefix(workspace), 'EXP', experimentId, 'PARAM', paramKey);

export const legacyParamIndexKey = (
  workspace: string,
  experimentId: string,
  paramKey: string,
  value: string,
  runId: string,
): PrimaryKey => ({
  pk: legacyParamIndexPartition(workspace, experimentId, paramKey),
  sk: indexedValuePrefix(value) + runId,
});

// ----- model registry (see docs/registry.md) -----

const modelPartition = (workspace: string, modelId: string) => join(workspacePrefix(workspace), 'MODEL', modelId);

/** A registered model and its versions share a partition: listing versions is one Query. */
export const registeredModelKey = (workspace: string, modelId: string): PrimaryKey => ({
  pk: modelPartition(workspace, modelId),
  sk: 'MODEL',
});

/** The guard item that makes model names unique in a workspace and finds a model by name. */
export const modelNameKey = (workspace: string, name: string): PrimaryKey => ({
  pk: join(workspacePrefix(workspace), 'MODELNAME', name),
  sk: 'MODEL_NAME',
});

export const modelsByNamePartition = (workspace: string) => join(workspacePrefix(workspace), 'MODELS');

export const modelsByNameKey = (workspace: string, name: string) => ({
  gsi1pk: modelsByNamePartition(workspace),
  gsi1sk: name,
});

/**
 * Models by last change (MLflow's `order_by` `last_updated_timestamp`), on gsi2: the time, then
 * the name, which breaks ties in the time's direction (the reader reorders a tied group for the
 * other). Every write that moves `updatedAt` or the name rewrites this key with it.
 */
export const modelsByUpdatePartition = (workspace: string) => join(workspacePrefix(workspace), 'MODELS_BY_UPDATE');

export const modelsByUpdateKey = (workspace: string, updatedMs: number, name: string) => ({
  gsi2pk: modelsByUpdatePartition(workspace),
  gsi2sk: join(encodeTime(updatedMs), name),
});

/** The gsi2 sort key's leading time and its `#`: entries that share it are tied. */
export const updateGroupLength = MS_DIGITS + 1;

/** The model a models-by-update entry names (the gsi2sk after its time). */
export const modelNameOfUpdateKey = (gsi2sk: string) => gsi2sk.slice(updateGroupLength);

const VERSION_DIGITS = 10;
export const modelVersionSortPrefix = 'VERSION#';

/**
 * Every version of a workspace by last change (MLflow's version search without a model or run),
 * on gsi2: the time, the model id and the version. Ties are ordered by model name, which a version
 * item does not keep current (a rename moves only the model), so the reader sorts a tied group.
 */
export const modelVersionsByUpdatePartition = (workspace: string) =>
  join(workspacePrefix(workspace), 'MODEL_VERSIONS_BY_UPDATE');

export const modelVersionsByUpdateKey = (workspace: string, updatedMs: number, modelId: string, version: number) => ({
  gsi2pk: modelVersionsByUpdatePartition(workspace),
  gsi2sk: join(encodeTime(updatedMs), modelId, String(version).padStart(VERSION_DIGITS, '0')),
});

/** Zero-padded, so that string order is version order. */
export const modelVersionKey = (workspace: string, modelId: string, version: number): PrimaryKey => ({
  pk: modelPartition(workspace, modelId),
  sk: modelVersionSortPrefix + String(version).padStart(VERSION_DIGITS, '0'),
});

export const modelVersionsPartition = (workspace: string, modelId: string) => modelPartition(workspace, modelId);

export const modelVersionsByRunPartition = (workspace: string, runId: string) =>
  join(runPartition(workspace, runId), 'MODEL_VERSIONS');

export const modelVersionsByRunKey = (
  workspace: string,
  runId: string,
  createdMs: number,
  modelId: string,
  version: number,
) => ({
  gsi1pk: modelVersionsByRunPartition(workspace, runId),
  gsi1sk: join(encodeTime(createdMs), modelId, version),
});

/** A model's alias moves, in time order; the event id keeps two moves in the same millisecond apart. */
export const aliasHistoryPartition = (workspace: string, modelId: string) =>
  join(modelPartition(workspace, modelId), 'ALIAS_HISTORY');

export const aliasEventKey = (workspace: string, modelId: string, at: number, eventId: string): PrimaryKey => ({
  pk: aliasHistoryPartition(workspace, modelId),
  sk: join(encodeTime(at), eventId),
});

/** Sort-key bound: the events at or before `at` sort below this. */
export const aliasHistoryUntil = (at: number) => join(encodeTime(at), '~');
export const tagIndexPartition = (workspace: string, experimentId: string, tagKey: string) =>
  join(workspacePrefix(workspace), 'EXP', experimentId, 'TAG', tagKey);

export const tagIndexKey = (
  workspace: string,
  experimentId: string,
  tagKey: string,
  value: string,
  runId: string,
): PrimaryKey => ({
  pk: tagIndexPartition(workspace, experimentId, tagKey),
  sk: indexedValuePrefix(value) + runId,
});

/**
 * The child runs of an experiment, one item a run that has a parent (written with the run), by
 * parent: `parent_run_id =` reads one parent's range instead of every run of the experiment.
 * The partition is the child's experiment, which a search names (the parent may be elsewhere).
 */
export const childRunsPartition = (workspace: string, experimentId: string) =>
  join(workspacePrefix(workspace), 'EXP', experimentId, 'CHILDREN');

/** Every child item of a parent begins with this (a run id never holds a control character). */
export const childRunsOf = (parentRunId: string) => indexedValuePrefix(parentRunId);

export const childRunKey = (
  workspace: string,
  experimentId: string,
  parentRunId: string,
  runId: string,
): PrimaryKey => ({
  pk: childRunsPartition(workspace, experimentId),
  sk: childRunsOf(parentRunId) + runId,
});

/** The run id at the end of an index sort key (`…#<id>` or `…\u0001<id>`): its last 32 characters. */
export const runIdOfIndexSortKey = (sortKey: string) => sortKey.slice(-32);

/** MLflow's run inputs (datasets) and outputs (logged models), beside the run partition: `GET /runs/{id}` never reads them. */
export const runIoPartition = (workspace: string, runId: string) => join(runPartition(workspace, runId), 'IO');

/** Where a run's inputs start in its IO partition (its outputs follow). */
const runInputSortKeyPrefix = join('INPUT', '');

export const runInputKey = (workspace: string, runId: string, datasetKey: string): PrimaryKey => ({
  pk: runIoPartition(workspace, runId),
  sk: runInputSortKeyPrefix + datasetKey,
});

export const runModelInputKey = (workspace: string, runId: string, modelId: string): PrimaryKey => ({
  pk: runIoPartition(workspace, runId),
  sk: join('MODEL_INPUT', modelId),
});

export const runOutputKey = (workspace: string, runId: string, modelId: string): PrimaryKey => ({
  pk: runIoPartition(workspace, runId),
  sk: join('OUTPUT', modelId),
});

/** MLflow 3's logged models: what `mlflow.<flavor>.log_model` creates. */
export const loggedModelKey = (workspace: string, modelId: string): PrimaryKey => ({
  pk: join(workspacePrefix(workspace), 'MODEL', modelId),
  sk: 'LOGGED_MODEL',
});

export const loggedModelsByExperimentPartition = (workspace: string, experimentId: string) =>
  join(workspacePrefix(workspace), 'EXP', experimentId, 'MODELS');

/**
 * Where a deleted logged model's item moves in that index: out of the experiment's searches and
 * name lookups, and still found by the purge of its run or experiment.
 */
export const deletedLoggedModelsByExperimentPartition = (workspace: string, experimentId: string) =>
  join(loggedModelsByExperimentPartition(workspace, experimentId), 'DELETED');

export const loggedModelsByExperimentKey = (
  workspace: string,
  experimentId: string,
  createdMs: number,
  modelId: string,
) => ({
  gsi1pk: loggedModelsByExperimentPartition(workspace, experimentId),
  gsi1sk: join(encodeTime(createdMs), modelId),
});
