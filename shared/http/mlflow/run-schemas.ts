import * as z from 'zod/mini';
import '../../zod-messages.ts';
import { datasetLimits, limits } from '../../limits.ts';
import { searchLimits } from '../../domain/search/parser.ts';
import { mlflowMetricValue } from '../schemas/metric-values.ts';
import { mlflowEntityKey } from './entity-keys.ts';
import { freeText, keySchema, nonEmptyText, text } from '../schemas/text.ts';
import {
  integer,
  mlflowExperimentId,
  mlflowId,
  mlflowLimits,
  orderBy,
  pageToken,
  protoEnum,
  runKeyValue,
  runTagList,
  runValue,
  step,
  writtenStepField,
  tagList,
  timestamp,
  viewType,
  withRunId,
} from './fields.ts';

/** MLflow's run request shapes: runs, their params, tags, metrics and inputs (fields.ts says how they are read). */

/**
 * A run's name as MLflow's server reads it: an empty one is no name (a proto string's default), so
 * a new run gets a generated name and an update leaves the name as it was. As long as its
 * `mlflow.runName` tag's value may be (MLflow's server keeps longer names than `/api/v1`'s 250).
 */
const runName = z.optional(
  z.union([
    z.pipe(
      z.literal(''),
      z.transform(() => undefined),
    ),
    nonEmptyText(limits.tagValueLength),
  ]),
);

export const createRunBody = z.object({
  // Required, as by MLflow's server; the client sends "0" (Default) when no experiment is set.
  experiment_id: mlflowExperimentId,
  user_id: z.optional(text(256)),
  run_name: runName,
  start_time: z.optional(timestamp),
  tags: z.optional(runTagList(limits.tagsPerRequest)),
});
export const runIdQuery = z.object({ run_id: z.optional(mlflowId), run_uuid: z.optional(mlflowId) });
export const runIdBody = withRunId({});
const runStatusNames = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const;
/**
 * A run status as MLflow's server takes it: its name, or its number in MLflow's proto enum
 * (RunStatus: 1 RUNNING to 5 KILLED), as a JSON number or a decimal string, as protobuf's JSON
 * reader takes enums. A name MLflow does not know is ignored there (the status stays as it was,
 * with a 200); here it is a 400 naming `status`, since a script sending `"finished"` means to end
 * the run and should hear that it did not.
 */
const runStatus = protoEnum(runStatusNames);
export const updateRunBody = withRunId({
  status: z.optional(runStatus),
  end_time: z.optional(timestamp),
  run_name: runName,
});

const metricFields = {
  key: mlflowEntityKey,
  value: mlflowMetricValue,
  // Required, as on MLflow's server: its clients always send one (log_metric stamps the current
  // time), so a point without one comes from a script whose mistake it should hear of.
  timestamp,
  step: z.optional(writtenStepField),
  // MLflow 3: the point also belongs to a logged model, measured on a dataset.
  model_id: z.optional(mlflowId),
  dataset_name: z.optional(text(500)),
  dataset_digest: z.optional(text(64)),
};
export const logMetricBody = withRunId(metricFields);
export const logParamBody = withRunId({ key: mlflowEntityKey, value: runValue(limits.paramValueLength) });
export const setTagBody = withRunId({ key: mlflowEntityKey, value: runValue(limits.tagValueLength) });
export const deleteTagBody = withRunId({ key: keySchema });
export const logBatchBody = withRunId({
  metrics: z.optional(
    z
      .array(z.object(metricFields))
      .check(
        z.maxLength(mlflowLimits.batchMetrics, { error: `must have at most ${mlflowLimits.batchMetrics} entries` }),
      ),
  ),
  params: z.optional(
    z.array(runKeyValue(limits.paramValueLength, mlflowEntityKey)).check(
      z.maxLength(mlflowLimits.batchParamsAndTags, {
        error: `must have at most ${mlflowLimits.batchParamsAndTags} entries`,
      }),
    ),
  ),
  tags: z.optional(runTagList(mlflowLimits.batchParamsAndTags, mlflowEntityKey)),
});

/** A dataset's fields left out are empty, as MLflow's server reads them (a proto string's default). */
const datasetInput = z.object({
  tags: z.optional(tagList(datasetLimits.tags)),
  dataset: z.object({
    name: z._default(text(datasetLimits.nameLength), ''),
    digest: z._default(text(datasetLimits.digestLength), ''),
    source_type: z._default(text(datasetLimits.sourceTypeLength), ''),
    source: z._default(freeText(datasetLimits.sourceLength), ''),
    schema: z.optional(freeText(datasetLimits.schemaLength)),
    profile: z.optional(freeText(datasetLimits.profileLength)),
  }),
});
export const logInputsBody = withRunId({
  datasets: z.optional(
    z
      .array(datasetInput)
      .check(z.maxLength(datasetLimits.perRequest, { error: `must have at most ${datasetLimits.perRequest} entries` })),
  ),
  models: z.optional(z.array(z.object({ model_id: mlflowId })).check(z.maxLength(100))),
});
export const logOutputsBody = withRunId({
  models: z.array(z.object({ model_id: mlflowId, step: z.optional(step) })).check(z.maxLength(100)),
});

export const searchRunsBody = z.object({
  // None (the client leaves an empty list out) is a search of nothing, as on MLflow's server.
  experiment_ids: z._default(
    z
      .array(mlflowExperimentId)
      .check(z.maxLength(limits.searchExperiments, { error: `must have at most ${limits.searchExperiments} entries` })),
    [],
  ),
  filter: z.optional(freeText(searchLimits.filterLength)),
  run_view_type: viewType,
  max_results: z._default(integer(1, mlflowLimits.searchRunsMax), mlflowLimits.searchRunsDefault),
  order_by: z.optional(orderBy),
  page_token: pageToken,
});
