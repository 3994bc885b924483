import type { Artifact } from '../../../domain/artifacts.ts';
import { isLoggedModelFile } from '../../../domain/logged-models.ts';
import { ValidationError } from '../../../errors.ts';
import { listArtifacts } from '../../../use-cases/artifacts.ts';
import type { ArtifactDeps } from '../../../use-cases/artifacts.ts';
import type { RequestScope } from '../../../use-cases/deps.ts';

/** Artifacts under one folder MLflow lists at most: its listings have no pages. */
const listingMaxArtifacts = 10_000;

/**
 * Every artifact under `directory` of a run (all of them for ''), for MLflow's one-level listings.
 * The files of the run's logged models are left out of its root and of `models`: MLflow 3 keeps a
 * model's files outside the run's artifact root, so its client and web app list a run without them
 * (and download a run's artifacts without its models). They stay at the model's `artifact_uri`, a
 * folder under the run's, which lists them as any folder.
 */
export async function artifactsUnder(
  scope: RequestScope,
  runId: string,
  directory: string,
  deps: Pick<ArtifactDeps, 'artifacts' | 'runs' | 'objects' | 'clock'>,
): Promise<Artifact[]> {
  const prefix = directory ? `${directory.replace(/\/+$/, '')}/` : undefined;
  const found: Artifact[] = [];
  let pageToken: string | undefined;
  do {
    const page = await listArtifacts(scope, runId, { prefix, limit: 1000, pageToken }, deps);
    found.push(...page.items);
    pageToken = page.cursor;
    if (found.length > listingMaxArtifacts) {
      throw new ValidationError(
        `path: more than ${listingMaxArtifacts} artifacts under '${directory}'; list a sub-folder, or use /api/v1 pages`,
        'path.too_many_artifacts',
      );
    }
  } while (pageToken);
  return directory === '' || directory === 'models'
    ? found.filter((artifact) => !isLoggedModelFile(artifact.path))
    : found;
}
