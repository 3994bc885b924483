import * as z from 'zod/mini';
import { datasetLimits, limits } from '../../limits.ts';
import { boundedRecord, freeText, nonEmptyText, text } from './text.ts';

/**
 * A dataset a run used, as MLflow's `log_input` records it, within MLflow's bounds (datasetLimits);
 * `context` is what the run used it for (training, evaluation), kept as MLflow keeps it, in the
 * tag `mlflow.data.context`.
 */
const datasetInput = z.strictObject({
  name: nonEmptyText(datasetLimits.nameLength),
  digest: nonEmptyText(datasetLimits.digestLength),
  source_type: nonEmptyText(datasetLimits.sourceTypeLength),
  source: freeText(datasetLimits.sourceLength),
  schema: z.optional(freeText(datasetLimits.schemaLength)),
  profile: z.optional(freeText(datasetLimits.profileLength)),
  context: z.optional(nonEmptyText(250)),
  tags: z.optional(boundedRecord(freeText(limits.tagValueLength), datasetLimits.tags)),
});

export const logRunInputsBody = z.strictObject({
  datasets: z.optional(
    z
      .array(datasetInput)
      .check(z.maxLength(datasetLimits.perRequest, { error: `must have at most ${datasetLimits.perRequest} entries` })),
  ),
  /** Logged models the run used (an evaluation, a fine-tune's base), by id. */
  models: z.optional(
    z
      .array(
        z.strictObject({
          model_id: text(64).check(
            z.regex(/^m-[0-9a-f]{32}$/, { error: "must be a logged model's id (m- and 32 hex characters)" }),
          ),
        }),
      )
      .check(z.maxLength(100, { error: 'must have at most 100 entries' })),
  ),
});
