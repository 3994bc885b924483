import type { DatasetInput } from '../domain/logged-models.ts';

/** A dataset a run used, as both dialects write it: MLflow's field names, schema and profile when logged. */
export const datasetView = (dataset: DatasetInput) => ({
  name: dataset.name,
  digest: dataset.digest,
  source_type: dataset.sourceType,
  source: dataset.source,
  ...(dataset.schema === undefined ? {} : { schema: dataset.schema }),
  ...(dataset.profile === undefined ? {} : { profile: dataset.profile }),
});
