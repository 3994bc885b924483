import type { ComponentChild } from 'preact';
import { useMemo, useRef, useState } from 'preact/hooks';
import { api, unwrap } from '../api/client.ts';
import { recordOf, type RunEntries, useRunEntries } from '../api/run-entries.ts';
import type { RunDetails } from '../api/types.ts';
import { ChartControls, chartOptionsFrom, chartsMatching, zoomFrom, zoomUpdate } from '../charts/ChartControls.tsx';
import { chartOrder, isCurve, type StepSpan } from '../charts/chart-order.ts';
import { ChartSections } from '../charts/ChartSections.tsx';
import { LazyChart } from '../charts/LazyChart.tsx';
import { colorFor } from '../charts/series.ts';
import { Artifacts, artifactSummary } from '../components/Artifacts.tsx';
import { breakable } from '../components/breakable.tsx';
import { ChildRuns } from '../components/ChildRuns.tsx';
import { Card, CopyableId, ErrorBox, LoadFailure, Spinner, StatusBadge } from '../components/common.tsx';
import { DeletedNotice, DeleteDialog, RenameDialog } from '../components/Lifecycle.tsx';
import { RunLineage } from '../components/RunLineage.tsx';
import { RunModelVersions } from '../components/RunModelVersions.tsx';
import { TagEditor } from '../components/TagEditor.tsx';
import { formatDuration, formatMetric, formatTime } from '../format.ts';
import { useLoad, usePolling } from '../hooks.ts';
import { Link, paths, updateQuery, useLocation } from '../router.ts';
import { descriptionOf, isSystemTag } from '../system-tags.ts';
import { Description } from '../components/InlineMarkdown.tsx';
import { LongValue, MoreRows, PartialNotice, rowStep } from '../components/LongValue.tsx';

const livePollMs = 4000;

const noEntries: Record<string, string> = Object.freeze(Object.create(null));
const byKey = new Intl.Collator('en').compare;

/** A list's entries in key order, sorted once per list rather than on every render. */
const useSorted = (list: RunEntries) =>
  useMemo(() => [...list.entries].sort(([a], [b]) => byKey(a, b)), [list.entries]);

/** Tags the SDKs set for provenance, shown as fields of the overview rather than as tags. */
const provenanceTags: Array<[string, string[]]> = [
  ['Branch', ['stratus.git.branch', 'mlflow.source.git.branch']],
  ['Uncommitted changes', ['stratus.git.dirty']],
  ['Host', ['stratus.host', 'mlflow.source.host']],
  ['Command', ['stratus.command', 'mlflow.source.name']],
  ['Python', ['stratus.python_version']],
  ['User', ['mlflow.user', 'stratus.user']],
];

const tagValue = (tags: Record<string, string>, names: string[]) => {
  for (const name of names) if (Object.hasOwn(tags, name)) return tags[name];
  return undefined;
};

/** The commit: Stratus's SDK records it as a field, MLflow's client as the tag mlflow.source.git.commit. */
const gitCommitOf = (run: RunDetails) => run.git_commit ?? tagValue(run.tags, ['mlflow.source.git.commit']);

/** One run: overview, tags (editable), params, pipeline, one lazy chart per metric, artifacts. Live while RUNNING. */
export function RunPage(props: { runId: string }) {
  const location = useLocation();
  const [refresh, setRefresh] = useState(0);
  const [dialog, setDialog] = useState<'rename' | 'delete' | undefined>();
  // The tab a run's page opened on without one in its URL, kept while it refreshes: a live run whose first
  // steps become curves does not switch tabs under the reader.
  const openedOn = useRef<{ runId: string; tab: RunTab } | undefined>(undefined);
  const run = useLoad(
    async () => unwrap(await api.GET('/api/v1/runs/{run_id}', { params: { path: { run_id: props.runId } } })),
    [props.runId],
  );
  // A reload, not new deps: a poll that fails (a network blip) keeps the run on screen with the error above it.
  const reloadRun = () => {
    setRefresh((n) => n + 1);
    run.reload();
  };
  // A run answer carries 1 MiB of each list at most; the rest is read page by page (api/run-entries.ts).
  const params = useRunEntries(props.runId, 'params', run.data?.params ?? noEntries, run.data?.params_truncated);
  const tags = useRunEntries(props.runId, 'tags', run.data?.tags ?? noEntries, run.data?.tags_truncated);
  const sortedParams = useSorted(params);
  // Counted from the run's own answer: the tab's folders are read only as they are opened.
  const artifacts = useMemo(() => artifactSummary(run.data?.artifacts ?? []), [run.data?.artifacts]);
  // The provenance and note tags (mlflow.*, stratus.*) may be past the first page too.
  const wholeTags = useMemo(
    () => (run.data && !run.data.tags_truncated ? run.data.tags : recordOf(tags.entries)),
    [run.data, tags.entries],
  );
  const data = run.data && { ...run.data, tags: wholeTags };
  // A deleted run takes no new data: nothing to refresh.
  const live = data?.status === 'RUNNING' && data.lifecycle_stage !== 'deleted';
  usePolling(reloadRun, livePollMs, live);

  const experiment = useLoad(
    async () =>
      data
        ? unwrap(
            await api.GET('/api/v1/experiments/{experiment_id}', {
              params: { path: { experiment_id: data.experiment_id } },
            }),
          )
        : undefined,
    [data?.experiment_id],
  );

  if (!data) {
    return run.error ? (
      <LoadFailure error={run.error} what="run" id={props.runId} onRetry={run.reload} />
    ) : (
      <Spinner label="Loading run…" />
    );
  }

  const options = chartOptionsFrom(location.query);
  const zoom = zoomFrom(location.query);
  const metricKeys = Object.keys(data.metrics).sort((a, b) => a.localeCompare(b));
  const chartKeys = chartsMatching(chartOrder(data.metrics), location.query);
  const chartRun = [
    { runId: data.run_id, label: data.run_name || data.run_id, color: colorFor(0), startTime: data.start_time },
  ];

  if (openedOn.current?.runId !== data.run_id) {
    openedOn.current = { runId: data.run_id, tab: live || hasCurve(data.metrics) ? 'charts' : 'overview' };
  }
  const tab: RunTab = tabFrom(location.query, metricKeys.length > 0 ? openedOn.current.tab : 'overview');
  const systemTagCount = Object.keys(data.tags).filter(isSystemTag).length;

  return (
    <>
      <div class="page-header">
        <div class="title">
          <nav class="breadcrumb" aria-label="Breadcrumb">
            <Link href={paths.experiments()}>Experiments</Link>
            <span aria-hidden="true">/</span>
            <Link href={paths.experiment(data.experiment_id)} title={experiment.data?.experiment_name}>
              {experiment.data?.experiment_name ?? 'Experiment'}
            </Link>
            <span aria-hidden="true">/</span>
          </nav>
          <h1 class="run-title">
            {data.run_name || data.run_id} <StatusBadge status={data.status} />
            {live && (
              <span class="live" aria-live="polite">
                live · refreshing every {livePollMs / 1000} s
              </span>
            )}
          </h1>
          <span class="muted summary">
            started {formatTime(data.start_time)} ·{' '}
            {formatDuration(data.duration_ms ?? (data.status === 'RUNNING' ? Date.now() - data.start_time : undefined))}
            {gitCommitOf(data) && (
              <>
                {' '}
                · <code title={gitCommitOf(data)}>{gitCommitOf(data)?.slice(0, 10)}</code>
              </>
            )}
          </span>
          {descriptionOf(data) && <Description text={descriptionOf(data) as string} />}
        </div>
        <div class="actions">
          <button type="button" onClick={() => setDialog('rename')}>
            Rename
          </button>
          {data.lifecycle_stage !== 'deleted' && (
            <button type="button" class="danger" onClick={() => setDialog('delete')}>
              Delete
            </button>
          )}
        </div>
      </div>
      {run.error && <ErrorBox error={run.error} />}
      {data.lifecycle_stage === 'deleted' &&
        (experiment.data?.lifecycle_stage === 'deleted' ? (
          // Deleted with its experiment: the API refuses to restore the run alone, so the button restores the experiment.
          <DeletedNotice
            what="run"
            detail={`its experiment ${experiment.data.experiment_name} is deleted, and its runs with it. Restoring the experiment brings them back.`}
            restoreLabel="Restore the experiment"
            onRestore={async () => {
              unwrap(
                await api.POST('/api/v1/experiments/{experiment_id}/restore', {
                  params: { path: { experiment_id: data.experiment_id } },
                }),
              );
              experiment.reload();
              reloadRun();
            }}
          />
        ) : (
          <DeletedNotice
            what="run"
            detail="it is left out of the runs table and searches, and takes no new data."
            onRestore={async () => {
              unwrap(await api.POST('/api/v1/runs/{run_id}/restore', { params: { path: { run_id: data.run_id } } }));
              reloadRun();
            }}
          />
        ))}
      {dialog === 'rename' && (
        <RenameDialog
          what="run"
          current={data.run_name}
          onRename={async (name) => {
            unwrap(
              await api.PATCH('/api/v1/runs/{run_id}', {
                params: { path: { run_id: data.run_id } },
                body: { run_name: name },
              }),
            );
            reloadRun();
          }}
          onClose={() => setDialog(undefined)}
        />
      )}
      {dialog === 'delete' && (
        <DeleteDialog
          what="run"
          name={data.run_name || data.run_id}
          consequence="It leaves the runs table and searches, and takes no new data."
          onDelete={async () => {
            unwrap(await api.DELETE('/api/v1/runs/{run_id}', { params: { path: { run_id: data.run_id } } }));
            reloadRun();
          }}
          onClose={() => setDialog(undefined)}
        />
      )}
      <Tabs
        current={tab}
        tabs={[
          ['overview', 'Overview'],
          ['charts', `Charts (${metricKeys.length})`],
          ['artifacts', `Artifacts (${artifacts.count})`],
        ]}
      />
      {tab === 'overview' && (
        <div role="tabpanel" id="panel-overview" aria-labelledby="tab-overview">
          <div class="grid-2">
            <Overview run={data} refresh={live ? refresh : 0} />
            <div class="column">
              <TagEditor
                run={data}
                systemTagCount={systemTagCount}
                onSaved={reloadRun}
                partial={
                  <PartialNotice
                    what="tags"
                    count={tags.entries.size}
                    complete={tags.complete}
                    error={tags.error}
                    onRetry={reloadRun}
                  />
                }
              />
              <RunModelVersions runId={data.run_id} />
            </div>
          </div>
          <div class="grid-2 section">
            <Card
              id="params"
              title={`Params (${params.entries.size.toLocaleString('en-US')}${params.complete ? '' : ' so far'})`}
            >
              <PartialNotice
                what="params"
                count={params.entries.size}
                complete={params.complete}
                error={params.error}
                onRetry={reloadRun}
              />
              <KeyValues
                entries={sortedParams}
                empty="No params logged."
                what="params"
                queryName="pkeys"
                query={location.query}
              />
            </Card>
            <Card id="latest" title={`Latest metrics (${metricKeys.length})`}>
              <KeyValues
                entries={metricKeys.map((key) => {
                  const latest = data.metrics[key];
                  return [
                    key,
                    latest ? `${formatMetric(latest.value)}  ·  step ${latest.step.toLocaleString('en-US')}` : '—',
                  ];
                })}
                empty="No metrics logged."
                what="metrics"
                queryName="mkeys"
                query={location.query}
              />
            </Card>
          </div>
          <RunLineage runId={data.run_id} status={data.status} live={live} />
          {data.pipeline && <Pipeline pipeline={data.pipeline} />}
        </div>
      )}
      {tab === 'charts' && (
        <div role="tabpanel" id="panel-charts" aria-labelledby="tab-charts">
          {metricKeys.length === 0 ? (
            <div class="card empty">No metrics yet.</div>
          ) : (
            <>
              <ChartControls location={location} metricCount={metricKeys.length} shownCount={chartKeys.length} />
              {chartKeys.length === 0 && (
                <div class="card empty">No metric name holds “{location.query.get('charts')}”.</div>
              )}
              <ChartSections
                shown={chartKeys}
                all={metricKeys}
                query={location.query}
                headingLevel={2}
                chart={(key) => (
                  <LazyChart
                    key={key}
                    metricKey={key}
                    runs={chartRun}
                    options={options}
                    zoom={zoom && zoom.metric === key ? zoom.range : undefined}
                    onZoom={(range) => updateQuery(zoomUpdate(key, range))}
                    refresh={live ? refresh : 0}
                  />
                )}
              />
            </>
          )}
        </div>
      )}
      {tab === 'artifacts' && (
        <div role="tabpanel" id="panel-artifacts" aria-labelledby="tab-artifacts">
          <Artifacts runId={data.run_id} summary={artifacts} key={data.run_id} />
        </div>
      )}
    </>
  );
}

type RunTab = 'overview' | 'charts' | 'artifacts';

/**
 * Whether any metric spans more than one step: a curve to open the page on. A run that has ended with every
 * metric at one step (final scores, as `mlflow.sklearn.autolog()` logs them) opens on its overview, where the
 * Latest metrics card shows the values as numbers rather than as lone dots; a running one opens on its charts,
 * which fill in as it logs.
 */
function hasCurve(metrics: Readonly<Record<string, StepSpan>>): boolean {
  return Object.values(metrics).some(isCurve);
}

/** The tab in the URL; a zoomed chart, a chosen artifact or a key filter implies its tab. */
function tabFrom(query: URLSearchParams, otherwise: RunTab): RunTab {
  const tab = query.get('tab');
  if (tab === 'overview' || tab === 'charts' || tab === 'artifacts') return tab;
  if (query.has('zoom')) return 'charts';
  if (query.has('artifact')) return 'artifacts';
  if (query.has('pkeys') || query.has('mkeys')) return 'overview';
  return otherwise;
}

/** WAI-ARIA tabs: the current one is in the URL; arrow keys move between them. */
function Tabs(props: { current: RunTab; tabs: Array<[RunTab, string]> }) {
  const select = (tab: RunTab, focus: boolean) => {
    updateQuery({ tab });
    if (focus) requestAnimationFrame(() => document.getElementById(`tab-${tab}`)?.focus());
  };
  const onKey = (event: KeyboardEvent) => {
    const index = props.tabs.findIndex(([tab]) => tab === props.current);
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    event.preventDefault();
    const next = props.tabs[(index + step + props.tabs.length) % props.tabs.length];
    if (next) select(next[0], true);
  };
  return (
    <div class="tabs" role="tablist" aria-label="Run views" onKeyDown={onKey}>
      {props.tabs.map(([tab, label]) => (
        <button
          type="button"
          role="tab"
          id={`tab-${tab}`}
          key={tab}
          aria-selected={props.current === tab}
          aria-controls={`panel-${tab}`}
          tabIndex={props.current === tab ? 0 : -1}
          onClick={() => select(tab, false)}
        >
          {label}
        </button>
      ))}
    </div>
  );
}

/** `refresh` counts a live run's polls: its sweep's trials appear as they start. */
function Overview(props: { run: RunDetails; refresh: number }) {
  const { run } = props;
  const rows: Array<[string, ComponentChild]> = [
    ['Run ID', <CopyableId value={run.run_id} what="run ID" />],
    ['Started', formatTime(run.start_time)],
    ['Ended', run.end_time ? formatTime(run.end_time) : '—'],
    [
      'Duration',
      formatDuration(run.duration_ms ?? (run.status === 'RUNNING' ? Date.now() - run.start_time : undefined)),
    ],
  ];
  const commit = gitCommitOf(run);
  if (commit) rows.push(['Git commit', <CopyableId value={commit} what="commit" />]);
  if (run.code_version) rows.push(['Code version', <code>{run.code_version}</code>]);
  for (const [label, names] of provenanceTags) {
    const value = tagValue(run.tags, names);
    if (value !== undefined) rows.push([label, label === 'Command' ? <code>{value}</code> : value]);
  }
  if (run.parent_run_id) rows.push(['Parent run', <ParentRunLink parentRunId={run.parent_run_id} />]);
  // A sweep's parent is a top-level run; a trial of a sweep rarely has runs of its own.
  else rows.push(['Child runs', <ChildRuns run={run} refresh={props.refresh} />]);
  return (
    <Card id="overview" title="Details">
      <table class="data kv">
        <tbody>
          {rows.map(([label, value]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}

/** The parent's name (its id until it loads, or if it cannot be read). */
function ParentRunLink(props: { parentRunId: string }) {
  const parent = useLoad(
    async (signal) =>
      unwrap(await api.GET('/api/v1/runs/{run_id}', { params: { path: { run_id: props.parentRunId } }, signal })),
    [props.parentRunId],
  );
  return <Link href={paths.run(props.parentRunId)}>{parent.data?.run_name || props.parentRunId}</Link>;
}

/**
 * A run's params or latest metrics by key. Past a dozen keys a box filters
 * them by the words of their names ("hellaswag acc" finds
 * `eval/hellaswag/acc`), kept in the URL (`pkeys=`, `mkeys=`) so a reload or a
 * shared link shows the same keys.
 */
function KeyValues(props: {
  entries: Array<[string, string]>;
  empty: string;
  what: 'params' | 'metrics';
  queryName: 'pkeys' | 'mkeys';
  query: URLSearchParams;
}) {
  const needle = props.query.get(props.queryName) ?? '';
  const [limit, setLimit] = useState(rowStep);
  if (props.entries.length === 0) return <div class="empty">{props.empty}</div>;
  const words = needle.toLowerCase().split(/\s+/).filter(Boolean);
  const shown =
    words.length > 0
      ? props.entries.filter(([key]) => words.every((word) => key.toLowerCase().includes(word)))
      : props.entries;
  return (
    <>
      {(props.entries.length > 12 || needle !== '') && (
        <div class="body" style={{ paddingBottom: '10px' }}>
          <input
            type="search"
            class="key-filter"
            placeholder={`Filter ${props.entries.length.toLocaleString('en-US')} ${props.what} by name`}
            aria-label={`Filter ${props.what} by name`}
            value={needle}
            onInput={(e) => updateQuery({ [props.queryName]: e.currentTarget.value || undefined })}
          />
        </div>
      )}
      {/* Focusable: a keyboard scrolls a long list (axe scrollable-region-focusable). */}
      <div class="table-scroll" style={{ maxHeight: '360px' }} tabIndex={0}>
        <table class="data kv">
          <tbody>
            {shown.length === 0 && (
              <tr>
                <td colSpan={2} class="empty">
                  No {props.what === 'params' ? 'param' : 'metric'} name holds “{needle}”.
                </td>
              </tr>
            )}
            {shown.slice(0, limit).map(([key, value]) => (
              <tr key={key}>
                <th scope="row" class="mono">
                  {breakable(key)}
                </th>
                <td class="mono">
                  <LongValue value={value} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <MoreRows
        shown={Math.min(limit, shown.length)}
        total={shown.length}
        what={props.what}
        step={rowStep * 5}
        onMore={(step) => setLimit(limit + step)}
      />
    </>
  );
}

function Pipeline(props: { pipeline: NonNullable<RunDetails['pipeline']> }) {
  const components = [...(props.pipeline.pipeline_components ?? [])].sort(
    (a, b) => (a.position ?? 0) - (b.position ?? 0),
  );
  return (
    <div class="section">
      <Card id="pipeline" title="Pipeline">
        <div class="grid-2 body">
          <div>
            <h3 style={{ marginBottom: '8px' }}>Components</h3>
            {components.length === 0 ? (
              <span class="muted">None</span>
            ) : (
              <table class="data">
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">Name</th>
                    <th scope="col">Type</th>
                    <th scope="col">Stage</th>
                  </tr>
                </thead>
                <tbody>
                  {components.map((component, index) => (
                    <tr key={index}>
                      <td>{component.position ?? index}</td>
                      <td class="mono">{component.name}</td>
                      <td>{component.type}</td>
                      <td>{component.stage ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
          <div>
            <h3 style={{ marginBottom: '8px' }}>Config</h3>
            <pre class="mono" style={{ margin: 0, maxHeight: '320px', overflow: 'auto' }} tabIndex={0}>
              {JSON.stringify(props.pipeline.pipeline_config ?? {}, null, 2)}
            </pre>
          </div>
        </div>
      </Card>
    </div>
  );
}
