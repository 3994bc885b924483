import { createHandler } from '../shared/http/handler.ts';
import { routes } from '../shared/http/routes.ts';
import { runDetailsView } from '../shared/http/views.ts';
import { trackingDeps } from '../shared/runtime.ts';
import { getRun } from '../shared/use-cases/runs.ts';

const deps = trackingDeps();

export const handler = createHandler(routes.getRun, async ({ path }, { scope }) => ({
  body: runDetailsView(await getRun(scope, path.run_id, deps)),
}));
