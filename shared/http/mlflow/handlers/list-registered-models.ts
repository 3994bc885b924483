import { isPromptTagged, promptTagKey } from '../../../domain/prompts.ts';
import type { RegisteredModel } from '../../../domain/registry.ts';
import { answerPayloadBytes, fittingEntries } from '../../../domain/answer-size.ts';
import { ValidationError } from '../../../errors.ts';
import { registryRecordDeps } from '../../../runtime.ts';
import {
  latestVersionsOfModels,
  listRegisteredModels,
  searchRegisteredModelsByUpdate,
} from '../../../use-cases/model-registry.ts';
import { createMlflowHandler } from '../handler.ts';
import { mlflowSearchRegisteredModelsRoute } from '../../routes/mlflow-search-registered-models.ts';
import { asksForPrompts, conditionHolds, likeLiteral, parseRegistryFilter } from '../registry-filters.ts';
import { parseModelOrder } from '../registry-orders.ts';
import { mlflowRegisteredModel } from '../registry-views.ts';

export const mlflowSearchRegisteredModels = createMlflowHandler(
  mlflowSearchRegisteredModelsRoute,
  async ({ query }, { scope }) => {
    const order = parseModelOrder(query.order_by);
    const conditions = parseRegistryFilter(query.filter);
    const tags: Record<string, string> = Object.create(null);
    let namePrefix: string | undefined;
    let nameContains: string | undefined;
    let exactName: string | undefined;
    for (const condition of conditions) {
      const [value = ''] = condition.values;
      // The prompt tag is not an index filter: a model without it counts as 'false'.
      if (condition.field.kind === 'tag' && condition.operator === '=' && condition.field.key !== promptTagKey) {
        tags[condition.field.key] = value;
      } else if (condition.field.kind === 'name' && condition.operator === '=') {
        exactName = value;
      } else if (condition.field.kind === 'name' && (condition.operator === 'LIKE' || condition.operator === 'ILIKE')) {
        const literal = likeLiteral(value);
        if (condition.operator === 'LIKE' && literal.prefix !== undefined) namePrefix = literal.prefix;
        else if (literal.longest) nameContains = literal.longest;
      } else if (condition.field.kind !== 'name' && condition.field.kind !== 'tag') {
        throw new ValidationError(
          `filter: registered models have no ${condition.field.kind}; search model versions by ${condition.field.kind}`,
          'filter.invalid',
        );
      }
      // Other tag and name conditions (!=, IN, LIKE on a tag) are checked on each model read.
    }
    // MLflow's server takes a page size below 1 and finds nothing (its SQL LIMIT is max_results + 1 <= 0).
    // Its answer then carries a next_page_token back to the same offset or before it, which a client
    // following tokens would turn forever: this answers no models and no token.
    if (query.max_results < 1) return { body: { registered_models: [] } };
    const deps = registryRecordDeps();
    // As MLflow's server answers: each model with the latest version in each stage.
    const withLatestVersions = async (models: readonly RegisteredModel[]) => {
      const latest = await latestVersionsOfModels(scope, models, deps);
      return models.map((model) => mlflowRegisteredModel(model, latest.get(model.modelId)));
    };
    // As on MLflow's server, prompts only when the filter asks for them.
    const prompts = asksForPrompts(conditions);
    const matches = (model: RegisteredModel) =>
      (prompts || !isPromptTagged(model.tags)) &&
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
    // By name: the name index, its filters applied as it reads. By last change: the by-update list, checked here.
    const read = (limit: number) =>
      order.by === 'name'
        ? listRegisteredModels(
            scope,
            { descending: !order.ascending, namePrefix, nameContains, tags, limit, pageToken: query.page_token },
            deps,
          )
        : searchRegisteredModelsByUpdate(
            scope,
            {
              order: { newestFirst: !order.ascending, nameAscending: order.nameAscending, versionAscending: false },
              matches,
              limit,
              pageToken: query.page_token,
            },
            deps,
          );
    let page = await read(query.max_results);
    const kept = page.items.filter(matches);
    let models = await withLatestVersions(kept);
    // A page ends before its models' items pass the answer's budget, but each model's latest versions
    // (up to one a stage, each with its tags) are not in its item: when they make the views outgrow the
    // budget, the page is read again up to the last model that fits, so that its token follows that model.
    const fit = fittingEntries(models, models.length, answerPayloadBytes);
    if (fit < models.length) {
      page = await read(page.items.indexOf(kept[fit - 1] as RegisteredModel) + 1);
      models = models.slice(0, fit);
    }
    return {
      body: { registered_models: models, ...(page.cursor ? { next_page_token: page.cursor } : {}) },
    };
  },
);
