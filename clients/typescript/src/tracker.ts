import { type ProgressCallback, artifactPathFor, downloadArtifact, uploadArtifact } from './artifacts.ts';
import { createHash, randomUUID } from 'node:crypto';
import { ENTRY_BYTES_PER_REQUEST, chunks } from './chunks.ts';
import { StratusError } from './errors.ts';
import { type RetryPolicy, Transport, defaultRetry } from './http.ts';
import { captureCodeContext } from './git.ts';
import { type BatcherStats, MetricBatcher, type MetricPoint } from './metrics.ts';
import {
  type Artifact,
  type ArtifactType,
  type ComparisonRow,
  type Experiment,
  type LoggedModel,
  type MetricValue,
  type PipelineComponent,
  type Run,
  type RunLineage,
  artifactFrom,
  experimentFrom,
  loggedModelFrom,
  metricFrom,
  runFrom,
  runLineageFrom,
} from './types.ts';
import { decodeMetricValue, encodeMetricValue } from './wire.ts';

export interface TrackerOptions {
  /** Default: STRATUS_ENDPOINT. */
  endpoint?: string;
  /** Default: STRATUS_TOKEN. */
  token?: string;
  /** Throw on outages (unsent metrics, spool overflow) instead of warning. Default false. */
  strict?: boolean;
  timeoutMs?: number;
  retry?: RetryPolicy;
  /** Metric points per request (1..1000). */
  batchSize?: number;
  flushIntervalMs?: number;
  /** Unsent metric points kept per run; beyond it new points are dropped (strict: thrown). */
  maxSpool?: number;
  /** How long endRun/close wait for metrics to be acknowledged. */
  flushTimeoutMs?: number;
  /** Record git commit, branch, dirty flag, host, Node version and argv at startRun. */
  captureCode?: boolean;
  /** Parallel part uploads for large artifacts. */
  uploadConcurrency?: number;
  /** Where warnings go (default: console.warn). */
  warn?: (message: string) => void;
}

export interface StartRunOptions {
  experimentName?: string;
  experimentId?: string;
  runName?: string;
  tags?: Record<string, string>;
  parentRunId?: string;
  /** Make the new run a child of the active run (its parentRunId). */
  nested?: boolean;
  gitCommit?: string;
  codeVersion?: string;
  /** The second seed's pipeline: free-form configuration... */
  pipelineConfig?: Record<string, unknown>;
  /** ...and its ordered components (position defaults to the order given). */
  pipelineComponents?: Array<Omit<PipelineComponent, 'position'> & { position?: number }>;
}

export interface SearchRunsOptions {
  experimentName?: string;
  experimentNames?: string[];
  experimentIds?: string[];
  /** e.g. `params.model_type = 'xgboost' AND metrics.accuracy > 0.85` */
  filter?: string;
  /** e.g. `['metrics.f1_score DESC', 'start_time DESC']` */
  orderBy?: string[];
  pageSize?: number;
}

export type EndStatus = 'FINISHED' | 'FAILED' | 'KILLED' | 'COMPLETED';

/** An experiment's id, rather than its name: 32 hex characters, or '0', the default experiment. */
const isExperimentId = (value: string) => /^[0-9a-f]{32}$/.test(value) || value === '0';

/** What startRun returns when the service cannot be reached: logging to it does nothing. */
const offlineRun = (options: StartRunOptions): Run => ({
  runId: '',
  runName: options.runName ?? '',
  experimentId: options.experimentId ?? '',
  status: 'RUNNING',
  lifecycleStage: 'active',
  startTime: Date.now(),
  tags: options.tags ?? {},
  params: {},
  metrics: {},
  latestMetrics: {},
  artifacts: [],
  pipelineComponents: [],
  offline: true,
});

/**
 * A client for one Stratus workspace: the Python SDK's capabilities with
 * TypeScript names. Metrics are batched and sent in the background; an outage
 * only warns unless `strict` is set. Client errors (a bad value, a param logged
 * again with another value) always throw a StratusError.
 */
export class ExperimentTracker {
  readonly transport: Transport;
  private readonly options: Required<Omit<TrackerOptions, 'endpoint' | 'token' | 'retry' | 'timeoutMs'>>;
  private readonly batchers = new Map<string, MetricBatcher>();
  /** How long a read waits for this tracker's queued points of the runs it reads (the request timeout). */
  private readonly readSettleMs: number;
  /** Counters of senders already closed, so metricStats() answers after endRun. */
  private readonly finalStats = new Map<string, BatcherStats>();
  private lastRunId: string | undefined;
  /** Active runs, innermost last: ending one makes the one before it active again. */
  private readonly stack: Run[] = [];
  private warnedOffline = false;

  constructor(options: TrackerOptions = {}) {
    const endpoint = options.endpoint ?? process.env.STRATUS_ENDPOINT;
    const token = options.token ?? process.env.STRATUS_TOKEN;
    if (!endpoint) throw new Error('no endpoint: pass endpoint or set STRATUS_ENDPOINT');
    if (!token) throw new Error('no token: pass token or set STRATUS_TOKEN');
    this.readSettleMs = options.timeoutMs ?? 30_000;
    this.transport = new Transport(endpoint, token, this.readSettleMs, options.retry ?? defaultRetry);
    this.options = {
      strict: options.strict ?? false,
      batchSize: options.batchSize ?? 1000,
      flushIntervalMs: options.flushIntervalMs ?? 2000,
      maxSpool: options.maxSpool ?? 100_000,
      flushTimeoutMs: options.flushTimeoutMs ?? 300_000,
      captureCode: options.captureCode ?? true,
      uploadConcurrency: options.uploadConcurrency ?? 4,
      warn: options.warn ?? ((message) => console.warn(`stratus: ${message}`)),
    };
  }

  /** The innermost run started and not yet ended. */
  get activeRun(): Run | undefined {
    return this.stack[this.stack.length - 1];
  }

  // ----- experiments -----

  async createExperiment(name: string, options: { description?: string; tags?: Record<string, string> } = {}) {
    const body = { experiment_name: name, description: options.description, tags: options.tags };
    return experimentFrom(await this.transport.json('POST', '/experiments', { body, idempotent: false }));
  }

  /** By id, or by name when the argument is not an id. */
  async getExperiment(idOrName: string): Promise<Experiment> {
    const path = isExperimentId(idOrName)
      ? `/experiments/${idOrName}`
      : `/experiments/by-name/${encodeURIComponent(idOrName)}`;
    return experimentFrom(await this.transport.json('GET', path));
  }

  /** Experiments newest first, fetched page by page as you iterate. */
  async *experiments(options: { tags?: Record<string, string>; pageSize?: number } = {}): AsyncGenerator<Experiment> {
    const query: Record<string, string | number> = { max_results: options.pageSize ?? 100 };
    for (const [key, value] of Object.entries(options.tags ?? {})) query[`tag.${key}`] = value;
    for await (const item of this.transport.pages('/experiments', 'experiments', query)) yield experimentFrom(item);
  }

  // ----- lifecycle: soft delete and restore, renames, tag removal, purge (irreversible, admin tokens) -----

  private async experimentIdOf(idOrName: string): Promise<string> {
    return isExperimentId(idOrName) ? idOrName : (await this.getExperiment(idOrName)).experimentId;
  }

  /** Soft-deletes an experiment (by id or name): it leaves lists until restored; its name stays taken. */
  async deleteExperiment(idOrName: string): Promise<Experiment> {
    return experimentFrom(await this.transport.json('DELETE', `/experiments/${await this.experimentIdOf(idOrName)}`));
  }

  async restoreExperiment(experimentId: string): Promise<Experiment> {
    return experimentFrom(await this.transport.json('POST', `/experiments/${experimentId}/restore`));
  }

  async renameExperiment(idOrName: string, newName: string): Promise<Experiment> {
    const path = `/experiments/${await this.experimentIdOf(idOrName)}`;
    return experimentFrom(await this.transport.json('PATCH', path, { body: { experiment_name: newName } }));
  }

  async deleteExperimentTag(idOrName: string, key: string): Promise<Experiment> {
    const path = `/experiments/${await this.experimentIdOf(idOrName)}/tags/${encodeURIComponent(key)}`;
    return experimentFrom(await this.transport.json('DELETE', path));
  }

  /** Irreversibly removes a deleted experiment, its runs, their data and artifacts. Needs an admin token. */
  async purgeExperiment(experimentId: string): Promise<{ runs: number; items: number; objects: number }> {
    const answer = await this.transport.json('POST', `/experiments/${experimentId}/purge`, { idempotent: false });
    return answer.purged;
  }

  /** Soft-deletes a run: it leaves lists and searches and takes no new data until restored. */
  async deleteRun(runId: string): Promise<Run> {
    return this.wholeRun(await this.transport.json('DELETE', `/runs/${runId}`));
  }

  async restoreRun(runId: string): Promise<Run> {
    return this.wholeRun(await this.transport.json('POST', `/runs/${runId}/restore`));
  }

  async renameRun(runId: string, newName: string): Promise<Run> {
    return this.wholeRun(await this.transport.json('PATCH', `/runs/${runId}`, { body: { run_name: newName } }));
  }

  /** Nests a run under another run of the workspace after it began, or moves it; `null` un-nests it. */
  async setRunParent(runId: string, parentRunId: string | null): Promise<Run> {
    return this.wholeRun(
      await this.transport.json('PATCH', `/runs/${runId}`, { body: { parent_run_id: parentRunId } }),
    );
  }

  async deleteRunTag(runId: string, key: string): Promise<Run> {
    return this.wholeRun(await this.transport.json('DELETE', `/runs/${runId}/tags/${encodeURIComponent(key)}`));
  }

  /** Irreversibly removes a deleted run, its data and its artifacts. Needs an admin token. */
  async purgeRun(runId: string): Promise<{ runs: number; items: number; objects: number }> {
    return (await this.transport.json('POST', `/runs/${runId}/purge`, { idempotent: false })).purged;
  }

  // ----- runs -----

  /**
   * Starts a run (creating the experiment on first use) and makes it the active run; runs
   * stack up, so when it ends the run active before it is active again. When the service
   * cannot be reached (and `strict` is off) the run is **offline**, as in the Python SDK:
   * `offline` is true, its id is empty, logging to it does nothing and training goes on.
   */
  async startRun(experimentName: string, options?: Omit<StartRunOptions, 'experimentName'>): Promise<Run>;
  async startRun(options: StartRunOptions): Promise<Run>;
  async startRun(first: string | StartRunOptions, more: Omit<StartRunOptions, 'experimentName'> = {}): Promise<Run> {
    const options: StartRunOptions = typeof first === 'string' ? { ...more, experimentName: first } : first;
    if ((options.experimentName === undefined) === (options.experimentId === undefined)) {
      throw new Error('give exactly one of experimentName and experimentId');
    }
    let parentRunId = options.parentRunId;
    if (options.nested && parentRunId === undefined) {
      if (!this.activeRun) throw new Error('nested: true needs an active run to nest in');
      parentRunId = this.activeRun.runId || undefined;
    }
    const context = this.options.captureCode ? captureCodeContext() : { tags: {} };
    const pipeline =
      options.pipelineConfig === undefined && options.pipelineComponents === undefined
        ? undefined
        : {
            pipeline_config: options.pipelineConfig,
            pipeline_components: options.pipelineComponents?.map((component, index) => ({
              name: component.name,
              type: component.type,
              stage: component.stage,
              position: component.position ?? index,
            })),
          };
    // The first tags go with the run, as many as a request holds in a quarter of it; more follow in requests of their own.
    const [firstTags = {}, ...laterTags] = chunks(
      Object.entries({ ...context.tags, ...options.tags }),
      TAGS_PER_REQUEST,
      ENTRY_BYTES_PER_REQUEST / 4,
    );
    const body = {
      experiment_name: options.experimentName,
      experiment_id: options.experimentId,
      run_name: options.runName,
      tags: firstTags,
      parent_run_id: parentRunId,
      git_commit: options.gitCommit ?? context.gitCommit,
      code_version: options.codeVersion ?? context.codeVersion,
      pipeline,
      // The key names the run, so a create whose answer was lost is sent again and answers the same run,
      // rather than failing the job or starting a second run.
      idempotency_key: randomUUID(),
    };
    let run: Run;
    try {
      run = await this.wholeRun(await this.transport.json('POST', '/runs', { body }));
    } catch (error) {
      if (this.options.strict || !(error instanceof StratusError) || !error.retryable) throw error;
      this.options.warn(`cannot start a run (${error.message}); this run will not be recorded`);
      run = offlineRun(options);
    }
    this.stack.push(run);
    if (!run.offline) this.lastRunId = run.runId;
    if (!run.offline && laterTags.length > 0) {
      const later = Object.assign(Object.create(null), ...laterTags) as Record<string, string>;
      await this.setTags(later, run.runId);
      Object.assign(run, { tags: { ...run.tags, ...later } });
    }
    return run;
  }

  /** The run to act on, or undefined for an offline run (the call then does nothing). */
  private runId(runId?: string): string | undefined {
    if (runId) return runId;
    const active = this.activeRun;
    if (!active) throw new Error('no active run: call startRun() first or pass a runId');
    if (active.offline) {
      if (!this.warnedOffline) this.options.warn('the active run is offline (startRun failed); nothing is recorded');
      this.warnedOffline = true;
      return undefined;
    }
    return active.runId;
  }

  private async tolerateOutage<T>(what: string, call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await call();
    } catch (error) {
      if (this.options.strict || !(error instanceof StratusError) || !error.retryable) throw error;
      this.options.warn(`${what} failed, continuing without it: ${error.message}`);
      return undefined;
    }
  }

  /**
   * Immutable params: the same value again is fine, another one throws a 409 StratusError.
   * Values are sent as `String(value)` writes them, as they are stored (JSON has no NaN: a
   * NaN or infinite number would otherwise travel as `null`, which the service refuses).
   */
  async logParams(params: Record<string, string | number | boolean>, runId?: string): Promise<void> {
    const id = this.runId(runId);
    if (id === undefined) return;
    const entries = Object.entries(params).map(([key, value]) => [key, String(value)] as const);
    for (const chunk of chunks(entries, PARAMS_PER_REQUEST)) {
      await this.tolerateOutage('logParams', () =>
        this.transport.request('POST', `/runs/${id}/params`, { body: { params: chunk } }),
      );
    }
  }

  /** Queues points for the background sender and returns at once. */
  logMetrics(metrics: Record<string, number>, options: { step?: number; runId?: string; timestamp?: number } = {}) {
    const id = this.runId(options.runId);
    if (id === undefined) return;
    const timestamp = options.timestamp ?? Date.now();
    const points: MetricPoint[] = Object.entries(metrics).map(([key, value]) => ({
      key,
      value: encodeMetricValue(value),
      timestamp,
      ...(options.step === undefined ? {} : { step: options.step }),
    }));
    if (points.length) this.batcher(id).add(points);
  }

  private batcher(runId: string): MetricBatcher {
    let batcher = this.batchers.get(runId);
    if (!batcher) {
      const retry = this.transport.retry;
      batcher = new MetricBatcher(
        async (points, key) => {
          await this.transport.request('POST', `/runs/${runId}/metrics`, {
            body: { metrics: points },
            headers: { 'Idempotency-Key': key },
            attempts: 1, // the batcher retries for as long as the outage lasts
          });
        },
        { ...this.options, retry },
      );
      this.batchers.set(runId, batcher);
    }
    return batcher;
  }

  /** Counters of a run's sender: the active run's, or after endRun the run ended last. */
  metricStats(runId?: string): BatcherStats {
    const id = runId ?? (this.activeRun?.runId || this.lastRunId) ?? '';
    return (
      this.batchers.get(id)?.snapshot() ??
      this.finalStats.get(id) ?? { acknowledged: 0, dropped: 0, rejected: 0, retries: 0, unsent: 0 }
    );
  }

  /**
   * Reads see this tracker's own writes: the points still queued for the run
   * read (for every run, before a search or a comparison) are sent first,
   * waiting up to the request timeout. A training loop that logs and then reads
   * its own run back expects the values it just logged.
   */
  private async settle(runId?: string): Promise<void> {
    const batchers = runId === undefined ? [...this.batchers.values()] : [this.batchers.get(runId)];
    await Promise.all(batchers.map((batcher) => batcher?.flush(this.readSettleMs)));
  }

  /** Resolves true once every queued point is acknowledged (false on timeout). */
  async flush(timeoutMs?: number): Promise<boolean> {
    const results = await Promise.all([...this.batchers.values()].map((batcher) => batcher.flush(timeoutMs)));
    return results.every(Boolean);
  }

  async setTags(tags: Record<string, string>, runId?: string): Promise<void> {
    const id = this.runId(runId);
    if (id === undefined) return;
    for (const chunk of chunks(Object.entries(tags), TAGS_PER_REQUEST)) {
      await this.tolerateOutage('setTags', () =>
        this.transport.request('POST', `/runs/${id}/tags`, { body: { tags: chunk } }),
      );
    }
  }

  /**
   * Records a dataset the run used, as MLflow's `log_input` does: `source` is where it is
   * (`s3://bucket/train.parquet`, a path), `context` what for (`training`, `evaluation`). Without a
   * `digest` it is one of the name and source, so logging the same dataset again keeps its first
   * record, as MLflow's server does for the same name and digest. Answers the run's lineage
   * (undefined when the service could not be reached and `strict` is off).
   */
  async logInput(name: string, source: string, options: LogInputOptions = {}): Promise<RunLineage | undefined> {
    const id = this.runId(options.runId);
    if (id === undefined) return undefined;
    const dataset = {
      name,
      digest: options.digest ?? createHash('sha256').update(`${name}\n${source}`).digest('hex').slice(0, 8),
      source_type: options.sourceType ?? sourceTypeOf(source),
      source: JSON.stringify({ uri: source }),
      schema: options.schema,
      profile: options.profile,
      context: options.context,
      tags: Object.fromEntries(Object.entries(options.tags ?? {}).map(([key, value]) => [key, String(value)])),
    };
    const answer = await this.tolerateOutage('logInput', () =>
      this.transport.json('POST', `/runs/${encodeURIComponent(id)}/inputs`, { body: { datasets: [dataset] } }),
    );
    return answer === undefined ? undefined : runLineageFrom(answer);
  }

  /** Sends every queued metric point (up to flushTimeoutMs), then ends the run (by default the active one). */
  async endRun(status: EndStatus = 'FINISHED', runId?: string): Promise<Run | undefined> {
    const ending = runId === undefined ? this.activeRun : this.stack.find((run) => run.runId === runId);
    if (ending) this.stack.splice(this.stack.lastIndexOf(ending), 1);
    const id = runId ?? (ending?.offline ? undefined : ending?.runId);
    if (!id) {
      if (!ending) throw new Error('no active run: call startRun() first or pass a runId');
      return undefined; // an offline run: nothing to end
    }
    const batcher = this.batchers.get(id);
    this.batchers.delete(id);
    this.lastRunId = id;
    try {
      await batcher?.close(this.options.flushTimeoutMs);
    } finally {
      if (batcher) this.finalStats.set(id, batcher.snapshot());
    }
    const ended = await this.tolerateOutage('endRun', () =>
      this.transport.json('PATCH', `/runs/${id}`, { body: { status } }),
    );
    return ended ? this.wholeRun(ended) : undefined;
  }

  /** Runs `body` inside a run: FINISHED when it resolves, FAILED (and rethrown) when it throws. */
  async withRun<T>(
    experimentName: string,
    options: Omit<StartRunOptions, 'experimentName'>,
    body: (run: Run, tracker: ExperimentTracker) => Promise<T> | T,
  ): Promise<T> {
    const outer = this.activeRun;
    const nested = options.parentRunId === undefined && options.nested === undefined && !!outer && !outer.offline;
    const run = await this.startRun(experimentName, { ...options, nested: options.nested ?? nested });
    const end = (status: EndStatus) => (run.offline ? this.endRun(status) : this.endRun(status, run.runId));
    let result: T;
    try {
      result = await body(run, this);
    } catch (error) {
      await end('FAILED').catch((endError: unknown) =>
        this.options.warn(`could not mark run ${run.runId} FAILED: ${String(endError)}`),
      );
      throw error;
    }
    await end('FINISHED');
    return result;
  }

  /**
   * A run from an answer, whole: an answer carries the first page (under 1 MiB) of its params and of
   * its tags, and `params_truncated` / `tags_truncated` when there are more.
   */
  private async wholeRun(data: any): Promise<Run> {
    let whole = data;
    for (const field of ['params', 'tags'] as const) {
      if (!data[`${field}_truncated`]) continue;
      whole = { ...whole, [field]: await this.allEntries(data.run_id, field) };
    }
    return runFrom(whole);
  }

  /** Every param or tag of a run, from the pages of its list. */
  private async allEntries(runId: string, field: 'params' | 'tags'): Promise<Record<string, string>> {
    // A plain object, as a run's lists always were: the service refuses `__proto__` as a key.
    const entries: Record<string, string> = {};
    for await (const [key, value] of this.transport.entryPages(`/runs/${runId}/${field}`, field, {})) {
      entries[key] = value;
    }
    return entries;
  }

  /**
   * The comparison with every cell. The service ends its columns before its answer would outgrow a
   * function's 6 MB and flags each run with a value past them (`params_truncated`, `metrics_truncated`);
   * a run not flagged has none there. So the flagged runs are read whole (their params' pages; their
   * details, which hold every metric's latest point) and the columns found again.
   */
  private async wholeComparison(
    answer: ComparisonAnswer,
    metricNames: readonly string[] | undefined,
    paramNames: readonly string[] | undefined,
    onlyDifferingParams: boolean,
  ): Promise<ComparisonAnswer> {
    const params = new Map<string, Record<string, string>>();
    const metrics = new Map<string, Record<string, unknown>>();
    for (const run of answer.runs ?? []) {
      if (run.params_truncated && !params.has(run.run_id))
        params.set(run.run_id, await this.allEntries(run.run_id, 'params'));
      if (run.metrics_truncated && !metrics.has(run.run_id)) {
        const details = await this.transport.json('GET', `/runs/${run.run_id}`);
        const latest: Record<string, unknown> = Object.create(null);
        for (const [key, point] of Object.entries<any>(details.metrics ?? {})) latest[key] = point?.value;
        metrics.set(run.run_id, latest);
      }
    }
    if (params.size === 0 && metrics.size === 0) return answer;
    return completedComparison(answer, params, metrics, metricNames, paramNames, onlyDifferingParams);
  }

  async getRun(runId: string): Promise<Run> {
    await this.settle(runId);
    return this.wholeRun(await this.transport.json('GET', `/runs/${runId}`));
  }

  /**
   * The datasets the run used (`logInput`'s, or MLflow's `log_input`'s) and the logged models it used
   * and produced (MLflow's `log_model`).
   */
  async getRunLineage(runId: string): Promise<RunLineage> {
    return runLineageFrom(await this.transport.json('GET', `/runs/${encodeURIComponent(runId)}/lineage`));
  }

  /**
   * An experiment's (by id or name) logged models, newest first: what MLflow 3's `log_model` made,
   * with status, source run, params, tags and the latest value of each metric logged for it.
   */
  async *loggedModels(experiment: string, options: { pageSize?: number } = {}): AsyncGenerator<LoggedModel> {
    const id = await this.experimentIdOf(experiment);
    const query = { max_results: options.pageSize ?? 100 };
    for await (const item of this.transport.pages(`/experiments/${id}/logged-models`, 'models', query))
      yield loggedModelFrom(item);
  }

  /** An experiment's runs (by id or name), newest first. */
  async *runs(experiment: string, options: { status?: string; pageSize?: number } = {}): AsyncGenerator<Run> {
    const id = await this.experimentIdOf(experiment);
    const query = { max_results: options.pageSize ?? 100, status: options.status };
    for await (const item of this.transport.pages(`/experiments/${id}/runs`, 'runs', query))
      yield await this.wholeRun(item);
  }

  async getMetricHistory(runId: string, key: string): Promise<MetricValue[]> {
    const points: MetricValue[] = [];
    const path = `/runs/${runId}/metrics/${encodeURIComponent(key)}`;
    await this.settle(runId);
    for await (const item of this.transport.pages(path, 'points', { max_results: 10_000 }))
      points.push(metricFrom(item));
    return points;
  }

  // ----- search and compare -----

  /** Pages of runs matching a filter, in order: `for await (const page of tracker.searchRunPages(...))`. */
  async *searchRunPages(options: SearchRunsOptions): AsyncGenerator<Run[]> {
    const names = [...(options.experimentNames ?? []), ...(options.experimentName ? [options.experimentName] : [])];
    const body: Record<string, unknown> = {
      experiment_names: names.length ? names : undefined,
      experiment_ids: options.experimentIds,
      filter: options.filter,
      order_by: options.orderBy,
      max_results: options.pageSize ?? 100,
    };
    await this.settle();
    for (;;) {
      const page = await this.transport.json('POST', '/runs/search', { body });
      yield await Promise.all((page.runs ?? []).map((run: unknown) => this.wholeRun(run)));
      if (!page.next_page_token) return;
      body.page_token = page.next_page_token;
    }
  }

  /** Runs matching a filter, one at a time across pages: `for await (const run of tracker.searchRuns(...))`. */
  async *searchRuns(options: SearchRunsOptions): AsyncGenerator<Run> {
    for await (const page of this.searchRunPages(options)) yield* page;
  }

  /** One row per run with `metrics.<name>` and `params.<name>` columns, for any number of runs; no run ids give no rows. */
  async compareRuns(options: {
    runIds: string[];
    metricNames?: string[];
    paramNames?: string[];
    onlyDifferingParams?: boolean;
  }): Promise<ComparisonRow[]> {
    if (options.runIds.length === 0) return [];
    await this.settle();
    // The service compares up to 100 runs a request (a sweep's search gives more): slices are merged.
    const ids = [...new Set(options.runIds)];
    const slices: string[][] = [];
    for (let start = 0; start < ids.length; start += RUNS_COMPARED_PER_REQUEST) {
      slices.push(ids.slice(start, start + RUNS_COMPARED_PER_REQUEST));
    }
    // As in Python's SDK and the README: without named params, only those whose values differ.
    const onlyDiffering = options.onlyDifferingParams ?? options.paramNames === undefined;
    const answers: ComparisonAnswer[] = [];
    for (const part of slices) {
      answers.push(
        await this.transport.json('POST', '/runs/compare', {
          body: {
            run_ids: part,
            metric_names: options.metricNames,
            param_names: options.paramNames,
            only_differing_params: onlyDiffering && slices.length === 1,
          },
        }),
      );
    }
    const answer = await this.wholeComparison(
      answers.length === 1
        ? (answers[0] as ComparisonAnswer)
        : mergedComparison(answers, options.metricNames, options.paramNames, onlyDiffering),
      options.metricNames,
      options.paramNames,
      onlyDiffering,
    );
    return (answer.runs ?? []).map((run: any) => {
      const row: ComparisonRow = {
        run_id: run.run_id,
        run_name: run.run_name,
        status: run.status,
        start_time: run.start_time,
      };
      for (const name of answer.metric_names ?? []) {
        const value = run.metrics?.[name];
        row[`metrics.${name}`] = value === null || value === undefined ? null : decodeMetricValue(value);
      }
      for (const name of answer.param_names ?? []) row[`params.${name}`] = run.params?.[name] ?? null;
      return row;
    });
  }

  // ----- artifacts -----

  /** Uploads a file (model, plot, data, report, other); large files in parallel parts. */
  async logArtifact(
    localPath: string,
    options: {
      artifactType?: ArtifactType;
      artifactPath?: string;
      runId?: string;
      contentType?: string;
      onProgress?: ProgressCallback;
    } = {},
  ): Promise<Artifact | undefined> {
    const id = this.runId(options.runId);
    if (id === undefined) return undefined;
    return this.tolerateOutage('logArtifact', () =>
      uploadArtifact(this.transport, id, localPath, {
        artifactPath: options.artifactPath ?? artifactPathFor(localPath),
        artifactType: options.artifactType ?? 'other',
        contentType: options.contentType,
        onProgress: options.onProgress,
        concurrency: this.options.uploadConcurrency,
      }),
    );
  }

  async *artifacts(runId: string, options: { prefix?: string } = {}): AsyncGenerator<Artifact> {
    const query = { prefix: options.prefix, max_results: 1000 };
    for await (const item of this.transport.pages(`/runs/${runId}/artifacts`, 'artifacts', query))
      yield artifactFrom(item);
  }

  downloadArtifact(
    runId: string,
    artifactPath: string,
    destination: string,
    onProgress?: ProgressCallback,
  ): Promise<string> {
    return downloadArtifact(this.transport, runId, artifactPath, destination, onProgress);
  }

  /** Flushes and stops every metric sender. */
  async close(): Promise<void> {
    const batchers = [...this.batchers.values()];
    this.batchers.clear();
    await Promise.all(batchers.map((batcher) => batcher.close(this.options.flushTimeoutMs)));
  }
}

/** Runs the service compares in one request (its `run_ids` limit). */
const RUNS_COMPARED_PER_REQUEST = 100;
/** Params and tags the service takes in one request (a run's first ones included). */
const PARAMS_PER_REQUEST = 100;
const TAGS_PER_REQUEST = 100;

interface ComparisonAnswer {
  metric_names?: string[];
  param_names?: string[];
  runs?: Array<{ params?: Record<string, string | null> } & Record<string, any>>;
}

/**
 * The service's answer for all the runs, from its answers for consecutive slices of them (each
 * asked for without only_differing_params): the columns asked for, or else every metric and
 * param any run has, sorted as the service sorts them; params that differ are found over all
 * the runs, as the service finds them over one request's (an absent param is a value).
 */
/**
 * The answer with the runs read whole put in (`params`, `metrics`: latest values, by run id), flags
 * cleared, and its columns found again: those asked for, or else every key any run has; with
 * onlyDifferingParams the params whose value differs over all the runs (a run not read whole has no
 * value past the answer's columns).
 */
function completedComparison(
  answer: ComparisonAnswer,
  params: ReadonlyMap<string, Record<string, string>>,
  metrics: ReadonlyMap<string, Record<string, unknown>>,
  metricNames: readonly string[] | undefined,
  paramNames: readonly string[] | undefined,
  onlyDifferingParams: boolean,
): ComparisonAnswer {
  const runs = (answer.runs ?? []).map((run) => ({
    ...run,
    ...(params.has(run.run_id) ? { params: params.get(run.run_id), params_truncated: undefined } : {}),
    ...(metrics.has(run.run_id) ? { metrics: metrics.get(run.run_id), metrics_truncated: undefined } : {}),
  }));
  const columns = (
    asked: readonly string[] | undefined,
    found: readonly string[] | undefined,
    read: Iterable<object>,
  ) => (asked ? [...new Set(asked)] : [...new Set([...(found ?? []), ...[...read].flatMap(Object.keys)])].sort());
  const metricColumns = columns(metricNames, answer.metric_names, metrics.values());
  let paramColumns = columns(paramNames, answer.param_names, params.values());
  if (onlyDifferingParams) paramColumns = differingParams(paramColumns, runs);
  return { metric_names: metricColumns, param_names: paramColumns, runs };
}

/** The names whose value (an absent param is one) is not the same in every run. */
function differingParams(names: readonly string[], runs: NonNullable<ComparisonAnswer['runs']>): string[] {
  const valueOf = (run: (typeof runs)[number], name: string) =>
    run.params && Object.hasOwn(run.params, name) ? run.params[name] : null;
  return names.filter((name) => new Set(runs.map((run) => valueOf(run, name))).size > 1);
}

function mergedComparison(
  answers: readonly ComparisonAnswer[],
  metricNames: readonly string[] | undefined,
  paramNames: readonly string[] | undefined,
  onlyDifferingParams: boolean,
): ComparisonAnswer {
  const runs = answers.flatMap((answer) => answer.runs ?? []);
  const every = (field: 'metric_names' | 'param_names') =>
    [...new Set(answers.flatMap((answer) => answer[field] ?? []))].sort();
  const metrics = metricNames ? [...new Set(metricNames)] : every('metric_names');
  let params = paramNames ? [...new Set(paramNames)] : every('param_names');
  if (onlyDifferingParams) params = differingParams(params, runs);
  return { metric_names: metrics, param_names: params, runs };
}

export interface LogInputOptions {
  /** What the run used it for: `training`, `evaluation`... (MLflow's `mlflow.data.context` tag). */
  context?: string;
  /** Unless given, one of the name and the source. */
  digest?: string;
  /** Unless given, the source's URI scheme (`s3`, `gs`, `https`...), or `local` for a path. */
  sourceType?: string;
  schema?: string;
  profile?: string;
  tags?: Record<string, string | number | boolean>;
  /** The run; by default the active one. */
  runId?: string;
}

/** MLflow's name for where a dataset is: its URI's scheme, or local for a path or file: URI (a drive letter is no scheme). */
function sourceTypeOf(source: string): string {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]+):/.exec(source)?.[1]?.toLowerCase();
  return scheme === undefined || scheme === 'file' ? 'local' : scheme;
}
