import { createHandler } from '../shared/http/handler.ts';
import { deleteRegisteredModelRoute } from '../shared/http/routes/delete-registered-model.ts';
import { registryRecordDeps } from '../shared/runtime.ts';
import { deleteRegisteredModel } from '../shared/use-cases/model-registry.ts';

const deps = registryRecordDeps();

export const handler = createHandler(deleteRegisteredModelRoute, async ({ path }, { scope, principal }) => {
  await deleteRegisteredModel(scope, principal, path.model_name, deps);
  return { body: { deleted: true } };
});
