import * as z from 'zod/mini';
import '../../zod-messages.ts';
import { limits } from '../../limits.ts';
import { mlflowEntityKey } from './entity-keys.ts';
import { freeText, keySchema, text } from '../schemas/text.ts';
import {
  experimentName,
  integer,
  mlflowExperimentId,
  mlflowLimits,
  orderBy,
  pageToken,
  tagList,
  viewType,
} from './fields.ts';

/** MLflow's experiment request shapes (fields.ts says how they are read). */

export const createExperimentBody = z.object({
  name: experimentName,
  artifact_location: z.optional(z.string()),
  tags: z.optional(tagList(limits.tagsPerRequest, limits.experimentTagValueLength, mlflowEntityKey)),
});
export const experimentIdQuery = z.object({ experiment_id: mlflowExperimentId });
export const experimentNameQuery = z.object({ experiment_name: experimentName });
export const experimentIdBody = z.object({ experiment_id: mlflowExperimentId });
export const updateExperimentBody = z.object({ experiment_id: mlflowExperimentId, new_name: experimentName });
export const setExperimentTagBody = z.object({
  experiment_id: mlflowExperimentId,
  key: mlflowEntityKey,
  // Left out (or null), the value is empty, as on MLflow's server (a proto string's default).
  value: z._default(freeText(limits.experimentTagValueLength), ''),
});
export const deleteExperimentTagBody = z.object({ experiment_id: mlflowExperimentId, key: keySchema });

const searchExperimentsFields = {
  max_results: z._default(integer(1, mlflowLimits.searchExperimentsMax), mlflowLimits.searchExperimentsDefault),
  page_token: pageToken,
  filter: z.optional(freeText(2000)),
  view_type: viewType,
};
export const searchExperimentsBody = z.object({ ...searchExperimentsFields, order_by: z.optional(orderBy) });
export const searchExperimentsQuery = z.object({
  ...searchExperimentsFields,
  // A GET query carries one order key per parameter; API Gateway joins repeats with commas.
  order_by: z.optional(text(500)),
});
