import { workspaceView } from '../shared/http/access-views.ts';
import { createHandler } from '../shared/http/handler.ts';
import { routes } from '../shared/http/routes.ts';
import { accessDeps } from '../shared/runtime.ts';
import { listWorkspaces } from '../shared/use-cases/access.ts';

const deps = accessDeps();

export const handler = createHandler(routes.listWorkspaces, async ({ query }) => {
  const page = await listWorkspaces({ limit: query.max_results, pageToken: query.page_token }, deps);
  return { body: { workspaces: page.items.map(workspaceView), next_page_token: page.cursor } };
});
