import { readFileSync } from 'node:fs';

/**
 * The answers of MLflow 3.17.2's own get_metric_history_bulk_interval for a
 * few histories (test/support/mlflow_bulk_interval_reference.py made them),
 * MLflow's REST test's case first: what Stratus's sampling is held to.
 */
export interface BulkIntervalCase {
  label: string;
  runs: Record<string, Array<[step: number, timestamp: number, value: number]>>;
  run_ids: string[];
  max_results: number;
  start: number | null;
  end: number | null;
  expected: Array<[runId: string, step: number, timestamp: number, value: number]>;
}

export const bulkIntervalCases = JSON.parse(
  readFileSync(new URL('./mlflow-bulk-interval-reference.json', import.meta.url), 'utf8'),
) as BulkIntervalCase[];
