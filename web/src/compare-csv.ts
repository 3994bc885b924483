import { toCsv } from '../../shared/http/csv.ts';
import { type Comparison, numericValue } from './api/types.ts';

/**
 * The compare page's CSV: the API's columns and cells (`Accept: text/csv`, `comparisonCsv` in
 * shared/http/views.ts) written by the API's own writer (its quoting and formula guard are a security
 * rule, kept in one place), but made from the comparison the page holds. That one is whole: the runs
 * an answer cut short (`params_truncated`, `metrics_truncated`) were read and put back in. The API's CSV
 * ends its columns where its JSON answer does, so asking it again would drop what the page shows.
 */
export const comparisonCsv = (comparison: Comparison, paramNames: readonly string[]): string =>
  toCsv(
    [
      'run_id',
      'run_name',
      'status',
      'start_time',
      ...comparison.metric_names.map((name) => `metrics.${name}`),
      ...paramNames.map((name) => `params.${name}`),
    ],
    comparison.runs.map((run) => [
      run.run_id,
      run.run_name,
      run.status,
      run.start_time,
      ...comparison.metric_names.map((name) => {
        const value = Object.hasOwn(run.metrics, name) ? run.metrics[name] : null;
        return value === null || value === undefined ? null : numericValue(value);
      }),
      ...paramNames.map((name) => (Object.hasOwn(run.params, name) ? run.params[name] : null)),
    ]),
  );
