import { artifactDeps } from '../../../runtime.ts';
import { createMlflowHandler } from '../handler.ts';
import { directoryListing, folderToList, parseProxiedPath, requestRunId } from '../inputs.ts';
import { mlflowListArtifactsRoute } from '../../routes/mlflow-list-artifacts.ts';
import { mlflowListArtifactsProxiedRoute } from '../../routes/mlflow-list-artifacts-proxied.ts';
import { runArtifactUri } from '../views.ts';
import { artifactsUnder } from './artifact-listing.ts';

/** The tracking API's listing: paths relative to the run's artifact root. */
export const mlflowListArtifacts = createMlflowHandler(mlflowListArtifactsRoute, async ({ query }, { scope }) => {
  const deps = artifactDeps();
  const runId = requestRunId(query);
  const directory = folderToList(query.path ?? '');
  const artifacts = await artifactsUnder(scope, runId, directory, deps);
  const run = await deps.runs.get(scope.workspace, runId);
  return {
    body: {
      root_uri: run ? runArtifactUri(run) : '',
      files: directoryListing(artifacts, directory, false),
    },
  };
});

/** The proxy API's listing: names relative to the folder listed. */
export const mlflowListArtifactsProxied = createMlflowHandler(
  mlflowListArtifactsProxiedRoute,
  async ({ query }, { scope }) => {
    const target = parseProxiedPath(query.path ?? '');
    const directory = folderToList(target.path);
    const artifacts = await artifactsUnder(scope, target.runId, directory, artifactDeps());
    return { body: { files: directoryListing(artifacts, directory, true) } };
  },
);
