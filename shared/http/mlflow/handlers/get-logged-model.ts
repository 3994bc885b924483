import { ValidationError } from '../../../errors.ts';
import { loggedModelDeps } from '../../../runtime.ts';
import { getLoggedModel, searchLoggedModels } from '../../../use-cases/logged-models.ts';
import { createHandler } from '../../handler.ts';
import { mlflowGetLoggedModelRoute } from '../../routes/mlflow-get-logged-model.ts';
import { mlflowSearchLoggedModelsRoute } from '../../routes/mlflow-search-logged-models.ts';
import { mlflowLoggedModel } from '../views.ts';

export const mlflowGetLoggedModel = createHandler(mlflowGetLoggedModelRoute, async ({ path }, { scope }) => ({
  body: { model: mlflowLoggedModel(await getLoggedModel(scope, path.model_id, loggedModelDeps())) },
}));

/** What Stratus answers of MLflow's logged-model filter: `name = '<name>'` (how `runs:/<id>/<name>` is resolved). */
function nameFilter(filter: string | undefined): string | undefined {
  if (!filter?.trim()) return undefined;
  const match = /^\s*name\s*=\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*$/i.exec(filter);
  if (!match) {
    throw new ValidationError(
      `filter: only name = '<name>' is supported for logged models; got '${filter}'`,
      'filter.invalid',
    );
  }
  return (match[1] ?? match[2] ?? '').replace(/\\(.)/g, '$1');
}

export const mlflowSearchLoggedModels = createHandler(mlflowSearchLoggedModelsRoute, async ({ body }, { scope }) => {
  const page = await searchLoggedModels(
    scope,
    {
      experimentIds: body.experiment_ids,
      name: nameFilter(body.filter),
      limit: body.max_results,
      pageToken: body.page_token,
    },
    loggedModelDeps(),
  );
  return {
    body: { models: page.items.map(mlflowLoggedModel), ...(page.cursor ? { next_page_token: page.cursor } : {}) },
  };
});
