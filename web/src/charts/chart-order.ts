import { metricOrder } from '../components/default-columns.ts';

/** What the run's answer says of each key: its latest (highest) step and its lowest. */
export interface StepSpan {
  step: number;
  min_step: number;
}

/** Whether a key's points span steps: a curve to draw, not a value logged at one step. */
export const isCurve = (span: StepSpan) => span.min_step !== span.step;

/**
 * The order of a run's charts (the sections keep it within each): curves
 * before single values, then the runs table's ranking of names (`val_auc`
 * before `f1`, schedules and `system/` after the model's metrics). A chart of
 * one step is a lone dot (or a column of dots, for a value logged again and
 * again at MLflow's default step 0): a run page, on a phone above all, should
 * open on the loss curve. The API's lowest step says so exactly, whichever
 * step a final score was logged at.
 */
export function chartOrder(latest: Readonly<Record<string, StepSpan>>): string[] {
  const single = new Map(Object.entries(latest).map(([key, span]) => [key, isCurve(span) ? 0 : 1]));
  const keys = [...single.keys()];
  const rank = new Map(metricOrder(new Map(keys.map((key) => [key, 1]))).map((key, index) => [key, index]));
  return keys.sort((a, b) => (single.get(a) ?? 0) - (single.get(b) ?? 0) || (rank.get(a) ?? 0) - (rank.get(b) ?? 0));
}
