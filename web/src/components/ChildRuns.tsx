import { api, unwrap } from '../api/client.ts';
import type { RunDetails } from '../api/types.ts';
import { useLoad } from '../hooks.ts';
import { Link, paths } from '../router.ts';
import { ErrorBox, Spinner } from './common.tsx';

/** Children named on the run page; the rest are a click away in the runs table. */
const namedMax = 12;
const pageSize = 100;

/**
 * A run's child runs (a sweep's trials), counted and named as the page loads: a search by
 * parent reads the experiment's child index, then only the children (docs/search.md, "Child
 * runs"), so every run page can afford it where a read of the experiment's runs was too much.
 * Read again on each `refresh` (a live parent's poll), keeping the list on screen meanwhile.
 */
export function ChildRuns(props: { run: RunDetails; refresh: number }) {
  const filter = `parent_run_id = '${props.run.run_id}'`;
  const tableLink = `${paths.experiment(props.run.experiment_id)}?filter=${encodeURIComponent(filter)}`;
  const found = useLoad(
    async (signal) =>
      unwrap(
        await api.POST('/api/v1/runs/search', {
          body: { experiment_ids: [props.run.experiment_id], filter, max_results: pageSize },
          signal,
        }),
      ),
    [props.run.experiment_id, filter, props.refresh],
  );

  if (found.error) return <ErrorBox error={found.error} />;
  if (!found.data) return <Spinner label="Looking for child runs…" />;
  const { runs } = found.data;
  const more = Boolean(found.data.next_page_token);
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
