import type { ComponentChildren } from 'preact';
import type { WireValue } from '../api/types.ts';
import type { LineStyle } from '../charts/series.ts';
import type { Direction } from './best-values.ts';
import { Link } from '../router.ts';
import { breakable } from './breakable.tsx';
import { LongValue } from './LongValue.tsx';

/** A compared run as its tables show it: its name and the colour and line of its chart series. */
export interface ComparedRun {
  run_id: string;
  label: string;
  color: string;
  lineStyle: LineStyle;
  metrics: Record<string, WireValue | null>;
}

/** One metric of the compared runs: its shared format and, where it has a better value, its direction and best runs. */
export interface ComparedMetric {
  name: string;
  format: (value: WireValue | null | undefined) => string;
  /** Absent for a metric with no best (a `system/` reading, a schedule). */
  direction?: Direction;
  /** The indices (in the runs' order) of the runs holding the best latest value. */
  best: ReadonlySet<number>;
}

export const latestValue = (run: ComparedRun, metric: string): WireValue | null =>
  Object.hasOwn(run.metrics, metric) ? (run.metrics[metric] ?? null) : null;

/**
 * The arrow beside a metric's name that says which way is better and flips it
 * (kept in the URL): a metric the name guessed wrong ("margin", "drift") gets its best marked right.
 */
export function BestDirection(props: { metric: string; lower: boolean; onFlip: () => void }) {
  const now = props.lower ? 'lower' : 'higher';
  const other = props.lower ? 'higher' : 'lower';
  return (
    <button
      type="button"
      class="best-direction"
      aria-label={`${props.metric}: ${now} is better. Mark the ${other === 'lower' ? 'lowest' : 'highest'} value as best instead`}
      title={`${now} is better: the ${props.lower ? 'lowest' : 'highest'} value is marked. Click for ${other}.`}
      onClick={props.onFlip}
    >
      {props.lower ? '↓' : '↑'}
    </button>
  );
}

/** A metric's latest value in a run; the best is bold on a green tint and said in words to a screen reader. */
export function MetricValue(props: { metric: ComparedMetric; run: ComparedRun; index: number }) {
  const { metric, run, index } = props;
  if (!metric.best.has(index)) return <td class="num">{metric.format(latestValue(run, metric.name))}</td>;
  return (
    <td class="num best" title={`Best ${metric.name} of these runs (${metric.direction} is better)`}>
      {metric.format(latestValue(run, metric.name))}
      <span class="visually-hidden"> (best)</span>
    </td>
  );
}

/**
 * Compare on a phone: one name (a metric, a param) under another, each run's value on a line
 * of its own, its swatch and name beside it. Runs × names as columns put every value but
 * the first run's a swipe away at 390 px.
 */
function ByRun<R extends ComparedRun>(props: {
  label: string;
  class: string;
  runs: readonly R[];
  names: readonly string[];
  heading: (name: string) => ComponentChildren;
  headingClass?: (name: string) => string;
  value: (name: string, run: R, index: number) => ComponentChildren;
}) {
  return (
    <table class={`data by-run ${props.class}`} aria-label={props.label}>
      {props.names.map((name) => (
        <tbody key={name}>
          <tr class={`by-run-name ${props.headingClass?.(name) ?? ''}`}>
            <th scope="rowgroup" colSpan={2} class="mono">
              {props.heading(name)}
            </th>
          </tr>
          {props.runs.map((run, index) => (
            <tr key={run.run_id}>
              <th scope="row" title={run.label}>
                <RunLabel run={run} />
              </th>
              {props.value(name, run, index)}
            </tr>
          ))}
        </tbody>
      ))}
    </table>
  );
}

/** The latest metrics on a phone, with the best of each marked and its direction beside its name. */
export function MetricsByRun(props: {
  runs: readonly ComparedRun[];
  metrics: readonly ComparedMetric[];
  onFlip: (metric: string) => void;
}) {
  const byName = new Map(props.metrics.map((metric) => [metric.name, metric]));
  const metricOf = (name: string) => byName.get(name) as ComparedMetric;
  return (
    <ByRun
      label="Latest metrics by run"
      class="metrics-by-run"
      runs={props.runs}
      names={props.metrics.map((metric) => metric.name)}
      heading={(name) => (
        <>
          {name}
          {metricOf(name).direction && (
            <BestDirection
              metric={name}
              lower={metricOf(name).direction === 'lower'}
              onFlip={() => props.onFlip(name)}
            />
          )}
        </>
      )}
      value={(name, run, index) => <MetricValue metric={metricOf(name)} run={run} index={index} />}
    />
  );
}

/** The params on a phone; one that differs between the runs is marked as in the desktop table. */
export function ParamsByRun(props: {
  runs: readonly (ComparedRun & { params: Record<string, string | null> })[];
  names: readonly string[];
  differs: (name: string) => boolean;
}) {
  return (
    <ByRun
      label="Params by run"
      class="params-by-run"
      runs={props.runs}
      names={props.names}
      heading={(name) => name}
      headingClass={(name) => (props.differs(name) ? 'differs' : '')}
      value={(name, run) => (
        <td class="mono">
          <ParamValue value={Object.hasOwn(run.params, name) ? run.params[name] : null} />
        </td>
      )}
    />
  );
}

/**
 * A compared run's swatch and name, the name whole: it wraps after its separators beside the swatch
 * (cut at the end, a sweep's runs read alike: "resnet-lr0.00…" on every line). A link to the run with `href`.
 */
export function RunLabel(props: { run: Pick<ComparedRun, 'label' | 'color' | 'lineStyle'>; href?: string }) {
  const { run } = props;
  return (
    <span class="run-label-line">
      <RunSwatch color={run.color} lineStyle={run.lineStyle} />
      {props.href ? (
        <Link href={props.href} class="run-label" title={run.label}>
          {breakable(run.label)}
        </Link>
      ) : (
        <span class="run-label">{breakable(run.label)}</span>
      )}
    </span>
  );
}

/** A run's colour as its lines are drawn: filled for solid lines, a dashed or dotted outline otherwise. */
export function RunSwatch(props: { color: string; lineStyle: LineStyle }) {
  return (
    <span
      class="legend-swatch"
      data-line={props.lineStyle}
      style={
        props.lineStyle === 'solid' ? { background: props.color } : { border: `2px ${props.lineStyle} ${props.color}` }
      }
      aria-hidden="true"
    />
  );
}

/** A run's value of a compared param: a long one (a config, a prompt) shown by its start. */
export function ParamValue(props: { value: string | null | undefined }) {
  return props.value === null || props.value === undefined ? (
    <span class="muted">—</span>
  ) : (
    <LongValue value={props.value} />
  );
}
