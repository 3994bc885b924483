/**
 * Tags the clients set for themselves (`mlflow.*`, `stratus.*`: source, user,
 * parent run, notes; `_mlflow_*`: a prompt's type and the experiments it was
 * loaded in) are bookkeeping, not the labels a person gave: like MLflow's own
 * UI, lists show only the others. MLflow keeps an experiment's or a run's
 * description in the tag `mlflow.note.content`.
 */
export const isSystemTag = (key: string) =>
  key.startsWith('mlflow.') || key.startsWith('stratus.') || key.startsWith('_mlflow_');

export const noteTag = 'mlflow.note.content';

/** The description to show: the field, else the note MLflow's client wrote. */
export function descriptionOf(item: { description?: string; tags?: Record<string, string> }): string | undefined {
  if (item.description) return item.description;
  const tags = item.tags ?? {};
  return Object.hasOwn(tags, noteTag) && tags[noteTag] ? tags[noteTag] : undefined;
}

/** The tags a person gave, as entries (keys are user-chosen, never used as property names). */
export const userTagEntries = (tags: Record<string, string> | undefined): Array<[string, string]> =>
  Object.entries(tags ?? {}).filter(([key]) => !isSystemTag(key));
