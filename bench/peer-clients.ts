import { percentile } from './stats.ts';

/**
 * One workload, several systems: each system is driven through its own REST
 * API by a client with these operations. Stratus is driven through /api/v1
 * (one request to create a run with its first data) and, when the service
 * serves it, through its MLflow dialect, with the very client that drives
 * MLflow and FastTrackML.
 */
export interface MetricPoint {
  key: string;
  value: number;
  step: number;
  timestamp: number;
}

export interface NewRun {
  name: string;
  tags: Record<string, string>;
  params: Record<string, string>;
  metrics: MetricPoint[];
}

export interface SearchQuery {
  filter?: string;
  orderBy?: string[];
  maxResults: number;
}

export interface FoundRun {
  name: string;
  startTime: number;
}

export interface TrackingClient {
  readonly label: string;
  createExperiment(name: string): Promise<string>;
  /** Creates a run with its first tags, params and metrics, in as few requests as the API allows. */
  createRun(experimentId: string, run: NewRun): Promise<string>;
  logMetrics(runId: string, points: MetricPoint[], idempotencyKey: string): Promise<void>;
  search(experimentId: string, query: SearchQuery): Promise<FoundRun[]>;
  /** Every point of a key, in the pages the API gives. */
  history(runId: string, key: string): Promise<Array<{ step: number; value: number }>>;
  /** Downsampled history, where the API has it. */
  downsampled?(runId: string, key: string, maxPoints: number): Promise<Array<{ step: number; value: number }>>;
  /** What each request cost, by kind of request. */
  readonly meter: RequestMeter;
}

/** Latencies and counts per kind of request, and DynamoDB capacity where the server reports it. */
export class RequestMeter {
  readonly latencies = new Map<string, number[]>();
  writeUnits = 0;
  readUnits = 0;
  lastReadUnits = 0;

  record(kind: string, milliseconds: number) {
    const list = this.latencies.get(kind) ?? [];
    list.push(milliseconds);
    this.latencies.set(kind, list);
  }

  count(kind?: string) {
    if (kind) return this.latencies.get(kind)?.length ?? 0;
    return [...this.latencies.values()].reduce((sum, list) => sum + list.length, 0);
  }

  p50(kind: string) {
    return percentile(this.latencies.get(kind) ?? [], 50);
  }

  /** The latencies of one kind of request, in the order they were recorded. */
  of(kind: string): readonly number[] {
    return this.latencies.get(kind) ?? [];
  }

  reset() {
    this.latencies.clear();
    this.writeUnits = 0;
    this.readUnits = 0;
  }
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    body: string,
  ) {
    super(`HTTP ${status}: ${body.slice(0, 300)}`);
  }
}

abstract class JsonClient {
  readonly meter = new RequestMeter();

  constructor(
    protected readonly baseUrl: string,
    protected readonly headers: Record<string, string>,
  ) {}

  protected async request<T>(kind: string, method: string, path: string, body?: unknown): Promise<T> {
    const started = performance.now();
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { ...this.headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    this.meter.record(kind, performance.now() - started);
    const capacity = response.headers.get('x-stratus-consumed-capacity') ?? '';
    const read = Number(/read=([\d.]+)/.exec(capacity)?.[1] ?? 0);
    this.meter.readUnits += read;
    this.meter.lastReadUnits = read;
    this.meter.writeUnits += Number(/write=([\d.]+)/.exec(capacity)?.[1] ?? 0);
    if (!response.ok) throw new HttpError(response.status, text);
    return (text ? JSON.parse(text) : {}) as T;
  }
}

/** Stratus through its own API. */
export class StratusClient extends JsonClient implements TrackingClient {
  readonly label: string;

  constructor(baseUrl: string, token: string, label = 'Stratus') {
    super(`${baseUrl}/api/v1`, { authorization: `Bearer ${token}` });
    this.label = label;
  }

  async createExperiment(name: string) {
    const body = await this.request<{ experiment_id: string }>('create-experiment', 'POST', '/experiments', {
      experiment_name: name,
    });
    return body.experiment_id;
  }

  async createRun(experimentId: string, run: NewRun) {
    const body = await this.request<{ run_id: string }>('create-run', 'POST', `/experiments/${experimentId}/runs`, {
      run_name: run.name,
      tags: run.tags,
      params: run.params,
      metrics: run.metrics,
    });
    return body.run_id;
  }

  async logMetrics(runId: string, points: MetricPoint[], idempotencyKey: string) {
    await this.request('log-metrics', 'POST', `/runs/${runId}/metrics`, {
      metrics: points,
      idempotency_key: idempotencyKey,
    });
  }

  async search(experimentId: string, query: SearchQuery) {
    const body = await this.request<{ runs: Array<{ run_name: string; start_time: number }> }>(
      'search',
      'POST',
      '/runs/search',
      {
        experiment_ids: [experimentId],
        ...(query.filter ? { filter: query.filter } : {}),
        ...(query.orderBy ? { order_by: query.orderBy } : {}),
        max_results: query.maxResults,
      },
    );
    return body.runs.map((run) => ({ name: run.run_name, startTime: run.start_time }));
  }

  async history(runId: string, key: string) {
    const points: Array<{ step: number; value: number }> = [];
    let token: string | undefined;
    do {
      const query = `max_results=10000${token ? `&page_token=${encodeURIComponent(token)}` : ''}`;
      const body = await this.request<{ points: Array<{ step: number; value: number }>; next_page_token?: string }>(
        'history',
        'GET',
        `/runs/${runId}/metrics/${encodeURIComponent(key)}?${query}`,
      );
      points.push(...body.points);
      token = body.next_page_token;
    } while (token);
    return points;
  }

  async downsampled(runId: string, key: string, maxPoints: number) {
    const body = await this.request<{ points: Array<{ step: number; value: number }> }>(
      'downsampled',
      'GET',
      `/runs/${runId}/metrics/${encodeURIComponent(key)}?max_points=${maxPoints}`,
    );
    return body.points;
  }
}

/** MLflow's REST API (MLflow itself, FastTrackML, or Stratus's MLflow dialect). */
export class MlflowClient extends JsonClient implements TrackingClient {
  constructor(
    readonly label: string,
    baseUrl: string,
    headers: Record<string, string> = {},
  ) {
    super(`${baseUrl}/api/2.0/mlflow`, headers);
  }

  async createExperiment(name: string) {
    const body = await this.request<{ experiment_id: string }>('create-experiment', 'POST', '/experiments/create', {
      name,
    });
    return body.experiment_id;
  }

  /** MLflow creates the run, then a log-batch carries its params and first metrics: two requests. */
  async createRun(experimentId: string, run: NewRun) {
    const created = await this.request<{ run: { info: { run_id: string } } }>('create-run', 'POST', '/runs/create', {
      experiment_id: experimentId,
      run_name: run.name,
      start_time: Date.now(),
      tags: [
        { key: 'mlflow.runName', value: run.name },
        ...Object.entries(run.tags).map(([key, value]) => ({ key, value })),
      ],
    });
    const runId = created.run.info.run_id;
    await this.request('log-batch', 'POST', '/runs/log-batch', {
      run_id: runId,
      params: Object.entries(run.params).map(([key, value]) => ({ key, value })),
      metrics: run.metrics.map(({ key, value, step, timestamp }) => ({ key, value, step, timestamp })),
    });
    return runId;
  }

  async logMetrics(runId: string, points: MetricPoint[]) {
    await this.request('log-metrics', 'POST', '/runs/log-batch', {
      run_id: runId,
      metrics: points.map(({ key, value, step, timestamp }) => ({ key, value, step, timestamp })),
    });
  }

  async search(experimentId: string, query: SearchQuery) {
    const body = await this.request<{ runs?: Array<{ info: { run_name?: string; start_time: number } }> }>(
      'search',
      'POST',
      '/runs/search',
      {
        experiment_ids: [experimentId],
        ...(query.filter ? { filter: query.filter } : {}),
        ...(query.orderBy ? { order_by: query.orderBy } : {}),
        max_results: query.maxResults,
      },
    );
    return (body.runs ?? []).map((run) => ({ name: run.info.run_name ?? '', startTime: Number(run.info.start_time) }));
  }

  async history(runId: string, key: string) {
    const points: Array<{ step: number; value: number }> = [];
    let token: string | undefined;
    do {
      const query = `run_id=${runId}&metric_key=${encodeURIComponent(key)}&max_results=25000${
        token ? `&page_token=${encodeURIComponent(token)}` : ''
      }`;
      const body = await this.request<{
        metrics?: Array<{ step: number | string; value: number }>;
        next_page_token?: string;
      }>('history', 'GET', `/metrics/get-history?${query}`);
      for (const metric of body.metrics ?? []) points.push({ step: Number(metric.step ?? 0), value: metric.value });
      token = body.next_page_token || undefined;
    } while (token);
    return points;
  }
}
