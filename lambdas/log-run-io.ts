import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowLogInputs, mlflowLogOutputs } from '../shared/http/mlflow/handlers/log-run-io.ts';
import { logRunInputsRoute } from '../shared/http/routes/log-run-inputs.ts';
import { datasetInputOf } from '../shared/http/dataset-view.ts';
import { contextTag, runLineageView } from '../shared/http/run-lineage-view.ts';
import { ValidationError } from '../shared/errors.ts';
import type { Tags } from '../shared/domain/types.ts';
import { loggedModelDeps } from '../shared/runtime.ts';
import { getRunLineage, recordRunIo } from '../shared/use-cases/logged-models.ts';

const deps = loggedModelDeps();

/** The datasets a run used and the models it used and produced: `/api/v1`'s inputs, MLflow's log-inputs and outputs. */
export const handler = serveRoutes(
  createHandler(logRunInputsRoute, async ({ path, body }, { scope }) => {
    const datasets = (body.datasets ?? []).map((dataset, index) => {
      const tags: Tags = Object.create(null);
      for (const [key, value] of Object.entries(dataset.tags ?? {})) tags[key] = value;
      if (dataset.context !== undefined) {
        // One place says what the dataset was for: MLflow's tag, which `context` writes.
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
    const modelInputs = (body.models ?? []).map((model) => model.model_id);
    await recordRunIo(scope, path.run_id, { datasets, modelInputs }, deps);
    return { body: runLineageView(path.run_id, await getRunLineage(scope, path.run_id, deps)) };
  }),
  mlflowLogInputs,
  mlflowLogOutputs,
);
