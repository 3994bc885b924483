import { runCreateDeps } from '../../../runtime.ts';
import { startRun } from '../../../use-cases/runs.ts';
import { createMlflowHandler } from '../handler.ts';
import { runFieldsFromTags, tagMap } from '../inputs.ts';
import { mlflowCreateRunRoute } from '../../routes/mlflow-create-run.ts';
import { mlflowRun, unknownUser, userTag } from '../views.ts';

export const mlflowCreateRun = createMlflowHandler(mlflowCreateRunRoute, async ({ body }, { scope }) => {
  const fields = runFieldsFromTags(tagMap(body.tags));
  // MLflow's deprecated `user_id` is the `mlflow.user` tag (what the client derives it from);
  // "unknown" is the client's word for no user, which the answer says anyway.
  if (body.user_id && body.user_id !== unknownUser && fields.tags[userTag] === undefined) {
    fields.tags[userTag] = body.user_id;
  }
  const run = await startRun(
    scope,
    body.experiment_id,
    {
      runName: body.run_name ?? fields.runName,
      tags: fields.tags,
      parentRunId: fields.parentRunId,
      startTime: body.start_time,
    },
    runCreateDeps(),
  );
  return { body: { run: mlflowRun(run) } };
});
