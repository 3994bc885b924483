import * as z from 'zod/mini';
import '../../zod-messages.ts';
import { artifactLimits } from '../../domain/artifacts.ts';
import { registryLimits } from '../../domain/registry.ts';
import { freeText, maxUtf8Bytes, text } from '../schemas/text.ts';
import { mlflowEntityKey } from './entity-keys.ts';
import { pageToken } from './fields.ts';
import { modelNameSchema } from '../schemas/registry.ts';
import { mlflowAliasText, mlflowVersionRef } from './registry-refs.ts';

/**
 * MLflow's model-registry request shapes (mlflow/protos/model_registry.proto),
 * checked at the edge like the rest of the dialect: a 400
 * `INVALID_PARAMETER_VALUE` naming the field. Names are checked by the same
 * predicates as the /api/v1 routes; versions and aliases are read as MLflow's
 * server reads them (registry-refs.ts). Versions are strings in MLflow ("3");
 * numbers are accepted too.
 */

/** MLflow's page sizes (mlflow/store/model_registry/__init__.py), bounded lower where ours are. */
export const mlflowRegistryLimits = {
  searchModelsDefault: 100,
  searchModelsMax: 1000,
  /**
   * MLflow's client asks for 10,000 versions a page (and may ask up to 200,000);
   * a page holds at most 1,000, with a next_page_token for the rest.
   */
  searchVersionsDefault: 10_000,
  searchVersionsAsked: 200_000,
  searchVersionsPage: 1000,
  tagsPerRequest: registryLimits.tagsPerEntity,
} as const;

/** A run id as MLflow sends it (Stratus ids; the same rule as the tracking routes'). */
const mlflowId = z
  .string()
  .check(
    z.minLength(1, { error: 'must not be empty' }),
    z.maxLength(64, { error: 'must be at most 64 characters' }),
    z.regex(/^[0-9A-Za-z_-]+$/, { error: 'must be an id (letters, digits, _ and -)' }),
  );

/**
 * Answers are MLflow's own objects, rendered by registry-views.ts. Declared here
 * rather than imported from schemas.ts, so a registry function does not carry
 * the tracking routes' schemas.
 */
export const mlflowRegistryObject = z.record(z.string(), z.unknown());
export const mlflowRegistryPage = z.looseObject({ next_page_token: z.optional(z.string()) });

const description = freeText(registryLimits.descriptionLength);
/** Left out (or null), a tag's value is empty, as on MLflow's server (a proto string's default). */
const tagValue = z._default(freeText(registryLimits.tagValueLength), '');
// MLflow's server checks tag keys as names on every registry tag write and delete.
const tagList = z.array(z.object({ key: mlflowEntityKey, value: tagValue })).check(
  z.maxLength(mlflowRegistryLimits.tagsPerRequest, {
    error: `must have at most ${mlflowRegistryLimits.tagsPerRequest} entries`,
  }),
);
/**
 * A page size up to `max`. One below 1 is read here and answered by the route as MLflow's server
 * answers it: registered-models/search finds nothing, model-versions/search refuses it in its words.
 */
const pageSize = (fallback: number, max: number) =>
  z._default(
    z
      .pipe(
        z.union([z.int(), z.string().check(z.regex(/^-?\d+$/, { error: 'must be an integer' }))]),
        z.transform((value) => Number(value)),
      )
      .check(z.refine((value) => value <= max, { error: `must be at most ${max}` })),
    fallback,
  );
/** A GET query carries one order key per parameter; API Gateway joins repeats with commas. */
const orderByQuery = z.optional(text(500));

export const modelNameQuery = z.object({ name: modelNameSchema });
export const modelNameBody = z.object({ name: modelNameSchema });

export const createRegisteredModelBody = z.object({
  name: modelNameSchema,
  tags: z.optional(tagList),
  description: z.optional(description),
});
export const renameRegisteredModelBody = z.object({ name: modelNameSchema, new_name: modelNameSchema });
export const updateRegisteredModelBody = z.object({ name: modelNameSchema, description: z.optional(description) });
export const searchRegisteredModelsQuery = z.object({
  filter: z.optional(freeText(2000)),
  max_results: pageSize(mlflowRegistryLimits.searchModelsDefault, mlflowRegistryLimits.searchModelsMax),
  order_by: orderByQuery,
  page_token: pageToken,
});
const latestStages = z.array(text(50)).check(z.maxLength(10, { error: 'must have at most 10 entries' }));
export const getLatestVersionsBody = z.object({ name: modelNameSchema, stages: z.optional(latestStages) });
/** The GET form's: `stages` repeated, which API Gateway joins with commas (no stage holds one). */
export const getLatestVersionsQuery = z.object({
  name: modelNameSchema,
  stages: z.optional(
    z.pipe(
      z.pipe(
        text(550),
        z.transform((joined) => joined.split(',')),
      ),
      latestStages,
    ),
  ),
});
export const setRegisteredModelTagBody = z.object({ name: modelNameSchema, key: mlflowEntityKey, value: tagValue });
export const deleteRegisteredModelTagBody = z.object({ name: modelNameSchema, key: mlflowEntityKey });

export const createModelVersionBody = z.object({
  name: modelNameSchema,
  /** `runs:/<run id>/<path>`, `models:/<logged model id>`, or a run's `mlflow-artifacts:` URI. */
  source: text(4096).check(z.minLength(1, { error: 'must not be empty' })),
  run_id: z.optional(mlflowId),
  tags: z.optional(tagList),
  run_link: z.optional(text(4096)),
  description: z.optional(description),
  model_id: z.optional(mlflowId),
});
export const modelVersionQuery = z.object({ name: modelNameSchema, version: mlflowVersionRef });
/** MLflow's `/model-versions/get-artifact`: one file of a version, by its path under the version's source. */
export const modelVersionArtifactQuery = z.object({
  name: modelNameSchema,
  version: mlflowVersionRef,
  path: z.string().check(z.maxLength(artifactLimits.pathBytes), maxUtf8Bytes(artifactLimits.pathBytes)),
});
export const modelVersionBody = z.object({ name: modelNameSchema, version: mlflowVersionRef });
export const updateModelVersionBody = z.object({
  name: modelNameSchema,
  version: mlflowVersionRef,
  description: z.optional(description),
});
/** MLflow's transition-stage: `stage` in any letter case (checked by the use case, which names the stages). */
export const transitionStageBody = z.object({
  name: modelNameSchema,
  version: mlflowVersionRef,
  stage: text(50),
  archive_existing_versions: z.optional(z.boolean()),
});
export const searchModelVersionsQuery = z.object({
  filter: z.optional(freeText(2000)),
  max_results: pageSize(mlflowRegistryLimits.searchVersionsDefault, mlflowRegistryLimits.searchVersionsAsked),
  order_by: orderByQuery,
  page_token: pageToken,
});
export const setModelVersionTagBody = z.object({
  name: modelNameSchema,
  version: mlflowVersionRef,
  key: mlflowEntityKey,
  value: tagValue,
});
export const deleteModelVersionTagBody = z.object({
  name: modelNameSchema,
  version: mlflowVersionRef,
  key: mlflowEntityKey,
});

export const setAliasBody = z.object({ name: modelNameSchema, alias: mlflowAliasText, version: mlflowVersionRef });
export const aliasBody = z.object({ name: modelNameSchema, alias: mlflowAliasText });
export const aliasQuery = z.object({ name: modelNameSchema, alias: mlflowAliasText });
