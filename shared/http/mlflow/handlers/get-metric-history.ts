import { answerPayloadBytes } from '../../../domain/answer-size.ts';
import { NotFoundError, ValidationError } from '../../../errors.ts';
import { limits } from '../../../limits.ts';
import { metricReadDeps } from '../../../runtime.ts';
import { getMetricHistory } from '../../../use-cases/metrics.ts';
import { createMlflowHandler } from '../handler.ts';
import { requestRunId } from '../inputs.ts';
import { mlflowGetMetricHistoryRoute } from '../../routes/mlflow-get-metric-history.ts';
import { mlflowGetMetricHistoryBulkIntervalRoute } from '../../routes/mlflow-get-metric-history-bulk-interval.ts';
import type { MetricPoint } from '../../../domain/metric-chunk.ts';
import { mlflowSampledPoints } from '../bulk-interval.ts';
import { mlflowLimits } from '../fields.ts';
import { mlflowMetric } from '../views.ts';

/**
 * A metric's history, or none when there is no such run: MLflow's server answers a run it does
 * not know with an empty history (200), not a 404, on both history routes. `/api/v1` keeps its 404.
 * A page token cannot be one this route issued for a run that is not there: refused, as any
 * token from elsewhere is (MLflow's server also checks the token before it looks for the run).
 */
async function historyOrNone(...args: Parameters<typeof getMetricHistory>): ReturnType<typeof getMetricHistory> {
  try {
    return await getMetricHistory(...args);
  } catch (error) {
    if (error instanceof NotFoundError && error.code === 'run.not_found') {
      if (args[3].pageToken !== undefined) {
        throw new ValidationError('page_token: is not a token this list issued', 'page_token.invalid');
      }
      return { points: [], cursor: undefined, downsampled: false };
    }
    throw error;
  }
}

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

export const mlflowGetMetricHistory = createMlflowHandler(mlflowGetMetricHistoryRoute, async ({ query }, { scope }) => {
  const history = await historyOrNone(
    scope,
    requestRunId(query),
    query.metric_key,
    { limit: Math.min(query.max_results, pointsPerAnswer(query.metric_key)), pageToken: query.page_token },
    metricReadDeps(),
  );
  return {
    body: {
      metrics: history.points.map((point) => mlflowMetric(query.metric_key, point)),
      ...(history.cursor ? { next_page_token: history.cursor } : {}),
    },
  };
});

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
    if (runIds.length > mlflowLimits.bulkIntervalRuns) {
      throw new ValidationError(`run_ids: at most ${mlflowLimits.bulkIntervalRuns} runs`, 'run_ids.too_many');
    }
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
