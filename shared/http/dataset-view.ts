import type { DatasetInput } from '../domain/logged-models.ts';
import type { Tags } from '../domain/types.ts';

/** A dataset a run used, as both dialects write it: MLflow's field names, schema and profile when logged. */
export const datasetView = (dataset: DatasetInput) => ({
  name: dataset.name,
  digest: dataset.digest,
  source_type: dataset.sourceType,
  source: dataset.source,
  ...(dataset.schema === undefined ? {} : { schema: dataset.schema }),
  ...(dataset.profile === undefined ? {} : { profile: dataset.profile }),
});

/** The fields of a dataset as both dialects send them (MLflow's names). */
export interface SentDataset {
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema?: string | undefined;
  profile?: string | undefined;
}

/** A dataset as sent, with its tags (each dialect reads those its own way), as the domain keeps it. */
export const datasetInputOf = (dataset: SentDataset, tags: Tags): DatasetInput => ({
  name: dataset.name,
  digest: dataset.digest,
  sourceType: dataset.source_type,
  source: dataset.source,
  schema: dataset.schema,
  profile: dataset.profile,
  tags,
});
