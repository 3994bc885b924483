import type { ComponentChild } from 'preact';
import { updateQuery } from '../router.ts';

/** The section of the metrics with no prefix, among sections of prefixed ones; in the URL as `collapsed=/`. */
const otherSection = '/';
/** The prefix of MLflow's system metrics. */
const systemSection = 'system';

export interface ChartSection {
  /** The prefix (`train` for `train/loss`), or `/` for the metrics without one. */
  key: string;
  metricKeys: string[];
}

/**
 * Metrics grouped by the part of their name before the first '/' (`train/loss`,
 * `train/acc` → "train"), as W&B's workspace does: sections in name order, the
 * metrics without a prefix under "Other", and the system metrics MLflow and the
 * SDKs log (`system/gpu_0_utilization_percentage`) last: a run's page opens on
 * its loss, not on its CPU. Undefined when no name has a prefix: the charts
 * are then one grid as before.
 */
export function chartSections(metricKeys: readonly string[]): ChartSection[] | undefined {
  const prefixOf = (key: string) => {
    const slash = key.indexOf('/');
    return slash > 0 ? key.slice(0, slash) : otherSection;
  };
  if (!metricKeys.some((key) => prefixOf(key) !== otherSection)) return undefined;
  const sections = new Map<string, string[]>();
  for (const key of metricKeys) {
    const prefix = prefixOf(key);
    const members = sections.get(prefix);
    if (members) members.push(key);
    else sections.set(prefix, [key]);
  }
  // The model's sections first; the machine's (system/cpu_…, system/gpu_…) after everything else.
  const rank = (key: string) => (key === systemSection ? 2 : key === otherSection ? 1 : 0);
  return [...sections.entries()]
    .map(([key, members]) => ({ key, metricKeys: members }))
    .sort((a, b) => rank(a.key) - rank(b.key) || a.key.localeCompare(b.key));
}

/**
 * Whether the user last opened (true) or folded (false) the system section,
 * on any run: someone who watches GPU memory finds it open on the next run too.
 * localStorage holds only this flag; a tab that cannot store it starts folded.
 */
const systemMemoryKey = 'stratus.charts.system-open';
function rememberedSystemOpen(): boolean | undefined {
  try {
    const value = localStorage.getItem(systemMemoryKey);
    return value === null ? undefined : value === '1';
  } catch {
    return undefined;
  }
}
function rememberSystemOpen(open: boolean) {
  try {
    localStorage.setItem(systemMemoryKey, open ? '1' : '0');
  } catch {
    // Not remembered: the URL still holds this view's state.
  }
}

/**
 * The charts, in collapsible sections by metric-name prefix when names have
 * one. A collapsed section (`collapsed=` in the URL, so a reload or Back keeps
 * it) builds none of its charts. The machine's `system/` section starts
 * folded (the model's curves are what a run is opened for) unless it is the
 * only one or was last opened; opened, it is `expanded=system` in the URL.
 * `shown` are the metrics the search leaves; `all` every metric, to count a
 * section's charts while searching.
 */
export function ChartSections(props: {
  shown: readonly string[];
  all: readonly string[];
  query: URLSearchParams;
  /** The sections' heading level: under the page's h1 (a run's charts tab) or under a "Metrics" h2 (compare). */
  headingLevel: 2 | 3;
  chart: (metricKey: string) => ComponentChild;
}) {
  const Heading = props.headingLevel === 2 ? 'h2' : 'h3';
  const sections = chartSections(props.shown);
  if (!sections) return <div class="charts">{props.shown.map(props.chart)}</div>;
  const collapsed = new Set(props.query.getAll('collapsed'));
  const expanded = new Set(props.query.getAll('expanded'));
  const openByDefault = (key: string) =>
    key !== systemSection || sections.length === 1 || (rememberedSystemOpen() ?? false);
  const totals = chartSections(props.all) ?? [];
  const searching = props.shown.length !== props.all.length;
  return (
    <>
      {sections.map((section) => {
        const open = collapsed.has(section.key) ? false : expanded.has(section.key) || openByDefault(section.key);
        const total = totals.find((one) => one.key === section.key)?.metricKeys.length ?? section.metricKeys.length;
        const id = `charts-section-${encodeURIComponent(section.key).replace(/[^A-Za-z0-9_-]/g, '_')}`;
        const toggle = () => {
          const nextCollapsed = new Set(collapsed);
          const nextExpanded = new Set(expanded);
          nextCollapsed.delete(section.key);
          nextExpanded.delete(section.key);
          // The URL says what differs from the default; system's state always, as the default follows this browser.
          if (section.key === systemSection) {
            rememberSystemOpen(!open);
            (open ? nextCollapsed : nextExpanded).add(section.key);
          } else if (open) nextCollapsed.add(section.key);
          updateQuery({ collapsed: [...nextCollapsed].sort(), expanded: [...nextExpanded].sort() });
        };
        return (
          <section class="chart-section" key={section.key} data-section={section.key} aria-labelledby={`${id}-title`}>
            <Heading class="chart-section-title" id={`${id}-title`}>
              <button type="button" aria-expanded={open} aria-controls={id} onClick={toggle}>
                <span class="chevron" aria-hidden="true" />
                {section.key === otherSection ? 'Other' : section.key}
                <span class="count">
                  {searching ? `${section.metricKeys.length} of ${total}` : total} {total === 1 ? 'chart' : 'charts'}
                </span>
              </button>
            </Heading>
            <div class="charts" id={id} hidden={!open}>
              {open && section.metricKeys.map(props.chart)}
            </div>
          </section>
        );
      })}
    </>
  );
}
