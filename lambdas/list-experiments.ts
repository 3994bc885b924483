import { viewOfLifecycle } from '../shared/http/schemas/lifecycle.ts';
import { createHandler, serveRoutes } from '../shared/http/handler.ts';
import {
  mlflowSearchExperiments,
  mlflowSearchExperimentsGet,
} from '../shared/http/mlflow/handlers/list-experiments.ts';
import { tagFilters } from '../shared/http/inputs.ts';
import { listExperimentsRoute } from '../shared/http/routes/list-experiments.ts';
import { experimentView } from '../shared/http/views.ts';
import { experimentRecordDeps } from '../shared/runtime.ts';
import { listExperiments } from '../shared/use-cases/experiments.ts';
import { sealPageTokensWithDeploymentSecret } from '../shared/runtime-page-tokens.ts';

sealPageTokensWithDeploymentSecret();

const deps = experimentRecordDeps();

export const handler = serveRoutes(
  createHandler(listExperimentsRoute, async ({ query }, { scope }) => {
    const page = await listExperiments(
      scope,
      {
        limit: query.max_results,
        pageToken: query.page_token,
        tags: tagFilters(query),
        view: viewOfLifecycle(query.lifecycle),
        nameContains: query.name_contains,
      },
      deps,
    );
    return { body: { experiments: page.items.map(experimentView), next_page_token: page.cursor } };
  }),
  mlflowSearchExperiments,
  mlflowSearchExperimentsGet,
);
