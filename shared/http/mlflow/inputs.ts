import type { Artifact } from '../../domain/artifacts.ts';
import type { Tags } from '../../domain/types.ts';
import { ValidationError } from '../../errors.ts';
import { mlflowFileInfo, parentRunTag, runNameTag } from './views.ts';

/** Turning MLflow's request shapes into the use cases' inputs. */

/** MLflow's `[{key, value}]` as a null-prototype map (keys are user-chosen); a later duplicate wins, as in MLflow. */
export function tagMap(entries: readonly { key: string; value: string }[] | undefined): Tags {
  const map: Tags = Object.create(null);
  for (const { key, value } of entries ?? []) map[key] = value;
  return map;
}

/**
 * A log-batch's params, refused as MLflow's server refuses them when a key
 * comes twice (even with the same value): which value to keep is not ours to guess.
 */
export function batchParams(entries: readonly { key: string; value: string }[] | undefined): Tags {
  const params = tagMap(entries);
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const { key } of entries ?? []) (seen.has(key) ? twice : seen).add(key);
  if (twice.size > 0) {
    const keys = [...twice].map((key) => `'${key}'`).join(', ');
    throw new ValidationError(
      `Duplicate parameter keys have been submitted: [${keys}]. Please ensure the request contains only one param value per param key.`,
      'params.duplicate',
    );
  }
  return params;
}

/** MLflow's cap on one log-batch as a whole, in its words. */
export function checkBatchSize(entries: number, most: number) {
  if (entries <= most) return;
  const what = 'metrics, params, and tags';
  throw new ValidationError(
    `A batch logging request can contain at most ${most} ${what}. Got ${entries} ${what}. Please split up ${what} across multiple requests and try again.`,
    'batch.too_large',
  );
}

/** A field left out, which the MLflow dialect words as MLflow's server does ("Missing value for required parameter 'run_id'."). */
function missingField(name: string, reason = 'is required'): ValidationError {
  return new ValidationError(`${name}: ${reason}`, `${name}.missing`, { name, missing: true, reason });
}

/** The run a request names: `run_id`, or MLflow's older `run_uuid`. */
export function requestRunId(request: { run_id?: string | undefined; run_uuid?: string | undefined }): string {
  const runId = request.run_id ?? request.run_uuid;
  if (runId === undefined) throw missingField('run_id');
  return runId;
}

/**
 * Splits the tags MLflow uses for a run's fields off the rest: `mlflow.runName`
 * is the run's name and `mlflow.parentRunId` its parent, which Stratus keeps as
 * fields (and shows as those tags again).
 */
export function runFieldsFromTags(tags: Tags): { tags: Tags; runName?: string; parentRunId?: string } {
  const rest: Tags = Object.create(null);
  let runName: string | undefined;
  let parentRunId: string | undefined;
  for (const [key, value] of Object.entries(tags)) {
    if (key === runNameTag) runName = value;
    else if (key === parentRunTag) parentRunId = value;
    else rest[key] = value;
  }
  return {
    tags: rest,
    ...(runName === undefined ? {} : { runName }),
    ...(parentRunId === undefined ? {} : { parentRunId }),
  };
}

/**
 * Where an `mlflow-artifacts` path points: runs' artifact URIs are
 * `mlflow-artifacts:/<experiment id>/<run id>/artifacts`, so the client's paths
 * are `<experiment id>/<run id>/artifacts[/<path in the run>]`.
 */
export function parseProxiedPath(raw: string, field = 'path'): { experimentId: string; runId: string; path: string } {
  const parts = raw.replace(/^\/+/, '').split('/');
  const [experimentId, runId, root, ...rest] = parts;
  if (!experimentId || !runId || root !== 'artifacts') {
    throw new ValidationError(
      `${field}: must be <experiment id>/<run id>/artifacts/<path>, as in a run's artifact_uri; got '${raw}'`,
      `${field}.invalid`,
    );
  }
  return { experimentId, runId, path: rest.join('/') };
}

/**
 * A folder to list, as MLflow's server takes it: a path it refuses (`safeArtifactPath`: one that
 * climbs out of the run's artifacts, or is absolute) is a 400 worded exactly as MLflow's
 * ("Invalid path", which scripts compare whole), rather than an empty listing. Trailing
 * slashes, which MLflow's web app sends after a folder, are dropped.
 */
export function folderToList(raw: string, field = 'path'): string {
  return safeArtifactPath(raw, field).replace(/\/+$/, '');
}

/**
 * A file path as MLflow's server takes it (mlflow/utils/uri.py, validate_path_is_safe):
 * percent-decoded until it stops changing (at most 10 rounds), then refused with
 * exactly "Invalid path" when it could leave the root it is joined to: a '..'
 * segment, an absolute or drive-letter path, a backslash, a `file:` URI or a '#'.
 * Returns the decoded path, which is what MLflow looks up.
 */
export function safeArtifactPath(raw: string, field = 'path'): string {
  const invalid = new ValidationError('Invalid path', `${field}.invalid`);
  let path = raw;
  for (let round = 0; ; round++) {
    const decoded = percentDecoded(path);
    if (decoded === path) break;
    if (round === 9) throw invalid;
    path = decoded;
  }
  if (
    path.includes('#') ||
    path.includes('\\') ||
    /^file:/i.test(path) ||
    path.startsWith('/') ||
    /^[A-Za-z]:/.test(path) ||
    path.split('/').includes('..')
  ) {
    throw invalid;
  }
  return path;
}

/** Runs of %XX escapes decoded as UTF-8; an escape that is not one stays as it is (as in Python's unquote). */
const percentDecoded = (text: string) =>
  text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (escapes) => {
    try {
      return decodeURIComponent(escapes);
    } catch {
      return escapes;
    }
  });

/**
 * The files and folders directly under `directory` (relative to the run's
 * artifact root, '' for the root), from a flat listing of the artifacts under
 * it. Paths are relative to the run root unless `relative` asks for names only.
 */
export function directoryListing(artifacts: readonly Artifact[], directory: string, relative: boolean) {
  const prefix = directory ? `${directory.replace(/\/+$/, '')}/` : '';
  const folders = new Set<string>();
  const files: ReturnType<typeof mlflowFileInfo>[] = [];
  for (const artifact of artifacts) {
    if (!artifact.path.startsWith(prefix)) continue;
    const rest = artifact.path.slice(prefix.length);
    const slash = rest.indexOf('/');
    const name = slash < 0 ? rest : rest.slice(0, slash);
    const shown = relative ? name : prefix + name;
    if (slash >= 0) {
      if (!folders.has(shown)) {
        folders.add(shown);
        files.push(mlflowFileInfo(shown, true));
      }
    } else if (artifact.status === 'COMPLETE') {
      files.push(mlflowFileInfo(shown, false, artifact.sizeBytes));
    }
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** MLflow names the file by the base name of the client's local path, in the folder of the URL. */
export function multipartTargetPath(folder: string, localPath: string | undefined): string {
  const name = (localPath ?? '').split(/[\\/]/).pop() ?? '';
  if (!name) throw missingField('path', 'the file being uploaded is required');
  return folder ? `${folder.replace(/\/+$/, '')}/${name}` : name;
}

/** What MLflow's server refuses in a logged model's name (mlflow/utils/validation.py, `_validate_logged_model_name`). */
const loggedModelNameBadCharacters = ['/', ':', '.', '%', '"', "'"] as const;

/**
 * A new logged model's name as MLflow's server checks it, in its words: its name becomes a
 * folder and the `<name>` of `runs:/<run>/<name>`, where these characters would read as
 * something else. Only new models are checked, so names stored before stay readable.
 */
export function checkLoggedModelName(name: string | undefined): string | undefined {
  if (name !== undefined && loggedModelNameBadCharacters.some((character) => name.includes(character))) {
    const listed = loggedModelNameBadCharacters.map((character) => (character === "'" ? `"'"` : `'${character}'`));
    throw new ValidationError(
      `Invalid model name (${pythonStringRepr(name)}) provided. Model name must be a non-empty string and cannot contain ` +
        `the following characters: (${listed.join(', ')})`,
      'logged_model.invalid_name',
    );
  }
  return name;
}

/** A string as Python's repr() writes it (MLflow quotes names so): single quotes unless it holds one and no double. */
function pythonStringRepr(text: string): string {
  const escaped = text.replaceAll('\\', '\\\\');
  if (text.includes("'") && !text.includes('"')) return `"${escaped}"`;
  return `'${escaped.replaceAll("'", "\\'")}'`;
}
