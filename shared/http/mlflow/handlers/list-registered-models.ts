import type { RegisteredModel } from '../../../domain/registry.ts';
import { ValidationError } from '../../../errors.ts';
import { registryRecordDeps } from '../../../runtime.ts';
import { latestVersionsOfModels, listRegisteredModels } from '../../../use-cases/model-registry.ts';
import { createMlflowHandler } from '../handler.ts';
import { mlflowSearchRegisteredModelsRoute } from '../../routes/mlflow-search-registered-models.ts';
import { conditionHolds, likeLiteral, parseRegistryFilter } from '../registry-filters.ts';
import { mlflowRegisteredModel } from '../registry-views.ts';

const modelOrderings = new Set(['name', 'name asc']);

export const mlflowSearchRegisteredModels = createMlflowHandler(
  mlflowSearchRegisteredModelsRoute,
  async ({ query }, { scope }) => {
    for (const order of query.order_by?.split(',') ?? []) {
      if (!modelOrderings.has(order.trim().replace(/\s+/g, ' ').toLowerCase())) {
        throw new ValidationError(
          `order_by: registered models are listed in name order ('name ASC'); '${order.trim()}' is not supported`,
          'order_by.invalid',
        );
      }
    }
    const conditions = parseRegistryFilter(query.filter);
    const tags: Record<string, string> = Object.create(null);
    let namePrefix: string | undefined;
    let nameContains: string | undefined;
    let exactName: string | undefined;
    for (const condition of conditions) {
      const [value = ''] = condition.values;
      if (condition.field.kind === 'tag' && condition.operator === '=') {
        tags[condition.field.key] = value;
      } else if (condition.field.kind === 'name' && condition.operator === '=') {
        exactName = value;
      } else if (condition.field.kind === 'name' && (condition.operator === 'LIKE' || condition.operator === 'ILIKE')) {
        const literal = likeLiteral(value);
        if (condition.operator === 'LIKE' && literal.prefix !== undefined) namePrefix = literal.prefix;
        else if (literal.longest) nameContains = literal.longest;
      } else if (condition.field.kind === 'run_id') {
        throw new ValidationError(
          'filter: registered models have no run_id; search model versions by run_id',
          'filter.invalid',
        );
      }
      // Other tag and name conditions (!=, IN, LIKE on a tag) are checked on each model read.
    }
    const deps = registryRecordDeps();
    // As MLflow's server answers: each model with the latest version in each stage.
    const withLatestVersions = async (models: readonly RegisteredModel[]) => {
      const latest = await latestVersionsOfModels(scope, models, deps);
      return models.map((model) => mlflowRegisteredModel(model, latest.get(model.modelId)));
    };
    const matches = (model: RegisteredModel) =>
      conditions.every((condition) =>
        conditionHolds(
          condition,
          condition.field.kind === 'name'
            ? model.name
            : condition.field.kind === 'tag' && Object.hasOwn(model.tags, condition.field.key)
              ? model.tags[condition.field.key]
              : undefined,
        ),
      );
    if (exactName !== undefined) {
      // One name names at most one model: no page to turn.
      const found = await deps.registry.findModelByName(scope.workspace, exactName);
      const models = found && !found.deleting && matches(found) ? [found] : [];
      return { body: { registered_models: await withLatestVersions(models) } };
    }
    const page = await listRegisteredModels(
      scope,
      { namePrefix, nameContains, tags, limit: query.max_results, pageToken: query.page_token },
      deps,
    );
    return {
      body: {
        registered_models: await withLatestVersions(page.items.filter(matches)),
        ...(page.cursor ? { next_page_token: page.cursor } : {}),
      },
    };
  },
);
