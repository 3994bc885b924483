import * as z from 'zod/mini';
import { idSchema, keySchema, nameSchema } from './text.ts';

/** Path parameters shared by several routes. */

export const experimentIdPath = z.object({ experiment_id: idSchema });
export const experimentNamePath = z.object({ experiment_name: nameSchema });
export const runIdPath = z.object({ run_id: idSchema });
export const metricHistoryPath = z.object({ run_id: idSchema, metric_key: keySchema });
