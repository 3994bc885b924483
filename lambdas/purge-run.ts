import { createHandler } from '../shared/http/handler.ts';
import { purgeRunRoute } from '../shared/http/routes/purge-run.ts';
import { purgeDeps } from '../shared/runtime.ts';
import { purgeRun } from '../shared/use-cases/purge.ts';

const deps = purgeDeps();

export const handler = createHandler(purgeRunRoute, async ({ path }, { scope }) => ({
  body: { purged: await purgeRun(scope, path.run_id, deps) },
}));
