import { createHandler } from '../shared/http/handler.ts';
import { routes } from '../shared/http/routes.ts';
import { runView } from '../shared/http/views.ts';
import { trackingDeps } from '../shared/runtime.ts';
import { setRunTags } from '../shared/use-cases/runs.ts';

const deps = trackingDeps();

export const handler = createHandler(routes.setRunTags, async ({ path, body }, { scope }) => ({
  body: runView(await setRunTags(scope, path.run_id, body.tags, deps)),
}));
