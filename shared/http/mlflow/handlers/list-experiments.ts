import { searchExperiments } from '../../../use-cases/experiments.ts';
import { createMlflowHandler } from '../handler.ts';
import { mlflowSearchExperimentsRoute } from '../../routes/mlflow-search-experiments.ts';
import { mlflowSearchExperimentsGetRoute } from '../../routes/mlflow-search-experiments-get.ts';
import { mlflowExperiment } from '../views.ts';
import { experimentRecordDeps } from '../../../runtime.ts';

const deps = () => experimentRecordDeps();

const searchAnswer = async (
  scope: Parameters<typeof searchExperiments>[0],
  request: {
    filter?: string | undefined;
    order_by?: readonly string[] | undefined;
    view_type: 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';
    max_results: number;
    page_token?: string | undefined;
  },
) => {
  const page = await searchExperiments(
    scope,
    {
      filter: request.filter,
      orderBy: request.order_by,
      view: request.view_type,
      limit: request.max_results,
      pageToken: request.page_token,
    },
    deps(),
  );
  return {
    body: { experiments: page.items.map(mlflowExperiment), ...(page.cursor ? { next_page_token: page.cursor } : {}) },
  };
};

export const mlflowSearchExperiments = createMlflowHandler(mlflowSearchExperimentsRoute, ({ body }, { scope }) =>
  searchAnswer(scope, body),
);

export const mlflowSearchExperimentsGet = createMlflowHandler(mlflowSearchExperimentsGetRoute, ({ query }, { scope }) =>
  searchAnswer(scope, { ...query, order_by: query.order_by?.split(',').filter(Boolean) }),
);
