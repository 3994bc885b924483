/**
 * Which value of a metric is best across compared runs. The direction is
 * guessed from the metric's name (a loss or an error falls, an accuracy
 * rises) and can be flipped by the user, since a name cannot say everything
 * ("margin" or "drift" could go either way).
 */
export type Direction = 'lower' | 'higher';

/** Words (whole, after splitting on `/`, `_`, `.`, `-`, spaces and camelCase) that name a quantity to bring down. */
const lowerWords = new Set([
  'loss',
  'error',
  'errors',
  'err',
  'mse',
  'mae',
  'rmse',
  'mape',
  'smape',
  'nll',
  'perplexity',
  'ppl',
  'wer',
  'cer',
  'ter',
  'latency',
  'time',
  'duration',
  'seconds',
  'fid',
  'ece',
  'brier',
  'regret',
  'cost',
  'distance',
  'divergence',
  'kl',
]);
/** Endings that are a lower-is-better word glued to another (`logloss`, `val_nllloss`, `trainerror`). */
const lowerEndings = ['loss', 'error', 'rmse', 'perplexity', 'latency'];

export const wordsOf = (metric: string) =>
  metric
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);

export function inferDirection(metric: string): Direction {
  const words = wordsOf(metric);
  const lower = words.some((word) => lowerWords.has(word) || lowerEndings.some((ending) => word.endsWith(ending)));
  return lower ? 'lower' : 'higher';
}

/** Words of what a run was set to or has counted (a schedule's learning rate, the epoch), not how well it did. */
const unscoredWords = new Set([
  'lr',
  'learning',
  'epoch',
  'epochs',
  'step',
  'steps',
  'momentum',
  'decay',
  'warmup',
  'seen',
  'grad',
  'batch',
]);

/**
 * Whether a metric has a better value at all. The machine's own readings
 * (MLflow's `system/cpu_utilization_percentage`, memory, GPU) have none: a
 * run that used less CPU did not win; nor have a learning rate, an epoch or a
 * gradient norm logged as metrics.
 */
export const hasBest = (metric: string) =>
  !metric.startsWith('system/') && !wordsOf(metric).some((word) => unscoredWords.has(word));

/**
 * The indices of the best values: every one of a tie. NaN, ±Infinity and
 * missing values are never best, and with fewer than two comparable values
 * there is nothing to mark; nor when they are all equal (a column of marks
 * that says nothing, drawing the eye from the metrics that do differ).
 */
export function bestIndices(values: readonly number[], direction: Direction): Set<number> {
  const finite = values.flatMap((value, index) => (Number.isFinite(value) ? [{ value, index }] : []));
  if (finite.length < 2) return new Set();
  const best =
    direction === 'lower'
      ? Math.min(...finite.map((item) => item.value))
      : Math.max(...finite.map((item) => item.value));
  const marked = finite.filter((item) => item.value === best);
  return new Set(marked.length === finite.length ? [] : marked.map((item) => item.index));
}

/**
 * The directions the user chose against the guess, from the URL: repeated
 * `lower=<metric>` and `higher=<metric>` (a metric name may hold any
 * character, so one parameter per metric, never a joined list).
 */
export function directionsFrom(query: URLSearchParams): Map<string, Direction> {
  const chosen = new Map<string, Direction>();
  for (const metric of query.getAll('lower')) chosen.set(metric, 'lower');
  for (const metric of query.getAll('higher')) chosen.set(metric, 'higher');
  return chosen;
}

export const directionOf = (metric: string, chosen: ReadonlyMap<string, Direction>): Direction =>
  chosen.get(metric) ?? inferDirection(metric);

/** The URL change that flips `metric`: kept only where it differs from the guess, so links stay short. */
export function flipUpdate(
  metric: string,
  chosen: ReadonlyMap<string, Direction>,
): { lower: string[]; higher: string[] } {
  const next = new Map(chosen);
  const flipped: Direction = directionOf(metric, chosen) === 'lower' ? 'higher' : 'lower';
  if (flipped === inferDirection(metric)) next.delete(metric);
  else next.set(metric, flipped);
  const of = (direction: Direction) => [...next].filter(([, value]) => value === direction).map(([name]) => name);
  return { lower: of('lower'), higher: of('higher') };
}
