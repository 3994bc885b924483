import * as z from 'zod/mini';
import '../../zod-messages.ts';
import { limits } from '../../limits.ts';
import { freeText, keySchema, nameSchema, text } from '../schemas/text.ts';
import { integer, keyValue, mlflowExperimentId, mlflowId, pageToken, protoEnum, tagList } from './fields.ts';

/** MLflow 3's logged-model request shapes (mlflow/protos/service.proto), validated as in schemas.ts. */
export const loggedModelIdPath = z.object({ model_id: mlflowId });
export const loggedModelTagPath = z.object({ model_id: mlflowId, tag_key: keySchema });
export const createLoggedModelBody = z.object({
  experiment_id: mlflowExperimentId,
  name: z.optional(nameSchema),
  model_type: z.optional(text(250)),
  source_run_id: z.optional(mlflowId),
  params: z.optional(z.array(keyValue(limits.paramValueLength)).check(z.maxLength(limits.paramsPerRequest))),
  tags: z.optional(tagList(limits.tagsPerRequest)),
});
/**
 * LoggedModelStatus by name or number (1 PENDING to 3 UPLOAD_FAILED), as MLflow's server takes it. Anything
 * else, and 0 (UNSPECIFIED), is a 400 naming `status`; MLflow's server stores it as UNSPECIFIED.
 */
export const finalizeLoggedModelBody = z.object({
  model_id: z.optional(mlflowId),
  status: protoEnum(['LOGGED_MODEL_PENDING', 'LOGGED_MODEL_READY', 'LOGGED_MODEL_UPLOAD_FAILED']),
});
export const setLoggedModelTagsBody = z.object({ tags: tagList(limits.tagsPerRequest) });
export const logLoggedModelParamsBody = z.object({
  params: z.array(keyValue(limits.paramValueLength)).check(z.maxLength(limits.paramsPerRequest)),
});
export const searchLoggedModelsBody = z.object({
  experiment_ids: z
    .array(mlflowExperimentId)
    .check(z.minLength(1, { error: 'must name at least one experiment' }), z.maxLength(20)),
  filter: z.optional(freeText(2000)),
  datasets: z.optional(
    z.array(z.object({ dataset_name: text(500), dataset_digest: z.optional(text(64)) })).check(z.maxLength(20)),
  ),
  /**
   * As MLflow's server reads it (`max_results or 100`, then SQL `LIMIT max_results + 1`): 0 is
   * proto3's unset, the default page, and one below 0 finds nothing (handlers/get-logged-model.ts).
   */
  max_results: z._default(integer(Number.MIN_SAFE_INTEGER, 1000), 0),
  order_by: z.optional(
    z
      .array(
        z.object({
          field_name: text(250),
          ascending: z.optional(z.boolean()),
          dataset_name: z.optional(text(500)),
          dataset_digest: z.optional(text(64)),
        }),
      )
      .check(z.maxLength(10)),
  ),
  page_token: pageToken,
});
