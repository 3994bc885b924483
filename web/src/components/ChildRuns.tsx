import { useState } from 'preact/hooks';
import { api, unwrap } from '../api/client.ts';
import type { RunDetails, SearchedRun } from '../api/types.ts';
import { Link, paths } from '../router.ts';
import { ErrorBox, Spinner } from './common.tsx';

/** Children named on the run page; the rest are a click away in the runs table. */
const namedMax = 12;
const pageSize = 100;

type ChildRunsState =
  | { state: 'idle' }
  | { state: 'loading' }
  | { state: 'loaded'; runs: SearchedRun[]; more: boolean }
  | { state: 'failed'; error: unknown };

/**
 * A run's child runs (a sweep's trials), counted and named when asked. Not on
 * page load: parent_run_id has no index (docs/search.md), so the search reads
 * the experiment's runs until it has a page of children — about 31 read units
 * at 51 runs, thousands at 10,000 — too much to spend on every run page when
 * most runs have no children.
 */
export function ChildRuns(props: { run: RunDetails }) {
  const [shown, setShown] = useState<ChildRunsState>({ state: 'idle' });
  const filter = `parent_run_id = '${props.run.run_id}'`;
  const tableLink = `${paths.experiment(props.run.experiment_id)}?filter=${encodeURIComponent(filter)}`;

  const load = async () => {
    setShown({ state: 'loading' });
    try {
      const page = unwrap(
        await api.POST('/api/v1/runs/search', {
          body: { experiment_ids: [props.run.experiment_id], filter, max_results: pageSize },
        }),
      );
      setShown({ state: 'loaded', runs: page.runs, more: Boolean(page.next_page_token) });
    } catch (error) {
      setShown({ state: 'failed', error });
    }
  };

  if (shown.state === 'idle')
    return (
      <button type="button" class="small" onClick={() => void load()}>
        Count child runs
      </button>
    );
  if (shown.state === 'loading') return <Spinner label="Looking for child runs…" />;
  if (shown.state === 'failed') return <ErrorBox error={shown.error} />;
  const { runs, more } = shown;
  if (runs.length === 0) return <span data-testid="child-runs">none</span>;
  const count = `${runs.length.toLocaleString('en-US')}${more ? '+' : ''} child run${runs.length === 1 && !more ? '' : 's'}`;
  return (
    <div class="child-runs" data-testid="child-runs">
      <span class="count">{count}</span>
      <ul class="inline-list">
        {runs.slice(0, namedMax).map((run) => (
          <li key={run.run_id}>
            <Link href={paths.run(run.run_id)}>{run.run_name || run.run_id}</Link>
          </li>
        ))}
        {runs.length > namedMax && <li class="muted">and {(runs.length - namedMax).toLocaleString('en-US')} more</li>}
      </ul>
      <Link href={tableLink}>see them in the runs table</Link>
    </div>
  );
}
