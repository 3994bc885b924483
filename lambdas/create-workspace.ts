import { tokenView, workspaceView } from '../shared/http/access-views.ts';
import { createHandler } from '../shared/http/handler.ts';
import { routes } from '../shared/http/routes.ts';
import { accessDeps } from '../shared/runtime.ts';
import { createWorkspace } from '../shared/use-cases/access.ts';

const deps = accessDeps();

export const handler = createHandler(routes.createWorkspace, async ({ body }) => {
  const { workspace, admin } = await createWorkspace({ workspaceId: body.workspace_id, name: body.name }, deps);
  return {
    body: { workspace: workspaceView(workspace), admin_token: { ...tokenView(admin.record), token: admin.token } },
  };
});
