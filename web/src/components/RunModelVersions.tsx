import { api, unwrap } from '../api/client.ts';
import { useLoad } from '../hooks.ts';
import { Link, paths } from '../router.ts';
import { AliasChips } from './AliasChips.tsx';
import { Card } from './common.tsx';

/**
 * The model versions registered from a run (`/runs/{id}/model-versions`),
 * linking to each version. Shown only when there are some; a failure to read
 * them does not spoil the run page, it just says so.
 */
export function RunModelVersions(props: { runId: string }) {
  const versions = useLoad(
    async (signal) =>
      unwrap(
        await api.GET('/api/v1/runs/{run_id}/model-versions', {
          params: { path: { run_id: props.runId }, query: { max_results: 100 } },
          signal,
        }),
      ),
    [props.runId],
  );
  if (versions.error) {
    return (
      <div class="muted" role="status">
        Model versions of this run could not be read: {versions.error.message}
      </div>
    );
  }
  const list = versions.data?.versions ?? [];
  if (list.length === 0) return null;
  return (
    <Card
      id="model-versions"
      title={`Registered as a model (${list.length}${versions.data?.next_page_token ? '+' : ''})`}
    >
      <div class="table-scroll">
        <table class="data" aria-label="Model versions from this run">
          <thead>
            <tr>
              <th scope="col">Model version</th>
              <th scope="col">Aliases</th>
              <th scope="col">From artifacts</th>
            </tr>
          </thead>
          <tbody>
            {list.map((version) => (
              <tr key={`${version.name}/${version.version}`}>
                <td>
                  <Link
                    href={paths.modelVersion(version.name, version.version)}
                    title={`${version.name} · version ${version.version}`}
                  >
                    {/* On a phone a long model name is cut, never the version number. */}
                    <span class="cut-name">{version.name}</span> · version {version.version}
                  </Link>
                </td>
                <td>
                  <AliasChips model={version.name} aliases={version.aliases} />
                </td>
                <td class="mono">
                  {/* A run's versions are never a prompt's (a prompt's version has no run). */}
                  {version.source.kind !== 'prompt' && version.source.artifact_path}
                  {version.source.kind === 'folder' ? '/' : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
