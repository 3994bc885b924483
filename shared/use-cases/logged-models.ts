import {
  type DatasetInput,
  type LoggedModel,
  type LoggedModelStatus,
  loggedModelArtifactPrefix,
  type ModelOutput,
} from '../domain/logged-models.ts';
import type { Page, Tags } from '../domain/types.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import type { LoggedModelRepository } from '../storage/logged-model-repository.ts';
import type { RequestScope, TrackingDeps } from './deps.ts';
import { getExperiment } from './experiments.ts';

/** MLflow 3's logged models and the inputs/outputs of runs (see shared/domain/logged-models.ts). */
export interface LoggedModelDeps extends Pick<TrackingDeps, 'experiments' | 'runs' | 'clock' | 'newId'> {
  loggedModels: LoggedModelRepository;
}

export interface CreateLoggedModelInput {
  experimentId: string;
  name?: string | undefined;
  modelType?: string | undefined;
  sourceRunId?: string | undefined;
  params?: Record<string, string> | undefined;
  tags?: Tags | undefined;
}

/**
 * Creates a PENDING logged model of a run. Its files go to the run's artifacts
 * under `models/<model id>/`, so a model without a source run has nowhere to live.
 */
export async function createLoggedModel(
  scope: RequestScope,
  input: CreateLoggedModelInput,
  deps: LoggedModelDeps,
): Promise<LoggedModel> {
  await getExperiment(scope, input.experimentId, deps);
  if (input.sourceRunId === undefined) {
    throw new ValidationError(
      'source_run_id: is required on Stratus; log models inside a run (mlflow.start_run())',
      'source_run_id.missing',
    );
  }
  const run = await deps.runs.get(scope.workspace, input.sourceRunId);
  if (!run) throw new NotFoundError('run', input.sourceRunId);
  if (run.experimentId !== input.experimentId) {
    throw new ValidationError(
      `source_run_id: run '${run.runId}' belongs to experiment '${run.experimentId}', not '${input.experimentId}'`,
      'source_run_id.invalid',
    );
  }
  const modelId = `m-${deps.newId()}`;
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
  };
  await deps.loggedModels.create(scope.workspace, model);
  return model;
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
  params?: Record<string, string> | undefined;
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

export async function deleteLoggedModel(
  scope: RequestScope,
  modelId: string,
  deps: Pick<LoggedModelDeps, 'loggedModels'>,
): Promise<void> {
  await deps.loggedModels.delete(scope.workspace, modelId);
}

export interface SearchLoggedModelsInput {
  experimentIds: readonly string[];
  name?: string | undefined;
  limit: number;
  pageToken?: string | undefined;
}

/**
 * An experiment's logged models, newest first, optionally by name (what
 * `runs:/<id>/<name>` resolves through). Several experiments are read one after
 * the other: the page token then belongs to the first experiment not yet done.
 */
export async function searchLoggedModels(
  scope: RequestScope,
  input: SearchLoggedModelsInput,
  deps: Pick<LoggedModelDeps, 'loggedModels' | 'experiments'>,
): Promise<Page<LoggedModel>> {
  const [first, ...rest] = input.experimentIds;
  if (first === undefined) throw new ValidationError('experiment_ids: must name at least one experiment');
  const [index, token] = splitToken(input.pageToken, input.experimentIds.length);
  const items: LoggedModel[] = [];
  for (let i = index; i < input.experimentIds.length; i++) {
    const experimentId = [first, ...rest][i] as string;
    await getExperiment(scope, experimentId, deps);
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

function splitToken(pageToken: string | undefined, experiments: number): [number, string | undefined] {
  if (!pageToken) return [0, undefined];
  const dot = pageToken.indexOf('.');
  const index = Number(pageToken.slice(0, dot));
  if (dot < 1 || !Number.isInteger(index) || index < 0 || index >= experiments) {
    throw new ValidationError('page_token: is not a token this search issued', 'page_token.invalid');
  }
  return [index, pageToken.slice(dot + 1) || undefined];
}

/** Where the model's files are under its run's artifact root. */
export const loggedModelArtifactPath = (model: LoggedModel) => loggedModelArtifactPrefix(model.modelId);

/** Records the datasets a run used and the models it produced (MLflow's log_inputs / log_outputs). */
export async function recordRunIo(
  scope: RequestScope,
  runId: string,
  io: { datasets?: readonly DatasetInput[]; outputs?: readonly ModelOutput[] },
  deps: Pick<LoggedModelDeps, 'loggedModels' | 'runs'>,
): Promise<void> {
  const run = await deps.runs.get(scope.workspace, runId);
  if (!run) throw new NotFoundError('run', runId);
  for (const output of io.outputs ?? []) await getLoggedModel(scope, output.modelId, deps);
  await deps.loggedModels.putRunIo(scope.workspace, runId, io);
}
