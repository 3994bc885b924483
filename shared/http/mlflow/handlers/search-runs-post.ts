import { searchDeps } from '../../../runtime.ts';
import { defaultExperimentId, getExperiment } from '../../../use-cases/experiments.ts';
import { parseFilter, parseOrderBy } from '../../../domain/search/parser.ts';
import { searchRuns } from '../../../use-cases/search.ts';
import { createMlflowHandler } from '../handler.ts';
import { mlflowSearchRunsRoute } from '../../routes/mlflow-search-runs.ts';
import { boundedMlflowRun } from '../views.ts';
import { searchPlanHeader } from '../../search-plan-header.ts';

export const mlflowSearchRuns = createMlflowHandler(mlflowSearchRunsRoute, async ({ body }, { scope }) => {
  if (body.experiment_ids.length === 0) {
    // MLflow's server searches no experiment and finds no run (what its auth filter can leave, too);
    // the filter and order are still checked, as there.
    parseFilter(body.filter ?? '');
    parseOrderBy(body.order_by ?? []);
    return { body: {} };
  }
  const deps = searchDeps();
  // The default experiment exists as soon as a client names it.
  if (body.experiment_ids.includes(defaultExperimentId)) await getExperiment(scope, defaultExperimentId, deps);
  const result = await searchRuns(
    scope,
    {
      experimentIds: body.experiment_ids,
      filter: body.filter,
      orderBy: body.order_by,
      view: body.run_view_type,
      limit: body.max_results,
      pageToken: body.page_token,
      // MLflow's server searches an experiment that is not there and finds no run in it.
      unknownExperiments: 'skip',
      withIo: true,
    },
    deps,
  );
  return {
    body: {
      // MLflow's server answers a found run's datasets and model outputs, not the models it used (get_run does).
      runs: result.runs.map((run) => boundedMlflowRun(run, run.io && { ...run.io, modelInputs: [] })),
      ...(result.cursor ? { next_page_token: result.cursor } : {}),
    },
    headers: searchPlanHeader(result.plan),
  };
});
