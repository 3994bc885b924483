import { parseVersionRef } from '../domain/registry.ts';
import { ConflictError } from '../errors.ts';
import type { ModelHoldsReader } from '../storage/model-holds.ts';
import type { RequestScope } from './deps.ts';

/**
 * Refuses (409, naming the versions) when model versions hold any of the run's
 * artifacts, or those under `pathPrefix`: what a run purge (and any artifact
 * delete) calls first. Registration needs a live run and a purge a deleted one,
 * so no version can appear between this check and the purge.
 */
export async function refuseIfHeldByModelVersions(
  scope: RequestScope,
  runId: string,
  action: string,
  deps: { holds: ModelHoldsReader },
  pathPrefix?: string,
): Promise<void> {
  const holds = await deps.holds.holdsOnRun(scope.workspace, runId, pathPrefix);
  if (holds.size === 0) return;
  const names: string[] = [];
  for (const ref of holds.keys()) {
    const parsed = parseVersionRef(ref);
    if (!parsed) continue;
    const name = await deps.holds.modelName(scope.workspace, parsed.modelId);
    names.push(`${name ?? parsed.modelId}/${parsed.version}`);
  }
  names.sort();
  const shown = names.slice(0, 20).join(', ') + (names.length > 20 ? ` and ${names.length - 20} more` : '');
  throw new ConflictError(
    'artifact.held_by_model_version',
    `${action}: the artifacts of run '${runId}' are held by the model versions ${shown}; versions are immutable, delete them first`,
  );
}
