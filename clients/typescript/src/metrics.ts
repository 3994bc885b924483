import { randomUUID } from 'node:crypto';
import { StratusError } from './errors.ts';
import { type RetryPolicy, retryDelayMs } from './http.ts';
import type { WireMetricValue } from './wire.ts';

export interface MetricPoint {
  key: string;
  value: WireMetricValue;
  step?: number;
  timestamp: number;
}

export type SendBatch = (points: MetricPoint[], idempotencyKey: string) => Promise<void>;

export interface BatcherOptions {
  batchSize: number;
  flushIntervalMs: number;
  maxSpool: number;
  strict: boolean;
  retry: RetryPolicy;
  warn: (message: string) => void;
}

export interface BatcherStats {
  acknowledged: number;
  dropped: number;
  rejected: number;
  retries: number;
  unsent: number;
}

/**
 * One run's metric sender. `add` only queues; batches of at most `batchSize`
 * points go out when full or `flushIntervalMs` after the oldest point arrived.
 * A batch's idempotency key is fixed when it is formed and kept across every
 * retry, so a batch whose answer was lost adds nothing twice. Outages are
 * retried for as long as they last, with exponential backoff and jitter
 * (honouring Retry-After). The spool holds at most `maxSpool` points: beyond
 * that new points are dropped and counted (strict mode throws instead).
 */
export class MetricBatcher {
  private pending: MetricPoint[] = [];
  private inFlight: MetricPoint[] = [];
  private timer: NodeJS.Timeout | undefined;
  private pump: Promise<void> | undefined;
  private flushing = 0;
  private wakeBackoff: (() => void) | undefined;
  private errors: StratusError[] = [];
  private overflowing = false;
  private counter = 0;
  private readonly keyPrefix = randomUUID().replaceAll('-', '');
  private readonly idleWaiters: Array<() => void> = [];
  private closed = false;
  readonly stats = { acknowledged: 0, dropped: 0, rejected: 0, retries: 0 };

  constructor(
    private readonly send: SendBatch,
    private readonly options: BatcherOptions,
  ) {
    if (options.batchSize < 1 || options.batchSize > 1000) throw new RangeError('batchSize must be within 1..1000');
  }

  get unsent(): number {
    return this.pending.length + this.inFlight.length;
  }

  snapshot(): BatcherStats {
    return { ...this.stats, unsent: this.unsent };
  }

  add(points: MetricPoint[]): void {
    this.throwPendingError();
    if (this.closed) throw new Error("this run's metric sender is closed");
    const room = Math.max(0, this.options.maxSpool - this.unsent);
    if (points.length > room) {
      if (this.options.strict) {
        throw new StratusError(
          undefined,
          'spool.full',
          `metric spool is full (${this.options.maxSpool} points unsent)`,
        );
      }
      this.stats.dropped += points.length - room;
      if (!this.overflowing) {
        this.options.warn(`metric spool full (${this.options.maxSpool} points unsent); dropping new points`);
        this.overflowing = true;
      }
      points = points.slice(0, room);
    }
    if (points.length === 0) return;
    this.pending.push(...points);
    if (this.pending.length >= this.options.batchSize) this.start();
    else if (!this.timer && !this.pump) {
      this.timer = setTimeout(() => this.start(), this.options.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** Resolves true when everything queued is acknowledged, false on timeout (strict mode: throws). */
  async flush(timeoutMs?: number): Promise<boolean> {
    this.flushing++;
    try {
      this.wakeBackoff?.();
      this.start();
      const idle = new Promise<boolean>((resolve) => {
        if (this.unsent === 0) resolve(true);
        else this.idleWaiters.push(() => resolve(true));
      });
      let timer: NodeJS.Timeout | undefined;
      const timeout =
        timeoutMs === undefined
          ? undefined
          : new Promise<boolean>((resolve) => {
              timer = setTimeout(() => resolve(false), timeoutMs);
            });
      const done = await (timeout ? Promise.race([idle, timeout]) : idle);
      clearTimeout(timer);
      if (this.options.strict) {
        this.throwPendingError();
        if (!done) throw new StratusError(undefined, 'flush.timeout', `${this.unsent} metric points still unsent`);
      }
      return done;
    } finally {
      this.flushing--;
    }
  }

  /** Flushes, then stops; points still unsent after the timeout are abandoned with a warning. */
  async close(timeoutMs?: number): Promise<boolean> {
    try {
      return await this.flush(timeoutMs);
    } finally {
      this.closed = true;
      clearTimeout(this.timer);
      if (this.unsent) this.options.warn(`${this.unsent} metric points could not be sent and were abandoned`);
      this.wakeBackoff?.();
    }
  }

  private throwPendingError() {
    const error = this.options.strict ? this.errors.shift() : undefined;
    if (error) throw error;
  }

  private start() {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pump ??= this.drain().finally(() => {
      this.pump = undefined;
      if (this.pending.length && !this.closed) this.start();
    });
  }

  private async drain() {
    while (this.pending.length && !this.closed) {
      this.inFlight = this.pending.splice(0, this.options.batchSize);
      this.counter++;
      await this.sendUntilSettled(this.inFlight, `ts-${this.keyPrefix}-${this.counter}`);
      this.inFlight = [];
    }
    if (this.unsent === 0 || this.closed) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private async sendUntilSettled(batch: MetricPoint[], key: string) {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.send(batch, key);
        this.stats.acknowledged += batch.length;
        this.overflowing = false;
        return;
      } catch (caught) {
        const error =
          caught instanceof StratusError ? caught : new StratusError(undefined, 'client.error', String(caught));
        if (!error.retryable || error.code === 'client.error') {
          this.stats.rejected += batch.length;
          this.errors.push(error);
          this.options.warn(`${batch.length} metric points rejected: ${error.message}`);
          return;
        }
        if (this.closed) return;
        this.stats.retries++;
        if (attempt === 0) this.options.warn(`sending metrics failed, will retry: ${error.message}`);
        const delay = retryDelayMs(this.options.retry, attempt, error.retryAfterSeconds);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          // Outside a flush, a retry pause must not keep the process alive on its own.
          if (this.flushing === 0) timer.unref();
          // A flush or close cuts an outage's pause short; a pause the server asked for is kept.
          if (error.retryAfterSeconds === undefined) {
            this.wakeBackoff = () => {
              clearTimeout(timer);
              resolve();
            };
          }
        });
        this.wakeBackoff = undefined;
      }
    }
  }
}
