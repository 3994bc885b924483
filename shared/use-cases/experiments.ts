import { fittingEntries, listedEntryBytes } from '../domain/answer-size.ts';
import type { Experiment, Page, Tags, ViewType } from '../domain/types.ts';
import { experimentComparator, experimentMatches, parseExperimentFilter } from '../domain/search/experiment-filter.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { digest } from '../ids.ts';
import { decodeCursor, encodeCursor } from '../storage/cursor.ts';
import type { RequestScope, TrackingDeps } from './deps.ts';

export interface CreateExperimentInput {
  name: string;
  description?: string | undefined;
  tags?: Tags | undefined;
}

/** Creates an experiment; a name already taken in the workspace is a ConflictError. */
export async function createExperiment(
  scope: RequestScope,
  input: CreateExperimentInput,
  deps: Pick<TrackingDeps, 'experiments' | 'clock' | 'newId'>,
): Promise<Experiment> {
  const now = deps.clock.now();
  const experiment: Experiment = {
    experimentId: deps.newId(),
    name: input.name,
    description: input.description,
    tags: input.tags ?? {},
    createdAt: now,
    updatedAt: now,
    lifecycleStage: 'active',
  };
  await deps.experiments.create(scope.workspace, experiment);
  return experiment;
}

/** The experiment with this name, created on first use (the seeds' `start_run(experiment_name=...)`). */
export async function ensureExperiment(
  scope: RequestScope,
  name: string,
  deps: Pick<TrackingDeps, 'experiments' | 'clock' | 'newId'>,
): Promise<Experiment> {
  const existing = await deps.experiments.getByName(scope.workspace, name);
  if (existing) return existing;
  try {
    return await createExperiment(scope, { name }, deps);
  } catch (error) {
    // Another client created it between our read and our write: use theirs.
    if (!(error instanceof ConflictError)) throw error;
    const winner = await deps.experiments.getByName(scope.workspace, name);
    if (!winner) throw error;
    return winner;
  }
}

/**
 * Every workspace has MLflow's default experiment, id "0", named "Default": the
 * stock client logs there when no experiment is set. It is created on first use.
 */
export const defaultExperimentId = '0';
export const defaultExperimentName = 'Default';

export async function getExperiment(
  scope: RequestScope,
  experimentId: string,
  deps: Pick<TrackingDeps, 'experiments'> & Partial<Pick<TrackingDeps, 'clock'>>,
): Promise<Experiment> {
  const experiment = await deps.experiments.get(scope.workspace, experimentId);
  if (experiment) return experiment;
  if (experimentId === defaultExperimentId && deps.clock) return createDefaultExperiment(scope, deps.clock, deps);
  throw new NotFoundError('experiment', experimentId);
}

async function createDefaultExperiment(
  scope: RequestScope,
  clock: TrackingDeps['clock'],
  deps: Pick<TrackingDeps, 'experiments'>,
): Promise<Experiment> {
  const now = clock.now();
  const experiment: Experiment = {
    experimentId: defaultExperimentId,
    name: defaultExperimentName,
    description: undefined,
    tags: {},
    createdAt: now,
    updatedAt: now,
    lifecycleStage: 'active',
  };
  try {
    await deps.experiments.create(scope.workspace, experiment);
    return experiment;
  } catch (error) {
    // Another request created it first (or "Default" is a user experiment's name): use what is there.
    const existing = await deps.experiments.get(scope.workspace, defaultExperimentId);
    if (existing) return existing;
    throw error;
  }
}

export async function getExperimentByName(
  scope: RequestScope,
  name: string,
  deps: Pick<TrackingDeps, 'experiments'>,
): Promise<Experiment> {
  const experiment = await deps.experiments.getByName(scope.workspace, name);
  if (!experiment) throw new NotFoundError('experiment', name, 'name');
  return experiment;
}

export interface ListExperimentsInput {
  limit: number;
  pageToken?: string | undefined;
  tags?: Tags | undefined;
  nameContains?: string | undefined;
  view?: ViewType | undefined;
}

/** Newest first, optionally filtered by tag values; deleted experiments only when the view asks for them. */
export function listExperiments(
  scope: RequestScope,
  input: ListExperimentsInput,
  deps: Pick<TrackingDeps, 'experiments'>,
): Promise<Page<Experiment>> {
  return deps.experiments.list(scope.workspace, {
    limit: input.limit,
    pageToken: input.pageToken,
    tags: input.tags ?? {},
    nameContains: input.nameContains,
    view: input.view,
  });
}

export interface SearchExperimentsInput {
  filter?: string | undefined;
  orderBy?: readonly string[] | undefined;
  view?: ViewType | undefined;
  limit: number;
  pageToken?: string | undefined;
}

/** Experiments a search reads at most: a workspace's whole list is filtered and sorted in memory. */
export const experimentSearchMaxScanned = 50_000;

/**
 * MLflow's experiment search: filter on name, tags and times, any order, pages.
 * The workspace's default experiment exists once anyone searches (the client
 * expects "0" to be there).
 */
export async function searchExperiments(
  scope: RequestScope,
  input: SearchExperimentsInput,
  deps: Pick<TrackingDeps, 'experiments' | 'clock'>,
): Promise<Page<Experiment>> {
  const clauses = parseExperimentFilter(input.filter ?? '');
  const compare = experimentComparator(input.orderBy ?? []);
  await getExperiment(scope, defaultExperimentId, deps);
  const binding = `experiments#${digest(JSON.stringify([scope.workspace, input.filter ?? '', input.orderBy ?? [], input.view ?? 'ACTIVE_ONLY']))}`;
  const offset = Number((await decodeCursor(binding, input.pageToken))?.offset ?? 0);
  const all: Experiment[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.experiments.list(scope.workspace, {
      limit: 1000,
      pageToken: cursor,
      tags: {},
      view: input.view,
    });
    all.push(...page.items.filter((experiment) => experimentMatches(experiment, clauses)));
    cursor = page.cursor;
    if (all.length > experimentSearchMaxScanned) {
      throw new ValidationError(
        `filter: matches more than ${experimentSearchMaxScanned} experiments; narrow it`,
        'filter.too_broad',
      );
    }
  } while (cursor);
  all.sort(compare);
  // A page also ends before its answer outgrows a function's payload (experiments' notes are long tags).
  const end = offset + fittingEntries(all.slice(offset), input.limit, listedEntryBytes);
  const next = end < all.length ? await encodeCursor(binding, { offset: end }) : undefined;
  return { items: all.slice(offset, end), cursor: next };
}
