import { ValidationError } from '../errors.ts';
import type { DatasetInput } from '../domain/logged-models.ts';
import type { Tags } from '../domain/types.ts';
import { datasetInputOf } from './dataset-view.ts';
import { contextTag } from './run-lineage-view.ts';
import type { logRunInputsBody } from './schemas/run-inputs.ts';
import type * as z from 'zod/mini';

/**
 * `POST /api/v1/runs/{run_id}/inputs`'s body as the use case takes it: each dataset's `context`
 * becomes MLflow's tag for it, `mlflow.data.context`, so that one place says what the dataset was
 * for; a context that contradicts that tag, sent too, is refused naming the field.
 */
export function runInputsOf(body: z.output<typeof logRunInputsBody>): {
  datasets: DatasetInput[];
  modelInputs: string[];
} {
  const datasets = (body.datasets ?? []).map((dataset, index) => {
    const tags: Tags = Object.create(null);
    for (const [key, value] of Object.entries(dataset.tags ?? {})) tags[key] = value;
    if (dataset.context !== undefined) {
      if (Object.hasOwn(tags, contextTag) && tags[contextTag] !== dataset.context) {
        throw new ValidationError(
          `body.datasets[${index}].context: differs from the dataset's tag ${contextTag}; send one of them`,
          'body.invalid',
        );
      }
      tags[contextTag] = dataset.context;
    }
    return datasetInputOf(dataset, tags);
  });
  return { datasets, modelInputs: (body.models ?? []).map((model) => model.model_id) };
}
