import { createHandler } from '../shared/http/handler.ts';
import { tagFilters } from '../shared/http/inputs.ts';
import { listExperimentsRoute } from '../shared/http/routes/list-experiments.ts';
import { experimentView } from '../shared/http/views.ts';
import { trackingDeps } from '../shared/runtime.ts';
import { listExperiments } from '../shared/use-cases/experiments.ts';

const deps = trackingDeps();

export const handler = createHandler(listExperimentsRoute, async ({ query }, { scope }) => {
  const page = await listExperiments(
    scope,
    {
      limit: query.max_results,
      pageToken: query.page_token,
      tags: tagFilters(query),
      nameContains: query.name_contains,
    },
    deps,
  );
  return { body: { experiments: page.items.map(experimentView), next_page_token: page.cursor } };
});
