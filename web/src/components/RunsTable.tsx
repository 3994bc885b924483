import { Component, type ComponentChild } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { SearchedRun } from '../api/types.ts';
import { useRunEntries } from '../api/run-entries.ts';
import { columnFormat, formatAgo, formatDuration, formatTime } from '../format.ts';
import { Link, onLeave, paths } from '../router.ts';
import { breakable } from './breakable.tsx';
import { StatusBadge } from './common.tsx';
import type { NestedRow } from './run-nesting.ts';
import { headerTextWidth, textWidth } from './text-width.ts';
import { useVirtualRows } from './useVirtualRows.ts';
import { useMeasuredWidth } from '../hooks.ts';

/** A column of the runs table: a run attribute, or a metric, param or tag the user chose. */
export interface RunColumn {
  id: string;
  label: string;
  /** metric, param or tag: shown above the key, since a param and a metric may share a name. */
  kind?: string;
  title?: string;
  width: string;
  /**
   * The narrowest (px) the column may get when the columns' minimums would make the table wider than its
   * box by no more than the column can give: the Run column's names then wrap, and the last column stays
   * in view rather than cut at the edge.
   */
  least?: number;
  numeric: boolean;
  /** The API's order_by field for it; absent when the API cannot order by it. */
  orderField?: string;
  render: (run: SearchedRun) => ComponentChild;
}

const bareKey = /^[A-Za-z0-9_\-./:]+$/;
/** A key as the filter and order_by grammar takes it: bare, or in backticks. */
export const quoteKey = (key: string) => (bareKey.test(key) ? key : `\`${key.replace(/[\\`]/g, '\\$&')}\``);

/** Horizontal room (px) around a run's name in the Run column: cell padding, gaps, the expander, the ↳ mark. */
const runCellPadding = 24;
const nestGap = 6;
const expanderWidth = 22;
const childMarkWidth = 14;
const indentPerLevel = 22;
const runColumnMaximum = 360;
const runColumnLeast = 180;

export const fixedColumns: RunColumn[] = [
  {
    id: 'status',
    label: 'Status',
    width: '104px',
    numeric: false,
    orderField: 'status',
    render: (run) => <StatusBadge status={run.status} />,
  },
  {
    id: 'name',
    label: 'Run',
    width: 'minmax(180px, 24fr)',
    least: runColumnLeast,
    numeric: false,
    orderField: 'run_name',
    render: (run) => (
      <Link href={paths.run(run.run_id)} title={run.run_name}>
        {breakable(run.run_name || run.run_id)}
      </Link>
    ),
  },
  {
    id: 'start',
    label: 'Started',
    width: '120px',
    numeric: false,
    orderField: 'start_time',
    render: (run) => <span title={formatTime(run.start_time)}>{formatAgo(run.start_time)}</span>,
  },
  {
    id: 'duration',
    label: 'Duration',
    width: '96px',
    numeric: true,
    // The API's duration is end_time − start_time: runs still going have none and come last either way.
    orderField: 'duration',
    render: (run) =>
      formatDuration(run.duration_ms ?? (run.status === 'RUNNING' ? Date.now() - run.start_time : undefined)),
  },
];

/**
 * The Run column with nesting: a parent's expander and child count, its
 * children indented under it; in flat views a child run is marked ↳ with its
 * parent's name in the title.
 */
export function runNameColumn(nesting: {
  rows: ReadonlyMap<string, NestedRow>;
  names: ReadonlyMap<string, string>;
  onExpand: (runId: string) => void;
}): RunColumn {
  const base = fixedColumns.find((column) => column.id === 'name') as RunColumn;
  return {
    ...base,
    render: (run) => {
      const row = nesting.rows.get(run.run_id);
      const name = run.run_name || run.run_id;
      const parent = run.parent_run_id;
      const parentName = parent ? (nesting.names.get(parent) ?? parent) : undefined;
      return (
        <span
          class="run-name"
          style={row && row.depth > 0 ? { paddingLeft: `${row.depth * indentPerLevel}px` } : undefined}
        >
          {row && row.children > 0 ? (
            <button
              type="button"
              class="expander"
              aria-expanded={row.expanded}
              aria-label={`${row.expanded ? 'Fold' : 'Show'} the ${row.children} child run${row.children === 1 ? '' : 's'} of ${name}`}
              onClick={() => nesting.onExpand(run.run_id)}
            >
              {row.expanded ? '▾' : '▸'}
            </button>
          ) : (
            parentName !== undefined && (
              <span class="child-mark" title={`Child run of ${parentName}`} aria-label={`child run of ${parentName}`}>
                ↳
              </span>
            )
          )}
          <Link href={paths.run(run.run_id)} title={parentName ? `${name} (child run of ${parentName})` : name}>
            {breakable(name)}
          </Link>
          {row && row.children > 0 && (
            <span class="child-count" title={`${row.children} child runs loaded`}>
              {row.children.toLocaleString('en-US')}
            </span>
          )}
        </span>
      );
    },
  };
}

/** In views that include deleted runs: which runs are deleted, with a button that restores one. */
export const restoreColumn = (onRestore: (runId: string) => Promise<void>): RunColumn => ({
  id: 'lifecycle',
  label: 'Lifecycle',
  width: '200px',
  numeric: false,
  render: (run) =>
    run.lifecycle_stage === 'deleted' ? (
      <span class="row-actions">
        <span class="status deleted">deleted</span>
        <RestoreButton run={run} onRestore={onRestore} />
      </span>
    ) : (
      <span class="muted">—</span>
    ),
});

function RestoreButton(props: { run: SearchedRun; onRestore: (runId: string) => Promise<void> }) {
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      class="small"
      disabled={busy}
      aria-label={`Restore ${props.run.run_name || props.run.run_id}`}
      onClick={() => {
        setBusy(true);
        void props.onRestore(props.run.run_id).finally(() => setBusy(false));
      }}
    >
      Restore
    </button>
  );
}

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));

/** A header's padding either side (styles.css: `.grid-head button.sort`), and a pixel for rounding. */
const headerPadding = 2 * 10 + 1;

/**
 * A column's share of the spare width, in characters: its label or its longest
 * value among the sampled runs, so `logistic_regression` gets room and `lr` does not.
 * Its least width holds its label whole (`max_depth` over one-digit values is
 * not cut to `max_de…` when the table is at its narrowest), up to 220 px.
 */
export function columnWidth(label: string, values: Iterable<string>, minimum: number) {
  let chars = label.length;
  for (const value of values) chars = Math.max(chars, value.length);
  chars = clamp(chars, 6, 32);
  const least = Math.max(Math.round(chars * 7.5 + 20), Math.ceil(headerTextWidth(label) + headerPadding));
  return `minmax(${clamp(least, minimum, 220)}px, ${chars}fr)`;
}

/**
 * The Run column's width: room for the longest sampled name with what sits
 * beside it (indent, a parent's expander and child count, a child's ↳), so a
 * parent's name is on one line when the table is wider than the screen and every
 * column gets only its minimum. Up to 360 px (180 on a phone); a longer name
 * wraps after its separators, whole (cut with …, a sweep's runs read alike).
 */
export function runColumnWidth(rows: Iterable<NestedRow>, nested: boolean) {
  let widest = 0;
  let characters = 3;
  for (const row of rows) {
    const name = row.run.run_name || row.run.run_id;
    let width = textWidth(name) + runCellPadding;
    if (row.children > 0) {
      const count = row.children.toLocaleString('en-US');
      width += expanderWidth + nestGap + nestGap + textWidth(count) * 0.85 + 16;
    } else if (row.run.parent_run_id) width += childMarkWidth + nestGap;
    if (nested) width += row.depth * indentPerLevel;
    widest = Math.max(widest, width);
    characters = Math.max(characters, name.length);
  }
  // On a phone the column takes about half the screen, so Started and the columns after it begin on screen.
  const phone = window.matchMedia('(max-width: 520px)').matches;
  const minimum = phone
    ? clamp(Math.ceil(widest), 120, runColumnLeast)
    : clamp(Math.ceil(widest), runColumnLeast, runColumnMaximum);
  return `minmax(${minimum}px, ${clamp(characters, 6, 40)}fr)`;
}

/**
 * `metrics.loss`, `params.lr`, `tags.team` → a column (latest metric values,
 * param and tag strings), as wide as `sample` (some loaded runs) needs.
 */
export function keyColumn(spec: string, sample: readonly SearchedRun[] = []): RunColumn | undefined {
  const dot = spec.indexOf('.');
  const kind = spec.slice(0, dot);
  const key = spec.slice(dot + 1);
  if (dot < 0 || !key) return undefined;
  const base = { id: spec, title: spec };
  if (kind === 'metrics') {
    const latest = (run: SearchedRun) => (Object.hasOwn(run.metrics, key) ? run.metrics[key]?.value : undefined);
    // Decimals judged on the sampled runs, like the width: later pages keep them, so digits stay in line.
    const format = columnFormat(sample.map(latest));
    return {
      ...base,
      width: columnWidth(key, ['0.000000'], 110),
      label: key,
      kind: 'metric',
      numeric: true,
      orderField: `metrics.${quoteKey(key)}`,
      render: (run) => format(latest(run)),
    };
  }
  if (kind === 'params' || kind === 'tags') {
    const values = (run: SearchedRun) => (kind === 'params' ? run.params : run.tags);
    const sampled = function* () {
      for (const run of sample) if (Object.hasOwn(values(run), key)) yield values(run)[key] as string;
    };
    return {
      ...base,
      width: columnWidth(key, sampled(), 90),
      label: key,
      kind: kind === 'params' ? 'param' : 'tag',
      numeric: false,
      orderField: `${kind}.${quoteKey(key)}`,
      render: (run) => {
        const value = Object.hasOwn(values(run), key) ? values(run)[key] : undefined;
        if (value !== undefined) return <EntryCell value={value} />;
        const truncated = kind === 'params' ? run.params_truncated : run.tags_truncated;
        return truncated ? <LaterEntry run={run} list={kind} entryKey={key} /> : <span class="muted">—</span>;
      },
    };
  }
  return undefined;
}

export interface Order {
  field: string;
  descending: boolean;
}

export function parseOrder(text: string | null): Order | undefined {
  if (!text) return undefined;
  const match = /^(.*?)\s+(ASC|DESC)$/i.exec(text.trim());
  return match
    ? { field: match[1] as string, descending: (match[2] as string).toUpperCase() === 'DESC' }
    : { field: text.trim(), descending: false };
}

const rowHeight = 38;
const headerHeight = 44;
const checkColumnWidth = 40;

const leastOf = (width: string) => parseInt(width.replace(/^minmax\(/, ''), 10) || 110;

/**
 * The grid's column template and the width its minimums add up to. Where those minimums overflow
 * `available` by no more than the yielding columns (`least`) can give, they give it: a long run name
 * wraps instead of pushing the last column past the edge. A table that overflows anyway keeps
 * them, and scrolls sideways with the names on one line.
 */
export function gridColumns(columns: readonly RunColumn[], available: number) {
  const minimums = columns.map((column) => leastOf(column.width));
  const total = checkColumnWidth + minimums.reduce((sum, width) => sum + width, 0);
  const room = (index: number) => Math.max(0, (minimums[index] as number) - (columns[index]?.least ?? Infinity));
  const overflow = total - available;
  const slack = columns.reduce((sum, _column, index) => sum + room(index), 0);
  const given = available > 0 && overflow > 0 && overflow <= slack ? overflow : 0;
  let owed = given;
  const widths = columns.map((column, index) => {
    const give = Math.min(owed, room(index));
    if (give === 0) return column.width;
    owed -= give;
    return column.width.replace(/^minmax\(\d+px/, `minmax(${(minimums[index] as number) - give}px`);
  });
  return { template: [`${checkColumnWidth}px`, ...widths].join(' '), minWidth: total - given };
}

/**
 * The runs of an experiment as a virtualised grid: only the rows in view
 * exist in the DOM, so 10,000 runs scroll like 10. Asks for the next page
 * when the user nears the end of what is loaded.
 */
export function RunsTable(props: {
  runs: readonly SearchedRun[];
  columns: readonly RunColumn[];
  order: Order | undefined;
  onOrder: (order: Order | undefined) => void;
  selected: ReadonlySet<string>;
  onToggle: (runId: string) => void;
  onToggleAll: (select: boolean) => void;
  hasMore: boolean;
  loading: boolean;
  onLoadMore: () => void;
  /** Where the table was scrolled when the user left it (Back returns there). */
  initialScrollTop?: number;
  /** Told where the table is scrolled as the user leaves the page. */
  onLeaveAt?: (scrollTop: number) => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const available = useMeasuredWidth(scroller, 0, 0);
  const count = props.runs.length;
  const virtualizer = useVirtualRows({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 12,
    getItemKey: (index) => props.runs[index]?.run_id ?? index,
    // The sticky header sits above the rows inside the same scroller.
    scrollMargin: headerHeight,
    initialOffset: props.initialScrollTop ?? 0,
  });
  useLayoutEffect(() => {
    if (props.initialScrollTop && scroller.current) scroller.current.scrollTop = props.initialScrollTop;
  }, []);
  const leaveAt = useRef(props.onLeaveAt);
  leaveAt.current = props.onLeaveAt;
  useEffect(() => onLeave(() => scroller.current && leaveAt.current?.(scroller.current.scrollTop)), []);
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.length ? (items[items.length - 1]?.index ?? 0) : 0;

  useEffect(() => {
    if (props.hasMore && !props.loading && lastIndex >= count - 60) props.onLoadMore();
  }, [lastIndex, count, props.hasMore, props.loading]);

  const { template, minWidth } = gridColumns(props.columns, available);
  const allSelected = count > 0 && props.runs.every((run) => props.selected.has(run.run_id));

  const sortBy = (column: RunColumn) => {
    if (!column.orderField) return;
    const current = props.order?.field === column.orderField ? props.order : undefined;
    if (!current) props.onOrder({ field: column.orderField, descending: column.numeric || column.id === 'start' });
    else if (current.descending === (column.numeric || column.id === 'start'))
      props.onOrder({ ...current, descending: !current.descending });
    else props.onOrder(undefined);
  };

  return (
    <div
      ref={scroller}
      class="runs-grid"
      role="table"
      aria-label="Runs"
      aria-rowcount={props.hasMore ? -1 : count + 1}
      tabIndex={0}
      data-loaded-rows={count}
    >
      <div
        class="grid-row grid-head"
        role="row"
        aria-rowindex={1}
        style={{ gridTemplateColumns: template, minWidth: `${minWidth}px` }}
      >
        <div role="columnheader" class="cell check">
          <input
            type="checkbox"
            aria-label="Select all loaded runs"
            checked={allSelected}
            onChange={(event) => props.onToggleAll(event.currentTarget.checked)}
          />
        </div>
        {props.columns.map((column) => {
          const sorted = column.orderField !== undefined && props.order?.field === column.orderField;
          const ariaSort = sorted ? (props.order?.descending ? 'descending' : 'ascending') : undefined;
          return (
            <div role="columnheader" aria-sort={ariaSort} key={column.id} title={column.title} data-column={column.id}>
              {column.orderField ? (
                <button type="button" class={`sort ${column.numeric ? 'num' : ''}`} onClick={() => sortBy(column)}>
                  <span class="kind">{column.kind ?? '\u00a0'}</span>
                  <span class="label">
                    {column.label}
                    <span aria-hidden="true">{sorted ? (props.order?.descending ? ' ↓' : ' ↑') : ''}</span>
                  </span>
                </button>
              ) : (
                <span class={`static ${column.numeric ? 'num' : ''}`} title="The API cannot order by this column">
                  <span class="kind">{column.kind ?? '\u00a0'}</span>
                  <span class="label">{column.label}</span>
                </span>
              )}
            </div>
          );
        })}
      </div>
      <div
        class="grid-body"
        role="rowgroup"
        style={{ height: `${virtualizer.getTotalSize()}px`, minWidth: `${minWidth}px` }}
      >
        {items.map((item) => {
          const run = props.runs[item.index] as SearchedRun;
          return (
            <RunRow
              key={run.run_id}
              measure={virtualizer.measureElement}
              run={run}
              index={item.index}
              top={item.start - headerHeight}
              template={template}
              columns={props.columns}
              selected={props.selected.has(run.run_id)}
              onToggle={props.onToggle}
            />
          );
        })}
      </div>
    </div>
  );
}

interface RunRowProps {
  /** The virtualiser's: a row whose name wraps is taller than the others. */
  measure: (row: HTMLDivElement | null) => void;
  run: SearchedRun;
  index: number;
  top: number;
  template: string;
  columns: readonly RunColumn[];
  selected: boolean;
  onToggle: (runId: string) => void;
}

/**
 * One row. While the table scrolls, the rows already in view keep their props,
 * so they skip rendering; only rows entering the window render their cells.
 */
class RunRow extends Component<RunRowProps> {
  override shouldComponentUpdate(next: RunRowProps) {
    const current = this.props;
    return (
      next.run !== current.run ||
      next.top !== current.top ||
      next.selected !== current.selected ||
      next.template !== current.template ||
      next.columns !== current.columns ||
      next.index !== current.index
    );
  }

  override render() {
    const { measure, run, index, top, template, columns, selected, onToggle } = this.props;
    return (
      <div
        ref={measure}
        data-index={index}
        class={`grid-row ${selected ? 'selected' : ''}`}
        role="row"
        aria-rowindex={index + 2}
        aria-selected={selected}
        data-run-id={run.run_id}
        style={{ gridTemplateColumns: template, transform: `translateY(${top}px)`, width: '100%' }}
      >
        <div role="cell" class="cell check">
          <input
            type="checkbox"
            aria-label={`Select ${run.run_name || run.run_id}`}
            checked={selected}
            onChange={() => onToggle(run.run_id)}
          />
        </div>
        {columns.map((column) => (
          <div role="cell" class={`cell ${column.numeric ? 'num' : ''}`} key={column.id} data-column={column.id}>
            {column.render(run)}
          </div>
        ))}
      </div>
    );
  }
}

/** A value in a cell: its start (a cell shows one line), whole in its title up to what a tooltip can show. */
function EntryCell(props: { value: string }) {
  const { value } = props;
  return <span title={value.length > 2000 ? `${value.slice(0, 2000)}…` : value}>{value.slice(0, 300)}</span>;
}

/**
 * A key past the first 1 MiB of a run's params or tags, which a search answer leaves out (params_truncated):
 * read from the run's list pages when its cell is in view, rather than shown as missing.
 */
function LaterEntry(props: { run: SearchedRun; list: 'params' | 'tags'; entryKey: string }) {
  const { run, list } = props;
  const read = useRunEntries(run.run_id, list, list === 'params' ? run.params : run.tags, true);
  const value = read.entries.get(props.entryKey);
  if (value !== undefined) return <EntryCell value={value} />;
  if (read.complete) return <span class="muted">—</span>;
  return read.error ? (
    <span class="muted" title={`Not read: ${read.error.message}`}>
      ?
    </span>
  ) : (
    <span class="muted" title={`Reading this run's ${list}…`}>
      …
    </span>
  );
}
