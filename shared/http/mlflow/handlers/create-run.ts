import { ValidationError } from '../../../errors.ts';
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
  // MLflow's server refuses two different names rather than choosing one (an equal pair is one name).
  if (body.run_name !== undefined && fields.runName !== undefined && body.run_name !== fields.runName) {
    throw new ValidationError(
      `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values ` +
        `(run_name='${body.run_name}', mlflow.runName='${fields.runName}').`,
      'run_name.invalid',
    );
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
