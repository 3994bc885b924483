import { metricOrder } from '../components/default-columns.ts';

/**
 * The order of a run's charts (the sections keep it within each): curves
 * before single values, then the runs table's ranking of names (`val_auc`
 * before `f1`, schedules and `system/` after the model's metrics). A chart of
 * one point is a lone dot; a run page, on a phone above all, should open on
 * the loss curve. The run's answer holds each metric's latest point only, not
 * how many it has: a latest step past 0 is taken as a history, as a training
 * loop logs by step and a final score is logged once, at MLflow's default
 * step 0. (A metric logged only at step 0 many times is counted as one point:
 * it still shows, after the curves.)
 */
export function chartOrder(latest: Readonly<Record<string, { step: number }>>): string[] {
  const steps = new Map(Object.entries(latest).map(([key, point]) => [key, point.step]));
  const keys = [...steps.keys()];
  const rank = new Map(metricOrder(new Map(keys.map((key) => [key, 1]))).map((key, index) => [key, index]));
  const single = (key: string) => ((steps.get(key) ?? 0) > 0 ? 0 : 1);
  return keys.sort((a, b) => single(a) - single(b) || (rank.get(a) ?? 0) - (rank.get(b) ?? 0));
}
