import { atMost } from '../at-most.ts';
import {
  compareTuples,
  matchesAll,
  runComparator,
  type SearchableRun,
  type SortValue,
  searchable,
  type UsedDataset,
  sortTuple,
} from '../domain/search/evaluate.ts';
import { parseFilter, parseOrderBy, searchLimits } from '../domain/search/parser.ts';
import { type Clause, defaultOrder, fieldName, type OrderKey, withTieBreak } from '../domain/search/query.ts';
import { decodeSortableNumber, encodeSortableNumber } from '../domain/search/sortable-number.ts';
import { type Run, type RunDetails, runStage, type ViewType, viewIncludes } from '../domain/types.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { digest } from '../ids.ts';
import { limits } from '../limits.ts';
import { decodeCursor, encodeCursor } from '../storage/cursor.ts';
import {
  nanRange,
  numberRange,
  type SearchRepository,
  type SortKeyRange,
  type StreamEntry,
} from '../storage/search-repository.ts';
import { mergeStreams } from '../storage/merge-streams.ts';
import type { RequestScope, TrackingDeps } from './deps.ts';
import { defaultExperimentId } from './experiments.ts';
import { addMetric } from '../observability/metrics.ts';
import { type DatasetInput, noRunIo, type RunIo } from '../domain/logged-models.ts';
import { ownValue } from '../domain/own.ts';

export interface SearchRunsInput {
  experimentIds?: readonly string[] | undefined;
  experimentNames?: readonly string[] | undefined;
  filter?: string | undefined;
  orderBy?: readonly string[] | undefined;
  limit: number;
  pageToken?: string | undefined;
  /** Which lifecycle stages to include; ACTIVE_ONLY when absent. */
  view?: ViewType | undefined;
  /**
   * An experiment id that names no experiment: a 404 (`/api/v1`), or searched and found empty
   * (`skip`), as MLflow's server answers a search of one.
   */
  unknownExperiments?: 'refuse' | 'skip' | undefined;
  /** Answer each run with its MLflow inputs and outputs, as MLflow's search does (`/api/v1` runs carry none). */
  withIo?: boolean | undefined;
}

/** A run found, with its inputs and outputs when the search asked for them. */
export type FoundRun = SearchableRun & { io?: RunIo };

export interface SearchRunsResult {
  runs: FoundRun[];
  cursor: string | undefined;
  /** How the answer was found (a response header; see docs/search.md). */
  plan: string;
}

type SearchDeps = Pick<TrackingDeps, 'experiments' | 'search'>;

/** What the experiments' items say, once read (the index reads need only their ids). */
interface ResolvedExperiments {
  experimentIds: string[];
  /** Runs in the experiments (their counters): what reading their param rows costs. */
  runCount: number;
  runCounts: ReadonlyMap<string, number>;
  /** Experiments that may hold runs from before param rows (Experiment.legacyParamIndex). */
  legacyParamIndex: ReadonlySet<string>;
  /** Experiments that may hold runs with a param row of their own, from before bucket rows (Experiment.perRunParamRows). */
  perRunParamRows: ReadonlySet<string>;
  /** Deleted experiments: every run of theirs is deleted (runStage). */
  deleted: ReadonlySet<string>;
  /** Experiments whose metric index entries may lack params of their runs (Experiment.paramsOffMetricEntries). */
  paramsOffMetricEntries: ReadonlySet<string>;
  /** Experiments whose runs may have inputs or outputs without saying so (Experiment.unmarkedRunIo). */
  unmarkedRunIo: ReadonlySet<string>;
  /** Experiments that may hold child runs missing from their child index (Experiment.unindexedChildren). */
  unindexedChildren: ReadonlySet<string>;
}

interface Query {
  workspace: string;
  experimentIds: string[];
  /** Settles once every experiment is read: rejects (404) when one is not in the workspace. */
  experiments: Promise<ResolvedExperiments>;
  clauses: Clause[];
  order: OrderKey[];
  limit: number;
  after: SortValue[] | undefined;
  view: ViewType;
  /**
   * Experiments none of whose runs the view shows (deleted ones, searched ACTIVE_ONLY), filled
   * in once `experiments` settles: their streams stop after the page they had asked for.
   */
  hidden: Set<string>;
}

/**
 * Searches runs in one or more experiments. The planner, in order:
 *  1. filter clauses an index can answer (run_id, run_name, tags, params and
 *     parent_run_id = / IN, any comparison on a metric) give candidate sets; their intersection is
 *     loaded, checked against every clause, sorted, and paged;
 *  2. else, when the first order key is start_time or a metric, the runs are
 *     read in that order from its index, a group at a time, until the page is
 *     full (runs without the metric come last and need a full read);
 *  3. else every run of the experiments is read (the fallback).
 * Page tokens hold the last run's position in the order and a digest of the
 * workspace and the query, so they only continue the very search that issued them.
 */
export async function searchRuns(
  scope: RequestScope,
  input: SearchRunsInput,
  deps: SearchDeps,
): Promise<SearchRunsResult> {
  const experiments = resolveExperiments(scope, input, deps);
  // Settled below, before anything else is reported: a missing experiment's 404 comes first.
  experiments.catch(() => undefined);
  let query: Query;
  let binding: string;
  try {
    // Experiments named by id are searched while their items are read, one round trip sooner: index
    // partitions are the workspace's own, and nothing is answered before every experiment is found.
    const experimentIds = input.experimentNames?.length
      ? (await experiments).experimentIds
      : [...new Set(input.experimentIds ?? [])];
    const clauses = parseFilter(input.filter ?? '');
    const view = input.view ?? 'ACTIVE_ONLY';
    const order = input.orderBy?.length ? withTieBreak(parseOrderBy(input.orderBy)) : defaultOrder;
    binding = `search#${digest(
      JSON.stringify([scope.workspace, [...experimentIds].sort(), input.filter ?? '', input.orderBy ?? [], view]),
    )}`;
    const position = await decodeCursor(binding, input.pageToken);
    query = {
      workspace: scope.workspace,
      experimentIds,
      experiments,
      clauses,
      order,
      limit: input.limit,
      after: position === undefined ? undefined : decodeTuple(position.after, order.length),
      view,
      hidden: new Set(),
    };
    const hidden = query.hidden;
    if (view === 'ACTIVE_ONLY') {
      experiments.then(
        (resolved) => resolved.deleted.forEach((id) => hidden.add(id)),
        () => undefined,
      );
    }
  } catch (error) {
    await experiments;
    throw error;
  }
  const plan = planOf(query);
  let description = plan.description;
  addMetric('Searches', 1, ['SearchPlan', plan.kind]);
  const searching =
    query.experimentIds.length === 0
      ? Promise.resolve([])
      : plan.kind === 'candidates'
        ? candidateIds(query, plan.clauses, deps.search).then(async ({ ids, params, children }) => {
            if (children) description = `${description}, children ${children.how}`;
            if (params) description = `${description}, params ${params}`;
            const entries = await orderedEntriesCheaper(query, ids);
            if (entries === undefined) return searchCandidates(query, ids, deps.search, children?.listed);
            description = `${description}, in order: ${fieldName((query.order[0] as OrderKey).field)}`;
            return searchStream(query, deps.search, { ids: new Set(ids), entries, known: children?.listed });
          })
        : plan.kind === 'stream'
          ? searchStream(query, deps.search)
          : searchCandidates(query, undefined, deps.search);
  searching.catch(() => undefined);
  const resolved = await experiments;
  // Skipped ids were searched with the rest: an experiment's partition holds nothing once it is
  // gone, but for the runs of one being purged, which are left out here.
  const skipped = resolved.experimentIds.length < query.experimentIds.length;
  const known = new Set(resolved.experimentIds);
  const found = skipped ? (await searching).filter((run) => known.has(run.experimentId)) : await searching;
  let page: FoundRun[] = found.slice(0, query.limit);
  // IO a `datasets.*` clause read is for MLflow's answer: /api/v1 answers none, nor counts it.
  if (!input.withIo && page.some((run) => run.io)) page = page.map(({ io: _, ...run }) => run);
  page = withinAnswerBytes(page);
  if (input.withIo) page = withinAnswerBytes(await withIo(query, page, deps.search));
  const last = page[page.length - 1];
  const cursor =
    found.length > page.length && last
      ? await encodeCursor(binding, { after: encodeTuple(sortTuple(last, query.order)) })
      : undefined;
  return { runs: page, cursor, plan: description };
}

/** Runs whose inputs and outputs are read at once, for a page or a `datasets.*` clause. */
const PARALLEL_IO_READS = 16;

/**
 * The page's runs with their inputs and outputs (those a `datasets.*` clause read already kept).
 * Read only for runs whose run item does not hold a current copy of them (run-io-copy.ts).
 */
async function withIo(query: Query, page: readonly FoundRun[], search: SearchRepository): Promise<FoundRun[]> {
  const { unmarkedRunIo } = await query.experiments;
  return atMost(PARALLEL_IO_READS, page, async (run) => {
    const io = await searchedIoOf(query, run, unmarkedRunIo, search);
    return io === undefined ? run : { ...run, io };
  });
}

/**
 * What MLflow's search answers of a run's IO: read once (and kept on the run for the page), from the
 * copy its run item keeps when current, else by a Query of its IO partition when the run is marked
 * as having any (Run.hasIo), or is of an experiment whose runs may not say so (before `npm run
 * migrate`); else none (undefined), without a read.
 */
async function searchedIoOf(
  query: Query,
  run: FoundRun,
  unmarkedRunIo: ReadonlySet<string>,
  search: SearchRepository,
): Promise<RunIo | undefined> {
  if (run.io) return run.io;
  if (run.keptIo) return { ...run.keptIo, modelInputs: [] };
  return mayHaveIo(run, unmarkedRunIo) ? search.ioOfRun(query.workspace, run.runId) : undefined;
}

const usedDataset = (dataset: DatasetInput): UsedDataset => ({
  name: dataset.name,
  digest: dataset.digest,
  context: ownValue(dataset.tags, 'mlflow.data.context'),
});

const mayHaveIo = (run: Run, unmarkedRunIo: ReadonlySet<string>) =>
  run.hasIo === true || unmarkedRunIo.has(run.experimentId);

/**
 * The first runs of a page whose details fit `limits.answerBytes` together (at least one run): a
 * page ends early, with a token for the rest, rather than outgrow what a function may answer
 * (Lambda's 6 MB, past which API Gateway answers 500). A thousand runs of a deep-learning sweep,
 * with their tags, params and dozens of metrics each, come to several megabytes.
 */
function withinAnswerBytes<R extends RunDetails & { datasets?: unknown; io?: RunIo }>(runs: readonly R[]): R[] {
  let total = 0;
  for (let index = 0; index < runs.length; index++) {
    total += runDetailsBytes(runs[index] as R);
    if (total > limits.answerBytes && index > 0) return runs.slice(0, index);
  }
  return [...runs];
}

/**
 * About how many bytes a run's details take in a function's response payload, either dialect's (a
 * little more, never less): the JSON of what varies, escaped again as the payload's body string (a
 * `"` takes 4 bytes there), plus what the views put around it: the fixed fields (ids, times, the
 * artifact URI, the tags MLflow's view adds), MLflow's `{"key":…,"value":…}` around each param and
 * tag, and a metric's field names beyond its own. Whole params and tags are counted, as MLflow's API
 * answers them; /api/v1 answers a page of each. test/unit/answer-bytes.test.ts holds it to both views
 * (never below either, over generated runs) and a 20-param, 10-metric run to within a third above
 * MLflow's view (the estimate before counted it twice over, and a 1,000-run page ended near 850 runs).
 */
export function runDetailsBytes(run: RunDetails & { datasets?: unknown; io?: RunIo }): number {
  const varying = [run.runName, run.tags, run.params, run.metrics, run.pipeline, run.gitCommit, run.codeVersion];
  const keyed = Object.keys(run.tags).length + Object.keys(run.params).length;
  // MLflow's view of an input adds about 110 bytes of field names around it, of an output 30.
  const io = run.io ?? noRunIo;
  const ioKeyed = io.datasets.reduce((sum, dataset) => sum + Object.keys(dataset.tags).length, 0);
  return (
    Buffer.byteLength(JSON.stringify(JSON.stringify([...varying, run.datasets ?? null, run.io ?? null]))) +
    800 +
    (keyed + ioKeyed) * 30 +
    run.metrics.length * 20 +
    io.datasets.length * 110 +
    io.outputs.length * 30
  );
}

/** The default experiment, by its id (not an experiment named "0"). */
const isDefaultExperiment = (missing: NotFoundError) =>
  missing.subject?.id === defaultExperimentId && !missing.subject.byName;

/**
 * The experiments' items, read at once: a 404 for the first (in the request's
 * order) not in the caller's workspace, a 400 for none or too many.
 */
async function resolveExperiments(
  scope: RequestScope,
  input: SearchRunsInput,
  deps: SearchDeps,
): Promise<ResolvedExperiments> {
  const ids = [...new Set(input.experimentIds ?? [])];
  const names = [...new Set(input.experimentNames ?? [])];
  if (ids.length === 0 && names.length === 0) {
    throw new ValidationError('experiment_ids: give at least one experiment (by id or by name)', 'experiment.missing');
  }
  const tooMany = () =>
    new ValidationError(`experiment_ids: at most ${searchLimits.experiments} experiments`, 'experiment.too_many');
  if (ids.length > searchLimits.experiments || names.length > searchLimits.experiments) throw tooMany();
  const found = await Promise.all([
    ...ids.map(async (id) => (await deps.experiments.get(scope.workspace, id)) ?? new NotFoundError('experiment', id)),
    ...names.map(
      async (name) =>
        (await deps.experiments.getByName(scope.workspace, name)) ?? new NotFoundError('experiment', name, 'name'),
    ),
  ]);
  const counts = new Map<string, number>();
  const legacyParamIndex = new Set<string>();
  const perRunParamRows = new Set<string>();
  const deleted = new Set<string>();
  const paramsOffMetricEntries = new Set<string>();
  const unmarkedRunIo = new Set<string>();
  const unindexedChildren = new Set<string>();
  for (const experiment of found) {
    if (experiment instanceof NotFoundError) {
      // The default experiment exists for every workspace from its first run on (MLflow's "0"):
      // before then it holds no runs, so searching it finds none rather than a 404.
      if (input.unknownExperiments === 'skip' || isDefaultExperiment(experiment)) continue;
      throw experiment;
    }
    counts.set(experiment.experimentId, experiment.runCount ?? 0);
    if (experiment.lifecycleStage === 'deleted') deleted.add(experiment.experimentId);
    if (experiment.legacyParamIndex) legacyParamIndex.add(experiment.experimentId);
    if (experiment.perRunParamRows) perRunParamRows.add(experiment.experimentId);
    if (experiment.paramsOffMetricEntries) paramsOffMetricEntries.add(experiment.experimentId);
    if (experiment.unmarkedRunIo) unmarkedRunIo.add(experiment.experimentId);
    if (experiment.unindexedChildren) unindexedChildren.add(experiment.experimentId);
  }
  if (counts.size > searchLimits.experiments) throw tooMany();
  return {
    experimentIds: [...counts.keys()],
    runCount: [...counts.values()].reduce((sum, count) => sum + count, 0),
    runCounts: counts,
    legacyParamIndex,
    perRunParamRows,
    deleted,
    paramsOffMetricEntries,
    unmarkedRunIo,
    unindexedChildren,
  };
}

type Plan =
  | { kind: 'candidates'; clauses: Clause[]; description: string }
  | { kind: 'stream'; description: string }
  | { kind: 'full'; description: string };

const isEquality = (clause: Clause) => clause.op === '=' || clause.op === 'IN';

const isIndexable = (clause: Clause) =>
  // A metric's index holds the runs that have it: not those a `metrics.x IS NULL` wants.
  (clause.field.kind === 'metric' && clause.op !== 'IS NULL') ||
  ((clause.field.kind === 'param' || clause.field.kind === 'tag') && isEquality(clause)) ||
  (clause.field.kind === 'attribute' &&
    (clause.field.name === 'run_id' || clause.field.name === 'run_name' || clause.field.name === 'parent_run_id') &&
    isEquality(clause));

function planOf(query: Query): Plan {
  // Param rows are read whole (an experiment's runs with params): only when no other index narrows the runs.
  const indexable = query.clauses.filter(isIndexable);
  const narrower = indexable.filter((clause) => clause.field.kind !== 'param');
  const indexed = narrower.length > 0 ? narrower : indexable;
  if (indexed.length > 0) {
    const names = indexed.map((clause) => `${fieldName(clause.field)} ${clause.op}`);
    return { kind: 'candidates', clauses: indexed, description: `index: ${names.join(' AND ')}` };
  }
  const first = query.order[0] as OrderKey;
  if (first.field.kind === 'metric') return { kind: 'stream', description: `order: metrics.${first.field.key}` };
  if (first.field.kind === 'attribute' && (first.field.name === 'start_time' || first.field.name === 'run_name')) {
    return { kind: 'stream', description: `order: ${first.field.name}` };
  }
  return { kind: 'full', description: 'full: every run of the experiments' };
}

/**
 * The runs that may match: the intersection of what each indexable clause's
 * index holds; `params` says where param clauses were checked, if anywhere, and
 * `children` the run items a parent clause took from the experiments' listings, and why.
 */
async function candidateIds(
  query: Query,
  clauses: Clause[],
  search: SearchRepository,
): Promise<{ ids: string[]; params?: string; children?: ListedChildren }> {
  const valuesOf = (clause: Clause) => (typeof clause.value === 'string' ? [clause.value] : (clause.value as string[]));
  const paramClauses = query.clauses.filter((clause) => clause.field.kind === 'param' && isIndexable(clause));
  const narrowing = clauses.filter((clause) => clause.field.kind !== 'param');
  if (narrowing.length === 0) {
    return { ids: intersect(await Promise.all(paramCandidates(query, paramClauses, valuesOf, search))) };
  }
  // Beside param clauses, one metric clause's entries also bring the param digests they carry.
  const carrier = paramClauses.length > 0 ? narrowing.find((clause) => clause.field.kind === 'metric') : undefined;
  const wantedParams = paramClauses.map((clause) => ({
    key: (clause.field as { key: string }).key,
    values: valuesOf(clause),
  }));
  /** Runs whose entries (of the carrier clause) may hold a value of every param clause. */
  const holdingParams = new Set<string>();
  let children: ListedChildren | undefined;
  const candidates = intersect(
    await Promise.all(
      narrowing.map(async (clause): Promise<Set<string>> => {
        const values = valuesOf(clause);
        const field = clause.field;
        if (field.kind === 'attribute' && field.name === 'run_id') return new Set(values);
        const perExperiment = await Promise.all(
          query.experimentIds.map(async (experimentId) => {
            if (field.kind === 'metric' && clause === carrier) {
              const entries = await search.runIdsByMetricWithParams(
                query.workspace,
                experimentId,
                field.key,
                metricRange(clause),
                wantedParams,
              );
              for (const { runId, holds } of entries) if (holds.every(Boolean)) holdingParams.add(runId);
              return entries.map((entry) => entry.runId);
            }
            if (field.kind === 'metric') {
              return search.runIdsByMetric(query.workspace, experimentId, field.key, metricRange(clause));
            }
            if (field.kind === 'attribute' && field.name === 'parent_run_id') {
              const found = await childrenOf(query, experimentId, values, search);
              if (found.listed) {
                // One experiment read whole says so, whatever the others did.
                const how = children?.how === 'by full read' ? children.how : found.listed.how;
                children = { how, listed: new Map([...(children?.listed ?? []), ...found.listed.listed]) };
              }
              return found.ids;
            }
            const lookup = (value: string) =>
              field.kind === 'tag'
                ? search.runIdsByTag(query.workspace, experimentId, field.key, value)
                : search.runIdsByName(query.workspace, experimentId, value);
            return (await Promise.all([...new Set(values)].map(lookup))).flat();
          }),
        );
        return new Set(perExperiment.flat());
      }),
    ),
  );
  const found = children ? { children } : {};
  if (paramClauses.length === 0) return { ids: candidates, ...found };
  const { runCounts, perRunParamRows, paramsOffMetricEntries } = await query.experiments;
  if (carrier && paramsOffMetricEntries.size === 0) {
    return { ids: candidates.filter((id) => holdingParams.has(id)), params: 'from its entries', ...found };
  }
  const rowUnits = [...runCounts].reduce((sum, [id, count]) => sum + paramRowsUnits(count, perRunParamRows.has(id)), 0);
  if (rowUnits + candidates.length * PARAM_MATCH_SHARE >= candidates.length) return { ids: candidates, ...found };
  const matching = await Promise.all(paramCandidates(query, paramClauses, valuesOf, search));
  return { ids: intersect([new Set(candidates), ...matching]), params: 'from param rows', ...found };
}

/** Children's run items taken from their experiments' run listings (runsByExperiment), and why. */
interface ListedChildren {
  /** `by full read`: an experiment has no child index; `listed`: listing them cost less than reading them by key. */
  how: 'by full read' | 'listed';
  listed: Map<string, Run>;
}

/**
 * What a run item weighs in the runs-by-experiment listing, a little more than most (tags, a
 * pipeline and the copy of MLflow inputs and outputs vary): a listing is billed by its summed
 * bytes, 0.5 unit per 4 KB, where each run item read by key costs 0.5.
 */
const LISTED_RUN_BYTES = 1000;

/**
 * The runs of an experiment whose parent is one of `parents`: a Query of each parent's range of
 * the experiment's child index (keys only, about 120 bytes a child), asked for before the
 * experiment's item is read. Their run items are then read by key with their values items, or,
 * when the children are so many that the experiment's listing costs less (a sweep's parent
 * holding most of its experiment), taken from the listing. An experiment from before the index
 * (not marked `childIndex`, until `npm run migrate`) has child runs without an item there: its
 * listing is read and its children kept, as a full read would find them.
 */
async function childrenOf(
  query: Query,
  experimentId: string,
  parents: readonly string[],
  search: SearchRepository,
): Promise<{ ids: string[]; listed?: ListedChildren }> {
  const indexed = Promise.all(
    [...new Set(parents)].map((parent) => search.runIdsByParent(query.workspace, experimentId, parent)),
  );
  indexed.catch(() => undefined);
  const { unindexedChildren, deleted, runCounts } = await query.experiments;
  // A deleted experiment's runs are all deleted (runStage): an active search answers none of them.
  if (query.view === 'ACTIVE_ONLY' && deleted.has(experimentId)) return { ids: [] };
  const unindexed = unindexedChildren.has(experimentId);
  const ids = unindexed ? undefined : (await indexed).flat();
  const listingUnits = ((runCounts.get(experimentId) ?? 0) * LISTED_RUN_BYTES) / 8192;
  if (ids !== undefined && ids.length * 0.5 <= listingUnits) return { ids };
  const wanted = new Set(parents);
  const runs = await search.runsOfExperiment(query.workspace, experimentId);
  const listed = new Map(
    runs.flatMap((run) => (run.parentRunId !== undefined && wanted.has(run.parentRunId) ? [[run.runId, run]] : [])),
  );
  // Indexed children missing from the listing (created since it was read) are read by key.
  return {
    ids: ids ?? [...listed.keys()],
    listed: { how: unindexed ? 'by full read' : 'listed', listed },
  };
}

/** The ids in every set (in the order of the smallest). */
function intersect(sets: ReadonlyArray<ReadonlySet<string>>): string[] {
  const [smallest, ...others] = [...sets].sort((a, b) => a.size - b.size);
  return [...(smallest ?? [])].filter((id) => others.every((set) => set.has(id)));
}

/**
 * Param equality beside another index: its candidates are either loaded and
 * checked (a run item and a values item: 1 read unit each), or first narrowed
 * by the experiments' param rows, read whole (a Query bills their summed size,
 * 0.5 unit per 4 KB: about 110 bytes a run on bucket rows, 185 on a row of its
 * own) and then only the runs holding the param are loaded. The rows are read
 * when that is estimated to cost fewer units, taking a param equality to keep
 * about 1 candidate in 10. An experiment that may hold per-run rows is costed
 * as if every run had one.
 */
const BUCKETED_PARAM_BYTES = 110;
const PER_RUN_PARAM_BYTES = 185;
const PARAM_MATCH_SHARE = 0.1;
const paramRowsUnits = (runCount: number, perRun: boolean) =>
  Math.ceil((runCount * (perRun ? PER_RUN_PARAM_BYTES : BUCKETED_PARAM_BYTES)) / 4096) * 0.5;

/** An experiment's param rows are read in Queries of about this many bytes side by side (a page holds 1 MB). */
const PARAM_ROW_SEGMENT_BYTES = 256 * 1024;
const paramRowSegments = (runCount: number, bytesPerRun: number) => {
  const wanted = (runCount * bytesPerRun) / PARAM_ROW_SEGMENT_BYTES;
  return wanted <= 1 ? 1 : wanted <= 2 ? 2 : wanted <= 4 ? 4 : wanted <= 8 ? 8 : 16;
};

/** One set of run ids per param clause, from one read of each experiment's param rows. */
function paramCandidates(
  query: Query,
  clauses: Clause[],
  valuesOf: (clause: Clause) => string[],
  search: SearchRepository,
): Promise<Set<string>>[] {
  const wanted = clauses.map((clause) => ({ key: (clause.field as { key: string }).key, values: valuesOf(clause) }));
  const perExperiment = query.experiments.then(({ legacyParamIndex, perRunParamRows, runCounts }) =>
    Promise.all(
      query.experimentIds.map((experimentId) => {
        const runCount = runCounts.get(experimentId) ?? 0;
        return search.runIdsByParams(query.workspace, experimentId, wanted, {
          runCount,
          bucketSegments: paramRowSegments(runCount, BUCKETED_PARAM_BYTES),
          perRunSegments: perRunParamRows.has(experimentId) ? paramRowSegments(runCount, PER_RUN_PARAM_BYTES) : 0,
          legacy: legacyParamIndex.has(experimentId),
        });
      }),
    ),
  );
  return clauses.map(async (_, i) => new Set((await perExperiment).flatMap((found) => found[i] ?? [])));
}

/** The index range holding the runs a metric clause may match; `!=` reads the whole partition. */
function metricRange(clause: Clause): SortKeyRange | undefined {
  if (typeof clause.value !== 'number') return undefined;
  const value = encodeSortableNumber(clause.value);
  switch (clause.op) {
    case '=':
      return numberRange({ value, inclusive: true }, { value, inclusive: true });
    case '<':
      return numberRange(undefined, { value, inclusive: false });
    case '<=':
      return numberRange(undefined, { value, inclusive: true });
    case '>':
      return numberRange({ value, inclusive: false });
    case '>=':
      return numberRange({ value, inclusive: true });
    default:
      return undefined;
  }
}

/**
 * Candidates that outnumber the page, ordered by a metric, are cheaper taken
 * from the metric's index: its entries (about 110 bytes, 190 with a run's 20 params, billed as
 * one sum) are read until a page's worth of candidates has come by, and only
 * those are loaded (1 read unit each) instead of every candidate. Estimated
 * taking the candidates to be spread evenly over the order; the answer is how
 * many entries to read a page (a quarter more than that share), or undefined
 * to load every candidate. (By run name the same saves about 17% of the units
 * at 10,000 runs, but DynamoDB Local reads gsi2 several times slower than a
 * table partition, which made the peer bench's tag row slower: not done.)
 */
async function orderedEntriesCheaper(query: Query, ids: readonly string[]): Promise<number | undefined> {
  const needed = query.limit + 1;
  const first = query.order[0] as OrderKey;
  if (first.field.kind !== 'metric' || ids.length <= needed) return undefined;
  const { runCount } = await query.experiments;
  const entries = Math.ceil((runCount * needed * 1.25) / ids.length);
  return (entries * METRIC_ENTRY_BYTES) / 8192 + needed < ids.length ? Math.max(100, entries) : undefined;
}

const METRIC_ENTRY_BYTES = 190;

/** Loads candidates (or, without any, every run of the experiments), checks, sorts and pages them. */
async function searchCandidates(
  query: Query,
  ids: string[] | undefined,
  search: SearchRepository,
  known: Map<string, Run> = new Map(),
): Promise<SearchableRun[]> {
  if (ids === undefined) {
    const shown = await shownExperiments(query);
    const runs = (await Promise.all(shown.map((id) => search.runsOfExperiment(query.workspace, id)))).flat();
    known = new Map(runs.map((run) => [run.runId, run]));
    ids = [...known.keys()];
  }
  const details = await search.loadDetails(query.workspace, ids, known);
  return selectPage(query, [...details.values()].map(searchable), query.limit + 1, search);
}

/** Candidates taken from an ordered stream are loaded this many at a time while the stream is read. */
const PREFETCHED_CANDIDATES = 100;

/** The rows of `rows` that belong to the search, match, and come after the cursor, in order, at most `count`. */
async function selectPage(
  query: Query,
  rows: FoundRun[],
  count: number,
  search: SearchRepository,
): Promise<FoundRun[]> {
  const experiments = new Set(query.experimentIds);
  const { deleted } = await query.experiments;
  rows = rows.map((row) => {
    const stage = runStage(row.lifecycleStage, deleted.has(row.experimentId) ? 'deleted' : 'active');
    return stage === row.lifecycleStage ? row : { ...row, lifecycleStage: stage };
  });
  const datasetClauses = query.clauses.filter((clause) => clause.field.kind === 'dataset');
  const otherClauses = query.clauses.filter((clause) => clause.field.kind !== 'dataset');
  let kept = rows.filter(
    (row) =>
      experiments.has(row.experimentId) &&
      viewIncludes(query.view, row.lifecycleStage) &&
      matchesAll(row, otherClauses) &&
      (query.after === undefined || compareTuples(sortTuple(row, query.order), query.after, query.order) > 0),
  );
  if (datasetClauses.length > 0) {
    // A run's datasets live beside it (never read by GET /runs/{id}): read only for runs every other clause
    // kept, and kept with them (FoundRun.io) for MLflow's answer, which would read them again.
    const { unmarkedRunIo } = await query.experiments;
    await atMost(PARALLEL_IO_READS, kept, async (row) => {
      const io = await searchedIoOf(query, row, unmarkedRunIo, search);
      if (io) row.io = io;
      row.datasets = (io?.datasets ?? []).map(usedDataset);
    });
    kept = kept.filter((row) => matchesAll(row, datasetClauses));
  }
  return kept.sort(runComparator(query.order)).slice(0, count);
}

/**
 * Reads runs in the order of the first order key, from the cursor's position,
 * in groups that never split runs with equal values of that key (the other
 * keys order inside a group), until one more run than the page holds matched.
 */
async function searchStream(
  query: Query,
  search: SearchRepository,
  only?: { ids: ReadonlySet<string>; entries: number; known?: ReadonlyMap<string, Run> | undefined },
): Promise<SearchableRun[]> {
  const candidates = only?.ids;
  const first = query.order[0] as OrderKey;
  const wanted = query.limit + 1;
  const found: SearchableRun[] = [];
  const taken = new Set<string>();
  const from = query.after?.[0];

  /**
   * `current` says whether an entry still names the run's value: metric index
   * entries can outlive the value they were written for (docs/search.md), and a
   * run is taken only from the entry of the value it has.
   */
  const consume = async (
    entries: AsyncGenerator<StreamEntry>,
    current: (row: SearchableRun, entry: StreamEntry) => boolean = () => true,
  ) => {
    let group: StreamEntry[] = [];
    // Candidates all belong to the page until it is full: their details are loaded while the stream goes on.
    let loading: Promise<Map<string, RunDetails>>[] = [];
    let dispatched = 0;
    const load = (part: StreamEntry[]) =>
      search.loadDetails(
        query.workspace,
        part.map((entry) => entry.runId),
        new Map(
          part.flatMap((entry) => {
            const run = entry.run ?? only?.known?.get(entry.runId);
            return run ? [[entry.runId, run] as const] : [];
          }),
        ),
      );
    const flush = async () => {
      const loaded = await Promise.all([...loading, load(group.slice(dispatched))]);
      const entriesOf = new Map<string, StreamEntry[]>();
      for (const entry of group) entriesOf.set(entry.runId, [...(entriesOf.get(entry.runId) ?? []), entry]);
      const rows = loaded
        .flatMap((details) => [...details.values()])
        .map(searchable)
        .filter((row) => (entriesOf.get(row.runId) ?? []).some((entry) => current(row, entry)))
        .filter((row) => !taken.has(row.runId));
      const page = await selectPage(query, rows, wanted - found.length, search);
      for (const row of page) taken.add(row.runId);
      found.push(...page);
      group = [];
      loading = [];
      dispatched = 0;
    };
    for await (const entry of entries) {
      if (candidates && !candidates.has(entry.runId)) continue;
      const previous = group[group.length - 1];
      if (previous && group.length >= wanted - found.length && previous.value !== entry.value) {
        await flush();
        if (found.length >= wanted) return;
      }
      group.push(entry);
      if (candidates && group.length - dispatched >= PREFETCHED_CANDIDATES) {
        const part = group.slice(dispatched);
        dispatched = group.length;
        const promise = load(part);
        promise.catch(() => undefined);
        loading.push(promise);
      }
    }
    if (group.length > 0) await flush();
  };

  // Each experiment's stream starts with a page's worth of entries; past 20 experiments, with a share of it
  // (pages double as a stream is read on), so the first reads stay within about 20 pages whatever their number.
  const pageSize = streamFirstPage(only ? only.entries : Math.min(1000, wanted + 1), query.experimentIds.length);
  if (first.field.kind === 'attribute' && first.field.name === 'run_name') {
    const start = typeof from === 'string' ? from : undefined;
    await consume(
      mergeStreams(
        query.experimentIds.map((id) =>
          unlessHidden(query, id, search.streamByName(query.workspace, id, first.descending, start, pageSize)),
        ),
        first.descending,
      ),
    );
    return found;
  }
  if (first.field.kind === 'attribute') {
    const start = typeof from === 'number' ? from : undefined;
    await consume(
      mergeStreams(
        query.experimentIds.map((id) =>
          unlessHidden(query, id, search.streamByStartTime(query.workspace, id, first.descending, start, pageSize)),
        ),
        first.descending,
      ),
    );
    return found;
  }

  const key = (first.field as { key: string }).key;
  // Phases in order: numbers (in the asked direction), NaN, then runs without the metric.
  const phase =
    from === undefined && query.after ? 'missing' : typeof from === 'number' && Number.isNaN(from) ? 'nan' : 'numbers';
  // One ordered stream over every experiment's index entries of the metric within `range`.
  const consumeMetricRange = (range: SortKeyRange) =>
    consume(
      mergeStreams(
        query.experimentIds.map((id) =>
          unlessHidden(query, id, search.streamByMetric(query.workspace, id, key, first.descending, range, pageSize)),
        ),
        first.descending,
      ),
      (row, entry) => {
        const value = row.metricValues.get(key);
        return value !== undefined && encodeSortableNumber(value) === entry.value;
      },
    );
  if (phase === 'numbers') {
    const bound = typeof from === 'number' ? { value: encodeSortableNumber(from), inclusive: true } : undefined;
    await consumeMetricRange(first.descending ? numberRange(undefined, bound) : numberRange(bound));
    if (found.length >= wanted) return found;
  }
  if (phase !== 'missing') {
    await consumeMetricRange(nanRange);
    if (found.length >= wanted) return found;
  }
  // Runs without the metric are in no index entry of it: every run (or candidate) is read, those with it dropped.
  const shown = await shownExperiments(query);
  const withMetric = new Set(
    (await Promise.all(shown.map((id) => search.runIdsByMetric(query.workspace, id, key)))).flat(),
  );
  const runs = candidates
    ? []
    : (await Promise.all(shown.map((id) => search.runsOfExperiment(query.workspace, id))))
        .flat()
        .filter((run) => !withMetric.has(run.runId));
  const details = await search.loadDetails(
    query.workspace,
    candidates ? [...candidates].filter((id) => !withMetric.has(id)) : runs.map((run) => run.runId),
    candidates ? (only?.known ?? new Map()) : new Map(runs.map((run) => [run.runId, run])),
  );
  found.push(
    ...(await selectPage(
      query,
      [...details.values()].map(searchable).filter((row) => !row.metricValues.has(key)),
      wanted - found.length,
      search,
    )),
  );
  return found;
}

/** The experiments whose runs the view may show, once their items are read. */
async function shownExperiments(query: Query): Promise<string[]> {
  const { deleted } = await query.experiments;
  return query.view === 'ACTIVE_ONLY' ? query.experimentIds.filter((id) => !deleted.has(id)) : query.experimentIds;
}

/**
 * An experiment's stream, ended as soon as the experiment is known to be hidden: its first page is
 * asked for while the experiments are read (no round trip lost for the usual search), and no more.
 */
async function* unlessHidden(
  query: Query,
  experimentId: string,
  stream: AsyncGenerator<StreamEntry>,
): AsyncGenerator<StreamEntry> {
  for await (const entry of stream) {
    if (query.hidden.has(experimentId)) return;
    yield entry;
  }
}

const FULL_PAGE_STREAMS = 20;
const streamFirstPage = (pageSize: number, streams: number) =>
  streams <= FULL_PAGE_STREAMS ? pageSize : Math.max(10, Math.ceil((pageSize * FULL_PAGE_STREAMS) / streams));

/** Page-token form of a position: `m` missing, `n<sortable>` a number, `s<text>` a string. */
function encodeTuple(tuple: readonly SortValue[]): string[] {
  return tuple.map((value) =>
    value === undefined ? 'm' : typeof value === 'number' ? `n${encodeSortableNumber(value)}` : `s${value}`,
  );
}

function decodeTuple(value: unknown, keys: number): SortValue[] {
  const invalid = () => new ValidationError('page_token is not a token this search issued', 'page_token.invalid');
  if (!Array.isArray(value) || value.length !== keys + 1) throw invalid();
  return value.map((element) => {
    if (typeof element !== 'string') throw invalid();
    if (element === 'm') return undefined;
    if (element.startsWith('s')) return element.slice(1);
    if (element.startsWith('n')) {
      try {
        return decodeSortableNumber(element.slice(1));
      } catch {
        throw invalid();
      }
    }
    throw invalid();
  });
}
