import { ValidationError } from '../../errors.ts';
import { parseProxiedPath } from './inputs.ts';

/**
 * Where an MLflow model version comes from. Stratus registers versions from a
 * run's artifacts (so it can hold them and record their checksums); MLflow's
 * client names them in one of three ways:
 * - `runs:/<run id>/<path>`: a run's artifact or folder;
 * - `models:/<logged model id>`: an MLflow 3 logged model, whose files are its
 *   source run's artifacts under `models/<id>/`;
 * - a run's `mlflow-artifacts:/<experiment id>/<run id>/artifacts/<path>` URI
 *   (what `register_model("runs:/…")` sends once it has found the files);
 * - `models:/<registered model>/<version>`: another version's run artifacts
 *   (what `MlflowClient.copy_model_version` sends).
 */
export type VersionSourceRef =
  | { kind: 'run_artifacts'; runId: string; path: string }
  | { kind: 'logged_model'; modelId: string }
  | { kind: 'registered_version'; name: string; version: number };

const sourceForms =
  "runs:/<run id>/<path>, models:/<logged model id>, models:/<name>/<version> or mlflow-artifacts:/<experiment id>/<run id>/artifacts/<path>: Stratus registers versions from a run's artifacts";

export function parseVersionSource(source: string): VersionSourceRef {
  const fail = (detail: string) =>
    new ValidationError(`source: ${detail}; it must be ${sourceForms}`, 'source.invalid');
  const runs = /^runs:\/+([^/]+)\/(.+)$/.exec(source);
  if (runs?.[1] && runs[2]) return { kind: 'run_artifacts', runId: runs[1], path: runs[2].replace(/\/+$/, '') };
  if (source.startsWith('runs:')) throw fail(`'${source}' names no artifact path of the run`);
  const model = /^models:\/([^/@]+)\/?$/.exec(source);
  if (model?.[1] && model[1].startsWith('m-')) return { kind: 'logged_model', modelId: model[1] };
  const registered = /^models:\/([^/@]+)\/([1-9]\d{0,8})$/.exec(source);
  if (registered?.[1] && registered[2]) {
    return { kind: 'registered_version', name: registered[1], version: Number(registered[2]) };
  }
  if (source.startsWith('models:')) throw fail(`'${source}' names neither a logged model nor a version by number`);
  if (source.startsWith('mlflow-artifacts:')) {
    const proxied = parseProxiedPath(source.slice('mlflow-artifacts:'.length), 'source');
    if (!proxied.path) throw fail(`'${source}' is a run's whole artifact root`);
    return { kind: 'run_artifacts', runId: proxied.runId, path: proxied.path.replace(/\/+$/, '') };
  }
  throw fail(`'${source}' is not one of these`);
}
