import { useState } from 'preact/hooks';

/** Past this many characters a value shows its start, and the rest on request. */
const shownChars = 240;

/**
 * A param or tag value, which may be 8,000 characters (a JSON config, a prompt): whole, it made one row
 * taller than the box it scrolls in and pushed every other key out of view. Its start is shown, with a
 * button that says how long it is and opens the rest; the whole value is also its title.
 */
export function LongValue(props: { value: string }) {
  const [open, setOpen] = useState(false);
  const { value } = props;
  if (value.length <= shownChars) return <>{value}</>;
  return (
    <span class="long-value">
      <span class={open ? 'whole' : undefined}>{open ? value : `${value.slice(0, shownChars)}…`}</span>{' '}
      <button type="button" class="link small" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? 'Show less' : `Show all ${value.length.toLocaleString('en-US')} characters`}
      </button>
    </span>
  );
}

/** Rows a long list renders at first; each press of its button adds five times as many. */
export const rowStep = 200;

/**
 * Under a list shown in part (a run's 10,000 params): how many are shown, and a button for more. Every row
 * of 10,000 in the DOM at once took seconds to lay out; the filter box above finds any key.
 */
export function MoreRows(props: {
  shown: number;
  total: number;
  what: string;
  /** How many rows a press adds. */
  step: number;
  onMore: (step: number) => void;
}) {
  if (props.shown >= props.total) return null;
  return (
    <div class="more-rows body">
      <span class="muted">
        Showing {props.shown.toLocaleString('en-US')} of {props.total.toLocaleString('en-US')} {props.what}: filter by
        name, or
      </span>{' '}
      <button type="button" class="small" onClick={() => props.onMore(props.step)}>
        Show {Math.min(props.step, props.total - props.shown).toLocaleString('en-US')} more
      </button>
    </div>
  );
}

/** Says a list is partial while its pages are read, or that reading them failed. */
export function PartialNotice(props: {
  what: 'params' | 'tags';
  count: number;
  complete: boolean;
  error?: Error | undefined;
  onRetry?: () => void;
}) {
  if (props.complete) return null;
  const count = props.count.toLocaleString('en-US');
  if (props.error)
    return (
      <div class="partial-notice error-box" role="alert">
        Only {count} of this run's {props.what} could be read: {props.error.message}{' '}
        {props.onRetry && (
          <button type="button" class="small" onClick={props.onRetry}>
            Retry
          </button>
        )}
      </div>
    );
  return (
    <div class="partial-notice notice" role="status">
      <span class="spinner" aria-hidden="true" />
      Partial: this run has more {props.what} than its first answer carried. Reading the rest… ({count} so far)
    </div>
  );
}
