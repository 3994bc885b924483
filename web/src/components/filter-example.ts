import type { SearchedRun } from '../api/types.ts';
import { userTagEntries } from '../system-tags.ts';
import { quoteKey } from './RunsTable.tsx';

/** Before any run is logged there are no words of the experiment's own to show: the grammar's two commonest clauses. */
export const genericFilterExample = "metrics.accuracy > 0.9 AND params.model = 'xgboost'";

type Keys = { metrics: readonly string[]; params: readonly string[] };

/** A value rounded down to two significant digits: 0.96912 → 0.96, so the run it came from still matches. */
function roundedDown(value: number): number {
  if (value === 0) return 0;
  const unit = 10 ** (Math.floor(Math.log10(Math.abs(value))) - 1);
  return Number((Math.floor(value / unit) * unit).toPrecision(2));
}

/** A value that reads well in quotes: short (not 0.00009999999999999999), without a quote, a backslash or a line break. */
const quotable = (value: string) => value.length > 0 && value.length <= 16 && !/['\\\n]/.test(value);

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
    if (value !== undefined && quotable(value)) return `params.${quoteKey(key)} = '${value}'`;
  }
  return undefined;
}

/** A tag a person gave the run (team, dataset), not the clients' own bookkeeping. */
function tagClause(run: SearchedRun): string | undefined {
  const [key, value] =
    userTagEntries(run.tags)
      .filter(([, tagValue]) => quotable(tagValue))
      .sort(([a], [b]) => a.localeCompare(b))[0] ?? [];
  return key !== undefined ? `tags.${quoteKey(key)} = '${value}'` : undefined;
}

/** Runs named in a series (trial-3-lr0.1, xgb-07): the name up to its first separator, as a LIKE prefix. */
function nameClause(run: SearchedRun): string | undefined {
  const name = run.run_name ?? '';
  const cut = name.search(/[-_]/);
  const prefix = cut > 0 ? name.slice(0, cut + 1) : name;
  return quotable(prefix) && !/[%_]/.test(prefix.slice(0, -1)) ? `attributes.run_name LIKE '${prefix}%'` : undefined;
}

/**
 * The filter box's example in this experiment's own words: a metric and a
 * param of one loaded run, with its values, so typing the example finds that
 * run. Runs with only one of them, or neither, are described by what they do
 * have: a tag a person gave them, their names, their status. A fixed example
 * named keys most experiments do not have (metrics.accuracy, params.model):
 * it taught the grammar, not what to type here.
 */
export function filterExample(runs: readonly SearchedRun[], keys: Keys): string {
  let single: { clause: string; run: SearchedRun } | undefined;
  for (const run of runs.slice(0, 200)) {
    const metric = metricClause(run, keys);
    const param = paramClause(run, keys);
    if (metric && param) return `${metric} AND ${param}`;
    const clause = metric ?? param;
    if (!single && clause) single = { clause, run };
  }
  // The second clause describes the same run as the first, so the example still finds it.
  const run = single?.run ?? runs[0];
  if (!run) return genericFilterExample;
  const other = tagClause(run) ?? nameClause(run) ?? `attributes.status = '${run.status}'`;
  return single ? `${single.clause} AND ${other}` : other;
}
