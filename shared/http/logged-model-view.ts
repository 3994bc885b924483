import { toWireMetricValue } from '../domain/metric-values.ts';
import type { LoggedModel } from '../domain/logged-models.ts';

/** A logged model in `/api/v1`'s words (schemas/logged-models.ts). */
export const loggedModelView = (model: LoggedModel) => ({
  model_id: model.modelId,
  experiment_id: model.experimentId,
  name: model.name,
  ...(model.modelType === undefined ? {} : { model_type: model.modelType }),
  status: model.status,
  source_run_id: model.sourceRunId,
  created_at: model.createdAt,
  updated_at: model.updatedAt,
  params: model.params,
  tags: model.tags,
  metrics: model.metrics.map((metric) => ({
    key: metric.key,
    value: toWireMetricValue(metric.value),
    step: metric.step,
    timestamp: metric.timestamp,
    run_id: metric.runId,
    ...(metric.datasetName === undefined ? {} : { dataset_name: metric.datasetName }),
    ...(metric.datasetDigest === undefined ? {} : { dataset_digest: metric.datasetDigest }),
  })),
});
