import { answerPayloadBytes } from '../../../domain/answer-size.ts';
import { NotFoundError, ValidationError } from '../../../errors.ts';
import { limits } from '../../../limits.ts';
import { metricReadDeps } from '../../../runtime.ts';
import { getMetricHistory, getMetricHistoryByTime } from '../../../use-cases/metrics.ts';
import { createMlflowHandler } from '../handler.ts';
import { requestRunId } from '../inputs.ts';
import { mlflowGetMetricHistoryRoute } from '../../routes/mlflow-get-metric-history.ts';
import { mlflowGetMetricHistoryBulkRoute } from '../../routes/mlflow-get-metric-history-bulk.ts';
import { mlflowGetMetricHistoryBulkIntervalRoute } from '../../routes/mlflow-get-metric-history-bulk-interval.ts';
import type { MetricPoint } from '../../../domain/metric-chunk.ts';
import { mlflowSampledPoints } from '../bulk-interval.ts';
import { mlflowLimits } from '../fields.ts';
import { mlflowMetric } from '../views.ts';

/**
 * A metric's history, or none when there is no such run: MLflow's server answers a run it does
 * not know with an empty history (200), not a 404, on every history route. `/api/v1` keeps its 404.
 * A page token cannot be one this route issued for a run that is not there: refused, as any
 * token from elsewhere is (MLflow's server also checks the token before it looks for the run).
 */
async function orNone<Answer extends { points: MetricPoint[] }>(
  read: Promise<Answer>,
  none: Answer,
  pageToken: string | undefined,
): Promise<Answer> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof NotFoundError && error.code === 'run.not_found') {
      if (pageToken !== undefined) {
        throw new ValidationError('page_token: is not a token this list issued', 'page_token.invalid');
      }
      return none;
    }
    throw error;
  }
}

const historyOrNone = (...args: Parameters<typeof getMetricHistory>) =>
  orNone(getMetricHistory(...args), { points: [], cursor: undefined, downsampled: false }, args[3].pageToken);

/**
 * The points of `key` one page holds: MLflow repeats the key in every point, so 25,000 points of a
 * 250-character key would pass a function's 6 MB. Pages of a long key are shorter (the client
 * follows the token). Counted on the widest point: the longest number and timestamps, escaped twice.
 */
const pointsPerAnswer = (key: string) =>
  Math.floor(
    limits.answerBytes /
      (answerPayloadBytes(mlflowMetric(key, { value: -2.2250738585072014e-308, step: -widest, timestamp: -widest })) +
        1),
  );
const widest = Number.MAX_SAFE_INTEGER;

/** In MLflow's order (timestamp, step, value), as its SQL store answers: see getMetricHistoryByTime. */
export const mlflowGetMetricHistory = createMlflowHandler(mlflowGetMetricHistoryRoute, async ({ query }, { scope }) => {
  const history = await orNone(
    getMetricHistoryByTime(
      scope,
      requestRunId(query),
      query.metric_key,
      { limit: Math.min(query.max_results, pointsPerAnswer(query.metric_key)), pageToken: query.page_token },
      metricReadDeps(),
    ),
    { points: [], cursor: undefined },
    query.page_token,
  );
  return {
    body: {
      metrics: history.points.map((point) => mlflowMetric(query.metric_key, point)),
      ...(history.cursor ? { next_page_token: history.cursor } : {}),
    },
  };
});

/** Runs whose histories the bulk route reads at once: their points wait in memory until their turn. */
const BULK_READS_AT_ONCE = 10;

/**
 * MLflow's web-app route for one metric of several runs, whole: the runs in id order, each one's
 * points in MLflow's history order, `max_results` points in all (at most 25,000, as MLflow's
 * server). A run named twice is answered once, one that does not exist not at all, as there. It
 * has no pages: an answer past a function's 6 MB (a long key) is refused naming `metrics`, as the
 * bulk-interval one is (answer-bound.ts).
 */
export const mlflowGetMetricHistoryBulk = createMlflowHandler(
  mlflowGetMetricHistoryBulkRoute,
  async ({ query }, { scope }) => {
    const runIds = [...new Set(query.run_id.split(',').filter(Boolean))].sort();
    let left = Math.min(query.max_results, mlflowLimits.historyPage);
    const metrics: Array<ReturnType<typeof mlflowMetric> & { run_id: string }> = [];
    for (let start = 0; start < runIds.length && left > 0; start += BULK_READS_AT_ONCE) {
      const group = runIds.slice(start, start + BULK_READS_AT_ONCE);
      const limit = left;
      const histories = await Promise.all(
        group.map((runId) =>
          orNone(
            getMetricHistoryByTime(scope, runId, query.metric_key, { limit }, metricReadDeps()),
            { points: [], cursor: undefined },
            undefined,
          ),
        ),
      );
      histories.forEach((history, index) => {
        const points = history.points.slice(0, left);
        left -= points.length;
        for (const point of points)
          metrics.push({ ...mlflowMetric(query.metric_key, point), run_id: group[index] as string });
      });
    }
    return { body: { metrics } };
  },
);

/**
 * One metric of several runs, sampled as MLflow samples it (bulk-interval.ts):
 * the same steps for every run, from the union of their steps. That needs the
 * runs' points in the range, read whole while they are few (at most
 * `bulkIntervalExactPoints` over all the runs asked); past that, each run is
 * reduced to `max_results` points from its rollups instead (bucket minima and
 * maxima kept, as Stratus's charts do), so a long history costs O(max_results) reads.
 */
export const mlflowGetMetricHistoryBulkInterval = createMlflowHandler(
  mlflowGetMetricHistoryBulkIntervalRoute,
  async ({ query }, { scope }) => {
    const runIds = [...new Set(query.run_ids.split(',').filter(Boolean))];
    // As MLflow's server: a range has both ends or none (MLflow's words, then the one missing).
    if ((query.start_step === undefined) !== (query.end_step === undefined)) {
      const missing = query.start_step === undefined ? 'start_step' : 'end_step';
      throw new ValidationError(
        `If either start step or end step are specified, both must be specified. Missing: '${missing}'.`,
        `${missing}.missing`,
      );
    }
    const deps = metricReadDeps();
    // MLflow's range without bounds starts at step 0.
    const range = { start: query.start_step ?? 0, end: query.end_step };
    const perRun = Math.floor(mlflowLimits.bulkIntervalExactPoints / runIds.length);
    const read = await Promise.all(
      runIds.map((runId) =>
        historyOrNone(
          scope,
          runId,
          query.metric_key,
          { limit: perRun, startStep: range.start, endStep: range.end },
          deps,
        ),
      ),
    );
    let histories: MetricPoint[][];
    if (read.every((history) => history.cursor === undefined)) {
      const runs = read.map((history) => ({
        points: history.points,
        lowest: history.span?.lowest ?? 0,
        highest: history.span?.highest ?? 0,
      }));
      histories = mlflowSampledPoints(runs, range, query.max_results);
    } else {
      histories = await Promise.all(
        runIds.map(async (runId) => {
          const history = await historyOrNone(
            scope,
            runId,
            query.metric_key,
            {
              limit: query.max_results,
              startStep: query.start_step,
              endStep: query.end_step,
              maxPoints: Math.max(2, query.max_results),
            },
            deps,
          );
          return history.points;
        }),
      );
    }
    const metrics = histories.flatMap((points, index) =>
      points.map((point) => ({ ...mlflowMetric(query.metric_key, point), run_id: runIds[index] as string })),
    );
    return { body: { metrics } };
  },
);
