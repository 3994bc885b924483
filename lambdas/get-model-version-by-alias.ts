import { createHandler } from '../shared/http/handler.ts';
import { modelVersionView } from '../shared/http/registry-views.ts';
import { getModelVersionByAliasRoute } from '../shared/http/routes/get-model-version-by-alias.ts';
import { registryRecordDeps } from '../shared/runtime.ts';
import { getModelVersionByAlias } from '../shared/use-cases/model-registry.ts';

const deps = registryRecordDeps();

export const handler = createHandler(getModelVersionByAliasRoute, async ({ path }, { scope }) => ({
  body: modelVersionView(await getModelVersionByAlias(scope, path.model_name, path.alias, deps)),
}));
