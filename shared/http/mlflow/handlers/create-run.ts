import { trackingDeps } from '../../../runtime.ts';
import { defaultExperimentId } from '../../../use-cases/experiments.ts';
import { startRun } from '../../../use-cases/runs.ts';
import { createHandler } from '../../handler.ts';
import { runFieldsFromTags, tagMap } from '../inputs.ts';
import { mlflowCreateRunRoute } from '../../routes/mlflow-create-run.ts';
import { mlflowRun } from '../views.ts';

export const mlflowCreateRun = createHandler(mlflowCreateRunRoute, async ({ body }, { scope }) => {
  const fields = runFieldsFromTags(tagMap(body.tags));
  const run = await startRun(
    scope,
    body.experiment_id ?? defaultExperimentId,
    { runName: body.run_name ?? fields.runName, tags: fields.tags, parentRunId: fields.parentRunId },
    trackingDeps(),
  );
  return { body: { run: mlflowRun(run) } };
});
