import type { Tags } from '../../../domain/types.ts';
import { type RunEndDeps, updateRun } from '../../../use-cases/lifecycle.ts';
import { setRunTags } from '../../../use-cases/runs.ts';
import type { RequestScope } from '../../../use-cases/deps.ts';
import { runNameTag } from '../views.ts';

/**
 * Sets tags as MLflow does: `mlflow.runName` renames the run (Stratus keeps the
 * name as a field, shown as that tag), the others are tags.
 */
export async function setMlflowRunTags(scope: RequestScope, runId: string, tags: Tags, deps: RunEndDeps) {
  const { [runNameTag]: runName, ...rest } = tags;
  if (runName !== undefined) await updateRun(scope, runId, { runName }, deps);
  if (Object.keys(rest).length > 0) await setRunTags(scope, runId, rest, deps);
}
