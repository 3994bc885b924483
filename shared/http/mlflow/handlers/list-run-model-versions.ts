import type { ModelVersion } from '../../../domain/registry.ts';
import { NotFoundError, ValidationError } from '../../../errors.ts';
import { registryRecordDeps } from '../../../runtime.ts';
import type { Page } from '../../../domain/types.ts';
import { listModelVersions, listRunModelVersions } from '../../../use-cases/model-registry.ts';
import { createMlflowHandler } from '../handler.ts';
import { mlflowSearchModelVersionsRoute } from '../../routes/mlflow-search-model-versions.ts';
import { mlflowRegistryLimits } from '../registry-schemas.ts';
import { conditionHolds, type FilterCondition, parseRegistryFilter } from '../registry-filters.ts';
import { mlflowModelVersion } from '../registry-views.ts';

const versionOrderings = new Set(['version_number desc', 'creation_timestamp desc']);

/** The one value a condition pins its field to (`=`, or IN with one value). */
const pinned = (conditions: FilterCondition[], kind: 'name' | 'run_id') =>
  conditions.find(
    (condition) =>
      condition.field.kind === kind &&
      (condition.operator === '=' || (condition.operator === 'IN' && condition.values.length === 1)),
  )?.values[0];

function fieldValue(version: ModelVersion, condition: FilterCondition): string | undefined {
  const { field } = condition;
  if (field.kind === 'name') return version.modelName;
  if (field.kind === 'run_id') return version.source.runId;
  return Object.hasOwn(version.tags, field.key) ? version.tags[field.key] : undefined;
}

/**
 * MLflow's version search, read by model (`name = '…'`) or by run
 * (`run_id = '…'`), newest first; the other conditions are checked on each
 * version read. A search naming neither would read the whole workspace, so it
 * is refused. A model or run that does not exist has no versions (MLflow answers
 * an empty list, not a 404), unless a page token claims to continue its list.
 */
export const mlflowSearchModelVersions = createMlflowHandler(
  mlflowSearchModelVersionsRoute,
  async ({ query }, { scope }) => {
    for (const order of query.order_by?.split(',') ?? []) {
      if (!versionOrderings.has(order.trim().replace(/\s+/g, ' ').toLowerCase())) {
        throw new ValidationError(
          `order_by: versions are listed newest first ('version_number DESC'); '${order.trim()}' is not supported`,
          'order_by.invalid',
        );
      }
    }
    const conditions = parseRegistryFilter(query.filter);
    const runId = pinned(conditions, 'run_id');
    const name = pinned(conditions, 'name');
    if (runId === undefined && name === undefined) {
      throw new ValidationError(
        "filter: must contain name = '<model name>' or run_id = '<run id>'; versions are read by model or by run",
        'filter.invalid',
      );
    }
    const deps = registryRecordDeps();
    const request = {
      limit: Math.min(query.max_results, mlflowRegistryLimits.searchVersionsPage),
      pageToken: query.page_token,
    };
    let page: Page<ModelVersion>;
    try {
      page =
        runId !== undefined
          ? await listRunModelVersions(scope, runId, request, deps)
          : await listModelVersions(scope, name as string, request, deps);
    } catch (error) {
      // A page token cannot continue a list that is not there: that stays an error.
      if (error instanceof NotFoundError && query.page_token === undefined) return { body: { model_versions: [] } };
      throw error;
    }
    const matches = (version: ModelVersion) =>
      conditions.every((condition) => conditionHolds(condition, fieldValue(version, condition)));
    return {
      body: {
        model_versions: page.items.filter(matches).map(mlflowModelVersion),
        ...(page.cursor ? { next_page_token: page.cursor } : {}),
      },
    };
  },
);
