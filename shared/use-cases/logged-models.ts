import type { RunReader } from '../storage/run-reader.ts';
import {
  type DatasetInput,
  type LoggedModel,
  type LoggedModelMetric,
  type LoggedModelStatus,
  loggedModelArtifactPrefix,
  type ModelOutput,
} from '../domain/logged-models.ts';
import {
  type DatasetSelector,
  loggedModelComparator,
  loggedModelMatches,
  parseLoggedModelFilter,
  parseLoggedModelOrder,
} from '../domain/search/logged-model-filter.ts';
import { fittingEntries, listedEntryBytes } from '../domain/answer-size.ts';
import type { Page, Tags } from '../domain/types.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { LoggedModelRepository } from '../storage/logged-model-repository.ts';
import type { LoggedModelMetricWriter } from '../storage/logged-model-metrics.ts';
import type { LoggedModelParamWriter } from '../storage/logged-model-params.ts';
import type { RequestScope, RunCreateDeps, TrackingDeps } from './deps.ts';
import { getExperiment } from './experiments.ts';
import { startRun } from './runs.ts';

/** MLflow 3's logged models and the inputs/outputs of runs (see shared/domain/logged-models.ts). */
export interface LoggedModelDeps extends Pick<TrackingDeps, 'experiments' | 'clock' | 'newId'> {
  runs: RunReader;
  loggedModels: LoggedModelRepository;
}

/** The latest metrics that runs log against logged models: their own writer, for the functions logging metrics. */
export interface LoggedModelMetricDeps extends Pick<LoggedModelDeps, 'clock'> {
  loggedModelMetrics: LoggedModelMetricWriter;
}

/** Logging a logged model's params: its own writer, which only that function carries. */
export interface LoggedModelParamDeps extends Pick<LoggedModelDeps, 'clock'> {
  loggedModelParams: LoggedModelParamWriter;
}

export interface CreateLoggedModelInput {
  experimentId: string;
  name?: string | undefined;
  modelType?: string | undefined;
  sourceRunId?: string | undefined;
  params?: Record<string, string> | undefined;
  tags?: Tags | undefined;
}

/** The tag of a run started to hold a logged model's files: the model's id. */
export const modelHolderTag = 'stratus.holds_model';

/**
 * Creates a PENDING logged model of a run. Its files go to the run's artifacts
 * under `models/<model id>/`. A model logged outside any run (MLflow 3's
 * log_model, initialize_logged_model or set_active_model without start_run)
 * gets a run of its own to hold them (started with `holder`): FINISHED as it
 * starts, named after the model, tagged with its id (MLflow 2's log_model
 * started a run likewise). The answer names that run as the model's source.
 */
export async function createLoggedModel(
  scope: RequestScope,
  input: CreateLoggedModelInput,
  deps: LoggedModelDeps,
  holder: RunCreateDeps,
): Promise<LoggedModel> {
  await getExperiment(scope, input.experimentId, deps);
  const modelId = `m-${deps.newId()}`;
  const run =
    input.sourceRunId === undefined
      ? await holderRun(scope, input, modelId, holder)
      : await sourceRun(scope, input.sourceRunId, deps);
  if (run.experimentId !== input.experimentId) {
    throw new ValidationError(
      `source_run_id: run '${run.runId}' belongs to experiment '${run.experimentId}', not '${input.experimentId}'`,
      'source_run_id.invalid',
    );
  }
  const now = deps.clock.now();
  const model: LoggedModel = {
    modelId,
    experimentId: input.experimentId,
    name: input.name ?? modelId,
    modelType: input.modelType,
    sourceRunId: run.runId,
    status: 'PENDING',
    params: input.params ?? {},
    tags: input.tags ?? {},
    createdAt: now,
    updatedAt: now,
    metrics: [],
  };
  await deps.loggedModels.create(scope.workspace, model);
  return model;
}

async function sourceRun(scope: RequestScope, runId: string, deps: Pick<LoggedModelDeps, 'runs'>) {
  const run = await deps.runs.get(scope.workspace, runId);
  if (!run) throw new NotFoundError('run', runId);
  return run;
}

function holderRun(scope: RequestScope, input: CreateLoggedModelInput, modelId: string, deps: RunCreateDeps) {
  const runName = input.name ?? modelId;
  return startRun(scope, input.experimentId, { runName, tags: { [modelHolderTag]: modelId }, finished: true }, deps);
}

export async function getLoggedModel(
  scope: RequestScope,
  modelId: string,
  deps: Pick<LoggedModelDeps, 'loggedModels'>,
): Promise<LoggedModel> {
  const model = await deps.loggedModels.get(scope.workspace, modelId);
  if (!model) throw new NotFoundError('logged_model', modelId);
  return model;
}

export interface UpdateLoggedModelInput {
  status?: LoggedModelStatus | undefined;
  tags?: Tags | undefined;
  removeTag?: string | undefined;
}

export function updateLoggedModel(
  scope: RequestScope,
  modelId: string,
  input: UpdateLoggedModelInput,
  deps: Pick<LoggedModelDeps, 'loggedModels' | 'clock'>,
): Promise<LoggedModel> {
  return deps.loggedModels.update(scope.workspace, modelId, input, deps.clock.now());
}

/**
 * Logs params of a logged model. They are immutable, as a run's: the same value again is taken (a
 * retry), another value is a ParamChangeError (a 409; MLflow's API: a 400) and changes nothing.
 */
export function logLoggedModelParams(
  scope: RequestScope,
  modelId: string,
  params: Record<string, string>,
  deps: LoggedModelParamDeps,
): Promise<void> {
  return deps.loggedModelParams.log(scope.workspace, modelId, params, deps.clock.now());
}

/**
 * Deletes a logged model as MLflow's server does: it is kept, marked deleted, so that gets and
 * searches no longer find it while deleting it again succeeds (LoggedModelRepository.delete).
 * Writes to it are taken, as there; nothing reads them back.
 */
export async function deleteLoggedModel(
  scope: RequestScope,
  modelId: string,
  deps: Pick<LoggedModelDeps, 'loggedModels' | 'clock'>,
): Promise<void> {
  await deps.loggedModels.delete(scope.workspace, modelId, deps.clock.now());
}

export interface SearchLoggedModelsInput {
  experimentIds: readonly string[];
  /** MLflow's logged-model filter (shared/domain/search/logged-model-filter.ts). */
  filter?: string | undefined;
  /** Datasets that metric clauses look at (all when none). */
  datasets?: readonly DatasetSelector[] | undefined;
  orderBy?:
    | readonly {
        field_name: string;
        ascending?: boolean | undefined;
        dataset_name?: string | undefined;
        dataset_digest?: string | undefined;
      }[]
    | undefined;
  limit: number;
  pageToken?: string | undefined;
}

/**
 * An experiment's logged models, newest first, a page at a time: `/api/v1`'s listing, where an
 * experiment that is not there is a 404 (MLflow's search finds nothing in it instead).
 */
export async function listLoggedModels(
  scope: RequestScope,
  experimentId: string,
  page: { limit: number; pageToken?: string | undefined },
  deps: Pick<LoggedModelDeps, 'loggedModels' | 'experiments'>,
): Promise<Page<LoggedModel>> {
  await getExperiment(scope, experimentId, deps);
  return deps.loggedModels.listByExperiment(scope.workspace, experimentId, {
    limit: page.limit,
    pageToken: page.pageToken,
  });
}

/** Models one filtered or ordered search reads at most: they are all read, then matched and sorted. */
export const maxSearchedLoggedModels = 10_000;
const SORTED_TOKEN = 'sorted:';

/**
 * Logged models of experiments, newest first. `name = '<name>'` alone (what
 * `runs:/<id>/<name>` resolves through) pages through the experiments' index;
 * any other filter or order reads the experiments' models (at most
 * maxSearchedLoggedModels), then matches, sorts and pages them by position.
 */
export async function searchLoggedModels(
  scope: RequestScope,
  input: SearchLoggedModelsInput,
  deps: Pick<LoggedModelDeps, 'loggedModels' | 'experiments'>,
): Promise<Page<LoggedModel>> {
  if (input.experimentIds.length === 0) {
    throw new ValidationError('experiment_ids: must name at least one experiment');
  }
  const clauses = parseLoggedModelFilter(input.filter ?? '');
  const order = parseLoggedModelOrder(input.orderBy ?? []);
  const [only] = clauses;
  const byNameAlone =
    order.length === 0 &&
    (input.datasets ?? []).length === 0 &&
    (clauses.length === 0 ||
      (clauses.length === 1 && only?.op === '=' && only.field.kind === 'attribute' && only.field.name === 'name'));
  if (byNameAlone && !input.pageToken?.startsWith(SORTED_TOKEN)) {
    return newestByName(scope, { ...input, name: only?.value as string | undefined }, deps);
  }
  const models: LoggedModel[] = [];
  for (const experimentId of input.experimentIds) {
    if (!(await searchable(scope, experimentId, deps, input.pageToken !== undefined))) continue;
    let cursor: string | undefined;
    do {
      const page = await deps.loggedModels.listByExperiment(scope.workspace, experimentId, {
        limit: 1000,
        pageToken: cursor,
      });
      models.push(...page.items);
      cursor = page.cursor;
      if (models.length > maxSearchedLoggedModels) {
        throw new ValidationError(
          `filter: a filtered or ordered search reads at most ${maxSearchedLoggedModels} logged models; ` +
            `these experiments hold more (search by name = '<name>', or fewer experiments)`,
          'filter.too_broad',
        );
      }
    } while (cursor);
  }
  const matching = models
    .filter((model) => loggedModelMatches(model, clauses, input.datasets ?? []))
    .sort(loggedModelComparator(order));
  const start = sortedOffset(input.pageToken);
  // A page also ends before its answer outgrows a function's payload (a model's params have no count limit).
  const end = start + fittingEntries(matching.slice(start), input.limit, listedEntryBytes);
  return { items: matching.slice(start, end), cursor: end < matching.length ? `${SORTED_TOKEN}${end}` : undefined };
}

function sortedOffset(pageToken: string | undefined): number {
  if (!pageToken) return 0;
  const offset = Number(pageToken.slice(SORTED_TOKEN.length));
  if (!pageToken.startsWith(SORTED_TOKEN) || !Number.isInteger(offset) || offset < 0) {
    throw new ValidationError('page_token: is not a token this search issued', 'page_token.invalid');
  }
  return offset;
}

/** Newest first through the experiments' index, one experiment after the other. */
async function newestByName(
  scope: RequestScope,
  input: { experimentIds: readonly string[]; name: string | undefined; limit: number; pageToken?: string | undefined },
  deps: Pick<LoggedModelDeps, 'loggedModels' | 'experiments'>,
): Promise<Page<LoggedModel>> {
  const [first, ...rest] = input.experimentIds;
  if (first === undefined) throw new ValidationError('experiment_ids: must name at least one experiment');
  const [index, token] = splitToken(input.pageToken, input.experimentIds.length);
  const items: LoggedModel[] = [];
  for (let i = index; i < input.experimentIds.length; i++) {
    const experimentId = [first, ...rest][i] as string;
    if (!(await searchable(scope, experimentId, deps, i === index && token !== undefined))) continue;
    const page = await deps.loggedModels.listByExperiment(scope.workspace, experimentId, {
      name: input.name,
      limit: input.limit - items.length,
      pageToken: i === index ? token : undefined,
    });
    items.push(...page.items);
    if (page.cursor) return { items, cursor: `${i}.${page.cursor}` };
    if (items.length >= input.limit) {
      return { items, cursor: i + 1 < input.experimentIds.length ? `${i + 1}.` : undefined };
    }
  }
  return { items, cursor: undefined };
}

/**
 * Whether the experiment is there to search: MLflow's server (the only API with logged models)
 * finds no model in one that is not, rather than answering a 404. A page token that continues
 * the search of one is refused with the 404, though: nothing else checks that the token was
 * issued in this workspace.
 */
async function searchable(
  scope: RequestScope,
  experimentId: string,
  deps: Pick<LoggedModelDeps, 'experiments'>,
  continuing: boolean,
): Promise<boolean> {
  try {
    await getExperiment(scope, experimentId, deps);
    return true;
  } catch (error) {
    if (error instanceof NotFoundError && !continuing) return false;
    throw error;
  }
}

function splitToken(pageToken: string | undefined, experiments: number): [number, string | undefined] {
  if (!pageToken) return [0, undefined];
  const dot = pageToken.indexOf('.');
  const index = Number(pageToken.slice(0, dot));
  if (dot < 1 || !Number.isInteger(index) || index < 0 || index >= experiments) {
    throw new ValidationError('page_token: is not a token this search issued', 'page_token.invalid');
  }
  return [index, pageToken.slice(dot + 1) || undefined];
}

/** A metric point a run logged for a logged model (MLflow's `log_metric(..., model_id=)`). */
export interface ModelMetricInput {
  modelId: string;
  key: string;
  value: number;
  step?: number | undefined;
  timestamp?: number | undefined;
  datasetName?: string | undefined;
  datasetDigest?: string | undefined;
}

/**
 * Keeps, on each logged model named, the latest point of each of its metrics
 * (per dataset), after the run has stored the points as its own: MLflow shows
 * them on the model and searches models by them.
 */
export async function recordLoggedModelMetrics(
  scope: RequestScope,
  runId: string,
  points: readonly ModelMetricInput[],
  deps: LoggedModelMetricDeps,
): Promise<void> {
  const now = deps.clock.now();
  const byModel = new Map<string, LoggedModelMetric[]>();
  for (const point of points) {
    const metrics = byModel.get(point.modelId) ?? [];
    metrics.push({
      key: point.key,
      value: point.value,
      step: point.step ?? 0,
      timestamp: point.timestamp ?? now,
      runId,
      datasetName: point.datasetName,
      datasetDigest: point.datasetDigest,
    });
    byModel.set(point.modelId, metrics);
  }
  await Promise.all(
    [...byModel].map(([modelId, metrics]) => deps.loggedModelMetrics.recordMetrics(scope.workspace, modelId, metrics)),
  );
}

/** Where the model's files are under its run's artifact root. */
export const loggedModelArtifactPath = (model: LoggedModel) => loggedModelArtifactPrefix(model.modelId);

/** Records the datasets and models a run used and the models it produced (MLflow's log_inputs / log_outputs). */
export async function recordRunIo(
  scope: RequestScope,
  runId: string,
  io: { datasets?: readonly DatasetInput[]; modelInputs?: readonly string[]; outputs?: readonly ModelOutput[] },
  deps: Pick<LoggedModelDeps, 'loggedModels' | 'runs' | 'clock'>,
): Promise<void> {
  const run = await deps.runs.get(scope.workspace, runId);
  if (!run) throw new NotFoundError('run', runId);
  // As every write to a run: not to one deleted on its own (MLflow's server refuses them too).
  if (run.lifecycleStage === 'deleted') {
    throw new ConflictError('run.deleted', `run '${runId}' is deleted; restore it first`, { id: runId });
  }
  // A deleted model may still be named, as on MLflow's server: the run made it before it was deleted.
  for (const output of io.outputs ?? []) {
    if (!(await deps.loggedModels.exists(scope.workspace, output.modelId))) {
      throw new NotFoundError('logged_model', output.modelId);
    }
  }
  await deps.loggedModels.putRunIo(scope.workspace, runId, io, { recordedAt: deps.clock.now() });
}

/** A logged model in a run's lineage: used, produced (at a step), or both; `model` when it is still there and was looked up. */
export interface LineageModel {
  modelId: string;
  used: boolean;
  producedAtStep: number | undefined;
  model: LoggedModel | undefined;
}

export interface RunLineage {
  datasets: readonly DatasetInput[];
  models: readonly LineageModel[];
  /** How many of `models` were looked up (the first ones): a run may name thousands, one read each. */
  modelsLookedUp: number;
}

/** At most this many of a run's logged models are read for their names; the rest are answered by id. */
export const lineageModelLookups = 100;
const lineageLookupsAtOnce = 16;

/**
 * The datasets a run used and the logged models it used and produced (what
 * MLflow's get_run answers as `inputs` and `outputs`), each model with its
 * record while it has one: a deleted model is answered by id alone. Models in
 * the order MLflow answers outputs (by id), used and produced merged.
 */
export async function getRunLineage(
  scope: RequestScope,
  runId: string,
  deps: Pick<LoggedModelDeps, 'loggedModels' | 'runs'>,
): Promise<RunLineage> {
  if (!(await deps.runs.get(scope.workspace, runId))) throw new NotFoundError('run', runId);
  const io = await deps.loggedModels.getRunIo(scope.workspace, runId);
  const byId = new Map<string, { used: boolean; producedAtStep: number | undefined }>();
  for (const modelId of io.modelInputs) byId.set(modelId, { used: true, producedAtStep: undefined });
  for (const output of io.outputs) {
    byId.set(output.modelId, { used: byId.get(output.modelId)?.used ?? false, producedAtStep: output.step });
  }
  const entries = [...byId].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const looked = entries.slice(0, lineageModelLookups).map(([modelId]) => modelId);
  const records = new Map<string, LoggedModel>();
  for (let start = 0; start < looked.length; start += lineageLookupsAtOnce) {
    const batch = looked.slice(start, start + lineageLookupsAtOnce);
    const models = await Promise.all(batch.map((modelId) => deps.loggedModels.get(scope.workspace, modelId)));
    for (const model of models) if (model) records.set(model.modelId, model);
  }
  return {
    datasets: io.datasets,
    models: entries.map(([modelId, role]) => ({ modelId, ...role, model: records.get(modelId) })),
    modelsLookedUp: looked.length,
  };
}
