import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api, unwrap } from '../api/client.ts';
import type { Experiment } from '../api/types.ts';
import { ErrorBox, ListFooter, TagList } from '../components/common.tsx';
import { CreateDialog } from '../components/Dialog.tsx';
import { TagFilterInput, tagParameters } from '../components/TagFilter.tsx';
import { formatAgo, formatTime } from '../format.ts';
import { recallList, rememberList } from '../list-memory.ts';
import { Link, leftAtScrollY, navigate, paths, updateQuery, useLocation } from '../router.ts';
import { descriptionOf } from '../system-tags.ts';
import { InlineMarkdown } from '../components/InlineMarkdown.tsx';

const pageSize = 200;

const lifecycleFrom = (value: string | null) => (value === 'deleted' || value === 'all' ? value : 'active');

/** The experiments of the workspace: search by name, filter by tags, show deleted ones, create. */
export function Experiments() {
  const { query } = useLocation();
  const nameQuery = query.get('q') ?? '';
  const tagQuery = query.get('tags') ?? '';
  const lifecycle = lifecycleFrom(query.get('show'));
  const listKey = JSON.stringify([lifecycle, nameQuery, tagQuery]);
  // Back from an experiment: the pages loaded before, at the place left (list-memory.ts).
  const [restored] = useState(() => recallList<Experiment>('experiments', listKey));
  const [experiments, setExperiments] = useState<Experiment[]>(() => [...(restored?.items ?? [])]);
  const [nextToken, setNextToken] = useState<string | undefined>(restored?.nextToken);
  const [loading, setLoading] = useState(!restored);
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
        await api.GET('/api/v1/experiments', {
          // tag.KEY=VALUE parameters are open-ended, so the generated type cannot list them.
          params: {
            query: {
              max_results: pageSize,
              page_token: pageToken,
              ...(lifecycle !== 'active' ? { lifecycle } : {}),
              ...(nameQuery.trim() ? { name_contains: nameQuery.trim() } : {}),
              ...tagParameters(tagQuery),
            } as { max_results: number },
          },
        }),
      );
      if (mine !== generation.current) return;
      setExperiments((previous) => (pageToken ? [...previous, ...page.experiments] : page.experiments));
      setNextToken(page.next_page_token);
    } catch (failure) {
      if (mine === generation.current) {
        setFailedPage(pageToken);
        setError(failure);
      }
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  };

  // The name search asks the server (as you type, after a short pause), so it covers every page.
  const skipFirstLoad = useRef(restored !== undefined);
  useEffect(() => {
    if (skipFirstLoad.current) {
      skipFirstLoad.current = false;
      return;
    }
    const timer = setTimeout(() => void load(undefined), nameQuery ? 200 : 0);
    return () => clearTimeout(timer);
  }, [tagQuery, nameQuery, lifecycle]);

  const leaving = useRef({ listKey, experiments, nextToken });
  leaving.current = { listKey, experiments, nextToken };
  useLayoutEffect(() => {
    const scrollY = leftAtScrollY();
    if (restored && scrollY) window.scrollTo(0, scrollY);
    return () =>
      rememberList('experiments', {
        key: leaving.current.listKey,
        items: leaving.current.experiments,
        nextToken: leaving.current.nextToken,
        scrollTop: 0,
      });
  }, []);

  const shown = experiments;

  return (
    <>
      <div class="page-header">
        <div class="title">
          <h1>Experiments</h1>
          <span class="muted">Each experiment groups the runs of one question you are answering.</span>
        </div>
        <div class="actions">
          <button class="primary" type="button" onClick={() => setCreating(true)}>
            New experiment
          </button>
        </div>
      </div>
      <div class="toolbar" role="search">
        <input
          class="grow"
          type="search"
          aria-label="Search experiments by name"
          placeholder="Search by name"
          value={nameQuery}
          onInput={(event) => updateQuery({ q: event.currentTarget.value })}
        />
        <TagFilterInput
          label="Filter by tags (key=value, comma-separated)"
          placeholder="Tags: team=risk, stage=prod"
          width="280px"
          value={tagQuery}
        />
        <select
          aria-label="Which experiments to show"
          value={lifecycle}
          onChange={(event) =>
            updateQuery({ show: event.currentTarget.value === 'active' ? undefined : event.currentTarget.value })
          }
        >
          <option value="active">Active</option>
          <option value="deleted">Deleted</option>
          <option value="all">Active and deleted</option>
        </select>
      </div>
      {error !== undefined && <ErrorBox error={error} onRetry={() => void load(failedPage)} />}
      {/* Nothing read: no table, no "0 experiments" and no empty-state advice under the error. */}
      {(error === undefined || shown.length > 0) && (
        <div class="card">
          <div class="table-scroll">
            <table class="data stacked" aria-label="Experiments">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Tags</th>
                  <th scope="col" class="num">
                    Runs
                  </th>
                  <th scope="col">Last activity</th>
                  <th scope="col">Created</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((experiment) => (
                  <tr key={experiment.experiment_id}>
                    <td class="lead">
                      <Link
                        href={paths.experiment(experiment.experiment_id)}
                        class="cut-name"
                        title={experiment.experiment_name}
                        style={{ fontWeight: 600 }}
                      >
                        {experiment.experiment_name}
                      </Link>
                      {experiment.lifecycle_stage === 'deleted' && <span class="status deleted">deleted</span>}
                      {descriptionOf(experiment) && (
                        <div class="muted note-preview" title={descriptionOf(experiment)}>
                          <InlineMarkdown text={descriptionOf(experiment) as string} />
                        </div>
                      )}
                    </td>
                    <td class="full">
                      <TagList tags={experiment.tags} />
                    </td>
                    <RunCountCell experiment={experiment} />
                    <td
                      class="meta"
                      data-label={experiment.last_activity_at ? 'active' : undefined}
                      title={formatTime(experiment.last_activity_at)}
                    >
                      {experiment.last_activity_at ? (
                        formatAgo(experiment.last_activity_at)
                      ) : (
                        <span class="muted">no runs yet</span>
                      )}
                    </td>
                    <td class="meta" data-label="created" title={formatTime(experiment.created_at)}>
                      {formatAgo(experiment.created_at)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {!loading && shown.length === 0 && (
            <div class="empty">
              {lifecycle === 'deleted'
                ? 'No deleted experiment.'
                : !tagQuery && !nameQuery
                  ? 'No experiments yet. Log a run from your training code, or create one here.'
                  : 'No experiment matches.'}
            </div>
          )}
          <ListFooter
            count={shown.length}
            noun="experiment"
            hasMore={Boolean(nextToken)}
            loading={loading}
            onMore={() => nextToken && void load(nextToken)}
          />
        </div>
      )}
      {creating && <CreateExperimentDialog onClose={() => setCreating(false)} />}
    </>
  );
}

/**
 * Active runs, as the experiment's runs table lists them by default. A deleted experiment has
 * none (its runs are deleted with it), so it shows how many restoring it may bring back, or
 * that it had none ("0 deleted" read as if some had been).
 */
function RunCountCell({ experiment }: { experiment: Experiment }) {
  const deleted = `${experiment.deleted_run_count.toLocaleString('en-US')} deleted`;
  if (experiment.lifecycle_stage === 'deleted') {
    return experiment.deleted_run_count === 0 ? (
      <td class="num muted aside">no runs</td>
    ) : (
      <td class="num muted aside" title={`${deleted} with the experiment`}>
        {deleted}
      </td>
    );
  }
  return (
    <td
      class="num aside"
      data-unit={experiment.run_count === 1 ? 'run' : 'runs'}
      title={experiment.deleted_run_count > 0 ? `and ${deleted}` : undefined}
    >
      {experiment.run_count.toLocaleString('en-US')}
    </td>
  );
}

function CreateExperimentDialog(props: { onClose: () => void }) {
  return (
    <CreateDialog
      title="New experiment"
      descriptionMaxLength={5000}
      create={async (name, description) => {
        const created = unwrap(
          await api.POST('/api/v1/experiments', {
            body: { experiment_name: name, ...(description ? { description } : {}) },
          }),
        );
        navigate(paths.experiment(created.experiment_id));
      }}
      onClose={props.onClose}
    />
  );
}
