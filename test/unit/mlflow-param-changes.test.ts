import { expect, test } from 'vitest';
import { ConflictError, ParamChangeError, ValidationError } from '../../shared/errors.ts';
import { inMlflowParamWords } from '../../shared/http/mlflow/param-changes.ts';

/** The refusal `inMlflowParamWords` makes of a write that changed these params. */
async function refusal(form: 'param' | 'batch', ...changes: [string, string, string][]) {
  const [first, ...more] = changes.map(([key, logged, sent]) => ({ key, logged, sent }));
  const write = () => Promise.reject(new ParamChangeError('r1', [first!, ...more]));
  return inMlflowParamWords(form, write).catch((error: unknown) => error as ValidationError);
}

test("log-parameter's words name the param, as MLflow's server's log_param does", async () => {
  const error = await refusal('param', ['lr', '0.1', '0.2']);
  expect(error).toBeInstanceOf(ValidationError);
  expect([error.code, error.statusCode]).toEqual(['param.immutable', 400]);
  expect(error.message).toBe(
    "Changing param values is not allowed. Param with key='lr' was already logged with value='0.1' for run ID='r1'. Attempted logging new value '0.2'.",
  );
});

test("log-batch's words list every changed param as Python prints MLflow's list (reprs from Python 3.11)", async () => {
  const error = await refusal('batch', ['p', "it's", '2'], ['q', 'say "hi"', 'both \' and "']);
  expect(error.message).toBe(
    `Changing param values is not allowed. Params were already logged='[{'key': 'p', 'old_value': "it's", 'new_value': '2'}, {'key': 'q', 'old_value': 'say "hi"', 'new_value': 'both \\' and "'}]' for run ID='r1'.`,
  );
  const escapes = await refusal('batch', ['back\\slash', 'tab\there', 'new\nline\x01\x7f'], ['u', 'é ✓ 😀', '']);
  expect(escapes.message).toContain(
    `[{'key': 'back\\\\slash', 'old_value': 'tab\\there', 'new_value': 'new\\nline\\x01\\x7f'}, {'key': 'u', 'old_value': 'é ✓ 😀', 'new_value': ''}]`,
  );
});

test('other errors pass through unchanged', async () => {
  const other = new ConflictError('run.deleted', 'deleted');
  await expect(inMlflowParamWords('param', () => Promise.reject(other))).rejects.toBe(other);
  await expect(inMlflowParamWords('param', async () => 7)).resolves.toBe(7);
});
