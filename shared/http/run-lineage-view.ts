import { ownValue } from '../domain/own.ts';
import { datasetView } from './dataset-view.ts';
import type { RunLineage } from '../use-cases/logged-models.ts';

/** The tag MLflow's `log_input` gives a dataset for what the run used it for (training, eval...). */
export const contextTag = 'mlflow.data.context';

/** `GET /api/v1/runs/{run_id}/lineage`'s answer (schemas/run-lineage.ts). */
export const runLineageView = (runId: string, lineage: RunLineage) => ({
  run_id: runId,
  datasets: lineage.datasets.map((dataset) => {
    const context = ownValue(dataset.tags, contextTag);
    return { ...datasetView(dataset), ...(context === undefined ? {} : { context }), tags: dataset.tags };
  }),
  models: lineage.models.map((entry) => ({
    model_id: entry.modelId,
    used: entry.used,
    ...(entry.producedAtStep === undefined ? {} : { produced_at_step: entry.producedAtStep }),
    ...(entry.model ? { name: entry.model.name, status: entry.model.status, created_at: entry.model.createdAt } : {}),
  })),
  models_looked_up: lineage.modelsLookedUp,
});
