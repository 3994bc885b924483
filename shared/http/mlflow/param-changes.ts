import { type ParamChange, ParamChangeError, ValidationError } from '../../errors.ts';

/**
 * A param sent again with another value, in the words of MLflow's server (sqlalchemy_store.py),
 * which scripts and MLflow's own tests match: log-parameter names the one param (`log_param`),
 * log-batch lists every such param as Python prints a list of dicts (`_log_params`). Both are a
 * 400 INVALID_PARAMETER_VALUE there, as `param.immutable` is on every MLflow route here.
 */
export async function inMlflowParamWords<T>(form: 'param' | 'batch', write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!(error instanceof ParamChangeError)) throw error;
    const { ownerId, changes } = error;
    const [{ key, logged, sent }] = changes;
    // MLflow has no words for a logged model's (its SQL store fails on any key logged again): a run's, naming the model.
    const owner = error.owner === 'run' ? 'run' : 'logged model';
    const message =
      form === 'param'
        ? `Changing param values is not allowed. Param with key='${key}' was already logged with value='${logged}' for ${owner} ID='${ownerId}'. Attempted logging new value '${sent}'.`
        : `Changing param values is not allowed. Params were already logged='${pythonList(changes)}' for ${owner} ID='${ownerId}'.`;
    throw new ValidationError(message, error.code);
  }
}

/** `[{'key': 'p', 'old_value': '1', 'new_value': '2'}]`, as Python's repr writes MLflow's list. */
const pythonList = (changes: readonly ParamChange[]) =>
  `[${changes
    .map(
      ({ key, logged, sent }) =>
        `{'key': ${pythonString(key)}, 'old_value': ${pythonString(logged)}, 'new_value': ${pythonString(sent)}}`,
    )
    .join(', ')}]`;

/**
 * A string as Python's repr writes it: in single quotes, or double quotes when it holds a single
 * quote and no double one; backslashes, quotes of the kind used and control characters escaped.
 * (Python also escapes characters it deems unprintable, such as U+00A0; those are left as they are.)
 */
function pythonString(value: string): string {
  const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
  const escaped = value.replace(/[\\\n\r\t\x00-\x1f\x7f]|'|"/g, (character) => {
    if (character === '\\') return '\\\\';
    if (character === '\n') return '\\n';
    if (character === '\r') return '\\r';
    if (character === '\t') return '\\t';
    if (character === '"' || character === "'") return character === quote ? `\\${character}` : character;
    return `\\x${character.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
  return `${quote}${escaped}${quote}`;
}
