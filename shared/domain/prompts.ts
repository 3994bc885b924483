/**
 * MLflow's prompt registry, as its client writes it into the model registry: a
 * prompt is a registered model tagged `mlflow.prompt.is_prompt`, each of its
 * versions a model version of tags alone, the template in `mlflow.prompt.text`.
 * No imports: the web app reads these too.
 */

/** The tag that makes a registered model, or a version, a prompt (MLflow's `IS_PROMPT_TAG_KEY`). */
export const promptTagKey = 'mlflow.prompt.is_prompt';

/** The tag of a prompt's version that holds its template (MLflow's `PROMPT_TEXT_TAG_KEY`). */
export const promptTextTagKey = 'mlflow.prompt.text';

/** What MLflow's client and store send as a prompt version's source (MLflow's server takes no other). */
export const promptSourcePlaceholders: readonly string[] = ['dummy-source', 'prompt-template'];

/** Whether tags mark a prompt: `mlflow.prompt.is_prompt` is `true` in any letter case, as MLflow's server reads it. */
export const isPromptTagged = (tags: Readonly<Record<string, string>>) =>
  Object.hasOwn(tags, promptTagKey) && tags[promptTagKey]?.toLowerCase() === 'true';
