import type { SearchedRun } from '../api/types.ts';
import { hasBest, wordsOf } from './best-values.ts';

/**
 * The runs table's columns when the URL names none, and the keys the filter's
 * example is written with: the metrics a data scientist reads first and the
 * params a sweep varied. Judged on the first page of runs only, so columns do
 * not change under the reader as more runs load; every order is total (ties
 * go by name), so the same runs always give the same columns.
 */
export function defaultKeys(runs: readonly SearchedRun[]) {
  const metrics = new Map<string, number>();
  const params = new Map<string, { values: Set<string>; runs: number }>();
  for (const run of runs) {
    for (const key of Object.keys(run.metrics)) metrics.set(key, (metrics.get(key) ?? 0) + 1);
    for (const [key, value] of Object.entries(run.params)) {
      const seen = params.get(key);
      if (seen) {
        seen.values.add(value);
        seen.runs++;
      } else params.set(key, { values: new Set([value]), runs: 1 });
    }
  }
  return {
    defaultMetrics: metricOrder(metrics),
    defaultParams: [...params.entries()]
      .map(([key, seen]) => ({ key, rank: paramRank(seen.values, seen.runs) }))
      .sort((a, b) => b.rank - a.rank || a.key.localeCompare(b.key, 'en'))
      .map(({ key }) => key),
  };
}

/** Words that name the data a metric was measured on, held out from training. */
const heldOutWords = new Set(['val', 'valid', 'validation', 'eval', 'evaluation', 'test', 'dev', 'holdout', 'heldout']);
const trainingWords = new Set(['train', 'training']);
/** Words of the measures a model is judged by (a loss, an accuracy), as opposed to a quantity of one's own naming. */
const headlineWords = new Set([
  'loss',
  'accuracy',
  'acc',
  'auc',
  'roc',
  'f1',
  'precision',
  'recall',
  'error',
  'err',
  'mse',
  'rmse',
  'mae',
  'mape',
  'r2',
  'perplexity',
  'ppl',
  'bleu',
  'rouge',
  'ndcg',
  'map',
  'iou',
  'dice',
  'wer',
  'cer',
  'top1',
  'top5',
  'score',
]);
const headlineEndings = ['loss', 'error', 'accuracy'];

/**
 * Metrics in the order a data scientist looks for them:
 * 1. the model's metrics, then schedules and counters (lr, epoch, grad_norm:
 *    what was set, not how well it did), then the machine's `system/` readings;
 * 2. among those, the ones most runs have (at least half as many runs as the
 *    most common metric) before ones a few runs logged;
 * 3. then, for the model's metrics, by name: a headline measure (loss, accuracy, auc, f1…) counts two,
 *    held-out data (val, eval, test) one and unmarked data a half, so
 *    `val_auc` leads, `accuracy` and `train_loss` follow and a metric of one's
 *    own naming (`nan_metric`) comes after them;
 * 4. then the one more runs have, then by name.
 */
export function metricOrder(runCounts: ReadonlyMap<string, number>): string[] {
  const most = Math.max(0, ...runCounts.values());
  const ranked = [...runCounts].map(([key, count]) => {
    const kind = key.startsWith('system/') ? 2 : hasBest(key) ? 0 : 1;
    // The machine's readings and the schedules are not measures of the model: their words do not rank them.
    return { key, count, kind, rare: count * 2 < most ? 1 : 0, score: kind === 0 ? nameScore(key) : 0 };
  });
  ranked.sort(
    (a, b) =>
      a.kind - b.kind || a.rare - b.rare || b.score - a.score || b.count - a.count || a.key.localeCompare(b.key, 'en'),
  );
  return ranked.map(({ key }) => key);
}

function nameScore(key: string): number {
  const words = wordsOf(key);
  const headline = words.some(
    (word) => headlineWords.has(word) || headlineEndings.some((ending) => word.endsWith(ending)),
  );
  const data = words.some((word) => heldOutWords.has(word))
    ? 1
    : words.some((word) => trainingWords.has(word))
      ? 0
      : 0.5;
  return (headline ? 2 : 0) + data;
}

/**
 * How telling a param is as a default column: the hyperparameters a sweep
 * varied (lr, depth) before the ones every run shares (optimizer=adamw), the
 * more values the better; text that differs in every run (a path, a seed's
 * output directory) after the varied ones, since it reads like an id.
 */
function paramRank(values: Set<string>, runs: number): number {
  if (values.size <= 1) return 0;
  const numeric = [...values].every((value) => value.trim() !== '' && Number.isFinite(Number(value)));
  return !numeric && runs >= 3 && values.size === runs ? 1 : values.size + 1;
}
