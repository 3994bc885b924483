import type { SearchedRun } from '../api/types.ts';
import { quoteKey } from './RunsTable.tsx';

/** Shown when the loaded runs have neither a metric nor a short param to show the grammar with. */
export const genericFilterExample = "metrics.accuracy > 0.9 AND params.model = 'xgboost'";

type Keys = { metrics: readonly string[]; params: readonly string[] };

/** A value rounded down to two significant digits: 0.96912 → 0.96, so the run it came from still matches. */
function roundedDown(value: number): number {
  if (value === 0) return 0;
  const unit = 10 ** (Math.floor(Math.log10(Math.abs(value))) - 1);
  return Number((Math.floor(value / unit) * unit).toPrecision(2));
}

function metricClause(run: SearchedRun, keys: Keys): string | undefined {
  for (const key of keys.metrics) {
    const value = Object.hasOwn(run.metrics, key) ? run.metrics[key]?.value : undefined;
    if (typeof value === 'number' && Number.isFinite(value)) return `metrics.${quoteKey(key)} >= ${roundedDown(value)}`;
  }
  return undefined;
}

function paramClause(run: SearchedRun, keys: Keys): string | undefined {
  for (const key of keys.params) {
    const value = Object.hasOwn(run.params, key) ? run.params[key] : undefined;
    // A long value, or one with a quote, makes a poor example: try the next param.
    if (value !== undefined && value.length <= 24 && !/['\\\n]/.test(value))
      return `params.${quoteKey(key)} = '${value}'`;
  }
  return undefined;
}

/**
 * The filter box's example in this experiment's own words: a metric and a
 * param of one loaded run, with its values, so typing the example finds that
 * run. A fixed example named keys most experiments do not have
 * (metrics.accuracy, params.model): it taught the grammar, not what to type here.
 */
export function filterExample(runs: readonly SearchedRun[], keys: Keys): string {
  let single: string | undefined;
  for (const run of runs.slice(0, 200)) {
    const metric = metricClause(run, keys);
    const param = paramClause(run, keys);
    if (metric && param) return `${metric} AND ${param}`;
    single ??= metric ?? param;
  }
  return single ?? genericFilterExample;
}
