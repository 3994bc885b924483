import { tokenView, workspaceView } from '../shared/http/access-views.ts';
import { createHandler } from '../shared/http/handler.ts';
import { createWorkspaceRoute } from '../shared/http/routes/create-workspace.ts';
import { accessDeps } from '../shared/runtime.ts';
import { createWorkspace } from '../shared/use-cases/access.ts';

const deps = accessDeps();

export const handler = createHandler(createWorkspaceRoute, async ({ body }) => {
  const { workspace, admin } = await createWorkspace({ workspaceId: body.workspace_id, name: body.name }, deps);
  return {
    body: { workspace: workspaceView(workspace), admin_token: { ...tokenView(admin.record), token: admin.token } },
  };
});
