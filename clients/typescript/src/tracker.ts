import { type ProgressCallback, artifactPathFor, downloadArtifact, uploadArtifact } from './artifacts.ts';
import { StratusError } from './errors.ts';
import { type RetryPolicy, Transport, defaultRetry } from './http.ts';
import { captureCodeContext } from './git.ts';
import { type BatcherStats, MetricBatcher, type MetricPoint } from './metrics.ts';
import {
  type Artifact,
  type ArtifactType,
  type ComparisonRow,
  type Experiment,
  type MetricValue,
  type Run,
  artifactFrom,
  experimentFrom,
  metricFrom,
  runFrom,
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
  gitCommit?: string;
  codeVersion?: string;
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

const isId = (value: string) => /^[0-9a-f]{32}$/.test(value);

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
  private active: Run | undefined;

  constructor(options: TrackerOptions = {}) {
    const endpoint = options.endpoint ?? process.env.STRATUS_ENDPOINT;
    const token = options.token ?? process.env.STRATUS_TOKEN;
    if (!endpoint) throw new Error('no endpoint: pass endpoint or set STRATUS_ENDPOINT');
    if (!token) throw new Error('no token: pass token or set STRATUS_TOKEN');
    this.transport = new Transport(endpoint, token, options.timeoutMs ?? 30_000, options.retry ?? defaultRetry);
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

  get activeRun(): Run | undefined {
    return this.active;
  }

  // ----- experiments -----

  async createExperiment(name: string, options: { description?: string; tags?: Record<string, string> } = {}) {
    const body = { experiment_name: name, description: options.description, tags: options.tags };
    return experimentFrom(await this.transport.json('POST', '/experiments', { body, idempotent: false }));
  }

  /** By id, or by name when the argument is not an id. */
  async getExperiment(idOrName: string): Promise<Experiment> {
    const path = isId(idOrName) ? `/experiments/${idOrName}` : `/experiments/by-name/${encodeURIComponent(idOrName)}`;
    return experimentFrom(await this.transport.json('GET', path));
  }

  /** Experiments newest first, fetched page by page as you iterate. */
  async *experiments(options: { tags?: Record<string, string>; pageSize?: number } = {}): AsyncGenerator<Experiment> {
    const query: Record<string, string | number> = { max_results: options.pageSize ?? 100 };
    for (const [key, value] of Object.entries(options.tags ?? {})) query[`tag.${key}`] = value;
    for await (const item of this.pages('/experiments', 'experiments', query)) yield experimentFrom(item);
  }

  // ----- runs -----

  /** Starts a run (creating the experiment on first use) and makes it the active run. */
  async startRun(experimentName: string, options?: Omit<StartRunOptions, 'experimentName'>): Promise<Run>;
  async startRun(options: StartRunOptions): Promise<Run>;
  async startRun(first: string | StartRunOptions, more: Omit<StartRunOptions, 'experimentName'> = {}): Promise<Run> {
    const options: StartRunOptions = typeof first === 'string' ? { ...more, experimentName: first } : first;
    if ((options.experimentName === undefined) === (options.experimentId === undefined)) {
      throw new Error('give exactly one of experimentName and experimentId');
    }
    const context = this.options.captureCode ? captureCodeContext() : { tags: {} };
    const body = {
      experiment_name: options.experimentName,
      experiment_id: options.experimentId,
      run_name: options.runName,
      tags: { ...context.tags, ...options.tags },
      parent_run_id: options.parentRunId,
      git_commit: options.gitCommit ?? context.gitCommit,
      code_version: options.codeVersion ?? context.codeVersion,
    };
    this.active = runFrom(await this.transport.json('POST', '/runs', { body, idempotent: false }));
    return this.active;
  }

  private runId(runId?: string): string {
    const id = runId ?? this.active?.runId;
    if (!id) throw new Error('no active run: call startRun() first or pass a runId');
    return id;
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

  /** Immutable params: the same value again is fine, another one throws a 409 StratusError. */
  async logParams(params: Record<string, string | number | boolean>, runId?: string): Promise<void> {
    const id = this.runId(runId);
    const entries = Object.entries(params);
    for (let start = 0; start < entries.length; start += 100) {
      const chunk = Object.fromEntries(entries.slice(start, start + 100));
      await this.tolerateOutage('logParams', () =>
        this.transport.request('POST', `/runs/${id}/params`, { body: { params: chunk } }),
      );
    }
  }

  /** Queues points for the background sender and returns at once. */
  logMetrics(metrics: Record<string, number>, options: { step?: number; runId?: string; timestamp?: number } = {}) {
    const id = this.runId(options.runId);
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

  metricStats(runId?: string): BatcherStats {
    const batcher = this.batchers.get(runId ?? this.active?.runId ?? '');
    return batcher?.snapshot() ?? { acknowledged: 0, dropped: 0, rejected: 0, retries: 0, unsent: 0 };
  }

  /** Resolves true once every queued point is acknowledged (false on timeout). */
  async flush(timeoutMs?: number): Promise<boolean> {
    const results = await Promise.all([...this.batchers.values()].map((batcher) => batcher.flush(timeoutMs)));
    return results.every(Boolean);
  }

  async setTags(tags: Record<string, string>, runId?: string): Promise<void> {
    const id = this.runId(runId);
    await this.tolerateOutage('setTags', () => this.transport.request('POST', `/runs/${id}/tags`, { body: { tags } }));
  }

  /** Sends every queued metric point (up to flushTimeoutMs), then ends the run. */
  async endRun(status: EndStatus = 'FINISHED', runId?: string): Promise<Run | undefined> {
    const id = this.runId(runId);
    const batcher = this.batchers.get(id);
    this.batchers.delete(id);
    try {
      await batcher?.close(this.options.flushTimeoutMs);
    } finally {
      if (this.active?.runId === id) this.active = undefined;
    }
    const ended = await this.tolerateOutage('endRun', () =>
      this.transport.json('PATCH', `/runs/${id}`, { body: { status } }),
    );
    return ended ? runFrom(ended) : undefined;
  }

  /** Runs `body` inside a run: FINISHED when it resolves, FAILED (and rethrown) when it throws. */
  async withRun<T>(
    experimentName: string,
    options: Omit<StartRunOptions, 'experimentName'>,
    body: (run: Run, tracker: ExperimentTracker) => Promise<T> | T,
  ): Promise<T> {
    const run = await this.startRun(experimentName, options);
    let result: T;
    try {
      result = await body(run, this);
    } catch (error) {
      await this.endRun('FAILED', run.runId).catch((endError: unknown) =>
        this.options.warn(`could not mark run ${run.runId} FAILED: ${String(endError)}`),
      );
      throw error;
    }
    await this.endRun('FINISHED', run.runId);
    return result;
  }

  async getRun(runId: string): Promise<Run> {
    return runFrom(await this.transport.json('GET', `/runs/${runId}`));
  }

  /** An experiment's runs (by id or name), newest first. */
  async *runs(experiment: string, options: { status?: string; pageSize?: number } = {}): AsyncGenerator<Run> {
    const id = isId(experiment) ? experiment : (await this.getExperiment(experiment)).experimentId;
    const query = { max_results: options.pageSize ?? 100, status: options.status };
    for await (const item of this.pages(`/experiments/${id}/runs`, 'runs', query)) yield runFrom(item);
  }

  async getMetricHistory(runId: string, key: string): Promise<MetricValue[]> {
    const points: MetricValue[] = [];
    const path = `/runs/${runId}/metrics/${encodeURIComponent(key)}`;
    for await (const item of this.pages(path, 'points', { max_results: 10_000 })) points.push(metricFrom(item));
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
    for (;;) {
      const page = await this.transport.json('POST', '/runs/search', { body });
      yield (page.runs ?? []).map(runFrom);
      if (!page.next_page_token) return;
      body.page_token = page.next_page_token;
    }
  }

  /** Runs matching a filter, one at a time across pages: `for await (const run of tracker.searchRuns(...))`. */
  async *searchRuns(options: SearchRunsOptions): AsyncGenerator<Run> {
    for await (const page of this.searchRunPages(options)) yield* page;
  }

  /** One row per run with `metrics.<name>` and `params.<name>` columns. */
  async compareRuns(options: {
    runIds: string[];
    metricNames?: string[];
    paramNames?: string[];
    onlyDifferingParams?: boolean;
  }): Promise<ComparisonRow[]> {
    const answer = await this.transport.json('POST', '/runs/compare', {
      body: {
        run_ids: options.runIds,
        metric_names: options.metricNames,
        param_names: options.paramNames,
        only_differing_params: options.onlyDifferingParams ?? false,
      },
    });
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
    for await (const item of this.pages(`/runs/${runId}/artifacts`, 'artifacts', query)) yield artifactFrom(item);
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

  private async *pages(path: string, field: string, query: Record<string, string | number | undefined>) {
    const current = { ...query };
    for (;;) {
      const page = await this.transport.json('GET', path, { query: current });
      yield* (page[field] ?? []) as any[];
      if (!page.next_page_token) return;
      current.page_token = page.next_page_token;
    }
  }
}
