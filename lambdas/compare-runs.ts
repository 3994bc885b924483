import { createHandler } from '../shared/http/handler.ts';
import { compareRunsRoute } from '../shared/http/routes/compare-runs.ts';
import { comparisonTruncatedHeaders } from '../shared/http/comparison-truncated-header.ts';
import { comparisonCsv, comparisonView } from '../shared/http/views.ts';
import { trackingDeps } from '../shared/runtime.ts';
import { compareRuns } from '../shared/use-cases/compare.ts';

const deps = trackingDeps();

export const handler = createHandler(compareRunsRoute, async ({ body }, { scope }) => {
  const comparison = await compareRuns(
    scope,
    {
      runIds: body.run_ids,
      metricNames: body.metric_names,
      paramNames: body.param_names,
      onlyDifferingParams: body.only_differing_params,
    },
    deps,
  );
  return {
    body: comparisonView(comparison),
    alternatives: { 'text/csv': () => comparisonCsv(comparison) },
    headers: comparisonTruncatedHeaders(comparison),
  };
});
