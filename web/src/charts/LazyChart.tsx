import { useNearViewport } from '../hooks.ts';
import { type ChartOptions, type ChartRun, MetricChart } from './MetricChart.tsx';
import type { StepRange } from './series.ts';

/** A chart card whose chart (and its fetch) is only built once it scrolls near the viewport. */
export function LazyChart(props: {
  metricKey: string;
  runs: readonly ChartRun[];
  options: ChartOptions;
  zoom: StepRange | undefined;
  onZoom: (range: StepRange | undefined) => void;
  refresh?: number;
}) {
  const [ref, near] = useNearViewport<HTMLElement>();
  const headingId = `chart-${encodeURIComponent(props.metricKey).replace(/%/g, '_')}`;
  return (
    <section class="card chart-card" ref={ref} aria-labelledby={headingId}>
      <header>
        <div class="chart-title">
          <h3 id={headingId} title={props.metricKey}>
            {props.metricKey}
          </h3>
        </div>
      </header>
      {near ? <MetricChart {...props} /> : <div class="chart-area" aria-hidden="true" />}
    </section>
  );
}
