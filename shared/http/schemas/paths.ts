import * as z from 'zod/mini';
import { idSchema, keySchema, nameSchema } from './text.ts';

/** Path parameters shared by several routes. */

/** An experiment id: a Stratus id, or "0", the workspace's default experiment (MLflow's). */
export const experimentIdSchema = z.union([idSchema, z.literal('0')]);
export const experimentIdPath = z.object({ experiment_id: experimentIdSchema });
export const experimentNamePath = z.object({ experiment_name: nameSchema });
export const runIdPath = z.object({ run_id: idSchema });
export const metricHistoryPath = z.object({ run_id: idSchema, metric_key: keySchema });
