import { createHandler } from '../shared/http/handler.ts';
import { deleteModelVersionRoute } from '../shared/http/routes/delete-model-version.ts';
import { registryRecordDeps } from '../shared/runtime.ts';
import { deleteModelVersion } from '../shared/use-cases/model-registry.ts';

const deps = registryRecordDeps();

export const handler = createHandler(deleteModelVersionRoute, async ({ path }, { scope, principal }) => {
  await deleteModelVersion(scope, principal, path.model_name, path.version, deps);
  return { body: { deleted: true } };
});
