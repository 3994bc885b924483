import { createHandler } from '../shared/http/handler.ts';
import { routes } from '../shared/http/routes.ts';
import { artifactDeps } from '../shared/runtime.ts';
import { abortUpload } from '../shared/use-cases/artifacts.ts';

const deps = artifactDeps();

export const handler = createHandler(routes.abortArtifactUpload, async ({ path, body }, { scope }) => {
  const aborted = await abortUpload(scope, path.run_id, { path: body.path, uploadId: body.upload_id }, deps);
  return { body: { path: aborted.path, upload_id: aborted.uploadId, status: 'ABORTED' } };
});
