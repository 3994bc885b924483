import { defineRoute } from '../route-definition.ts';
import { compareRunsBody, compareRunsResponse } from '../schemas/search.ts';
import { comparisonTruncatedHeader } from '../comparison-truncated-header.ts';

export const compareRunsRoute = defineRoute({
  operationId: 'compareRuns',
  method: 'POST',
  path: '/api/v1/runs/compare',
  entry: 'lambdas/compare-runs.ts',
  summary: 'Runs as rows, latest metrics and params as columns; CSV with `Accept: text/csv`',
  access: 'read',
  tag: 'search',
  request: { body: compareRunsBody },
  response: {
    status: 200,
    description: 'The comparison',
    body: compareRunsResponse,
    alternatives: ['text/csv'],
    headers: {
      [comparisonTruncatedHeader]:
        "Present when the columns end before every value the runs hold (the answer's bound): `params`, `metrics` or `params, metrics`. The CSV has no other sign of it; the JSON answer flags the runs (`params_truncated`, `metrics_truncated`)",
    },
  },
  table: { actions: ['GetItem', 'Query', 'BatchGetItem'] },
});
