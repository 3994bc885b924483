import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiFailure, api, unwrap } from '../api/client.ts';
import type { SearchedRun } from '../api/types.ts';
import { ColumnPicker } from '../components/ColumnPicker.tsx';
import { type LaterKeys, useLaterKeys } from '../components/later-keys.ts';
import { defaultKeys } from '../components/default-columns.ts';
import { ErrorBox, LoadFailure, Spinner, TagList } from '../components/common.tsx';
import { FilterBox } from '../components/FilterBox.tsx';
import { FirstRunHint } from '../components/FirstRun.tsx';
import { filterExample } from '../components/filter-example.ts';
import { DeletedNotice, DeleteDialog, RenameDialog } from '../components/Lifecycle.tsx';
import {
  fixedColumns,
  keyColumn,
  parseOrder,
  RunsTable,
  restoreColumn,
  runColumnWidth,
  runNameColumn,
} from '../components/RunsTable.tsx';
import { ExperimentModels } from '../components/ExperimentModels.tsx';
import { flatRows, nestRuns } from '../components/run-nesting.ts';
import { useLoad } from '../hooks.ts';
import { recallList, rememberList } from '../list-memory.ts';
import { Link, navigate, paths, updateQuery, useLocation } from '../router.ts';
import { descriptionOf, isSystemTag, userTagEntries } from '../system-tags.ts';
import { InlineMarkdown } from '../components/InlineMarkdown.tsx';

/**
 * The first page fills a few screens and comes back quickly; the pages fetched
 * while scrolling are larger, so 10,000 runs take 20 requests, not 100.
 */
const firstPageSize = 100;
const pageSize = 500;
const compareMax = 50;

/** The runs selected for comparison: `sel` in the URL, comma-separated run ids. */
const selectionIn = (search: string) =>
  new Set((new URLSearchParams(search).get('sel') ?? '').split(',').filter(Boolean));

/** The parents whose child runs are shown: `open` in the URL, comma-separated run ids. */
const openParentsIn = (search: string) =>
  new Set((new URLSearchParams(search).get('open') ?? '').split(',').filter(Boolean));

const sortedKeys = (keys: Iterable<string>) => [...new Set(keys)].sort((a, b) => a.localeCompare(b));

/** What the column picker says of the keys past truncated runs' first pages. */
function laterKeysNote(later: LaterKeys): string | undefined {
  const runs = (count: number) => `${count.toLocaleString('en-US')} run${count === 1 ? '' : 's'}`;
  if (later.reading) return `Reading the params and tags of ${runs(later.read)} past their first page…`;
  // Past the bound: say so rather than let a key seem missing.
  return later.unread > 0
    ? `Keys only past the first page of ${runs(later.unread)} more are not listed here.`
    : undefined;
}

/** Keys seen in the loaded runs, for the column picker (counted over the first few thousand runs). */
function discoverKeys(runs: readonly SearchedRun[]) {
  const metrics = new Set<string>();
  const params = new Set<string>();
  const tags = new Set<string>();
  for (const run of runs.slice(0, 2000)) {
    for (const key of Object.keys(run.metrics)) metrics.add(key);
    for (const key of Object.keys(run.params)) params.add(key);
    for (const key of Object.keys(run.tags)) if (!isSystemTag(key)) tags.add(key);
  }
  return {
    metrics: sortedKeys(metrics),
    params: sortedKeys(params),
    tags: sortedKeys(tags),
    ...defaultKeys(runs.slice(0, firstPageSize)),
  };
}

type Keys = ReturnType<typeof discoverKeys>;

/**
 * The keys of an experiment's default view (newest first, no filter), the last
 * one seen: the default columns are chosen from them in every view of it, so a
 * filter or an order does not swap the columns under the reader, and a filter
 * that matches nothing still leaves every column to choose. One is kept.
 */
let defaultViewKeys: { view: string; keys: Keys } | undefined;

/** The view's own keys, framed by the default view's: its default columns, and every key of either to choose. */
function framedKeys(own: Keys, frame: Keys | undefined): Keys {
  if (!frame || frame.defaultMetrics.length + frame.defaultParams.length === 0) return own;
  return {
    metrics: sortedKeys([...frame.metrics, ...own.metrics]),
    params: sortedKeys([...frame.params, ...own.params]),
    tags: sortedKeys([...frame.tags, ...own.tags]),
    defaultMetrics: frame.defaultMetrics,
    defaultParams: frame.defaultParams,
  };
}

type Lifecycle = 'active' | 'deleted' | 'all';
const lifecycleFrom = (value: string | null): Lifecycle => (value === 'deleted' || value === 'all' ? value : 'active');

/** The runs of one experiment: filter, order, choose columns, select to compare, see deleted runs and restore them. */
export function ExperimentRuns(props: { experimentId: string }) {
  const { query } = useLocation();
  const filter = query.get('filter') ?? '';
  const lifecycle = lifecycleFrom(query.get('show'));
  const orderText = query.get('order');
  const order = parseOrder(orderText);
  const chosenColumns = query.getAll('col');
  const selected = useMemo(() => selectionIn(window.location.search), [query.get('sel')]);

  const experiment = useLoad(
    async () =>
      unwrap(
        await api.GET('/api/v1/experiments/{experiment_id}', {
          params: { path: { experiment_id: props.experimentId } },
        }),
      ),
    [props.experimentId],
  );

  const listKey = JSON.stringify([props.experimentId, filter, orderText, lifecycle]);
  // Back from a run: the pages loaded before, scrolled where they were (list-memory.ts).
  const [restored] = useState(() => recallList<SearchedRun>('runs', listKey));
  const [runs, setRuns] = useState<SearchedRun[]>(() => [...(restored?.items ?? [])]);
  const [nextToken, setNextToken] = useState<string | undefined>(restored?.nextToken);
  const [loading, setLoading] = useState(false);
  const [searchError, setSearchError] = useState<ApiFailure | Error | undefined>();
  const [done, setDone] = useState(restored !== undefined && restored.nextToken === undefined);
  const tableScrollTop = useRef(restored?.scrollTop ?? 0);
  const generation = useRef(0);

  const fetchPage = async (pageToken: string | undefined) => {
    const mine = pageToken ? generation.current : ++generation.current;
    setLoading(true);
    if (!pageToken) setSearchError(undefined);
    try {
      const page = unwrap(
        await api.POST('/api/v1/runs/search', {
          body: {
            experiment_ids: [props.experimentId],
            ...(filter ? { filter } : {}),
            ...(order ? { order_by: [`${order.field} ${order.descending ? 'DESC' : 'ASC'}`] } : {}),
            max_results: pageToken ? pageSize : firstPageSize,
            ...(pageToken ? { page_token: pageToken } : {}),
            ...(lifecycle !== 'active' ? { lifecycle } : {}),
          },
        }),
      );
      if (mine !== generation.current) return;
      setRuns((previous) => (pageToken ? [...previous, ...page.runs] : page.runs));
      setNextToken(page.next_page_token);
      setDone(!page.next_page_token);
    } catch (failure) {
      if (mine !== generation.current) return;
      if (!pageToken) setRuns([]);
      setNextToken(undefined);
      setSearchError(failure instanceof Error ? failure : new Error(String(failure)));
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  };

  const skipFirstFetch = useRef(restored !== undefined);
  useEffect(() => {
    if (skipFirstFetch.current) {
      skipFirstFetch.current = false;
      return;
    }
    tableScrollTop.current = 0;
    setDone(false);
    void fetchPage(undefined);
  }, [props.experimentId, filter, orderText, lifecycle]);

  const leaving = useRef({ listKey, runs, nextToken });
  leaving.current = { listKey, runs, nextToken };
  useEffect(
    () => () =>
      rememberList('runs', {
        key: leaving.current.listKey,
        items: leaving.current.runs,
        nextToken: leaving.current.nextToken,
        scrollTop: tableScrollTop.current,
      }),
    [],
  );

  // For `npm run bench` (time to the first rows) and the browser's own performance tools.
  useEffect(() => {
    if (runs.length > 0 && performance.getEntriesByName('stratus:runs-rendered').length === 0) {
      performance.mark('stratus:runs-rendered');
    }
  }, [runs.length > 0]);

  const [restoreError, setRestoreError] = useState<unknown>();
  /** Restores one run and shows it as restored in place (the deleted-only view drops it). */
  const restoreRun = async (runId: string) => {
    setRestoreError(undefined);
    try {
      const restored = unwrap(await api.POST('/api/v1/runs/{run_id}/restore', { params: { path: { run_id: runId } } }));
      const mine = generation.current;
      setRuns((previous) =>
        mine !== generation.current
          ? previous
          : lifecycleFrom(new URLSearchParams(window.location.search).get('show')) === 'deleted'
            ? previous.filter((run) => run.run_id !== runId)
            : previous.map((run) => (run.run_id === runId ? { ...run, ...restored } : run)),
      );
    } catch (failure) {
      setRestoreError(failure);
    }
  };

  // Child runs under their parents in the default view (newest first, no filter), as MLflow shows a sweep;
  // a view the user ordered or filtered lists every matching run at the top level, marked as a child.
  // The parents opened are part of the view (`open` in the URL): a reload or Back from a trial keeps them open.
  const nested = !filter && !order;
  const openText = query.get('open') ?? '';
  const expanded = useMemo(() => openParentsIn(window.location.search), [openText]);
  const rows = useMemo(() => (nested ? nestRuns(runs, expanded) : flatRows(runs)), [runs, expanded, nested]);
  const visibleRuns = useMemo(() => rows.map((row) => row.run), [rows]);
  const hiddenChildren = runs.length - rows.length;
  // Reads the URL when called: rows that skipped re-rendering hold an old copy of this function.
  const toggleExpanded = (runId: string) => {
    const next = openParentsIn(window.location.search);
    if (next.has(runId)) next.delete(runId);
    else next.add(runId);
    updateQuery({ open: [...next].join(',') });
  };

  const ownKeys = useMemo(
    () => discoverKeys(runs),
    [runs.length > 0 ? runs[0] : undefined, Math.min(runs.length, 2000)],
  );
  // A filtered or ordered view takes its default columns from the default view's first page: remembered
  // from it, or read once when the view was opened by a link.
  const defaultView = !filter && !order;
  const frameView = JSON.stringify([props.experimentId, lifecycle]);
  const [frame, setFrame] = useState<{ view: string; keys: Keys } | undefined>(defaultViewKeys);
  useEffect(() => {
    if (!defaultView || loading || searchError || runs.length === 0) return;
    defaultViewKeys = { view: frameView, keys: ownKeys };
    setFrame(defaultViewKeys);
  }, [defaultView, loading, ownKeys, frameView]);
  useEffect(() => {
    if (defaultView || frame?.view === frameView) return;
    let current = true;
    void api
      .POST('/api/v1/runs/search', {
        body: {
          experiment_ids: [props.experimentId],
          max_results: firstPageSize,
          ...(lifecycle !== 'active' ? { lifecycle } : {}),
        },
      })
      .then((answer) => {
        // Without it the view's own keys serve, as before: nothing to report.
        if (current && answer.data) setFrame({ view: frameView, keys: discoverKeys(answer.data.runs) });
      })
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, [defaultView, frameView]);
  const keys = useMemo(
    () => (defaultView ? ownKeys : framedKeys(ownKeys, frame?.view === frameView ? frame.keys : undefined)),
    [defaultView, ownKeys, frame, frameView],
  );
  // Keys past truncated runs' first pages, read when the column picker first opens.
  const [pickerOpened, setPickerOpened] = useState(false);
  const later = useLaterKeys(runs, pickerOpened);
  const pickerKeys = useMemo(
    () => ({
      metrics: keys.metrics,
      params: sortedKeys([...keys.params, ...later.params]),
      tags: sortedKeys([...keys.tags, ...later.tags.filter((key) => !isSystemTag(key))]),
    }),
    [keys, later],
  );
  // None until the first page answers: a generic example that then became the experiment's own read as a glitch.
  const firstPagePending = runs.length === 0 && !done && !searchError;
  const example = useMemo(
    () => (firstPagePending ? '' : filterExample(runs, { metrics: keys.defaultMetrics, params: keys.defaultParams })),
    [keys, firstPagePending],
  );
  const columnSpecs =
    chosenColumns.length > 0
      ? chosenColumns
      : [
          // The metrics read first (default-columns.ts), and the params that vary before the constant ones.
          ...keys.defaultMetrics.slice(0, 4).map((key) => `metrics.${key}`),
          ...keys.defaultParams.slice(0, 3).map((key) => `params.${key}`),
        ];
  const rowsById = useMemo(() => new Map(rows.map((row) => [row.run.run_id, row])), [rows]);
  const runNames = useMemo(() => new Map(runs.map((run) => [run.run_id, run.run_name || run.run_id])), [runs]);
  // Widths follow the first runs of the answer; the same columns object keeps rows from re-rendering.
  const columns = useMemo(() => {
    const sample = runs.slice(0, 200);
    // On a phone the status is a mark (styles.css), so the Run column keeps its width and Started fits beside it.
    const phone = window.matchMedia('(max-width: 520px)').matches;
    const fixed = fixedColumns.map((column) =>
      column.id === 'status' && phone
        ? { ...column, width: '44px' }
        : column.id === 'name'
          ? {
              ...runNameColumn({ rows: rowsById, names: runNames, onExpand: toggleExpanded }),
              width: runColumnWidth(rows.slice(0, 200), nested),
            }
          : column,
    );
    const restore = lifecycle === 'active' ? [] : [restoreColumn(restoreRun)];
    return [...fixed, ...columnSpecs.flatMap((spec) => keyColumn(spec, sample) ?? []), ...restore];
  }, [columnSpecs.join('\n'), runs.length > 0 ? runs[0] : undefined, lifecycle, rows]);

  const setSelected = (next: Set<string>) => updateQuery({ sel: [...next].join(',') });
  // Reads the selection from the URL when called, so rows that skipped re-rendering never act on a stale one.
  const toggle = (runId: string) => {
    const next = selectionIn(window.location.search);
    if (next.has(runId)) next.delete(runId);
    else if (next.size < compareMax) next.add(runId);
    setSelected(next);
  };
  const toggleAll = (select: boolean) =>
    setSelected(select ? new Set(visibleRuns.slice(0, compareMax).map((run) => run.run_id)) : new Set());

  const [dialog, setDialog] = useState<'rename' | 'delete' | undefined>();
  const experimentPath = { params: { path: { experiment_id: props.experimentId } } };
  const deleted = experiment.data?.lifecycle_stage === 'deleted';

  // Nobody has logged to it: nothing to filter, choose columns of or compare, and no table to head. Known from
  // the experiment's count before the search answers, so the page does not draw the toolbar and then take it away.
  const noRunsYet =
    experiment.data !== undefined &&
    experiment.data.run_count === 0 &&
    !deleted &&
    lifecycle === 'active' &&
    !filter &&
    runs.length === 0 &&
    !searchError;
  // Its deleted runs, if any, are still one choice away.
  const lifecycleChoice = !noRunsYet || (experiment.data?.deleted_run_count ?? 0) > 0;

  const filterError =
    searchError instanceof ApiFailure && searchError.status === 400 && /^filter/.test(searchError.message)
      ? searchError.message
      : undefined;

  // An experiment that does not exist: say so once, not as a runs page with two API errors.
  if (experiment.error && !experiment.data)
    return (
      <LoadFailure
        error={experiment.error}
        what="experiment"
        id={props.experimentId}
        onRetry={() => {
          experiment.reload();
          void fetchPage(undefined);
        }}
      />
    );

  return (
    <>
      <div class="page-header">
        <div class="title">
          <nav class="breadcrumb" aria-label="Breadcrumb">
            <Link href={paths.experiments()}>Experiments</Link>
            <span aria-hidden="true">/</span>
          </nav>
          <h1>{experiment.data?.experiment_name ?? (experiment.loading ? '…' : props.experimentId)}</h1>
          {experiment.data && descriptionOf(experiment.data) && (
            <span class="muted description">
              <InlineMarkdown text={descriptionOf(experiment.data) as string} />
            </span>
          )}
          {experiment.data && userTagEntries(experiment.data.tags).length > 0 && (
            <TagList tags={experiment.data.tags} />
          )}
        </div>
        <div class="actions">
          {experiment.data && (
            <>
              {/* A deleted experiment keeps its name until it is restored (the API refuses a rename). */}
              {!deleted && (
                <button type="button" onClick={() => setDialog('rename')}>
                  Rename
                </button>
              )}
              {/* The default experiment "0" cannot be deleted (the API says so too). */}
              {!deleted && props.experimentId !== '0' && (
                <button type="button" class="danger" onClick={() => setDialog('delete')}>
                  Delete
                </button>
              )}
            </>
          )}
          {!noRunsYet && (
            <>
              {/* As wide whatever it says: choosing a run does not move the buttons (or wrap them under the title). */}
              <span class="muted selection-status" data-widest="Select 2–50 runs to compare" aria-live="polite">
                <span>{selected.size > 0 ? `${selected.size} selected` : 'Select 2–50 runs to compare'}</span>
              </span>
              <button
                type="button"
                class="primary"
                disabled={selected.size < 2 || selected.size > compareMax}
                onClick={() => navigate(paths.compare([...selected]))}
              >
                Compare
              </button>
            </>
          )}
        </div>
      </div>
      {experiment.error && <ErrorBox error={experiment.error} />}
      {deleted && (
        <DeletedNotice
          what="experiment"
          detail="it is left out of the experiments list, and its name stays taken until an admin purges it."
          onRestore={async () => {
            unwrap(await api.POST('/api/v1/experiments/{experiment_id}/restore', experimentPath));
            experiment.reload();
          }}
        />
      )}
      {dialog === 'rename' && experiment.data && (
        <RenameDialog
          what="experiment"
          current={experiment.data.experiment_name}
          onRename={async (name) => {
            unwrap(
              await api.PATCH('/api/v1/experiments/{experiment_id}', {
                ...experimentPath,
                body: { experiment_name: name },
              }),
            );
            experiment.reload();
          }}
          onClose={() => setDialog(undefined)}
        />
      )}
      {dialog === 'delete' && experiment.data && (
        <DeleteDialog
          what="experiment"
          name={experiment.data.experiment_name}
          consequence="It leaves the experiments list; its runs stay as they are."
          onDelete={async () => {
            unwrap(await api.DELETE('/api/v1/experiments/{experiment_id}', experimentPath));
            experiment.reload();
          }}
          onClose={() => setDialog(undefined)}
        />
      )}
      {lifecycleChoice && (
        <div class="toolbar">
          {!noRunsYet && (
            <>
              <FilterBox
                value={filter}
                error={filterError}
                example={example}
                onSubmit={(text) => updateQuery({ filter: text })}
              />
              <ColumnPicker
                keys={pickerKeys}
                chosen={columnSpecs}
                onChange={(specs) => updateQuery({ col: specs })}
                onOpen={() => setPickerOpened(true)}
                note={laterKeysNote(later)}
              />
            </>
          )}
          <select
            aria-label="Which runs to show"
            value={lifecycle}
            onChange={(event) =>
              updateQuery({ show: event.currentTarget.value === 'active' ? undefined : event.currentTarget.value })
            }
          >
            <option value="active">Active runs</option>
            <option value="deleted">Deleted runs</option>
            <option value="all">Active and deleted</option>
          </select>
        </div>
      )}
      {searchError && !filterError && <ErrorBox error={searchError} onRetry={() => void fetchPage(undefined)} />}
      {restoreError !== undefined && <ErrorBox error={restoreError} />}
      <div class="card">
        {!noRunsYet && (
          <RunsTable
            runs={visibleRuns}
            columns={columns}
            order={order}
            onOrder={(next) =>
              updateQuery({ order: next ? `${next.field} ${next.descending ? 'DESC' : 'ASC'}` : undefined })
            }
            selected={selected}
            onToggle={toggle}
            onToggleAll={toggleAll}
            hasMore={nextToken !== undefined}
            loading={loading}
            onLoadMore={() => nextToken && void fetchPage(nextToken)}
            initialScrollTop={restored?.scrollTop}
            onLeaveAt={(top) => (tableScrollTop.current = top)}
          />
        )}
        {!loading &&
          runs.length === 0 &&
          !searchError &&
          (lifecycle === 'active' && !filter && experiment.data && !deleted ? (
            <FirstRunHint experimentName={experiment.data.experiment_name} />
          ) : (
            <div class="empty">
              {/* A deleted experiment's runs read as deleted, and it takes no new run: the first-run lines would fail there. */}
              {deleted && lifecycle === 'active' && !filter
                ? 'No active runs: a deleted experiment’s runs are deleted with it. Restore it to bring them back and to log new ones.'
                : lifecycle === 'deleted' && !filter
                  ? 'No deleted run in this experiment.'
                  : filter
                    ? 'No run matches this filter.'
                    : 'No runs in this experiment yet.'}
            </div>
          ))}
        {/* "0 runs · newest first" under the first-run lines says nothing they do not. */}
        {!(noRunsYet && !loading) && (
          <div class="runs-footer" aria-live="polite">
            <span>
              {/* A filter the API refused searched nothing: "0 runs loaded" read as an empty experiment. */}
              {filterError !== undefined && !loading && (
                <span data-testid="run-count" class="error-text">
                  No runs shown: the filter above has an error.
                </span>
              )}
              {/* While the first page loads there is no count to give: "0 runs loaded" read as an empty experiment. */}
              {(runs.length > 0 || !loading) && filterError === undefined && (
                <span data-testid="run-count">
                  {runs.length.toLocaleString('en-US')} run{runs.length === 1 ? '' : 's'}
                  {done ? '' : ' loaded'}
                </span>
              )}
              {hiddenChildren > 0 && (
                <span data-testid="nested-count">
                  {' '}
                  · {hiddenChildren.toLocaleString('en-US')} child run{hiddenChildren === 1 ? '' : 's'} folded under
                  their parents
                </span>
              )}
            </span>
            {loading ? (
              <Spinner label="Loading runs…" />
            ) : (
              <span>{order ? `ordered by ${order.field} ${order.descending ? '↓' : '↑'}` : 'newest first'}</span>
            )}
          </div>
        )}
      </div>
      <ExperimentModels experimentId={props.experimentId} runNames={runNames} />
    </>
  );
}
