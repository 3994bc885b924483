import { createHandler } from '../shared/http/handler.ts';
import { updateRunRoute } from '../shared/http/routes/update-run.ts';
import { runDetailsView } from '../shared/http/views.ts';
import { trackingDeps } from '../shared/runtime.ts';
import { endRun } from '../shared/use-cases/runs.ts';

const deps = trackingDeps();

export const handler = createHandler(updateRunRoute, async ({ path, body }, { scope }) => ({
  body: runDetailsView(await endRun(scope, path.run_id, { status: body.status, endTime: body.end_time }, deps)),
}));
