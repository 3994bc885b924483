import { useEffect, useRef, useState } from 'preact/hooks';
import { api, unwrap } from '../../api/client.ts';
import type { RegisteredModel } from '../../api/types.ts';
import { ErrorBox, ListFooter, TagList } from '../../components/common.tsx';
import { CreateDialog } from '../../components/Dialog.tsx';
import { TagFilterInput, tagParameters } from '../../components/TagFilter.tsx';
import { formatAgo, formatTime } from '../../format.ts';
import { Link, navigate, paths, updateQuery, useLocation } from '../../router.ts';
import { AliasChips } from '../../components/AliasChips.tsx';
import { InlineMarkdown } from '../../components/InlineMarkdown.tsx';
import { PromptBadge } from './common.tsx';

const pageSize = 100;

/** The registered models of the workspace: search by name and tags; newest alias positions at a glance. */
export function Models() {
  const { query } = useLocation();
  const nameQuery = query.get('q') ?? '';
  const tagQuery = query.get('tags') ?? '';
  const [models, setModels] = useState<RegisteredModel[]>([]);
  const [nextToken, setNextToken] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>();
  // The page that failed (undefined: the first), so Try again asks for that one.
  const [failedPage, setFailedPage] = useState<string | undefined>();
  const [creating, setCreating] = useState(false);
  const generation = useRef(0);

  const load = async (pageToken: string | undefined) => {
    const mine = pageToken ? generation.current : ++generation.current;
    setLoading(true);
    setError(undefined);
    try {
      const page = unwrap(
        await api.GET('/api/v1/models', {
          params: {
            // tag.KEY=VALUE parameters are open-ended, so the generated type cannot list them.
            query: {
              max_results: pageSize,
              page_token: pageToken,
              ...(nameQuery.trim() ? { name_contains: nameQuery.trim() } : {}),
              ...tagParameters(tagQuery),
            } as { max_results: number },
          },
        }),
      );
      if (mine !== generation.current) return;
      setModels((previous) => (pageToken ? [...previous, ...page.models] : page.models));
      setNextToken(page.next_page_token);
    } catch (failure) {
      if (mine === generation.current) {
        if (!pageToken) setModels([]);
        setFailedPage(pageToken);
        setError(failure);
      }
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  };

  // The server searches (after a short pause while typing), so every page is covered.
  useEffect(() => {
    const timer = setTimeout(() => void load(undefined), nameQuery ? 200 : 0);
    return () => clearTimeout(timer);
  }, [nameQuery, tagQuery]);

  return (
    <>
      <div class="page-header">
        <div class="title">
          <h1>Models</h1>
          <span class="muted">
            Registered models: numbered versions that cannot change, made from the artifacts of runs, and aliases that
            say which version is in use.
          </span>
        </div>
        <div class="actions">
          <button class="primary" type="button" onClick={() => setCreating(true)}>
            New model
          </button>
        </div>
      </div>
      <div class="toolbar" role="search">
        <input
          class="grow"
          type="search"
          aria-label="Search models by name"
          placeholder="Search by name"
          value={nameQuery}
          onInput={(event) => updateQuery({ q: event.currentTarget.value })}
        />
        <TagFilterInput
          label="Filter models by tags (key=value, comma-separated)"
          placeholder="Tags: team=risk, task=classification"
          width="300px"
          value={tagQuery}
        />
      </div>
      {error !== undefined && <ErrorBox error={error} onRetry={() => void load(failedPage)} />}
      {/* Nothing read: no table, no "0 models" and no empty-state advice under the error. */}
      {(error === undefined || models.length > 0) && (
        <div class="card">
          <div class="table-scroll">
            <table class="data stacked" aria-label="Models">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col" class="num">
                    Latest version
                  </th>
                  <th scope="col">Aliases</th>
                  <th scope="col">Tags</th>
                  <th scope="col">Updated</th>
                </tr>
              </thead>
              <tbody>
                {models.map((model) => (
                  <tr key={model.name}>
                    <td class="lead">
                      <Link
                        href={paths.model(model.name)}
                        class="cut-name"
                        title={model.name}
                        style={{ fontWeight: 600 }}
                      >
                        {model.name}
                      </Link>
                      <PromptBadge tags={model.tags} />
                      {model.description && (
                        <div class="muted note-preview" title={model.description}>
                          <InlineMarkdown text={model.description} />
                        </div>
                      )}
                    </td>
                    <td class="num aside" data-label={model.latest_version > 0 ? 'latest' : undefined}>
                      {model.latest_version > 0 ? (
                        <Link href={paths.modelVersion(model.name, model.latest_version)}>v{model.latest_version}</Link>
                      ) : (
                        <span class="muted">none yet</span>
                      )}
                    </td>
                    <td class="full">
                      <AliasChips model={model.name} aliases={model.aliases} />
                    </td>
                    <td class="full">
                      <TagList tags={model.tags} />
                    </td>
                    <td class="meta" data-label="updated" title={formatTime(model.updated_at)}>
                      {formatAgo(model.updated_at)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {!loading && models.length === 0 && error === undefined && (
            <div class="empty">
              {!nameQuery && !tagQuery
                ? 'No models yet. Register one from a run’s artifacts with the SDK, the CLI or the MLflow client.'
                : 'No model matches.'}
            </div>
          )}
          <ListFooter
            count={models.length}
            noun="model"
            hasMore={Boolean(nextToken)}
            loading={loading}
            onMore={() => nextToken && void load(nextToken)}
          />
        </div>
      )}
      {creating && <CreateModelDialog onClose={() => setCreating(false)} />}
    </>
  );
}

function CreateModelDialog(props: { onClose: () => void }) {
  return (
    <CreateDialog
      title="New model"
      note={
        <p class="muted">Versions are registered from a run’s artifacts, with the SDK, the CLI or the MLflow client.</p>
      }
      create={async (name, description) => {
        const created = unwrap(
          await api.POST('/api/v1/models', { body: { name, ...(description ? { description } : {}) } }),
        );
        navigate(paths.model(created.name));
      }}
      onClose={props.onClose}
    />
  );
}
