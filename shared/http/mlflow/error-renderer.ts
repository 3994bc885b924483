import type { ErrorSubject } from '../../errors.ts';
import type { ErrorRenderer, PublicError } from '../error-rendering.ts';

/**
 * MLflow's error shape, `{"error_code": "...", "message": "..."}`, with the
 * HTTP statuses MLflow's server uses (RESOURCE_ALREADY_EXISTS is a 400 there,
 * not a 409). This maps by status; Stratus codes that need another MLflow code
 * belong in `byMlflowCode` (test/unit/mlflow-error-codes.test.ts makes every conflict choose).
 */

const byStatus: Record<number, { errorCode: string; status?: number }> = {
  400: { errorCode: 'INVALID_PARAMETER_VALUE' },
  401: { errorCode: 'UNAUTHENTICATED' },
  403: { errorCode: 'PERMISSION_DENIED' },
  404: { errorCode: 'RESOURCE_DOES_NOT_EXIST' },
  // A path served with other methods only (the local server; API Gateway answers its own 404).
  405: { errorCode: 'ENDPOINT_NOT_FOUND' },
  // A conflict with stored state; the conflicts that mean "it exists" are RESOURCE_ALREADY_EXISTS (alreadyExists).
  // (That code is what MLflow's client reads as "already there, go on", so it must not be the fallback.)
  409: { errorCode: 'INVALID_STATE', status: 400 },
  413: { errorCode: 'INVALID_PARAMETER_VALUE', status: 400 },
  415: { errorCode: 'INVALID_PARAMETER_VALUE', status: 400 },
  429: { errorCode: 'REQUEST_LIMIT_EXCEEDED' },
  503: { errorCode: 'TEMPORARILY_UNAVAILABLE' },
};

/**
 * Stratus codes whose MLflow meaning differs from their status's, by the MLflow
 * code they take. Every one is a 400, as on MLflow's server, but `experiment.changed`.
 */
const byMlflowCode: Record<string, readonly string[]> = {
  INVALID_PARAMETER_VALUE: [
    // MLflow answers a second value for a param, and writes to a deleted or ended run, with a 400.
    'param.immutable',
    'run.deleted',
    'run.not_running',
    // MLflow's "The experiment <id> must be in the 'active' state": a new run in a deleted experiment.
    'experiment.deleted',
    // An upload id that is not the path's open upload is a wrong parameter, not a lifecycle state.
    'artifact.upload_mismatch',
    // MLflow's get-model-version-by-alias: "Registered model alias … not found", INVALID_PARAMETER_VALUE.
    'alias.not_found',
  ],
  RESOURCE_LIMIT_EXCEEDED: [
    'run.too_many_metric_keys',
    // A run too large for one answer (mlflow/views.ts, boundedMlflowRun): /api/v1 reads it in pages.
    'run.too_large',
    // Any other answer past Lambda's 6 MB that MLflow cannot page (http/answer-bound.ts).
    'answer.too_large',
    'logged_model.too_many_metrics',
    'run.too_many_tags',
    'experiment.too_many_tags',
    // The model registry (docs/registry.md, "Errors"). MLflow's server answers INVALID_STATE and
    // RESOURCE_LIMIT_EXCEEDED with a 500, which its client retries for minutes (7 tries, backoff 2)
    // before it shows anything; these are the caller's to fix, so they are 400s with MLflow's codes.
    'model_version.too_many_files',
    'registered_model.version_limit',
    'registered_model.alias_limit',
    'registered_model.too_many_tags',
    'model_version.too_many_tags',
  ],
  RESOURCE_ALREADY_EXISTS: ['experiment.name_taken', 'artifact.exists', 'registered_model.exists'],
  INVALID_STATE: [
    // Lifecycle states: an upload not finished or not as planned, a purge of what is not deleted.
    'artifact.not_complete',
    'artifact.replaced',
    'artifact.size_mismatch',
    'artifact.upload_missing',
    'experiment.not_deleted',
    // MLflow's "Cannot rename a non-active experiment" (a 500 there, the caller's to fix here).
    'experiment.not_active',
    'run.not_deleted',
    'run.already_ended',
    'model_version.artifacts_incomplete',
    'model_version.artifact_changed',
    'model_version.checksum_mismatch',
    'model_version.checksum_unknown',
    'artifact.held_by_model_version',
  ],
};
const byCode = new Map<string, { errorCode: string; status?: number }>([
  ...Object.entries(byMlflowCode).flatMap(([errorCode, codes]) =>
    codes.map((code) => [code, { errorCode, status: 400 }] as const),
  ),
  // Another writer changed the experiment between read and write: MLflow's ABORTED, a 409 to retry.
  ['experiment.changed', { errorCode: 'ABORTED', status: 409 }],
  // Another request was completing the same upload and had not finished within the wait: retry.
  ['artifact.completing', { errorCode: 'ABORTED', status: 409 }],
  // No route for the path: what MLflow's client shows as "ENDPOINT_NOT_FOUND: ...", not a missing run or model.
  ['route.not_found', { errorCode: 'ENDPOINT_NOT_FOUND' }],
]);

/**
 * What MLflow's server says of a thing that is not there or already is
 * (mlflow/store/tracking/sqlalchemy_store.py, mlflow/store/model_registry/sqlalchemy_store.py):
 * scripts match on these words (`Run .+ not found`, `already exists`).
 */
const stageWords = (stage: string) =>
  `Invalid Model Version stage: ${stage}. Value must be one of None, Staging, Production, Archived.`;

const wordings = new Map<string, (subject: ErrorSubject) => string>([
  ['run.not_found', ({ id }) => `Run with id=${id} not found`],
  ['run.deleted', ({ id }) => `The run ${id} must be in the 'active' state. Current state is deleted.`],
  [
    'experiment.not_found',
    ({ id, byName }) => (byName ? `Could not find experiment with name '${id}'` : `No Experiment with id=${id} exists`),
  ],
  ['experiment.name_taken', ({ id }) => `Experiment(name=${id}) already exists.`],
  ['experiment.deleted', ({ id }) => `The experiment ${id} must be in the 'active' state. Current state is deleted.`],
  ['experiment.not_active', () => 'Cannot rename a non-active experiment.'],
  [
    'tag.not_found',
    ({ id, within }) =>
      within?.kind === 'logged_model'
        ? `No tag with key '${id}' found for model with ID '${within.id}'.`
        : `No tag with name: ${id}${within ? ` in ${within.kind} with id ${within.id}` : ''}`,
  ],
  // mlflow/server/handlers.py, the file routes (get-artifact, model-versions/get-artifact, mlflow-artifacts).
  ['artifact.is_folder', ({ id }) => `Artifact path refers to a directory, not a file: '${id}'`],
  ['logged_model.not_found', ({ id }) => `Logged model with ID '${id}' not found.`],
  ['registered_model.not_found', ({ id }) => `Registered Model with name=${id} not found`],
  ['registered_model.exists', ({ id }) => `Registered Model (name=${id}) already exists.`],
  ['stage.invalid', ({ id }) => stageWords(id)],
  ['stages.invalid', ({ id }) => stageWords(id)],
  // The subject is `<model>@<alias>`; an alias holds no `@`, a model's name may.
  ['alias.not_found', ({ id }) => `Registered model alias ${id.slice(id.lastIndexOf('@') + 1)} not found.`],
  // MLflow's `@latest` of a model with no versions (its get-model-version-by-alias).
  ['latest_version.not_found', ({ id }) => `Latest version not found for model ${id}.`],
  [
    'model_version.not_found',
    ({ id }) =>
      `Model Version (name=${id.slice(0, id.lastIndexOf('/'))}, version=${id.slice(id.lastIndexOf('/') + 1)}) not found`,
  ],
]);

/** A conflict that says the thing is already there (`*.exists`, `*.name_taken`). */
const alreadyExists = (code: string) => /\.(exists|name_taken)$/.test(code);

export const renderMlflowError: ErrorRenderer = (error) => {
  const mapped = byCode.get(error.code) ??
    (alreadyExists(error.code) ? { errorCode: 'RESOURCE_ALREADY_EXISTS', status: 400 } : byStatus[error.status]) ?? {
      errorCode: 'INTERNAL_ERROR',
      status: 500,
    };
  return {
    status: mapped.status ?? error.status,
    body: { error_code: mapped.errorCode, message: mlflowMessage(error) },
    headers: error.headers,
  };
};

/**
 * A missing or existing thing, or a refused field, in the words of MLflow's server
 * ("Run with id=... not found", "Missing value for required parameter 'run_id'.",
 * "Invalid value 31 for parameter 'run_id' supplied: ..."), which scripts and tests
 * written against MLflow look for; any other error keeps its message.
 */
function mlflowMessage(error: PublicError): string {
  const { parameter, subject } = error;
  const worded = subject && wordings.get(error.code);
  if (worded) return worded(subject).toWellFormed();
  if (!parameter?.name) return error.message;
  // An empty string is a proto3 string left unset: MLflow's server calls a required one missing.
  const unset = parameter.value === '' && parameter.reason === 'must not be empty';
  if (parameter.missing || unset) return `Missing value for required parameter '${parameter.name}'.`;
  const quoted = quotedText(parameter.sentText ?? valueJson(parameter.value));
  // MLflow's handler appends a reason after "supplied:", its store a sentence after "supplied."
  // ("It must be a positive integer"): a reason written as such a sentence is joined as its store does.
  const joined = parameter.reason.startsWith('It ') ? '.' : ':';
  return `Invalid value ${quoted} for parameter '${parameter.name}' supplied${joined} ${parameter.reason}`.toWellFormed();
}

const quotedValueLength = 200;

/**
 * The refused value as JSON, or its outline when it nests too deep for JSON.stringify (a body holds
 * hundreds of thousands of levels, whose RangeError made the refusal a 500).
 */
function valueJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return Array.isArray(value) ? '[...]' : '{...}';
  }
}

/** The value as JSON (MLflow quotes it so: a number as sent), cut at a whole code point. */
function quotedText(text: string): string {
  // Enough UTF-16 units for one code point past the cut (a code point takes at most two).
  const codePoints = Array.from(text.slice(0, quotedValueLength * 2 + 2));
  return codePoints.length > quotedValueLength
    ? `${codePoints.slice(0, quotedValueLength).join('')}...`
    : codePoints.join('');
}
