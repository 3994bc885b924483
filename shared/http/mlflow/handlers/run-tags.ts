import type { Tags } from '../../../domain/types.ts';
import { requireParentFor, type RunEndDeps, setRunParent, updateRun } from '../../../use-cases/lifecycle.ts';
import { setRunTags } from '../../../use-cases/runs.ts';
import type { RequestScope } from '../../../use-cases/deps.ts';
import { parentRunTag, runNameTag } from '../views.ts';

/**
 * Sets tags as MLflow does: `mlflow.runName` renames the run and `mlflow.parentRunId`
 * nests it (Stratus keeps both as fields, shown as those tags), the others are tags.
 */
export async function setMlflowRunTags(scope: RequestScope, runId: string, tags: Tags, deps: RunEndDeps) {
  const { [runNameTag]: runName, [parentRunTag]: parentRunId, ...rest } = tags;
  if (parentRunId !== undefined) await requireParentFor(scope, runId, parentRunId, deps);
  if (runName !== undefined) await updateRun(scope, runId, { runName }, deps);
  if (parentRunId !== undefined) await setRunParent(scope, runId, parentRunId, deps);
  if (Object.keys(rest).length > 0) await setRunTags(scope, runId, rest, deps);
}
