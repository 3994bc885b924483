import { workspaceView } from '../shared/http/access-views.ts';
import { createHandler } from '../shared/http/handler.ts';
import { listWorkspacesRoute } from '../shared/http/routes/list-workspaces.ts';
import { accessDeps } from '../shared/runtime.ts';
import { listWorkspaces } from '../shared/use-cases/access.ts';
import { sealPageTokensWithDeploymentSecret } from '../shared/runtime-page-tokens.ts';

sealPageTokensWithDeploymentSecret();

const deps = accessDeps();

export const handler = createHandler(listWorkspacesRoute, async ({ query }) => {
  const page = await listWorkspaces({ limit: query.max_results, pageToken: query.page_token }, deps);
  return { body: { workspaces: page.items.map(workspaceView), next_page_token: page.cursor } };
});
