import { createHandler } from '../shared/http/handler.ts';
import { aliasEventView } from '../shared/http/registry-views.ts';
import { getAliasHistoryRoute } from '../shared/http/routes/get-alias-history.ts';
import { registryRecordDeps } from '../shared/runtime.ts';
import { getAliasHistory } from '../shared/use-cases/model-registry.ts';
import { sealPageTokensWithDeploymentSecret } from '../shared/runtime-page-tokens.ts';

sealPageTokensWithDeploymentSecret();

const deps = registryRecordDeps();

export const handler = createHandler(getAliasHistoryRoute, async ({ path, query }, { scope }) => {
  const page = await getAliasHistory(
    scope,
    path.model_name,
    { alias: query.alias, until: query.until, limit: query.max_results, pageToken: query.page_token },
    deps,
  );
  return { body: { events: page.items.map(aliasEventView), next_page_token: page.cursor } };
});
