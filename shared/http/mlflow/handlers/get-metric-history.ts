import { ValidationError } from '../../../errors.ts';
import { metricReadDeps } from '../../../runtime.ts';
import { getMetricHistory } from '../../../use-cases/metrics.ts';
import { createMlflowHandler } from '../handler.ts';
import { requestRunId } from '../inputs.ts';
import { mlflowGetMetricHistoryRoute } from '../../routes/mlflow-get-metric-history.ts';
import { mlflowGetMetricHistoryBulkIntervalRoute } from '../../routes/mlflow-get-metric-history-bulk-interval.ts';
import { mlflowLimits } from '../schemas.ts';
import { mlflowMetric } from '../views.ts';

export const mlflowGetMetricHistory = createMlflowHandler(mlflowGetMetricHistoryRoute, async ({ query }, { scope }) => {
  const history = await getMetricHistory(
    scope,
    requestRunId(query),
    query.metric_key,
    { limit: query.max_results, pageToken: query.page_token },
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
 * One metric of several runs, each reduced to at most `max_results` points over
 * the step range (bucket minima and maxima kept, as Stratus's charts do).
 */
export const mlflowGetMetricHistoryBulkInterval = createMlflowHandler(
  mlflowGetMetricHistoryBulkIntervalRoute,
  async ({ query }, { scope }) => {
    const runIds = [...new Set(query.run_ids.split(',').filter(Boolean))];
    if (runIds.length > mlflowLimits.bulkIntervalRuns) {
      throw new ValidationError(`run_ids: at most ${mlflowLimits.bulkIntervalRuns} runs`, 'run_ids.too_many');
    }
    const deps = metricReadDeps();
    const histories = await Promise.all(
      runIds.map(async (runId) => {
        const history = await getMetricHistory(
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
        return history.points.map((point) => ({ ...mlflowMetric(query.metric_key, point), run_id: runId }));
      }),
    );
    return { body: { metrics: histories.flat() } };
  },
);
