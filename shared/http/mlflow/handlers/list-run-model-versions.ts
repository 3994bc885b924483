import { isPromptTagged } from '../../../domain/prompts.ts';
import { type ModelVersion, sourceRunOf } from '../../../domain/registry.ts';
import { NotFoundError, ValidationError } from '../../../errors.ts';
import { registryRecordDeps } from '../../../runtime.ts';
import type { Page } from '../../../domain/types.ts';
import {
  listModelVersions,
  listRunModelVersions,
  searchModelVersionsByUpdate,
} from '../../../use-cases/model-registry.ts';
import { createMlflowHandler } from '../handler.ts';
import { mlflowSearchModelVersionsRoute } from '../../routes/mlflow-search-model-versions.ts';
import { mlflowRegistryLimits } from '../registry-schemas.ts';
import { asksForPrompts, conditionHolds, type FilterCondition, parseRegistryFilter } from '../registry-filters.ts';
import { type OrderClause, parseVersionOrder, type VersionOrderKey } from '../registry-orders.ts';
import { mlflowModelVersion, mlflowVersionSource } from '../registry-views.ts';

/** The one value a condition pins its field to (`=`, or IN with one value). */
const pinned = (conditions: FilterCondition[], kind: 'name' | 'run_id') =>
  conditions.find(
    (condition) =>
      condition.field.kind === kind &&
      (condition.operator === '=' || (condition.operator === 'IN' && condition.values.length === 1)),
  )?.values[0];

function fieldValue(version: ModelVersion, condition: FilterCondition): string | undefined {
  const { field } = condition;
  switch (field.kind) {
    case 'name':
      return version.modelName;
    case 'run_id':
      return sourceRunOf(version.source)?.runId ?? '';
    case 'source_path':
      return mlflowVersionSource(version);
    case 'version_number':
      return String(version.version);
    case 'tag':
      return Object.hasOwn(version.tags, field.key) ? version.tags[field.key] : undefined;
  }
}

/**
 * One model's or one run's versions are read from that model's partition or
 * that run's index, by number or creation; every other search reads the
 * workspace's versions by time of last change. The answer is the same order
 * MLflow's server gives; an order that neither read gives is a 400.
 */
function readPlan(clauses: OrderClause<VersionOrderKey>[], given: boolean, pin: boolean) {
  const [first] = clauses as [OrderClause<VersionOrderKey>, ...OrderClause<VersionOrderKey>[]];
  if (pin) {
    if (!given) return { by: 'pin' as const, oldestFirst: false };
    if (first.key === 'version_number' || first.key === 'creation_timestamp') {
      return { by: 'pin' as const, oldestFirst: first.ascending };
    }
    throw new ValidationError(
      `order_by: the versions of one model or run (name = '…' or run_id = '…') are listed by version_number or creation_timestamp; '${first.key}' orders the workspace's versions: leave the name or run out of the filter`,
      'order_by.invalid',
    );
  }
  const ties = clauses.slice(1);
  if (first.key !== 'last_updated_timestamp' || ties.some((clause) => clause.key === 'creation_timestamp')) {
    throw new ValidationError(
      `order_by: without name = '…' or run_id = '…' in the filter, versions are listed by last_updated_timestamp (ties by name and version_number); '${first.key}' first orders one model's or one run's versions`,
      'order_by.invalid',
    );
  }
  const name = ties.findIndex((clause) => clause.key === 'name');
  const version = ties.findIndex((clause) => clause.key === 'version_number');
  return {
    by: 'update' as const,
    order: {
      newestFirst: !first.ascending,
      nameAscending: ties[name]?.ascending ?? true,
      versionAscending: ties[version]?.ascending ?? false,
      versionBeforeName: version < name,
    },
  };
}

/**
 * MLflow's version search. By model (`name = '…'`) or by run (`run_id = '…'`)
 * it reads that model's or run's versions, newest first; otherwise the
 * workspace's by last change, as MLflow's server lists them by default. The
 * other conditions are checked on each version read, and prompts (versions
 * tagged `mlflow.prompt.is_prompt`) are left out unless the filter asks for
 * them, as on MLflow's server. A model or run that does not exist has no
 * versions (MLflow answers an empty list, not a 404), unless a page token
 * claims to continue its list.
 */
export const mlflowSearchModelVersions = createMlflowHandler(
  mlflowSearchModelVersionsRoute,
  async ({ query }, { scope }) => {
    // MLflow's store checks the page size first, in these words (not "Invalid value ... for parameter").
    if (query.max_results < 1) {
      throw new ValidationError(
        `Invalid value for max_results. It must be a positive integer, but got ${query.max_results}`,
        'max_results.invalid',
      );
    }
    const clauses = parseVersionOrder(query.order_by);
    const conditions = parseRegistryFilter(query.filter);
    const runId = pinned(conditions, 'run_id');
    const name = pinned(conditions, 'name');
    const plan = readPlan(clauses, (query.order_by ?? '').trim() !== '', runId !== undefined || name !== undefined);
    const prompts = asksForPrompts(conditions);
    const matches = (version: ModelVersion) =>
      (prompts || !isPromptTagged(version.tags)) &&
      conditions.every((condition) => conditionHolds(condition, fieldValue(version, condition)));
    const deps = registryRecordDeps();
    const limit = Math.min(query.max_results, mlflowRegistryLimits.searchVersionsPage);
    let page: Page<ModelVersion>;
    if (plan.by === 'update') {
      page = await searchModelVersionsByUpdate(
        scope,
        { order: plan.order, matches, limit, pageToken: query.page_token },
        deps,
      );
    } else {
      const request = { limit, pageToken: query.page_token, oldestFirst: plan.oldestFirst };
      try {
        const read =
          runId !== undefined
            ? await listRunModelVersions(scope, runId, request, deps)
            : await listModelVersions(scope, name as string, request, deps);
        page = { items: read.items.filter(matches), cursor: read.cursor };
      } catch (error) {
        // A page token cannot continue a list that is not there: that stays an error.
        if (error instanceof NotFoundError && query.page_token === undefined) return { body: { model_versions: [] } };
        throw error;
      }
    }
    return {
      body: {
        model_versions: page.items.map(mlflowModelVersion),
        ...(page.cursor ? { next_page_token: page.cursor } : {}),
      },
    };
  },
);
