import { runArtifactUri } from '../artifacts.ts';
import type { RunDetails } from '../types.ts';
import type { Clause, Field, OrderKey } from './query.ts';
import { ownValue } from '../own.ts';

/**
 * In-function evaluation of filter clauses and order keys over a run with its
 * params, tags and latest metrics. Indexes only narrow the candidates; every
 * answer is decided here, so an index that lags (GSIs are eventually
 * consistent) or over-approximates (truncated param values) is never wrong.
 *
 * Semantics, as in MLflow: a run without the metric, param or tag (or without
 * an end_time, hence a duration) matches no clause on it, `!=` and NOT IN included, except
 * `IS NULL`, which holds exactly then. LIKE is case-sensitive with `%` and `_` wildcards;
 * ILIKE ignores case.
 */
export interface SearchableRun extends RunDetails {
  metricValues: ReadonlyMap<string, number>;
  /** The datasets the run used: loaded only for a search with a `datasets.*` clause. */
  datasets?: readonly UsedDataset[];
}

/** What a `datasets.*` clause compares: a dataset input's name and digest, and its `mlflow.data.context` tag. */
export interface UsedDataset {
  name: string;
  digest: string;
  context: string | undefined;
}

export const searchable = (run: RunDetails): SearchableRun => ({
  ...run,
  metricValues: new Map(run.metrics.map((metric) => [metric.key, metric.value])),
});

export function fieldValue(run: SearchableRun, field: Field): string | number | undefined {
  switch (field.kind) {
    case 'metric':
      return run.metricValues.get(field.key);
    case 'param':
      return ownValue(run.params, field.key);
    case 'tag':
      return ownValue(run.tags, field.key);
    case 'attribute':
      switch (field.name) {
        case 'status':
          return run.status;
        case 'run_name':
          return run.runName;
        case 'run_id':
          return run.runId;
        case 'start_time':
          return run.startTime;
        case 'end_time':
          return run.endTime;
        case 'duration':
          return run.endTime === undefined ? undefined : run.endTime - run.startTime;
        case 'parent_run_id':
          return run.parentRunId;
        case 'artifact_uri':
          return runArtifactUri(run);
      }
      break;
    case 'component':
    case 'dataset':
      // Several values per run: matchesClause asks each one; nothing orders by them.
      return undefined;
  }
}

const likePatterns = new Map<string, RegExp>();

/** SQL LIKE as a regular expression: `%` is any run of characters, `_` one character. */
export function likeToRegExp(pattern: string, ignoreCase: boolean): RegExp {
  const cacheKey = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let compiled = likePatterns.get(cacheKey);
  if (!compiled) {
    const source = [...pattern]
      .map((char) => (char === '%' ? '.*' : char === '_' ? '.' : char.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')))
      .join('');
    compiled = new RegExp(`^${source}$`, ignoreCase ? 'isu' : 'su');
    if (likePatterns.size > 1000) likePatterns.clear();
    likePatterns.set(cacheKey, compiled);
  }
  return compiled;
}

/**
 * A `components.<part>` clause holds when it holds for any of the run's pipeline
 * components (a component without a stage matches no clause on the stage).
 */
export function matchesClause(run: SearchableRun, clause: Clause): boolean {
  if (clause.field.kind === 'component') {
    const part = clause.field.part;
    return (run.pipeline?.components ?? []).some((component) => matchesValue(component[part], clause));
  }
  if (clause.field.kind === 'dataset') {
    const part = clause.field.part;
    return (run.datasets ?? []).some((dataset) => matchesValue(dataset[part], clause));
  }
  return matchesValue(fieldValue(run, clause.field), clause);
}

function matchesValue(value: string | number | undefined, clause: Clause): boolean {
  if (clause.op === 'IS NULL') return value === undefined;
  if (clause.op === 'IS NOT NULL') return value !== undefined;
  if (value === undefined) return false;
  if (clause.op === 'IN') return typeof value === 'string' && clause.value.includes(value);
  if (clause.op === 'NOT IN') return typeof value === 'string' && !clause.value.includes(value);
  // The parser gave numeric fields numbers and the other fields strings: the types agree here.
  const operand = clause.value as string | number;
  return typeof value === typeof operand && comparesWith(value, clause.op, operand);
}

/**
 * One comparison of the simpler grammars (experiments, logged models): the
 * value and the operand have the type the parser checked; LIKE patterns as above.
 */
export function comparesWith(actual: string | number, op: string, value: string | number): boolean {
  switch (op) {
    case '=':
      return actual === value;
    case '!=':
      return actual !== value;
    case '<':
      return actual < value;
    case '<=':
      return actual <= value;
    case '>':
      return actual > value;
    case '>=':
      return actual >= value;
    case 'LIKE':
      return likeToRegExp(String(value), false).test(String(actual));
    case 'NOT LIKE':
      return !likeToRegExp(String(value), false).test(String(actual));
    default:
      return likeToRegExp(String(value), true).test(String(actual));
  }
}

export const matchesAll = (run: SearchableRun, clauses: readonly Clause[]) =>
  clauses.every((clause) => matchesClause(run, clause));

/**
 * Order of one key: values in the asked direction, then NaN, then runs without
 * the value, whatever the direction (MLflow puts NaN and missing values last too).
 */
export function compareValues(
  a: string | number | undefined,
  b: string | number | undefined,
  descending: boolean,
): number {
  const rank = (value: string | number | undefined) =>
    value === undefined ? 2 : typeof value === 'number' && Number.isNaN(value) ? 1 : 0;
  const difference = rank(a) - rank(b);
  if (difference !== 0 || rank(a) !== 0) return difference;
  const order =
    typeof a === 'string' && typeof b === 'string'
      ? compareCodePoints(a, b)
      : (a as number) < (b as number)
        ? -1
        : (a as number) > (b as number)
          ? 1
          : 0;
  return descending ? -order : order;
}

/**
 * Text in code point order, which is the order of its UTF-8 bytes: how
 * DynamoDB sorts keys (and SQLite compares text), so answers ordered from an
 * index and ordered here agree. (JavaScript's `<` compares UTF-16 units, which
 * puts U+E000–U+FFFF after characters beyond U+FFFF.)
 */
export function compareCodePoints(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(j) as number;
    if (x !== y) return x < y ? -1 : 1;
    i += x > 0xffff ? 2 : 1;
    j += y > 0xffff ? 2 : 1;
  }
  return i < a.length ? 1 : j < b.length ? -1 : 0;
}

export type SortValue = string | number | undefined;

/** A run's position in an order: the value of each key, then its run id. */
export const sortTuple = (run: SearchableRun, order: readonly OrderKey[]): SortValue[] => [
  ...order.map((key) => fieldValue(run, key.field)),
  run.runId,
];

/**
 * Compares positions: each key in turn, then run id ascending, so pages are
 * stable and runs that tie come in the order MLflow's server gives them (its
 * last order key is always `run_uuid` ascending).
 */
export function compareTuples(a: readonly SortValue[], b: readonly SortValue[], order: readonly OrderKey[]): number {
  for (let i = 0; i < order.length; i++) {
    const difference = compareValues(a[i], b[i], (order[i] as OrderKey).descending);
    if (difference !== 0) return difference;
  }
  return compareValues(a[order.length], b[order.length], false);
}

export const runComparator = (order: readonly OrderKey[]) => (a: SearchableRun, b: SearchableRun) =>
  compareTuples(sortTuple(a, order), sortTuple(b, order), order);
