import * as z from 'zod/mini';
import '../../zod-messages.ts';
import { artifactLimits } from '../../domain/artifacts.ts';
import {
  aliasChanges,
  aliasProblem,
  checksumSources,
  modelNameProblem,
  registryLimits,
} from '../../domain/registry.ts';
import { limits } from '../../limits.ts';
import {
  boundedJsonObject,
  boundedRecord,
  documentedAs,
  freeText,
  idSchema,
  keySchema,
  pageSize,
  pageToken,
  pathSafeKey,
  pathUnsafeReason,
  text,
  timestampSchema,
} from './text.ts';
import { tagFilterChecks } from './tag-filters.ts';

/**
 * The model registry's request and response shapes (docs/registry.md). Names
 * and aliases are checked here in full, with the same predicates the use cases
 * apply, so a bad one is a 400 naming the field before anything is read.
 */

const checkedBy = (problem: (value: string) => string | undefined) =>
  z.superRefine<string>((value, context) => {
    const message = problem(value);
    if (message) context.addIssue({ code: 'custom', message, input: value });
  });

export const modelNameSchema = documentedAs(z.string().check(checkedBy(modelNameProblem)), {
  minLength: 1,
  maxLength: registryLimits.nameLength,
  pattern: '^(?=.*\\S)[^\\u0000-\\u001f\\u007f-\\u009f/@]+$',
});
export const aliasSchema = documentedAs(z.string().check(checkedBy(aliasProblem)), {
  minLength: 1,
  maxLength: registryLimits.aliasLength,
  // Not `latest` (any case), `v<digits>` or a number: clients read those as versions.
  pattern: '^(?![lL][aA][tT][eE][sS][tT]$)(?![vV]?[0-9]+$)[A-Za-z0-9_-]+$',
});

/** A version number in a path or query: decimal digits, 1 to the largest number ever given out. */
const versionNumberText = z.pipe(
  z
    .string()
    .check(z.regex(/^[1-9]\d{0,8}$/, { error: `must be a version number from 1 to ${registryLimits.maxVersion}` })),
  z.transform((value) => Number(value)),
);
const versionNumber = z.int().check(z.gte(1), z.lte(registryLimits.maxVersion));

/** Free-form JSON kept with a version as it is (the seed's experiment id, run id and accuracy). */
const metadataSchema = boundedJsonObject(registryLimits.metadataBytes, registryLimits.metadataDepth);

const description = freeText(registryLimits.descriptionLength);

/**
 * Tag changes: a string sets the tag, null deletes it. A tag set is written, so its key reads as
 * itself as a path, as on every other write (`writtenKeySchema`); a deletion takes any key, so tags
 * written before that rule can still be removed.
 */
const tagChanges = z.record(keySchema, z.nullable(freeText(registryLimits.tagValueLength))).check(
  z.refine((record) => Object.keys(record).length <= registryLimits.tagsPerEntity, {
    error: `must have at most ${registryLimits.tagsPerEntity} entries`,
  }),
  z.superRefine((record, context) => {
    for (const [key, value] of Object.entries(record)) {
      if (value !== null && !pathSafeKey.test(key)) {
        context.addIssue({ code: 'custom', path: [key], message: pathUnsafeReason(key, 'v1'), input: key });
      }
    }
  }),
);

// ----- paths -----

export const modelNamePath = z.object({ model_name: modelNameSchema });
export const modelVersionPath = z.object({ model_name: modelNameSchema, version: versionNumberText });
export const modelAliasPath = z.object({ model_name: modelNameSchema, alias: aliasSchema });

// ----- requests -----

/** A model's or version's tags: values within the registry's own bound, not runs' (registryLimits). */
const registryTags = boundedRecord(freeText(registryLimits.tagValueLength), limits.tagsPerRequest);

export const createModelBody = z.strictObject({
  name: modelNameSchema,
  description: z.optional(description),
  tags: z.optional(registryTags),
});

export const updateModelBody = z.strictObject({
  new_name: z.optional(modelNameSchema),
  description: z.optional(z.nullable(description)),
  tags: z.optional(tagChanges),
});

/** The orders of GET /api/v1/models. */
export const modelListOrders = ['name', 'name DESC', 'updated_at', 'updated_at DESC'] as const;

export const listModelsQuery = z
  .looseObject({
    max_results: pageSize(limits.pageSizeMax, limits.pageSizeDefault),
    page_token: pageToken,
    name_prefix: z.optional(text(registryLimits.nameLength)),
    name_contains: z.optional(text(registryLimits.nameLength)),
    order_by: z._default(z.enum(modelListOrders), 'name').check(
      z.meta({
        description: 'By name, or by time of last change (`updated_at`, ties by name A to Z); `DESC` reverses',
      }),
    ),
  })
  .check(...tagFilterChecks(registryLimits.tagValueLength));

export const createVersionBody = z.strictObject({
  run_id: idSchema,
  // Bounded here; checked in full (and named) by the use case, as for run artifacts.
  artifact_path: z.string().check(z.minLength(1), z.maxLength(artifactLimits.pathBytes * 2)),
  description: z.optional(description),
  tags: z.optional(registryTags),
  metadata: z.optional(metadataSchema),
});

export const listVersionsQuery = z.object({
  max_results: pageSize(limits.pageSizeMax, limits.pageSizeDefault),
  page_token: pageToken,
});

export const updateVersionBody = z.strictObject({
  description: z.optional(z.nullable(description)),
  tags: z.optional(tagChanges),
});

export const setAliasBody = z.strictObject({ version: versionNumber });

export const aliasHistoryQuery = z.object({
  alias: z.optional(aliasSchema),
  until: z.optional(
    z.pipe(
      z.string().check(z.regex(/^\d{1,16}$/, { error: 'must be a time in epoch milliseconds' })),
      z.transform((value) => Number(value)),
    ),
  ),
  max_results: pageSize(limits.pageSizeMax, limits.pageSizeDefault),
  page_token: pageToken,
});

// ----- responses -----

const actor = z.object({ token_id: z.string() });

export const registeredModelResponse = z.object({
  name: z.string(),
  description: z.optional(z.string()),
  tags: z.record(z.string(), z.string()),
  aliases: z.array(z.object({ alias: z.string(), version: z.int() })),
  latest_version: z
    .int()
    .check(
      z.meta({ description: 'The highest version the model has now (0: none); a deleted version is not counted' }),
    ),
  created_at: timestampSchema,
  updated_at: timestampSchema,
});

export const modelListResponse = z.object({
  models: z.array(registeredModelResponse),
  next_page_token: z.optional(z.string()),
});

const versionFile = z.object({
  path: z.string().check(z.meta({ description: 'Where the file goes under a download of the version' })),
  artifact_path: z.string().check(z.meta({ description: 'The run artifact it is' })),
  size_bytes: z.int(),
  sha256: z.string(),
  sha256_source: z.enum(checksumSources).check(
    z.meta({
      description:
        's3: S3 checked it on upload; computed: the service hashed the stored bytes at registration; declared: the uploader said so',
    }),
  ),
});

export const modelVersionResponse = z.object({
  name: z.string(),
  version: z.int(),
  status: z.literal('READY'),
  source: z.discriminatedUnion('kind', [
    z.object({
      kind: z.enum(['file', 'folder']),
      run_id: z.string(),
      experiment_id: z.string(),
      artifact_path: z.string(),
    }),
    z.object({ kind: z.literal('prompt') }).check(
      z.meta({
        description:
          "A prompt's version (MLflow's prompt registry): no run and no files; its template is its tag mlflow.prompt.text",
      }),
    ),
  ]),
  description: z.optional(z.string()),
  tags: z.record(z.string(), z.string()),
  metadata: z.optional(z.record(z.string(), z.unknown())),
  files: z.array(versionFile),
  size_bytes: z.int(),
  aliases: z.array(z.string()),
  created_at: timestampSchema,
  updated_at: timestampSchema,
  created_by: actor,
});

export const versionListResponse = z.object({
  versions: z.array(modelVersionResponse),
  next_page_token: z.optional(z.string()),
});

export const aliasEventResponse = z.object({
  alias: z.string(),
  change: z.enum(aliasChanges),
  from_version: z.optional(z.int()),
  to_version: z.optional(z.int()),
  at: timestampSchema,
  by: actor,
});

export const aliasHistoryResponse = z.object({
  events: z.array(aliasEventResponse),
  next_page_token: z.optional(z.string()),
});

export const versionDownloadResponse = z.object({
  name: z.string(),
  version: z.int(),
  expires_at: timestampSchema,
  files: z.array(z.object({ path: z.string(), url: z.string(), size_bytes: z.int(), sha256: z.string() })),
});

export const deletedResponse = z.object({ deleted: z.literal(true) });
