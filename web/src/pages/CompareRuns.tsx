import { useState } from 'preact/hooks';
import { ApiFailure, api, unwrap } from '../api/client.ts';
import { type Comparison, numericValue } from '../api/types.ts';
import { wholeComparison } from '../api/whole-comparison.ts';
import { comparisonCsv } from '../compare-csv.ts';
import { ChartControls, chartOptionsFrom, chartsMatching, zoomFrom, zoomUpdate } from '../charts/ChartControls.tsx';
import { chartOrder, isCurve, type StepSpan } from '../charts/chart-order.ts';
import { ChartSections } from '../charts/ChartSections.tsx';
import { LazyChart } from '../charts/LazyChart.tsx';
import { ParallelCoordinates } from '../charts/ParallelCoordinates.tsx';
import { allPositive, ScatterPlot, type ScatterPoint, scatterXIsNumeric } from '../charts/ScatterPlot.tsx';
import { colorFor, lineStyleFor } from '../charts/series.ts';
import { bestIndices, directionOf, directionsFrom, flipUpdate, hasBest } from '../components/best-values.ts';
import {
  BestDirection,
  type ComparedMetric,
  latestValue,
  MetricsByRun,
  MetricValue,
  ParamsByRun,
  ParamValue,
  RunLabel,
} from '../components/CompareByRun.tsx';
import { Card, ErrorBox, NotFoundPage, Spinner, StatusBadge } from '../components/common.tsx';
import { MoreRows, rowStep } from '../components/LongValue.tsx';
import { columnFormat, formatAgo, formatTime, shortId } from '../format.ts';
import { useLoad, useMediaQuery } from '../hooks.ts';
import { isEntityId, Link, paths, updateQuery, useLocation } from '../router.ts';

const minRuns = 2;
const maxRuns = 50;

/** As the stylesheet's phone layout (styles.css). */
const phoneQuery = '(max-width: 520px)';
const phoneRowStep = 40;
/** Params drawn as axes of the parallel coordinates, at most: past that the lines cannot be followed. */
const maxParallelParams = 7;

/**
 * The run of a compare link that cannot be read: an id cut short when pasted
 * (checked here, before asking), or one the API does not find (purged, or of
 * another workspace: its 404 names it).
 */
function unreadableRun(runIds: readonly string[], error: unknown): string | undefined {
  const malformed = runIds.find((id) => !isEntityId(id));
  if (malformed !== undefined) return malformed;
  if (!(error instanceof ApiFailure) || error.status !== 404) return undefined;
  return runIds.find((id) => error.message.includes(`'${id}'`));
}

/** A compare link with a run that is gone: say which, and offer the others. */
function MissingRun(props: { runIds: readonly string[]; missing: string }) {
  const others = props.runIds.filter((id) => id !== props.missing);
  return (
    <NotFoundPage
      title="A run to compare was not found"
      back={
        others.length >= minRuns ? (
          <Link href={paths.compare(others)}>Compare the other {others.length} runs</Link>
        ) : others.length === 1 && isEntityId(others[0] as string) ? (
          <Link href={paths.run(others[0] as string)}>Open the other run</Link>
        ) : (
          <Link href={paths.experiments()}>Go to the experiments</Link>
        )
      }
    >
      No run <code>{props.missing}</code> in this workspace. The link may be incomplete, or the run was purged or
      belongs to another workspace.
    </NotFoundPage>
  );
}

/** 2 to 50 runs side by side: overlaid charts per metric, params (equal ones hideable), a scatter, CSV. */
export function CompareRuns() {
  const location = useLocation();
  const { query } = location;
  const runIds = [...new Set((query.get('runs') ?? '').split(',').filter(Boolean))];
  const hideEqual = query.get('diff') === '1';
  // Every column: runs with values past the answer's (it ends before 6 MB) are read whole.
  const comparison = useLoad(
    async (signal) =>
      runIds.length >= minRuns && runIds.length <= maxRuns && !runIds.some((id) => !isEntityId(id))
        ? await wholeComparison(
            unwrap(await api.POST('/api/v1/runs/compare', { body: { run_ids: runIds }, signal })) as Comparison,
            signal,
          )
        : undefined,
    [runIds.join(',')],
  );
  // A phone lists each param over a line per run: fewer at a time.
  const [paramLimit, setParamLimit] = useState(() => (window.matchMedia(phoneQuery).matches ? phoneRowStep : rowStep));
  const phone = useMediaQuery(phoneQuery);
  const experimentId = comparison.data?.runs[0]?.experiment_id;
  const experiment = useLoad(
    async () =>
      experimentId
        ? unwrap(
            await api.GET('/api/v1/experiments/{experiment_id}', { params: { path: { experiment_id: experimentId } } }),
          )
        : undefined,
    [experimentId],
  );

  if (runIds.length < minRuns || runIds.length > maxRuns) {
    return (
      <div class="empty">
        <h1>Compare runs</h1>
        <p>
          Choose between {minRuns} and {maxRuns} runs in an experiment's runs table, then press Compare. (
          {runIds.length} given.)
        </p>
        <p>
          <Link href={paths.experiments()}>Go to the experiments</Link>
        </p>
      </div>
    );
  }
  const unreadable = unreadableRun(runIds, comparison.error);
  if (unreadable) return <MissingRun runIds={runIds} missing={unreadable} />;
  if (!comparison.data)
    return comparison.error ? (
      <ErrorBox error={comparison.error} onRetry={comparison.reload} />
    ) : (
      <Spinner label="Loading runs…" />
    );

  const data = comparison.data;
  const runs = data.runs.map((run, index) => ({
    ...run,
    color: colorFor(index),
    lineStyle: lineStyleFor(index),
    label: run.run_name || shortId(run.run_id),
  }));
  const options = chartOptionsFrom(query);
  const zoom = zoomFrom(query);
  const chartRuns = runs.map((run) => ({
    runId: run.run_id,
    label: run.label,
    color: run.color,
    lineStyle: run.lineStyle,
    startTime: run.start_time,
  }));
  const differs = (name: string) =>
    new Set(runs.map((run) => (Object.hasOwn(run.params, name) ? run.params[name] : null) ?? '\u0000none')).size > 1;
  const keptNames = hideEqual ? data.param_names.filter(differs) : data.param_names;
  // Runs with thousands of params: found by the words of their names (kept in the URL, as on a run's page).
  const needle = query.get('pkeys') ?? '';
  const words = needle.toLowerCase().split(/\s+/).filter(Boolean);
  const paramNames =
    words.length > 0 ? keptNames.filter((name) => words.every((word) => name.toLowerCase().includes(word))) : keptNames;
  const shownParams = paramNames.slice(0, paramLimit);
  const scatterParam = query.get('sx') ?? data.param_names.find(differs) ?? data.param_names[0];
  const scatterMetric = query.get('sy') ?? data.metric_names[0];
  const chartNames = chartsMatching(chartOrder(comparedSpans(data)), query);
  const scatterPoints: ScatterPoint[] =
    scatterParam && scatterMetric
      ? runs.map((run) => ({
          label: run.label,
          color: run.color,
          x: (Object.hasOwn(run.params, scatterParam) ? run.params[scatterParam] : null) ?? null,
          y: Object.hasOwn(run.metrics, scatterMetric) ? numericValue(run.metrics[scatterMetric]) : null,
        }))
      : [];
  const scatterLog = scatterLogState(scatterPoints, query);
  // Metrics with a best value first; the machine's system/ readings and schedules (lr, epoch) after them.
  // Each marks the runs holding its best latest value, in the direction guessed from its name or chosen.
  const chosenDirections = directionsFrom(query);
  const metrics: ComparedMetric[] = [
    ...data.metric_names.filter(hasBest),
    ...data.metric_names.filter((name) => !hasBest(name)),
  ].map((name) => {
    const values = runs.map((run) => latestValue(run, name));
    const format = columnFormat(values);
    if (!hasBest(name)) return { name, format, best: new Set<number>() };
    const direction = directionOf(name, chosenDirections);
    return { name, format, direction, best: bestIndices(values.map(numericValue), direction) };
  });
  const flip = (name: string) => updateQuery(flipUpdate(name, chosenDirections));
  // The params that differ between the runs, each an axis, and last the chosen metric (`pm`).
  const parallelParams = data.param_names.filter(differs);
  // A metric with a best value (accuracy, loss...) before schedules and system readings, as the table orders them;
  // a link naming one these runs do not have shows that first one.
  const askedMetric = query.get('pm');
  const parallelMetric =
    askedMetric !== null && data.metric_names.includes(askedMetric) ? askedMetric : metrics[0]?.name;
  const parallelAxes =
    parallelMetric === undefined
      ? []
      : [
          ...parallelParams.slice(0, maxParallelParams).map((name) => ({
            name,
            values: runs.map((run) => (Object.hasOwn(run.params, name) ? run.params[name] : null) ?? null),
            mayBeLog: true,
          })),
          {
            name: parallelMetric,
            values: runs.map((run) =>
              Object.hasOwn(run.metrics, parallelMetric) ? numericValue(run.metrics[parallelMetric]) : null,
            ),
          },
        ];
  // On a phone the metrics get a card of their own, one under another, rather than columns a swipe away.
  const tableMetrics = phone ? [] : metrics;

  const downloadCsv = () => {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([comparisonCsv(data, keptNames)], { type: 'text/csv' }));
    link.download = `compare-${runIds.length}-runs.csv`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  };

  return (
    <>
      <div class="page-header">
        <div class="title">
          <nav class="breadcrumb" aria-label="Breadcrumb">
            <Link href={paths.experiments()}>Experiments</Link>
            {experimentId && (
              <>
                <span aria-hidden="true">/</span>
                <Link href={paths.experiment(experimentId)} title={experiment.data?.experiment_name}>
                  {experiment.data?.experiment_name ?? 'Runs'}
                </Link>
              </>
            )}
            <span aria-hidden="true">/</span>
          </nav>
          <h1>Compare {runs.length} runs</h1>
        </div>
        <div class="actions">
          <button type="button" onClick={downloadCsv}>
            Download CSV
          </button>
        </div>
      </div>
      <Card id="compared-runs" title="Runs">
        <div class="table-scroll">
          <table class="data compared-runs" aria-label="Compared runs">
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Status</th>
                <th scope="col">Started</th>
                {tableMetrics.map((metric) => (
                  <th scope="col" class="num mono" key={metric.name}>
                    {metric.name}
                    {metric.direction && (
                      <BestDirection
                        metric={metric.name}
                        lower={metric.direction === 'lower'}
                        onFlip={() => flip(metric.name)}
                      />
                    )}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {runs.map((run, index) => (
                <tr key={run.run_id}>
                  <td>
                    <RunLabel run={run} href={paths.run(run.run_id)} />
                  </td>
                  <td>
                    <StatusBadge status={run.status} />
                  </td>
                  <td title={formatTime(run.start_time)}>{formatAgo(run.start_time)}</td>
                  {tableMetrics.map((metric) => (
                    <MetricValue key={metric.name} metric={metric} run={run} index={index} />
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Card>
      {phone && metrics.length > 0 && (
        <Card id="compared-metrics" title="Latest metrics" class="section">
          <MetricsByRun runs={runs} metrics={metrics} onFlip={flip} />
        </Card>
      )}

      <section class="section" aria-labelledby="compare-charts-title">
        <h2 id="compare-charts-title" style={{ marginBottom: '10px' }}>
          Metrics
        </h2>
        <ChartControls location={location} metricCount={data.metric_names.length} shownCount={chartNames.length} />
        {chartNames.length === 0 && <div class="card empty">No metric name holds “{query.get('charts')}”.</div>}
        <ChartSections
          shown={chartNames}
          all={data.metric_names}
          query={query}
          headingLevel={3}
          chart={(name) => (
            <LazyChart
              key={name}
              metricKey={name}
              runs={chartRuns}
              options={options}
              zoom={zoom && zoom.metric === name ? zoom.range : undefined}
              onZoom={(range) => updateQuery(zoomUpdate(name, range))}
            />
          )}
        />
      </section>

      <div class="grid-2 section">
        {/* Past two runs a half-width table cuts off the last runs' columns: it takes the row, the scatter goes below. */}
        <Card
          id="compare-params"
          class={runs.length > 2 ? 'span-all' : undefined}
          title={`Params (${paramNames.length.toLocaleString('en-US')}${paramNames.length < data.param_names.length ? ` of ${data.param_names.length.toLocaleString('en-US')}` : ''})`}
          actions={
            <label class="checkbox">
              <input
                type="checkbox"
                checked={hideEqual}
                onChange={(event) => updateQuery({ diff: event.currentTarget.checked ? '1' : undefined })}
              />
              Hide equal values
            </label>
          }
        >
          {(data.param_names.length > 12 || needle !== '') && (
            <div class="body" style={{ paddingBottom: '10px' }}>
              <input
                type="search"
                class="key-filter"
                placeholder={`Filter ${data.param_names.length.toLocaleString('en-US')} params by name`}
                aria-label="Filter params by name"
                value={needle}
                onInput={(e) => updateQuery({ pkeys: e.currentTarget.value || undefined })}
              />
            </div>
          )}
          {/* On a phone one param under another; elsewhere focusable: a keyboard scrolls it when many params or runs overflow it (axe scrollable-region-focusable). */}
          {phone ? (
            shownParams.length > 0 && <ParamsByRun runs={runs} names={shownParams} differs={differs} />
          ) : (
            <div class="table-scroll" style={{ maxHeight: '420px' }} tabIndex={0}>
              <table class="data compare-params" aria-label="Params by run">
                <thead>
                  <tr>
                    <th scope="col">Param</th>
                    {runs.map((run) => (
                      <th scope="col" key={run.run_id} class="run-heading" title={run.label}>
                        <RunLabel run={run} />
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {shownParams.map((name) => (
                    <tr key={name} class={differs(name) ? 'differs' : ''}>
                      <th scope="row" class="mono">
                        {name}
                      </th>
                      {runs.map((run) => (
                        <td class="mono" key={run.run_id}>
                          <ParamValue value={Object.hasOwn(run.params, name) ? run.params[name] : null} />
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <MoreRows
            shown={shownParams.length}
            total={paramNames.length}
            what="params"
            step={phone ? phoneRowStep : rowStep * 5}
            onMore={(step) => setParamLimit(paramLimit + step)}
          />
          {paramNames.length === 0 && (
            <div class="empty">
              {words.length > 0
                ? `No param name holds “${needle}”.`
                : hideEqual
                  ? 'Every param is equal across these runs.'
                  : 'No params.'}
            </div>
          )}
        </Card>
        <Card id="scatter" title="Param against metric">
          <div class="body">
            <div class="toolbar">
              <label class="field">
                Param (x)
                <select value={scatterParam} onChange={(event) => updateQuery({ sx: event.currentTarget.value })}>
                  <NameOptions names={data.param_names} />
                </select>
              </label>
              <label class="field">
                Metric (y)
                <select value={scatterMetric} onChange={(event) => updateQuery({ sy: event.currentTarget.value })}>
                  <NameOptions names={data.metric_names} />
                </select>
              </label>
              <LogToggle axis="x" state={scatterLog.x} name={scatterParam ?? ''} />
              <LogToggle axis="y" state={scatterLog.y} name={scatterMetric ?? ''} />
            </div>
            {scatterParam && scatterMetric ? (
              <ScatterPlot
                xLabel={scatterParam}
                yLabel={scatterMetric}
                points={scatterPoints}
                logX={scatterLog.x.on}
                logY={scatterLog.y.on}
              />
            ) : (
              <div class="empty">These runs need a param and a metric for this view.</div>
            )}
          </div>
        </Card>
        <Card id="parallel" title="Params against a metric" class="span-all">
          <div class="body">
            <div class="toolbar">
              <label class="field">
                Metric (last axis)
                <select value={parallelMetric} onChange={(event) => updateQuery({ pm: event.currentTarget.value })}>
                  <NameOptions names={data.metric_names} />
                </select>
              </label>
              {parallelParams.length > maxParallelParams && (
                <span class="muted">
                  The first {maxParallelParams} of the {parallelParams.length} params that differ; the params table
                  lists them all.
                </span>
              )}
            </div>
            {parallelParams.length === 0 || parallelMetric === undefined ? (
              <div class="empty">
                {parallelMetric === undefined
                  ? 'These runs have no metric for this view.'
                  : 'Every param is equal across these runs: no axis to spread them on.'}
              </div>
            ) : (
              <ParallelCoordinates axes={parallelAxes} runs={runs} />
            )}
          </div>
        </Card>
      </div>
    </>
  );
}

interface LogState {
  /** Asked for in the URL (`sxlog=1`, `sylog=1`) and possible. */
  on: boolean;
  /** Why a log axis cannot be drawn (a value at or below zero, or text), if it cannot. */
  unavailable?: string;
}

/** Log axes for the scatter, as the line charts have: only where every value plotted is above zero. */
function scatterLogState(points: readonly ScatterPoint[], query: URLSearchParams): { x: LogState; y: LogState } {
  const usable = points.filter((point) => point.x !== null && point.y !== null && Number.isFinite(point.y));
  const xs = usable.map((point) => Number(point.x));
  const ys = usable.map((point) => point.y as number);
  const state = (asked: boolean, unavailable: string | undefined): LogState => ({
    on: asked && unavailable === undefined,
    unavailable,
  });
  return {
    x: state(
      query.get('sxlog') === '1',
      !scatterXIsNumeric(usable)
        ? 'its values are not all numbers'
        : !allPositive(xs)
          ? 'a value is 0 or below'
          : undefined,
    ),
    y: state(query.get('sylog') === '1', allPositive(ys) ? undefined : 'a value is 0 or below'),
  };
}

function LogToggle(props: { axis: 'x' | 'y'; state: LogState; name: string }) {
  const parameter = props.axis === 'x' ? 'sxlog' : 'sylog';
  return (
    <label
      class="checkbox"
      title={props.state.unavailable ? `No log scale for ${props.name}: ${props.state.unavailable}` : undefined}
    >
      <input
        type="checkbox"
        checked={props.state.on}
        disabled={props.state.unavailable !== undefined}
        onChange={(event) => updateQuery({ [parameter]: event.currentTarget.checked ? '1' : undefined })}
      />
      Log {props.axis}
    </label>
  );
}

/**
 * Each compared metric as one span for the chart order of a run's page (curves first, then values logged at
 * one step): a curve when any run's points span steps.
 */
function comparedSpans(data: Comparison): Record<string, StepSpan> {
  const spans: Record<string, StepSpan> = Object.create(null);
  for (const name of data.metric_names) {
    const curve = data.runs.some((run) => {
      const steps = Object.hasOwn(run.metric_steps, name) ? run.metric_steps[name] : undefined;
      return steps !== undefined && isCurve(steps);
    });
    spans[name] = curve ? { step: 1, min_step: 0 } : { step: 0, min_step: 0 };
  }
  return spans;
}

/** The options of a select of param or metric names. */
function NameOptions(props: { names: readonly string[] }) {
  return (
    <>
      {props.names.map((name) => (
        <option key={name} value={name}>
          {name}
        </option>
      ))}
    </>
  );
}
