import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import { mlflowUpdateRun } from '../shared/http/mlflow/handlers/update-run.ts';
import { updateRunRoute } from '../shared/http/routes/update-run.ts';
import { runDetailsView } from '../shared/http/views.ts';
import { runEndDeps } from '../shared/runtime.ts';
import { endOrRenameRun } from '../shared/use-cases/lifecycle.ts';

const deps = runEndDeps();

export const handler = serveRoutes(
  createHandler(updateRunRoute, async ({ path, body }, { scope }) => ({
    body: runDetailsView(
      await endOrRenameRun(
        scope,
        path.run_id,
        { status: body.status, endTime: body.end_time, runName: body.run_name, parentRunId: body.parent_run_id },
        deps,
      ),
    ),
  })),
  mlflowUpdateRun,
);
