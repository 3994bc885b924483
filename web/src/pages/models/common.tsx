import { api, unwrap } from '../../api/client.ts';
import type { AliasEvent, ModelVersion } from '../../api/types.ts';
import { Link, paths } from '../../router.ts';
import { isPromptTagged } from '../../../../shared/domain/prompts.ts';

/** What the registry pages share: version links, run names for version sources. */

export const modelPath = (name: string) => ({ params: { path: { model_name: name } } });
export const versionPath = (name: string, version: number) => ({
  params: { path: { model_name: name, version: String(version) } },
});

export const versionLabel = (version: number) => `Version ${version}`;

/** One alias event in words: "set to v2", "moved v2 → v3", "removed (was v3)", "removed with v3". */
export function describeChange(event: AliasEvent): string {
  if (event.change === 'set') {
    return event.from_version === undefined
      ? `set to v${event.to_version}`
      : `moved v${event.from_version} → v${event.to_version}`;
  }
  if (event.change === 'deleted') return `removed (was v${event.from_version})`;
  return `removed with version ${event.from_version}`;
}

/**
 * The names of the runs versions came from, in one search per experiment
 * (`run_id IN (...)`, deleted runs included). A run that cannot be read
 * (another's, purged) just has no name here; its id still links.
 */
export async function runNamesOf(versions: readonly ModelVersion[], signal: AbortSignal): Promise<Map<string, string>> {
  const byExperiment = new Map<string, Set<string>>();
  for (const { source } of versions) {
    if (source.kind === 'prompt') continue;
    const ids = byExperiment.get(source.experiment_id) ?? new Set<string>();
    ids.add(source.run_id);
    byExperiment.set(source.experiment_id, ids);
  }
  const names = new Map<string, string>();
  await Promise.all(
    [...byExperiment].map(async ([experimentId, ids]) => {
      try {
        const page = unwrap(
          await api.POST('/api/v1/runs/search', {
            body: {
              experiment_ids: [experimentId],
              filter: `run_id IN (${[...ids].map((id) => `'${id}'`).join(', ')})`,
              max_results: ids.size,
              lifecycle: 'all',
            },
            signal,
          }),
        );
        for (const run of page.runs) if (run.run_name) names.set(run.run_id, run.run_name);
      } catch {
        // Names are a nicety: the links work without them.
      }
    }),
  );
  return names;
}

/** The run a version came from, by name when known, linking to the run page. */
export function SourceRun(props: { version: ModelVersion; runNames: ReadonlyMap<string, string> | undefined }) {
  const { source } = props.version;
  if (source.kind === 'prompt') {
    return (
      <span class="muted" title="A prompt's version (MLflow's prompt registry): its template, no files">
        prompt template
      </span>
    );
  }
  const { run_id: runId, artifact_path: artifactPath, kind } = source;
  return (
    <span class="source-run">
      <Link
        href={paths.run(runId)}
        class="cut-name"
        title={props.runNames?.has(runId) ? `${props.runNames.get(runId)} (run ${runId})` : `run ${runId}`}
      >
        {props.runNames?.get(runId) ?? runId.slice(0, 8)}
      </Link>
      <span class="muted mono" title={kind === 'folder' ? 'every artifact under this folder' : 'one artifact'}>
        {' '}
        / {artifactPath}
        {kind === 'folder' ? '/' : ''}
      </span>
    </span>
  );
}

/** Marks a prompt where models are listed or named. */
export function PromptBadge(props: { tags: Record<string, string> }) {
  return isPromptTagged(props.tags) ? (
    <span class="badge kind" title="A prompt (MLflow's prompt registry): its versions are templates">
      prompt
    </span>
  ) : null;
}
