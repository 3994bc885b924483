import { useNearViewport } from '../hooks.ts';
import { type ChartOptions, type ChartRun, MetricChart } from './MetricChart.tsx';
import type { StepRange } from './series.ts';

/**
 * A chart card whose chart (and its fetch) is only built once it scrolls near the viewport. Until then it
 * is a card of the drawn one's size saying it is loading, not an empty box (a full-page screenshot, a
 * fast scroll).
 */
export function LazyChart(props: {
  metricKey: string;
  runs: readonly ChartRun[];
  options: ChartOptions;
  zoom: StepRange | undefined;
  onZoom: (range: StepRange | undefined) => void;
  refresh?: number;
}) {
  const [ref, near] = useNearViewport<HTMLElement>();
  const headingId = `chart-${encodeURIComponent(props.metricKey).replace(/[^A-Za-z0-9_-]/g, '_')}`;
  return (
    <section class="card chart-card" ref={ref} aria-labelledby={headingId}>
      {near ? (
        <MetricChart {...props} headingId={headingId} />
      ) : (
        <>
          <header>
            <h3 id={headingId}>{props.metricKey}</h3>
          </header>
          <div class="chart-area pending" aria-hidden="true">
            <div class="chart-status">Loading…</div>
          </div>
        </>
      )}
    </section>
  );
}
