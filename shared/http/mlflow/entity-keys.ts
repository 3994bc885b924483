import * as z from 'zod/mini';
import '../../zod-messages.ts';
import { keySchema, pathSafeKey, pathUnsafeReason } from '../schemas/text.ts';

/**
 * A tag, param or metric key where MLflow's server checks it as a name (mlflow/utils/validation.py,
 * `_validate_tag_name`, `_validate_param_name`, `_validate_metric_name`), refused in its words:
 * only letters and digits of any script, `_ - . : /` and spaces, and the same name when read as a
 * path (`a/../b`, `/a`, `a//b` are refused). Kept in a module of its own so that registry functions
 * do not carry the tracking routes' schemas.
 *
 * MLflow checks this on log-metric, log-parameter, set-tag, log-batch, set-experiment-tag, a new
 * experiment's tags and the registry's tag writes and deletes; not on a new run's tags, a logged
 * model's tags and params, or a run's or experiment's tag deletes, which take any `keySchema` key
 * here as there.
 */
// Python's `\w` on text: letters (L*), numbers (N*) and '_'. Its Unicode tables are older than
// JavaScript's, so characters assigned since (Unicode 15 on) are taken here and not there.
const nameCharacters = /^[\p{L}\p{N}_/.\- :]*$/u;

export const mlflowEntityKey = keySchema.check(
  z.regex(nameCharacters, {
    error:
      'Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).',
  }),
  z.regex(pathSafeKey, { error: ({ input }) => pathUnsafeReason(input as string, 'mlflow') }),
);
