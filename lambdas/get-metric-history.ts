import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import {
  mlflowGetMetricHistory,
  mlflowGetMetricHistoryBulk,
  mlflowGetMetricHistoryBulkInterval,
} from '../shared/http/mlflow/handlers/get-metric-history.ts';
import { getMetricHistoryRoute } from '../shared/http/routes/get-metric-history.ts';
import { metricPointView } from '../shared/http/views.ts';
import { metricReadDeps } from '../shared/runtime.ts';
import { getMetricHistory } from '../shared/use-cases/metrics.ts';
import { sealPageTokensWithDeploymentSecret } from '../shared/runtime-page-tokens.ts';

sealPageTokensWithDeploymentSecret();

const deps = metricReadDeps();

export const handler = serveRoutes(
  createHandler(getMetricHistoryRoute, async ({ path, query }, { scope }) => {
    const history = await getMetricHistory(
      scope,
      path.run_id,
      path.metric_key,
      {
        limit: query.max_results,
        pageToken: query.page_token,
        startStep: query.start_step,
        endStep: query.end_step,
        maxPoints: query.max_points,
      },
      deps,
    );
    return {
      body: {
        run_id: path.run_id,
        key: path.metric_key,
        points: history.points.map(metricPointView),
        downsampled: history.downsampled,
        next_page_token: history.cursor,
      },
    };
  }),
  mlflowGetMetricHistory,
  mlflowGetMetricHistoryBulkInterval,
  mlflowGetMetricHistoryBulk,
);
