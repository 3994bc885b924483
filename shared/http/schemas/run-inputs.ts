import * as z from 'zod/mini';
import { limits } from '../../limits.ts';
import { boundedRecord, freeText, nonEmptyText, text } from './text.ts';

/**
 * A dataset a run used, as MLflow's `log_input` records it, with its bounds (MLflow's own:
 * a name of 500 characters, a digest of 36, a source of 64 KiB, a schema or profile of
 * 100,000 characters, 20 tags); `context` is what the run used it for (training, evaluation),
 * kept as MLflow keeps it, in the tag `mlflow.data.context`.
 */
const datasetInput = z.strictObject({
  name: nonEmptyText(500),
  digest: nonEmptyText(36),
  source_type: nonEmptyText(100),
  source: freeText(65_535),
  schema: z.optional(freeText(100_000)),
  profile: z.optional(freeText(100_000)),
  context: z.optional(nonEmptyText(250)),
  tags: z.optional(boundedRecord(freeText(limits.tagValueLength), 20)),
});

export const logRunInputsBody = z.strictObject({
  datasets: z.optional(z.array(datasetInput).check(z.maxLength(100, { error: 'must have at most 100 entries' }))),
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
